using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;
using static SmartShop.Core.Tests.Ingestion.IngestionHarness;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>The same dedupe guarantees with user state in the Cosmos DB emulator instead of Table storage.</summary>
public sealed class CosmosActivityIngestionTests : IDisposable
{
    private readonly Microsoft.Azure.Cosmos.CosmosClient _client = StorageEmulators.CosmosClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task RedeliveriesAndCrossBatchDuplicatesLeaveCosmosStateExact()
    {
        var clock = new ManualTimeProvider(Now);
        var harness = new IngestionHarness(activityStore: new CosmosDocumentLogStore(_client, "smartshop-tests", new DocumentLogOptions(), clock));
        var partition = UniquePartition();
        var user = $"{partition}-u";
        var first = EventHubsBatch(partition, 1, Event($"{partition}-1", user, "A", minutesAgo: 3), Event($"{partition}-2", user, "B", minutesAgo: 2));
        var second = EventHubsBatch(partition, 3, Event($"{partition}-2", user, "B", minutesAgo: 2), Event($"{partition}-3", user, "C"));

        await harness.Ingestor.IngestAsync(first);
        await harness.Ingestor.IngestAsync(first);
        var secondSummary = await harness.Ingestor.IngestAsync(second);

        secondSummary.Should().BeEquivalentTo(new { Accepted = 1, Duplicates = 1 });
        (await harness.ActivityStore.GetRecentActivityAsync(user)).Select(a => a.ItemId).Should().Equal("C", "B", "A");
        (await harness.LakeLinesAsync(partition)).Should().HaveCount(3);
    }
}
