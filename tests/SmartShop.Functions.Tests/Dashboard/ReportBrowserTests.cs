using System.Text.Json;
using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Reporting;
using SmartShop.Core.Segmentation;
using SmartShop.Functions.Tests.Infrastructure;

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
        var rows = new TransactionCsvReader().ReadAll(Repository.Path("samples", "online-retail-sample.csv.gz")).Rows;
        var features = TransactionFeatureBuilder.Build(rows);
        var analysis = SegmentationEngine.Run(features.Features, new SegmentationOptions { Algorithm = SegmentationAlgorithm.Hierarchical, K = 4 }).Analysis;
        await using (var json = File.Create(Path.Combine(_run.FullName, RunReport.SegmentationFile)))
        {
            await JsonSerializer.SerializeAsync(json, analysis with { Assignments = [] }, SegmentationModelStore.JsonOptions);
        }

        // A small recommender (40 customers of the sample) is enough for a manifest with real metrics.
        var customers = rows.Where(r => r.CustomerId is not null).Select(r => r.CustomerId).Distinct().Take(40).ToHashSet();
        var model = new RecommenderTrainer(new RecommenderOptions { Als = null, MaxDegreeOfParallelism = 2 })
            .Train(InteractionSources.FromTransactions(rows.Where(r => customers.Contains(r.CustomerId))));
        ModelBundle.Save(model, _run.FullName);
        var report = Path.Combine(DashboardBrowserTests.Screenshots, "report.html");
        await RunReport.WriteAsync(_run.FullName, report);

        var output = await NodeScript.RunAsync("check-report.mjs", [report, DashboardBrowserTests.Screenshots], TimeSpan.FromSeconds(60));

        using var seen = JsonDocument.Parse(output);
        seen.RootElement.GetProperty("charts").EnumerateArray().Select(c => c.GetProperty("tab").GetString())
            .Should().Equal("elbow", "pca", "radar", "sizes", "dendrogram", "training");
    }
}
