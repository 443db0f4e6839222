using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartShop.Core.Data;
using SmartShop.Core.Storage;
using SmartShop.Core.Training;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Infrastructure;
using SmartShop.Functions.Tests.Serving;
using SmartShop.Functions.Tests.Training;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary>
/// The API responses the dashboard test replays, recorded once per test class by invoking the real functions with the
/// app's registrations on Azurite (models trained and published by the real <see cref="TrainingRunner"/> with light
/// recipes, loaded through the registry) and executing their results into HTTP responses (status, headers, body bytes)
/// with the MVC executors the Functions host uses. The upload is the bundled sample (5.6 MB, above the 2 MB background threshold), so the
/// recording covers 202 + the finished analysis the page polls for.
/// </summary>
public sealed class DashboardRecordings : IAsyncLifetime
{
    public const string Algorithm = "hierarchical";
    public const string Linkage = "ward";
    private const string Api = "/api/";

    private readonly ApiHost _host = new(
        new() { ["DocumentLogs:FlushIntervalMilliseconds"] = "50" },
        services => services.AddSingleton(TrainingHost.LightRecipes));
    private readonly string _directory = Directory.CreateTempSubdirectory("smartshop-dashboard-").FullName;

    internal Dictionary<string, RecordedResponse> Responses { get; } = new(StringComparer.Ordinal);

    /// <summary>The bundled sample as plain CSV: what the browser uploads and what the upload was recorded with.</summary>
    public string UploadCsv => Path.Combine(_directory, "online-retail-sample.csv");

    public string AnalysisId { get; private set; } = string.Empty;

    public string UserId { get; private set; } = string.Empty;

    public string ItemId { get; } = ServingTestModels.PopularItem;

    public async Task InitializeAsync()
    {
        await using (var gzip = new GZipStream(File.OpenRead(Repository.Path("samples", "online-retail-sample.csv.gz")), CompressionMode.Decompress))
        await using (var csv = File.Create(UploadCsv))
        {
            await gzip.CopyToAsync(csv);
        }

        // A segmentation to compare drift with, then two real training runs: the first promoted, the second rejected.
        await ServingTestModels.PublishSegmentationAsync(_host.Registry, "s1");
        await TrainAsync();
        await _host.Refresh.RefreshAsync();
        await RecordAnalysesAsync();

        var models = _host.Create<ModelRegistryFunctions>();
        await Record("GET", "v1/models", "", c => models.ListModels(c.Request, default));
        var segments = _host.Create<SegmentsFunctions>();
        await Record("GET", "v1/segments", "", c => Task.FromResult(segments.GetSegments(c.Request)));

        // A customer both models know: the segment answer must be a real explanation, not a 404.
        UserId = ServingTestModels.Rows.Select(t => t.CustomerId).OfType<string>().Distinct(StringComparer.Ordinal)
            .First(u => _host.Serving.Recommendations!.Recommender.IsKnownUser(u)
                && segments.GetUserSegment(RecordedResponse.NewContext("GET", "/x").Request, u, default).GetAwaiter().GetResult() is OkObjectResult);
        await Record("GET", $"v1/users/{UserId}/segment", "", c => segments.GetUserSegment(c.Request, UserId, default));
        var recommendations = _host.Create<RecommendationFunctions>();
        await Record("GET", $"v1/users/{UserId}/recommendations", "?k=10", c => recommendations.GetUserRecommendations(c.Request, UserId, default));
        await Record("GET", $"v1/items/{ItemId}/similar", "?k=10", c => Task.FromResult(recommendations.GetSimilarItems(c.Request, ItemId, default)));
        await Record("GET", $"v1/items/{ItemId}/bought-together", "?k=10", c => Task.FromResult(recommendations.GetBoughtTogether(c.Request, ItemId, default)));
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Two uploads trained by the production runner: the sample's first rows (promoted over nothing, drift measured
    /// against s1), then the same rows with every product code before the hold-out permuted (worse, so rejected; drift
    /// against the first run's segmentation). The models tab shows both decisions and the active version's drift.
    /// </summary>
    private async Task TrainAsync()
    {
        var runner = _host.Services.GetRequiredService<TrainingRunner>();
        var container = await _host.Services.GetRequiredService<BlobContainers>().GetAsync(BlobContainers.TrainingData);
        var rows = ServingTestModels.Rows;
        var cutoff = rows.Max(t => t.InvoiceDate) - runner.Options.Holdout;
        var codes = rows.Select(t => t.StockCode).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var shuffled = codes.ToArray();
        new Random(11).Shuffle(shuffled);
        var permuted = codes.Zip(shuffled).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        foreach (var (input, expected) in new (IReadOnlyList<Transaction> Input, TrainingDecision Expected)[]
        {
            (rows, TrainingDecision.Promoted),
            (rows.Select(t => t.InvoiceDate < cutoff ? t with { StockCode = permuted[t.StockCode] } : t).ToList(), TrainingDecision.Rejected),
        })
        {
            var name = $"dashboard-{Guid.NewGuid():N}.csv.gz";
            await container.GetBlobClient(name).UploadAsync(GzipCsv(input));
            var report = await runner.RunFromBlobAsync(name);
            report.Decision.Should().Be(expected, report.Message);
        }
    }

    /// <summary>Transactions as the sample's CSV, plus a row with a fresh invoice so no other class's run of the same rows is a duplicate.</summary>
    private static BinaryData GzipCsv(IEnumerable<Transaction> rows)
    {
        var text = new StringBuilder("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
        foreach (var t in rows.Append(rows.First() with { InvoiceNo = $"T{Guid.NewGuid():N}" }))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{t.InvoiceNo},{t.StockCode},\"{t.Description.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{t.Quantity},{t.InvoiceDate:yyyy-MM-dd HH:mm:ss},{t.UnitPrice},{t.CustomerId},{t.Country}\n");
        }

        using var content = new MemoryStream();
        using (var gzip = new GZipStream(content, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text.ToString()));
        }

        return new BinaryData(content.ToArray());
    }

    private async Task RecordAnalysesAsync()
    {
        var analyses = _host.Create<AnalysesFunctions>();
        var created = await Record("POST", AnalysesFunctions.Route, "", c => analyses.CreateAnalysis(Upload(c), default));
        created.Status.Should().Be(StatusCodes.Status202Accepted, "the sample is above the background threshold");
        AnalysisId = created.Location!.Split('/')[^1];

        // The finished state is what the page's polling ends on: run it as the queue trigger would.
        await _host.Create<AnalysisQueueFunction>().RunQueuedAnalysis(AnalysisId, default);
        var finished = (AnalysisResource)((OkObjectResult)await analyses.GetAnalysis(ApiHost.Get("/x"), AnalysisId, default)).Value!;
        finished.Status.Should().Be(AnalysisStatus.Succeeded, finished.Error);

        var path = $"{AnalysesFunctions.Route}/{AnalysisId}";
        await Record("GET", path, "", c => analyses.GetAnalysis(c.Request, AnalysisId, default));
        await Record("GET", path + "/dendrogram", "", c => analyses.GetAnalysisDendrogram(c.Request, AnalysisId, default));
        // Newest first: other test classes share this Azurite, but the page lists 20 and ours was just made.
        var list = await Record("GET", AnalysesFunctions.Route, "", c => analyses.ListAnalyses(c.Request, default));
        System.Text.Encoding.UTF8.GetString(list.Body).Should().Contain(AnalysisId, "the history the page shows includes the analysis it deletes");
        await Record("DELETE", path, "", c => analyses.DeleteAnalysis(c.Request, AnalysisId, default));
    }

    /// <summary>The page's multipart upload: the CSV in 'file' and the parameters as form fields.</summary>
    private HttpRequest Upload(HttpContext context)
    {
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(File.ReadAllBytes(UploadCsv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, "file", Path.GetFileName(UploadCsv));
        foreach (var (name, value) in new[] { ("k", "auto"), ("algorithm", Algorithm), ("linkage", Linkage), ("delimiter", ",") })
        {
            content.Add(new StringContent(value), name);
        }

        var body = new MemoryStream();
        content.CopyTo(body, null, CancellationToken.None);
        body.Position = 0;
        context.Request.ContentType = content.Headers.ContentType!.ToString();
        context.Request.Body = body;
        context.Request.ContentLength = body.Length;
        return context.Request;
    }

    private async Task<RecordedResponse> Record(string method, string route, string query, Func<HttpContext, Task<IActionResult>> invoke)
    {
        var path = Api + route;
        var context = RecordedResponse.NewContext(method, path, query);
        var recorded = await RecordedResponse.CaptureAsync(context, await invoke(context));
        recorded.Status.Should().BeLessThan(400, $"{method} {path}{query} answered {System.Text.Encoding.UTF8.GetString(recorded.Body)}");
        Responses[method + " " + path + query] = recorded;
        return recorded;
    }
}
