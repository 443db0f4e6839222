using System.Text.Json;
using System.Text.RegularExpressions;
using SmartShop.Cli.Commands;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Reporting;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Tests.Recommendations;

namespace SmartShop.Core.Tests.Reporting;

/// <summary>The self-contained HTML report; that its charts render in a browser is tested in SmartShop.Functions.Tests/Dashboard.</summary>
public sealed partial class RunReportTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("report-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task ASegmentationRunBecomesOneFileWithTheRendererAndTheAnalysisInlined()
    {
        var run = await SegmentRunAsync();
        var output = Path.Combine(_directory.FullName, "out", "report.html");

        await RunReport.WriteAsync(run, output);

        var html = await File.ReadAllTextAsync(output);
        html.StartsWith("<!doctype html>", StringComparison.Ordinal).Should().BeTrue();
        html.Contains("<title>SmartShop run report: seg</title>", StringComparison.Ordinal).Should().BeTrue();
        ExternalReferences().IsMatch(html).Should().BeFalse("the report must open with no network");
        var data = JsonDocument.Parse(ReportData().Match(html).Groups[1].Value).RootElement;
        var analysis = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(run, "segments.json"))).RootElement;
        data.GetProperty("segmentation").GetProperty("metrics").GetProperty("k").GetInt32().Should().Be(analysis.GetProperty("metrics").GetProperty("k").GetInt32());
        data.GetProperty("segmentation").GetProperty("segments").GetArrayLength().Should().Be(analysis.GetProperty("segments").GetArrayLength());
        data.GetProperty("training").ValueKind.Should().Be(JsonValueKind.Null);
        html.Contains("Chart.js", StringComparison.Ordinal).Should().BeTrue("the Chart.js bundle is inlined (its licence banner names it)");
    }

    [Fact]
    public async Task ASavedSegmentationModelIsChartedFromTheReportItCarries()
    {
        var run = await SegmentRunAsync();
        File.Delete(Path.Combine(run, RunReport.SegmentationFile));

        var content = await RunReport.LoadAsync(run);

        content.Segmentation.Should().BeNull();
        var data = JsonDocument.Parse(ReportData().Match(RunReport.Render(content)).Groups[1].Value).RootElement.GetProperty("segmentationModel");
        data.GetProperty("metrics").GetProperty("k").GetInt32().Should().Be(3);
        data.GetProperty("metrics").GetProperty("candidates").GetArrayLength().Should().BeGreaterThan(0);
        data.GetProperty("segments").GetArrayLength().Should().Be(3);
        data.GetProperty("algorithm").GetString().Should().Be(content.SegmentationModel!.Algorithm);
    }

    [Fact]
    public async Task AModelBundleBecomesATrainingReportWithItsMetrics()
    {
        var bundle = Path.Combine(_directory.FullName, "model");
        var model = SyntheticShop.Train();
        ModelBundle.Save(model, bundle);

        var content = await RunReport.LoadAsync(bundle);

        content.Segmentation.Should().BeNull();
        content.Training!.Users.Should().Be(model.UserCount);
        content.Training.Metrics.Should().BeEquivalentTo(model.Info.Metrics);
        RunReport.Render(content).Contains("\"ranker\": \"" + model.Info.Ranker + "\"", StringComparison.Ordinal).Should().BeTrue();
    }

    [Fact]
    public void TextFromTheDataCannotCloseTheScriptElement()
    {
        var training = new TrainingRunSummary("f", 2, DateTime.UnixEpoch, DateTime.UnixEpoch, "</script><script>alert(1)</script>",
            new Dictionary<string, string>(), new Dictionary<string, double>(), 1, 1);

        var html = RunReport.Render(new RunReportContent("<b>title</b>", null, training));

        // Compared as booleans: a failure message would otherwise print the whole inlined bundle.
        html.Contains("</script><script>alert(1)", StringComparison.Ordinal).Should().BeFalse();
        html.Contains("<title>&lt;b&gt;title&lt;/b&gt;</title>", StringComparison.Ordinal).Should().BeTrue();
        var data = JsonDocument.Parse(ReportData().Match(html).Groups[1].Value).RootElement;
        data.GetProperty("training").GetProperty("ranker").GetString().Should().Be(training.Ranker, "the text survives escaping");
    }

    [Fact]
    public async Task ADirectoryWithoutARunIsRefusedWithAMessageNamingBothKinds()
    {
        var act = () => RunReport.LoadAsync(_directory.FullName);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage("*segments.json*smartshop segment*manifest.json*smartshop train*");
    }

    [Fact]
    public async Task ACorruptSegmentsFileIsNamedInTheError()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory.FullName, "segments.json"), "{ not json");

        var act = () => RunReport.LoadAsync(_directory.FullName);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage("*segments.json' is not a valid segments.json*");
    }

    private async Task<string> SegmentRunAsync()
    {
        var directory = Path.Combine(_directory.FullName, "seg");
        await SegmentCommand.RunAsync(
            new SegmentSettings { Data = new FileInfo(TestData.OnlineRetailSample), Out = new DirectoryInfo(directory), Options = new SegmentationOptions { K = 3 } },
            TextWriter.Null,
            CancellationToken.None);
        return directory;
    }

    [GeneratedRegex("<(script|link|img)[^>]+(src|href)=\"(?!data:)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReferences();

    [GeneratedRegex("<script id=\"report-data\" type=\"application/json\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ReportData();
}
