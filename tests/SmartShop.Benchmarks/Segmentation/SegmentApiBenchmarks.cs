using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SmartShop.Benchmarks.Recommendations;
using SmartShop.Core.Data;
using SmartShop.Core.Privacy;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Serving;

namespace SmartShop.Benchmarks.Segmentation;

/// <summary>
/// <c>GET v1/users/{userId}/segment</c> and <c>POST v1/segments/predict</c> invoked in process (fresh DefaultHttpContext
/// per request, real function class, answer logged through the production writer over an in-memory store), cycling over
/// the customers of an auto-k segmentation of SMARTSHOP_BENCH_DATA (the bundled sample when unset); mean per request.
/// </summary>
[MemoryDiagnoser]
public class SegmentApiBenchmarks
{
    private const int RequestsPerInvoke = 1_000;
    private ServiceProvider _metrics = null!;
    private DocumentLogWriter _writer = null!;
    private SegmentsFunctions _functions = null!;
    private string[] _customers = null!;
    private byte[][] _bodies = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rows = new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset }).ReadAll(RecommendationBenchmarkModel.DataPath).Rows;
        var features = TransactionFeatureBuilder.Build(rows).Features;
        var model = SegmentationEngine.Run(features).Model;
        var serving = new ServingModels();
        serving.Serve(new ServedSegmentation("bench", new SavedSegmentation(model, new SegmentPredictor(model), features), DateTimeOffset.UtcNow));
        _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var telemetry = new SmartShopTelemetry(_metrics.GetRequiredService<IMeterFactory>());
        _writer = new DocumentLogWriter(new Lazy<IDocumentLogStore>(new InMemoryActivityStore()), new DocumentLogOptions(), telemetry, NullLogger<DocumentLogWriter>.Instance);
        _writer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _functions = new SegmentsFunctions(serving, _writer, telemetry, TimeProvider.System, UnconfiguredAdminAuthorizer(), ErasedCustomers.InMemory());
        _customers = [.. features.CustomerIds];
        _bodies = Enumerable.Range(0, Math.Min(features.Count, RequestsPerInvoke)).Select(i => Encoding.UTF8.GetBytes(
            "{\"features\":{" + string.Join(',', features.FeatureNames.Select((f, j) => string.Create(CultureInfo.InvariantCulture, $"\"{f}\":{features[i, j]:R}"))) + "}}")).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _writer.Dispose();
        _metrics.Dispose();
    }

    /// <summary>No Entra ID issuer configured, as in a key-only deployment: the authorizer lets the host's key check stand.</summary>
    private static AdminAuthorizer UnconfiguredAdminAuthorizer() => new(
        Options.Create(new AuthOptions()),
        new ConfigurationManager<OpenIdConnectConfiguration>("https://issuer.invalid/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever()),
        NullLogger<AdminAuthorizer>.Instance);

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public async Task<int> UserSegment()
    {
        var total = 0;
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            var context = new DefaultHttpContext();
            context.Request.Method = HttpMethods.Get;
            total += await _functions.GetUserSegment(context.Request, _customers[i % _customers.Length], default) is OkObjectResult ? 1 : 0;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public async Task<int> PredictSegment()
    {
        var total = 0;
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            var body = _bodies[i % _bodies.Length];
            var context = new DefaultHttpContext();
            context.Request.Method = HttpMethods.Post;
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = body.Length;
            context.Request.Body = new MemoryStream(body, writable: false);
            total += await _functions.PredictSegment(context.Request, CancellationToken.None).ConfigureAwait(false) is OkObjectResult ? 1 : 0;
        }

        return total;
    }
}
