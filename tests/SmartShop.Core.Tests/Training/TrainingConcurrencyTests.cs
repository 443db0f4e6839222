using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

/// <summary>Racing runs: both train, exactly one moves the pointers, and every published version stays whole.</summary>
public sealed class TrainingConcurrencyTests : IDisposable
{
    private readonly TrainingHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task TwoRunsRacingOnAnEmptyRegistryHaveExactlyOneWinner()
    {
        var first = await _harness.UploadAsync(TrainingFiles.GoodVariant(skip: 1));
        var second = await _harness.UploadAsync(TrainingFiles.GoodVariant(skip: 2));

        var reports = await Task.WhenAll(
            Task.Run(() => _harness.Runner.RunFromBlobAsync(first)),
            Task.Run(() => _harness.Runner.RunFromBlobAsync(second)));

        var winner = reports.Should().ContainSingle(r => r.Decision == TrainingDecision.Promoted).Subject;
        var loser = reports.Should().ContainSingle(r => r.Decision == TrainingDecision.Rejected).Subject;
        loser.Message.Should().StartWith("Superseded");
        loser.RunId.Should().NotBe(winner.RunId);
        var options = _harness.Options;
        (await _harness.Registry.GetActiveAsync(options.RecommendationsModel))!.Version.Should().Be(winner.RecommendationsVersion);
        (await _harness.Registry.GetActiveAsync(options.SegmentationModel))!.Version.Should().Be(winner.SegmentationVersion, "the segmentation pointer follows the recommendations winner");
        (await _harness.Registry.ListVersionsAsync(options.RecommendationsModel)).Select(v => v.Version)
            .Should().BeEquivalentTo([winner.RecommendationsVersion, loser.RecommendationsVersion]);
        (await _harness.RunLog.ListTrainingRunsAsync(options.RecommendationsModel, 10)).Select(r => r.Status)
            .Should().BeEquivalentTo(["promoted", "rejected"]);
    }

    [Fact]
    public async Task TheSameUploadTriggeredTwiceAtOnceTrainsOnce()
    {
        var name = await _harness.UploadAsync(TrainingFiles.Good());

        var reports = await Task.WhenAll(
            Task.Run(() => _harness.Runner.RunFromBlobAsync(name)),
            Task.Run(() => _harness.Runner.RunFromBlobAsync(name)));

        reports.Should().ContainSingle(r => r.IsDuplicate);
        reports.Should().ContainSingle(r => !r.IsDuplicate).Which.Decision.Should().Be(TrainingDecision.Promoted);
        reports.Select(r => r.RunId).Distinct().Should().ContainSingle();
        (await _harness.Registry.ListVersionsAsync(_harness.Options.RecommendationsModel)).Should().ContainSingle();
    }
}
