using Microsoft.Azure.Functions.Worker;
using SmartShop.Core.Training;
using SmartShop.Functions.Training;

namespace SmartShop.Functions.Tests.Training;

/// <summary>The weekly retrain from the event lake window, invoked as the timer would.</summary>
public sealed class ScheduledRetrainTests : IDisposable
{
    private static readonly DateTimeOffset Now = LakeEvents.IsolatedNow();

    private readonly TrainingHost _host = new(new() { ["Training:LakeWindowDays"] = "14", ["Training:HoldoutDays"] = "3" }, Now);

    [Fact]
    public async Task TheTimerRetrainsFromTheLakeWindowAndAnUnchangedLakeRunsOnce()
    {
        await _host.WriteLakeAsync(LakeEvents.Shop(Now.AddDays(-14), 14, "i", seed: 1));
        var functions = _host.Create<ScheduledTrainingFunctions>();

        var report = await functions.ScheduledRetrain(new TimerInfo(), CancellationToken.None);
        var again = await functions.ScheduledRetrain(new TimerInfo(), CancellationToken.None);

        report.Trigger.Should().Be(ScheduledTrainingFunctions.ScheduleTrigger);
        report.InputKind.Should().Be(TrainingInputKind.EventLake);
        report.Decision.Should().Be(TrainingDecision.Promoted, report.Message);
        (await _host.Registry.GetActiveAsync(_host.TrainingOptions.RecommendationsModel))!.Version.Should().Be(report.RecommendationsVersion);
        again.IsDuplicate.Should().BeTrue();
        again.RunId.Should().Be(report.RunId);
    }

    [Fact]
    public async Task AnEmptyLakeWindowFailsWithAReasonAndActivatesNothing()
    {
        using var empty = new TrainingHost(new() { ["Training:LakeWindowDays"] = "14" }, LakeEvents.IsolatedNow());

        var report = await empty.Create<ScheduledTrainingFunctions>().ScheduledRetrain(new TimerInfo(), CancellationToken.None);

        report.Decision.Should().Be(TrainingDecision.Failed);
        report.Message.Should().Contain("no valid events");
        (await empty.Registry.GetActiveAsync(empty.TrainingOptions.RecommendationsModel)).Should().BeNull();
    }

    public void Dispose() => _host.Dispose();
}

/// <summary>The daily drift check on the lake: alert telemetry, and a retrain only when Training:RetrainOnDrift is on.</summary>
public sealed class DriftCheckTests
{
    private static TrainingHost HostWithShift(DateTimeOffset now, bool retrainOnDrift, out Task written)
    {
        var host = new TrainingHost(new()
        {
            ["Training:LakeWindowDays"] = "14",
            ["Training:HoldoutDays"] = "3",
            ["Training:DriftWindowDays"] = "7",
            ["Training:RetrainOnDrift"] = retrainOnDrift ? "true" : "false",
        }, now);
        // Last week the shop sold the "old" range; this week a new range took over.
        written = host.WriteLakeAsync(LakeEvents.Shop(now.AddDays(-14), 7, "old", seed: 2).Concat(LakeEvents.Shop(now.AddDays(-7), 7, "new", seed: 3)));
        return host;
    }

    [Fact]
    public async Task ANewItemRangeRaisesADriftAlertAndRetrainsWhenEnabled()
    {
        var now = LakeEvents.IsolatedNow();
        using var host = HostWithShift(now, retrainOnDrift: true, out var written);
        await written;
        await Serving.ServingTestModels.PublishSegmentationAsync(host.Registry, "seg-reference");

        var outcome = await host.Create<ScheduledTrainingFunctions>().CheckDrift(new TimerInfo(), CancellationToken.None);

        var popularity = outcome.Drift.Features.Single(f => f.Feature == DriftAnalysis.ItemPopularityDeciles);
        popularity.Level.Should().Be(DriftLevel.Alert);
        outcome.Drift.Features.Single(f => f.Feature == DriftAnalysis.EventTypeMix).Level.Should().Be(DriftLevel.Stable);
        outcome.Drift.ReferenceModelVersion.Should().Be("seg-reference");
        outcome.Drift.Features.Should().Contain(f => f.Scope == DriftAnalysis.CustomerScope && f.Feature == "avg_basket_value");
        host.Measurements.Should().Contain(m => m.Instrument == "smartshop.drift.alerts" && m.Feature == DriftAnalysis.ItemPopularityDeciles);
        host.Measurements.Should().Contain(m => m.Instrument == "smartshop.drift.score" && m.Feature == DriftAnalysis.ItemPopularityDeciles && m.Value == popularity.Psi);
        outcome.Retrain.Should().NotBeNull();
        outcome.Retrain!.Trigger.Should().Be(ScheduledTrainingFunctions.DriftTrigger);
        outcome.Retrain.Decision.Should().NotBe(TrainingDecision.Failed, outcome.Retrain.Message);
    }

    [Fact]
    public async Task AnAlertWithoutRetrainOnDriftOnlyReports()
    {
        using var host = HostWithShift(LakeEvents.IsolatedNow(), retrainOnDrift: false, out var written);
        await written;

        var outcome = await host.Create<ScheduledTrainingFunctions>().CheckDrift(new TimerInfo(), CancellationToken.None);

        outcome.Drift.Level.Should().Be(DriftLevel.Alert);
        outcome.Retrain.Should().BeNull();
        outcome.Drift.Notes.Should().Contain(n => n.Contains("no active segmentation model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUnchangedShopIsStableAndDoesNotRetrain()
    {
        var now = LakeEvents.IsolatedNow();
        using var host = new TrainingHost(new() { ["Training:RetrainOnDrift"] = "true" }, now);
        await host.WriteLakeAsync(LakeEvents.Shop(now.AddDays(-14), 14, "i", seed: 4));

        var outcome = await host.Create<ScheduledTrainingFunctions>().CheckDrift(new TimerInfo(), CancellationToken.None);

        outcome.Drift.Features.Should().HaveCount(2);
        outcome.Drift.Features.Should().OnlyContain(f => f.Level == DriftLevel.Stable);
        outcome.Retrain.Should().BeNull();
        host.Measurements.Should().NotContain(m => m.Instrument == "smartshop.drift.alerts");
    }
}
