using System.IO.Compression;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Infrastructure;
using SmartShop.Functions.Tests.Serving;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary>
/// The API responses the dashboard test replays, recorded once per test class by invoking the real functions with the
/// app's registrations on Azurite (small models from <see cref="ServingTestModels"/>, published and loaded through the
/// registry) and executing their results into HTTP responses (status, headers, body bytes) with the MVC executors the
/// Functions host uses. The upload is the bundled sample (5.6 MB, above the 2 MB background threshold), so the
/// recording covers 202 + the finished analysis the page polls for.
/// </summary>
public sealed class DashboardRecordings : IAsyncLifetime
{
    public const string Algorithm = "hierarchical";
    public const string Linkage = "ward";
    private const string Api = "/api/";

    private readonly ApiHost _host = new(new() { ["DocumentLogs:FlushIntervalMilliseconds"] = "50" });
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

        // Two recommender versions (the second active) and a segmentation, loaded as the app loads them.
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r2");
        await ServingTestModels.PublishSegmentationAsync(_host.Registry, "s1");
        await _host.Refresh.RefreshAsync();
        var worker = _host.Services.GetServices<IHostedService>().OfType<AnalysisWorker>().Single();
        await worker.StartAsync(CancellationToken.None);
        try
        {
            await RecordAnalysesAsync();
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }

        var models = _host.Create<ModelRegistryFunctions>();
        await Record("GET", "v1/models", "", c => models.ListModels(c.Request, default));
        var segments = _host.Create<SegmentsFunctions>();
        await Record("GET", "v1/segments", "", c => Task.FromResult(segments.GetSegments(c.Request)));

        // A customer both models know: the segment answer must be a real explanation, not a 404.
        UserId = ServingTestModels.KnownUsers.First(u => segments.GetUserSegment(RecordedResponse.NewContext("GET", "/x").Request, u) is OkObjectResult);
        await Record("GET", $"v1/users/{UserId}/segment", "", c => Task.FromResult(segments.GetUserSegment(c.Request, UserId)));
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

    private async Task RecordAnalysesAsync()
    {
        var analyses = _host.Create<AnalysesFunctions>();
        var created = await Record("POST", AnalysesFunctions.Route, "", c => analyses.CreateAnalysis(Upload(c), default));
        created.Status.Should().Be(StatusCodes.Status202Accepted, "the sample is above the background threshold");
        AnalysisId = created.Location!.Split('/')[^1];

        // The finished state is what the page's polling ends on.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await analyses.GetAnalysis(ApiHost.Get("/x"), AnalysisId, default) as OkObjectResult)?.Value is AnalysisResource { Status: not AnalysisStatus.Succeeded } pending)
        {
            pending.Status.Should().NotBe(AnalysisStatus.Failed, pending.Error);
            DateTime.UtcNow.Should().BeBefore(deadline, "the background analysis of the sample finishes within a minute");
            await Task.Delay(100);
        }

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
