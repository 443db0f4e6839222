using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;
using SmartShop.Functions.Tests.Infrastructure;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary>
/// The API responses the dashboard test replays, recorded once per test class by executing results into real
/// HTTP responses (status, headers, body bytes). PROVISIONAL: built from Core's outputs until the API functions
/// (issue #6) are merged into this branch; then each entry is recorded by invoking its function.
/// </summary>
public sealed class DashboardRecordings : IAsyncLifetime
{
    public const string Algorithm = "hierarchical";
    public const string Linkage = "ward";
    private const string AnalysisId = "a-recorded";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "smartshop-dashboard-" + Guid.NewGuid().ToString("N")[..8]);

    internal Dictionary<string, RecordedResponse> Responses { get; } = new(StringComparer.Ordinal);

    /// <summary>The bundled sample as plain CSV: what the browser uploads and what the upload was recorded with.</summary>
    public string UploadCsv => Path.Combine(_directory, "online-retail-sample.csv");

    public string UserId { get; private set; } = string.Empty;

    public string ItemId { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await using (var gzip = new GZipStream(File.OpenRead(Repository.Path("samples", "online-retail-sample.csv.gz")), CompressionMode.Decompress))
        await using (var csv = File.Create(UploadCsv))
        {
            await gzip.CopyToAsync(csv);
        }

        var features = TransactionFeatureBuilder.Build(new TransactionCsvReader().Read(UploadCsv, new DataQualityReport()));
        var run = SegmentationEngine.Run(features.Features, new SegmentationOptions { Algorithm = SegmentationAlgorithm.Hierarchical, Linkage = SmartShop.Core.Segmentation.Linkage.Ward, Source = "online-retail-sample.csv" });
        var analysis = run.Analysis with { Assignments = [] };
        UserId = run.Analysis.Assignments[0].CustomerId;
        ItemId = "22086";

        await Record("POST", "/api/v1/segmentation/analyses", "", new ObjectResult(new { id = AnalysisId, analysis }) { StatusCode = 201 });
        await Record("GET", "/api/v1/segmentation/analyses", "", new OkObjectResult(new
        {
            items = new[] { new { id = AnalysisId, source = analysis.Input.Source, createdUtc = analysis.CreatedUtc, customers = analysis.Input.Customers, k = analysis.Metrics.K, silhouette = analysis.Metrics.Silhouette } },
        }));
        await Record("DELETE", $"/api/v1/segmentation/analyses/{AnalysisId}", "", new NoContentResult());
        await Record("GET", "/api/v1/models", "", new OkObjectResult(new
        {
            models = new[]
            {
                new
                {
                    kind = "recommendations",
                    active = new { kind = "recommendations", version = "v2", previousVersion = "v1", activatedAt = DateTimeOffset.UnixEpoch, etag = "x" },
                    versions = new[]
                    {
                        new { kind = "recommendations", version = "v1", createdAt = DateTimeOffset.UnixEpoch, active = false, metrics = new { ndcg = 0.41 } },
                        new { kind = "recommendations", version = "v2", createdAt = DateTimeOffset.UnixEpoch.AddDays(1), active = true, metrics = new { ndcg = 0.43 } },
                    },
                },
            },
        }));
        var explanation = SegmentationModelStoreExplain(run, UserId);
        await Record("GET", $"/api/v1/users/{UserId}/segment", "", new OkObjectResult(explanation));
        var item = new { itemId = ItemId, score = 1.0, reasons = new[] { "bought before" }, title = "PAPER CHAIN KIT", category = "decorations", price = 2.55 };
        await Record("GET", $"/api/v1/users/{UserId}/recommendations", "?k=10", new OkObjectResult(new { userId = UserId, recommendationId = "r1", modelVersion = "v2", recommendations = new[] { item } }));
        await Record("GET", $"/api/v1/items/{ItemId}/similar", "?k=10", new OkObjectResult(new { itemId = ItemId, recommendationId = "r2", modelVersion = "v2", recommendations = new[] { item } }));
        await Record("GET", $"/api/v1/items/{ItemId}/bought-together", "?k=10", new OkObjectResult(new { itemId = ItemId, recommendationId = "r3", modelVersion = "v2", recommendations = new[] { item } }));
    }

    private static CustomerExplanation SegmentationModelStoreExplain(SegmentationRun run, string customerId) =>
        new SegmentPredictor(run.Model).Explain(new double[run.Analysis.Input.FeatureNames.Count], customerId);

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private async Task Record(string method, string path, string query, IActionResult result)
    {
        var context = RecordedResponse.NewContext(method, path, query);
        Responses[method + " " + path + query] = await RecordedResponse.CaptureAsync(context, result);
    }
}
