using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartShop.Core.Data;
using SmartShop.Core.Experiments;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Training;
using SmartShop.Functions.Experiments;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Serving;
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
/// recording covers 202 + the finished analysis the page polls for. The experiments are created, served, clicked and
/// stopped through the real functions too (after the try-it recordings, so those are answered by the active model).
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

    /// <summary>The running experiment the page opens and stops: the popular control against the trained version. (The registry container is this host's own, so ids are fixed.)</summary>
    // Ids of this recording's own: the rollups' day partitions are shared with every earlier run on the same storage.
    private static readonly string RunSuffix = Guid.NewGuid().ToString("N")[..8];

    public string ExperimentId { get; } = "dashboard-ranking-" + RunSuffix;

    public string StoppedExperimentId { get; } = "dashboard-stopped-" + RunSuffix;

    public string PlannedExperimentId { get; } = "dashboard-planned-" + RunSuffix;

    public string ExperimentResultsKey => $"GET {Api}{ExperimentsFunctions.Route}/{ExperimentId}/results";

    /// <summary>The If-Match the stop was recorded with: the ETag the list shows.</summary>
    public string ExperimentETag { get; private set; } = string.Empty;

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
        await RecordExperimentsAsync(recommendations);
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

    /// <summary>
    /// Three experiments through <see cref="ExperimentsFunctions.CreateExperiment"/>: one planned a week ahead, one stopped
    /// at once, and one running (popular control against the trained version on the user route) that serves 60 customers
    /// through <see cref="RecommendationFunctions"/> (impressions flushed as the counter does every 30 s); a third of them
    /// click their first item, a few buy it. Then the list, the running one's results, and its stop under the listed ETag.
    /// </summary>
    private async Task RecordExperimentsAsync(RecommendationFunctions recommendations)
    {
        var experiments = _host.Create<ExperimentsFunctions>();
        var trained = (await _host.Registry.GetActiveAsync(ModelStatusBoard.Recommendations))!.Version;
        var now = DateTimeOffset.UtcNow;
        await CreateExperimentAsync(experiments, PlannedExperimentId, trained, $$""", "startsAt": "{{now.AddDays(7):O}}", "stopsAt": "{{now.AddDays(21):O}}" """);
        await CreateExperimentAsync(experiments, StoppedExperimentId, trained, "");
        (await experiments.StopExperiment(ApiHost.Request("POST"), StoppedExperimentId, default)).Should().BeOfType<OkObjectResult>();
        await CreateExperimentAsync(experiments, ExperimentId, trained, $$""", "stopsAt": "{{now.AddDays(14):O}}" """);
        await _host.Refresh.RefreshAsync();

        var answers = new List<UserRecommendations>();
        foreach (var user in ServingTestModels.Rows.Select(t => t.CustomerId).OfType<string>().Distinct(StringComparer.Ordinal).Take(60))
        {
            answers.Add((UserRecommendations)((OkObjectResult)await recommendations.GetUserRecommendations(ApiHost.Get("/x", "k=3"), user, default)).Value!);
        }
        answers.Should().OnlyContain(a => a.ExperimentId == ExperimentId, "the running experiment routes every customer");
        await _host.Services.GetRequiredService<ImpressionCounter>().FlushAsync();

        // Clicked and bought after the answers (the experiment counts nothing from before it started).
        var clickedAt = DateTimeOffset.UtcNow;
        var events = new List<string>();
        foreach (var (answer, i) in answers.Select((a, i) => (a, i)).Where(x => x.i % 3 == 0))
        {
            var item = answer.Recommendations[0];
            var click = new ClickstreamEvent($"dashboard-{Guid.NewGuid():N}", ClickstreamEventTypes.Click, answer.UserId, null, item.ItemId, clickedAt)
            {
                RecommendationId = answer.RecommendationId, Position = 1, ExperimentId = answer.ExperimentId, Variant = answer.Variant,
            };
            events.Add(Json(click));
            if (i % 9 == 0)
            {
                events.Add(Json(click with { EventId = $"dashboard-{Guid.NewGuid():N}", Type = ClickstreamEventTypes.Purchase, Quantity = 2, Price = 3.5m + i, TransactionId = $"dashboard-{i}", Position = null }));
            }
        }
        (await _host.Services.GetRequiredService<ClickstreamIngestor>().IngestAsync(ClickstreamBatch.FromContent(events, "dashboard"))).Accepted.Should().Be(events.Count);

        await Record("GET", ExperimentsFunctions.Route, "", c => experiments.ListExperiments(c.Request, default));
        var results = await Record("GET", $"{ExperimentsFunctions.Route}/{ExperimentId}/results", "", c => experiments.GetExperimentResults(c.Request, ExperimentId, default));
        using (var figures = System.Text.Json.JsonDocument.Parse(results.Body))
        {
            var variants = figures.RootElement.GetProperty("results").GetProperty("variants").EnumerateArray().ToList();
            variants.Sum(v => v.GetProperty("impressions").GetInt64()).Should().Be(answers.Count, "every answer served is an impression");
            variants.Sum(v => v.GetProperty("clicks").GetInt64()).Should().Be(answers.Count / 3, "every click names its variant");
        }
        ExperimentETag = (await _host.Services.GetRequiredService<ExperimentStore>().GetAsync(ExperimentId))!.ETag!;
        await Record("POST", $"{ExperimentsFunctions.Route}/{ExperimentId}/stop", "", c =>
        {
            c.Request.Headers.IfMatch = ExperimentETag;
            return experiments.StopExperiment(c.Request, ExperimentId, default);
        });
    }

    private static async Task CreateExperimentAsync(ExperimentsFunctions experiments, string id, string version, string schedule)
    {
        var body = $$"""
            {"id": "{{id}}", "variants": [{"name": "popular", "weight": 1, "strategy": "popular"}, {"name": "trained", "weight": 1, "modelVersion": "{{version}}"}],
             "endpoints": ["{{RecommendationFunctions.UserEndpoint}}"], "primaryMetric": "ctr", "guardrails": ["revenue-per-mille"]{{schedule}}}
            """;
        (await experiments.CreateExperiment(ApiHost.Post("/api/v1/experiments", body), default)).Should().BeOfType<CreatedResult>();
    }

    /// <summary>An event as the storefront sends it: the lake's own JSON form.</summary>
    private static string Json(ClickstreamEvent clickstreamEvent)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            ClickstreamEventJson.Write(writer, clickstreamEvent);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
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
