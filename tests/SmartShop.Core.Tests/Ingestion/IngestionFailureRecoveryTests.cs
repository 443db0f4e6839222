using System.Text.Json;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;
using static SmartShop.Core.Tests.Ingestion.IngestionHarness;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>
/// A storage write that fails mid-batch makes the pipeline throw; the host's redelivery of the batch then leaves
/// exactly one copy of every event in the lake and the state, whichever write failed.
/// </summary>
public sealed class IngestionFailureRecoveryTests
{
    [Fact]
    public async Task EveryWriteOfABatchCanFailOnceAndTheRetryStoresEachEventExactlyOnce()
    {
        // Fail write 1, then 2, ... until a batch makes fewer writes than n (the count varies a little with how
        // the event ids hash over the ledger's partitions): every write gets its turn to fail.
        var n = 0;
        while (true)
        {
            n++;
            var fault = new WriteFault(n);
            var harness = new IngestionHarness(fault);
            var partition = UniquePartition();
            var batch = Batch(partition, out var users);

            IngestionSummary retry;
            try
            {
                retry = await harness.Ingestor.IngestAsync(batch);
                fault.HasFailed.Should().BeFalse();
                n.Should().BeGreaterThan(8, "the batch writes dead letters, the lake, three users' state, markers and the batch record");
                break;
            }
            catch (Azure.RequestFailedException e) when (fault.HasFailed)
            {
                e.Message.Should().Contain("Injected");
                retry = await harness.Ingestor.IngestAsync(batch);
            }

            var redelivery = await harness.Ingestor.IngestAsync(batch);

            retry.Should().BeEquivalentTo(new { Accepted = 5, Rejected = 1, Duplicates = 1, AlreadyIngested = false }, $"write {n} failed first");
            redelivery.Should().BeEquivalentTo(new { Accepted = 0, Duplicates = 7, AlreadyIngested = true });
            var lake = await harness.LakeLinesAsync(partition);
            lake.Select(EventId).Should().BeEquivalentTo(Enumerable.Range(1, 5).Select(i => $"{partition}-e{i}"), $"write {n} failed first");
            (await harness.DeadLetterLinesAsync(partition)).Should().ContainSingle();
            (await harness.ActivityStore.GetRecentActivityAsync(users[0])).Should().HaveCount(2);
            (await harness.ActivityStore.GetRecentActivityAsync(users[1])).Should().HaveCount(2);
            (await harness.ActivityStore.GetRecentActivityAsync(users[2])).Should().HaveCount(1);
        }
    }

    [Fact]
    public async Task ABatchCutShortKeepsItsEventsFromBeingClaimedTwiceByAnotherBatch()
    {
        // Batch A fails after the lake write; batch B carries one of A's events; A's retry and B together store it once.
        var harness = new IngestionHarness();
        var failing = new IngestionHarness(new WriteFault(4));
        var partition = UniquePartition();
        var shared = Event($"{partition}-shared", $"{partition}-u", "A");
        var batchA = EventHubsBatch(partition, 1, shared, Event($"{partition}-a", $"{partition}-u", "B"));
        var batchB = EventHubsBatch(partition, 3, shared, Event($"{partition}-b", $"{partition}-u", "C"));

        await ((Func<Task>)(() => failing.Ingestor.IngestAsync(batchA))).Should().ThrowAsync<Azure.RequestFailedException>();
        var b = await harness.Ingestor.IngestAsync(batchB);
        var aRetry = await failing.Ingestor.IngestAsync(batchA);

        (b.Accepted + aRetry.Accepted).Should().Be(3);
        // A's blob (written before it failed) keeps the shared event that B now owns: the lake reader counts it once.
        (await harness.LakeEventIdsAsync(partition)).Should().BeEquivalentTo([$"{partition}-shared", $"{partition}-a", $"{partition}-b"]);
    }

    private static ClickstreamBatch Batch(string partition, out string[] users)
    {
        users = [$"{partition}-u1", $"{partition}-u2", $"{partition}-u3"];
        return EventHubsBatch(partition, 10,
            Event($"{partition}-e1", users[0], "A", minutesAgo: 5),
            Event($"{partition}-e2", users[0], "B", minutesAgo: 4),
            Event($"{partition}-e3", users[1], "C", minutesAgo: 3),
            Event($"{partition}-e3", users[1], "C", minutesAgo: 3),
            Event($"{partition}-e4", users[1], "D", minutesAgo: 2),
            "{\"eventId\":",
            Event($"{partition}-e5", users[2], "E", minutesAgo: 1));
    }

    private static string EventId(string line) => JsonDocument.Parse(line).RootElement.GetProperty("eventId").GetString()!;
}
