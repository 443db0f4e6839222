using SmartShop.Core.Attribution;
using SmartShop.Core.Experiments;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

/// <summary>With a canary share, a challenger that passes the offline gate serves a share of the traffic instead of taking all of it.</summary>
public sealed class TrainingCanaryTests : IDisposable
{
    private readonly TrainingHarness _harness = new(configure: o => o.CanaryShare = 0.1);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task AChallengerThatPassesTheGateStartsACanaryAndTheChampionStaysActive()
    {
        var champion = await _harness.UploadAndRunAsync(TrainingFiles.Good());
        var challenger = await _harness.UploadAndRunAsync(TrainingFiles.GoodVariant(1));

        champion.Decision.Should().Be(TrainingDecision.Promoted, "a first model has no champion to run a canary against");
        challenger.Decision.Should().Be(TrainingDecision.Canary, challenger.Message);
        var options = _harness.Options;
        (await _harness.Registry.GetActiveAsync(options.RecommendationsModel))!.Version.Should().Be(champion.RecommendationsVersion);
        var canary = (await _harness.Experiments.ListAsync()).Should().ContainSingle(e => e.Variants[1].ModelVersion == challenger.RecommendationsVersion).Subject;
        challenger.Message.Should().Contain(canary.Id).And.Contain("10");
        canary.Variants.Select(v => (v.Name, v.Weight, v.ModelVersion)).Should().Equal(
            ("active", 0.9, champion.RecommendationsVersion), ("challenger", 0.1, challenger.RecommendationsVersion));
        canary.Endpoints.Should().Equal(RecommendationEndpoints.User);
        canary.Canary.Should().Be(new CanaryPolicy(options.CanaryTolerance, options.CanaryMinImpressions));
        canary.IsRunning(DateTimeOffset.UtcNow).Should().BeTrue();
        canary.Problems(RecommendationEndpoints.All).Should().BeEmpty();
        (await _harness.RunLog.GetTrainingRunAsync(options.RecommendationsModel, challenger.RunId))!.Status.Should().Be("canary");
        _harness.CustomEvents.Should().Equal("ModelPromoted", "CanaryStarted");
    }
}
