using System.Text.Json;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Reporting;
using SmartShop.Core.Segmentation;
using SmartShop.Functions.Tests.Serving;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary>
/// The HTML report of a retraining-style run (a hierarchical segmentation and a recommender bundle in one directory),
/// opened from file:// in chromium: every chart draws, no network request, no console error.
/// </summary>
public sealed class ReportBrowserTests : IDisposable
{
    private readonly DirectoryInfo _run = Directory.CreateTempSubdirectory("smartshop-report-");

    public void Dispose() => _run.Delete(recursive: true);

    [Fact]
    public async Task TheReportRendersEveryChartFromFile()
    {
        // The small models the API tests train once per run (first rows of the bundled sample).
        var features = TransactionFeatureBuilder.Build(ServingTestModels.Rows);
        var analysis = SegmentationEngine.Run(features.Features, new SegmentationOptions { Algorithm = SegmentationAlgorithm.Hierarchical, K = 4 }).Analysis;
        await using (var json = File.Create(Path.Combine(_run.FullName, RunReport.SegmentationFile)))
        {
            await JsonSerializer.SerializeAsync(json, analysis with { Assignments = [] }, SegmentationModelStore.JsonOptions);
        }

        ModelBundle.Save(ServingTestModels.Recommender, _run.FullName);
        var report = Path.Combine(DashboardBrowserTests.Screenshots, "report.html");
        await RunReport.WriteAsync(_run.FullName, report);

        var output = await NodeScript.RunAsync("check-report.mjs", [report, DashboardBrowserTests.Screenshots], TimeSpan.FromSeconds(60));

        using var seen = JsonDocument.Parse(output);
        seen.RootElement.GetProperty("charts").EnumerateArray().Select(c => c.GetProperty("tab").GetString())
            .Should().Equal("elbow", "pca", "radar", "sizes", "dendrogram", "training");
    }
}
