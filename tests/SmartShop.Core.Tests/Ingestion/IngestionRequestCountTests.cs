using System.Globalization;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using Xunit.Abstractions;
using static SmartShop.Core.Tests.Ingestion.IngestionHarness;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>
/// How many storage round trips a 1,000-event batch of 200 users costs (the benchmark's batch): the number that
/// bounds the batch's latency on Azurite, a single process answering one request at a time.
/// </summary>
public sealed class IngestionRequestCountTests(ITestOutputHelper output)
{
    private const int BatchSize = 1_000;
    private const int Users = 200;
    private const int MaxRequests = 1 + 16 + 1 + 16 + 1;

    [Fact]
    public async Task ANewBatchCostsOneTransactionPerPartitionAndNoReadOfTheLedgerOrTheState()
    {
        var counter = new StorageRequestCounter();
        var harness = new IngestionHarness(counter: counter);
        var partition = UniquePartition();
        // Tables and containers exist after a first batch; the figure below is the steady state.
        await harness.Ingestor.IngestAsync(EventHubsBatch(partition, 0, Event($"{partition}-warm", $"{partition}-warm", "A")));
        counter.Reset();

        var summary = await harness.Ingestor.IngestAsync(Batch(partition, 1, $"{partition}-u"));

        summary.Accepted.Should().Be(BatchSize);
        output.WriteLine($"new users: {counter.Total} requests ({string.Join(", ", counter.ByMethod.Select(m => $"{m.Key} {m.Value}"))})");
        // batch record read + 16 ledger claim transactions + lake blob + 16 user-state transactions + batch record.
        counter.Total.Should().BeLessThanOrEqualTo(MaxRequests);
        counter.ByMethod.GetValueOrDefault("GET").Should().Be(1, "only the batch record is read");
    }

    [Fact]
    public async Task ReturningUsersCostNoMoreThanNewOnes()
    {
        var counter = new StorageRequestCounter();
        var harness = new IngestionHarness(counter: counter);
        var partition = UniquePartition();
        await harness.Ingestor.IngestAsync(Batch(partition, 1, $"{partition}-u"));
        counter.Reset();

        var summary = await harness.Ingestor.IngestAsync(Batch(partition, 2, $"{partition}-u"));

        summary.Accepted.Should().Be(BatchSize);
        output.WriteLine($"returning users: {counter.Total} requests ({string.Join(", ", counter.ByMethod.Select(m => $"{m.Key} {m.Value}"))})");
        counter.Total.Should().BeLessThanOrEqualTo(MaxRequests);
        (await harness.ActivityStore.GetRecentActivityAsync($"{partition}-u7")).Should().HaveCount(10, "5 events per user in each of the two batches");
    }

    [Fact]
    public async Task AfterARestartEachReturningUserIsReadOnceThenNeverAgain()
    {
        var partition = UniquePartition();
        await new IngestionHarness().Ingestor.IngestAsync(Batch(partition, 1, $"{partition}-u"));
        var counter = new StorageRequestCounter();
        var restarted = new IngestionHarness(counter: counter);
        await restarted.Ingestor.IngestAsync(EventHubsBatch(partition, 0, Event($"{partition}-warm", $"{partition}-warm", "A")));
        counter.Reset();

        (await restarted.Ingestor.IngestAsync(Batch(partition, 2, $"{partition}-u"))).Accepted.Should().Be(BatchSize);
        var firstBatch = counter.Total;
        counter.Reset();
        (await restarted.Ingestor.IngestAsync(Batch(partition, 3, $"{partition}-u"))).Accepted.Should().Be(BatchSize);

        output.WriteLine($"after a restart: {firstBatch} requests, then {counter.Total}");
        // Every state transaction fails once (its users exist), its users are read, and it is sent again.
        firstBatch.Should().BeLessThanOrEqualTo(MaxRequests + 16 + Users);
        counter.Total.Should().BeLessThanOrEqualTo(MaxRequests);
        (await restarted.ActivityStore.GetRecentActivityAsync($"{partition}-u7")).Should().HaveCount(15);
    }

    private static ClickstreamBatch Batch(string partition, long sequence, string userPrefix)
    {
        var payloads = Enumerable.Range(0, BatchSize)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{partition}-{sequence}-{i:D4}"))
            .Select((id, i) => Event(id, $"{userPrefix}{i % Users}", (20_000 + (sequence * BatchSize) + i).ToString(CultureInfo.InvariantCulture), ClickstreamEventTypes.Known[i % 4], minutesAgo: 1 + i % 50))
            .ToArray();
        return EventHubsBatch(partition, sequence * BatchSize, payloads);
    }
}
