using System.Text.Json;
using SmartShop.Functions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian chromium, playwright-core): served by the real dashboard function, the API
/// answered with responses recorded from the API functions; upload, every chart, tabs, keyboard, try-it, history,
/// experiments (list, results, stop), narrow screen, and no console error. Screenshots: TestResults/dashboard/.
/// </summary>
public sealed class DashboardBrowserTests(DashboardRecordings recordings, ITestOutputHelper output) : IClassFixture<DashboardRecordings>
{
    private const string FunctionKey = "test-function-key";

    public static string Screenshots { get; } = Repository.Path("TestResults", "dashboard");

    [Fact]
    public async Task ThePageDrawsEveryChartFromRecordedResponsesWithoutConsoleErrors()
    {
        await using var server = await RecordedApiServer.StartAsync(recordings.Responses, FunctionKey);
        Directory.CreateDirectory(Screenshots);
        var configPath = Path.Combine(Screenshots, "check-dashboard.json");
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new
        {
            url = server.BaseUrl,
            functionKey = FunctionKey,
            csv = recordings.UploadCsv,
            algorithm = DashboardRecordings.Algorithm,
            linkage = DashboardRecordings.Linkage,
            k = "auto",
            analysisId = recordings.AnalysisId,
            userId = recordings.UserId,
            itemId = recordings.ItemId,
            screenshots = Screenshots,
            experiments = ExperimentExpectations(),
        }));

        var printed = await NodeScript.RunAsync("check-dashboard.mjs", [configPath], TimeSpan.FromSeconds(90));

        using var seen = JsonDocument.Parse(printed);
        output.WriteLine($"Experiment charts over time: {seen.RootElement.GetProperty("daily").GetString()}");
        var views = seen.RootElement.GetProperty("charts").EnumerateArray().Select(c => c.GetProperty("view").GetString()).ToList();
        views.Should().Contain(["analysis elbow", "analysis pca", "analysis radar", "analysis sizes", "analysis dendrogram", "models", "models drift", "try-it segment", "experiments ctr"]);
        var decisions = seen.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("decision").GetString()).ToList();
        decisions.Should().Contain(d => d!.StartsWith("promoted", StringComparison.Ordinal)).And.Contain(d => d!.StartsWith("rejected", StringComparison.Ordinal));
        seen.RootElement.GetProperty("recommended").GetInt32().Should().BeGreaterThan(0);
        seen.RootElement.GetProperty("reasons").GetInt32().Should().BeGreaterThan(0);
        seen.RootElement.GetProperty("itemLists").EnumerateArray().Select(l => l.GetInt32()).Should().HaveCount(2).And.OnlyContain(n => n > 0);

        var received = server.Received.ToList();
        received.Should().OnlyContain(r => r.HadKey, "the page sends the function key with every API call");
        received.Select(r => r.Key).Should().OnlyContain(key => recordings.Responses.ContainsKey(key), "the page calls only recorded routes");
        var upload = received.Should().ContainSingle(r => r.Key == "POST /api/v1/segmentation/analyses").Subject;
        upload.FormFiles.Should().ContainKey("file").WhoseValue.Should().Be(new FileInfo(recordings.UploadCsv).Length);
        upload.FormFields.Should().Contain(new Dictionary<string, string> { ["k"] = "auto", ["algorithm"] = DashboardRecordings.Algorithm, ["linkage"] = DashboardRecordings.Linkage });
        received.Should().Contain(r => r.Key == $"GET /api/v1/segmentation/analyses/{recordings.AnalysisId}", "the page polls the 202's Location until the analysis finished");
        received.Should().Contain(r => r.Key == $"DELETE /api/v1/segmentation/analyses/{recordings.AnalysisId}");
        received.Should().Contain(r => r.Key == recordings.ExperimentResultsKey);
        received.Should().ContainSingle(r => r.Key == $"POST /api/v1/experiments/{recordings.ExperimentId}/stop")
            .Which.IfMatch.Should().Be(recordings.ExperimentETag, "the page stops the definition it listed");
        File.Exists(Path.Combine(Screenshots, "02-analysis-dendrogram.png")).Should().BeTrue();
        File.Exists(Path.Combine(Screenshots, "08-experiment-results.png")).Should().BeTrue();
    }

    /// <summary>What the Experiments tab must show, read from the recorded results: the page is checked against the API's figures.</summary>
    private object ExperimentExpectations()
    {
        using var recorded = JsonDocument.Parse(recordings.Responses[recordings.ExperimentResultsKey].Body);
        var results = recorded.RootElement.GetProperty("results");
        var daily = recorded.RootElement.TryGetProperty("daily", out var top) ? top : results.TryGetProperty("daily", out var inner) ? inner : default;
        return new
        {
            running = recordings.ExperimentId,
            stopped = recordings.StoppedExperimentId,
            planned = recordings.PlannedExperimentId,
            verdict = results.GetProperty("verdict").GetString(),
            sampleRatioMismatch = results.GetProperty("sampleRatioMismatch").GetBoolean(),
            variants = results.GetProperty("variants").EnumerateArray()
                .Select(v => new { name = v.GetProperty("variant").GetString(), impressions = v.GetProperty("impressions").GetInt64() }).ToList(),
            daily = daily.ValueKind switch
            {
                JsonValueKind.Undefined => "absent",
                JsonValueKind.Array when daily.GetArrayLength() == 0 => "empty",
                _ => "present",
            },
        };
    }
}
