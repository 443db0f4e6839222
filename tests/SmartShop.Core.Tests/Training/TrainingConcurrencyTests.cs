using Azure.Core;
using Azure.Core.Pipeline;
using SmartShop.Core.Tests.Storage;
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
        // Both runs' writes of the recommendations pointer are held until both have arrived: by then both have read
        // the (empty) pointer and decided to promote, so the race is real whatever the machine's speed.
        var model = StorageEmulators.UniqueName("rec-");
        var barrier = new PointerWriteBarrier($"/{model}/active", parties: 2);
        using var harness = new TrainingHarness(configure: o => o.RecommendationsModel = model, blobService: StorageEmulators.BlobService(barrier));
        var first = await harness.UploadAsync(TrainingFiles.GoodVariant(skip: 1));
        var second = await harness.UploadAsync(TrainingFiles.GoodVariant(skip: 2));

        var reports = await Task.WhenAll(
            Task.Run(() => harness.Runner.RunFromBlobAsync(first)),
            Task.Run(() => harness.Runner.RunFromBlobAsync(second)));

        var winner = reports.Should().ContainSingle(r => r.Decision == TrainingDecision.Promoted).Subject;
        var loser = reports.Should().ContainSingle(r => r.Decision == TrainingDecision.Rejected).Subject;
        loser.Message.Should().StartWith("Superseded");
        loser.RunId.Should().NotBe(winner.RunId);
        var options = harness.Options;
        (await harness.Registry.GetActiveAsync(options.RecommendationsModel))!.Version.Should().Be(winner.RecommendationsVersion);
        (await harness.Registry.GetActiveAsync(options.SegmentationModel))!.Version.Should().Be(winner.SegmentationVersion, "the segmentation pointer follows the recommendations winner");
        (await harness.Registry.ListVersionsAsync(options.RecommendationsModel)).Select(v => v.Version)
            .Should().BeEquivalentTo([winner.RecommendationsVersion, loser.RecommendationsVersion]);
        (await harness.RunLog.ListTrainingRunsAsync(options.RecommendationsModel, 10)).Select(r => r.Status)
            .Should().BeEquivalentTo(["promoted", "rejected"]);
    }

    [Fact]
    public async Task TheSameUploadTriggeredTwiceAtOnceTrainsOnceAndTheLoserAsksForARetryOrIsADuplicate()
    {
        var name = await _harness.UploadAsync(TrainingFiles.Good());

        var attempts = await Task.WhenAll(
            AttemptAsync(() => _harness.Runner.RunFromBlobAsync(name)),
            AttemptAsync(() => _harness.Runner.RunFromBlobAsync(name)));

        // The second attempt either found the claim still running (the host retries it) or the finished run.
        var trained = attempts.Should().ContainSingle(a => a.Report != null && !a.Report.IsDuplicate).Subject.Report!;
        trained.Decision.Should().Be(TrainingDecision.Promoted);
        var other = attempts.Single(a => !ReferenceEquals(a.Report, trained));
        (other.InProgress?.RunId ?? other.Report!.RunId).Should().Be(trained.RunId);
        other.Report?.IsDuplicate.Should().BeTrue();
        (await _harness.Runner.RunFromBlobAsync(name)).IsDuplicate.Should().BeTrue("the retry after the run finished is a duplicate");
        (await _harness.Registry.ListVersionsAsync(_harness.Options.RecommendationsModel)).Should().ContainSingle();
    }

    private static async Task<(TrainingRunReport? Report, TrainingRunInProgressException? InProgress)> AttemptAsync(Func<Task<TrainingRunReport>> run)
    {
        try
        {
            return (await Task.Run(run), null);
        }
        catch (TrainingRunInProgressException e)
        {
            return (null, e);
        }
    }

    /// <summary>Holds PUTs to one blob path until <c>parties</c> of them are waiting (or 60 s pass), then lets all through.</summary>
    private sealed class PointerWriteBarrier(string pathSuffix, int parties) : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The runner uses the asynchronous API.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method == RequestMethod.Put && message.Request.Uri.Path.EndsWith(pathSuffix, StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref _arrived) >= parties)
                {
                    _all.TrySetResult();
                }
                await _all.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            await ProcessNextAsync(message, pipeline);
        }
    }
}
