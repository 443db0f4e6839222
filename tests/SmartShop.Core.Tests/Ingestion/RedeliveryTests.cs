using SmartShop.Core.Ingestion;
using static SmartShop.Core.Tests.Ingestion.IngestionHarness;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>
/// Event Hubs redelivers from the last checkpoint, and a redelivery need not carry the same events as the attempt
/// that failed: every event must still reach the lake exactly once, as the lake reader counts them (issue 17).
/// </summary>
public sealed class RedeliveryTests
{
    [Fact]
    public async Task AShorterRedeliveryAfterAFailureBeforeCompletionLosesNoEvent()
    {
        // Arrange: the batch-complete write fails once, after the claims and the lake write of a 4-event batch.
        var fault = new StorageFault();
        var harness = new IngestionHarness(fault);
        var partition = UniquePartition();
        var events = Enumerable.Range(1, 4).Select(i => Event($"{partition}-e{i}", $"{partition}-u", $"I{i}", minutesAgo: 5 - i)).ToArray();
        fault.FailWhen(write => write.Target == StorageTarget.BatchRecord);

        // Act: seq 100-103 fails before CompleteBatch; the host redelivers from 100 with only 2 events, then 102-103.
        var failed = () => harness.Ingestor.IngestAsync(EventHubsBatch(partition, 100, events));
        await failed.Should().ThrowAsync<Azure.RequestFailedException>();
        fault.FailWhen(null);
        var redelivery = await harness.Ingestor.IngestAsync(EventHubsBatch(partition, 100, events[0], events[1]));
        var next = await harness.Ingestor.IngestAsync(EventHubsBatch(partition, 102, events[2], events[3]));

        // Assert: 4 events in, 4 in the lake, each once.
        fault.Failures.Should().Be(1);
        redelivery.Accepted.Should().Be(2);
        next.Accepted.Should().Be(2, "e3 and e4 were claimed by a batch that never completed, so they are taken over, not dropped");
        (await harness.LakeEventIdsAsync(partition)).Should().BeEquivalentTo(Enumerable.Range(1, 4).Select(i => $"{partition}-e{i}"));
        (await harness.ActivityStore.GetRecentActivityAsync($"{partition}-u")).Should().HaveCount(4);
    }
}
