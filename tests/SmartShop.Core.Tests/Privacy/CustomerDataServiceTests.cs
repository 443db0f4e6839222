using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using SmartShop.Core.Privacy;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;

namespace SmartShop.Core.Tests.Privacy;

/// <summary>
/// Export and erasure of one customer against the real emulators: every place the product writes a customer to is
/// seeded, exported, erased, and checked again; one subclass per document store.
/// </summary>
public abstract class CustomerDataServiceTests
{
    private static readonly JsonSerializerOptions ResultJson = new(SegmentationModelStore.JsonOptions) { WriteIndented = false };

    protected CustomerDataServiceTests()
    {
        Clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        Containers = new BlobContainers(StorageEmulators.BlobService());
        Erased = new ErasedCustomers(StorageEmulators.TableService(), Clock, TimeSpan.FromMinutes(1));
    }

    protected ManualTimeProvider Clock { get; }

    protected abstract IDocumentLogStore Store { get; }

    private BlobContainers Containers { get; }

    private ErasedCustomers Erased { get; }

    private DateTimeOffset Now => Clock.Now;

    [Fact]
    public async Task ExportFindsEverythingWrittenAboutTheCustomerAndNothingOfOthers()
    {
        var seeded = await SeedAsync();

        var export = await Service().ExportAsync(seeded.Customer);

        export.CustomerId.Should().Be(seeded.Customer);
        export.Erasure.Should().BeNull();
        export.RecentActivity.Should().ContainSingle().Which.ItemId.Should().Be("85123A");
        // The expired entry is still stored (Table storage has no TTL; the emulator's Cosmos none either): it is listed.
        export.Predictions.Select(p => p.PredictionId).Should().Equal("p-new", "p-expired");
        export.LakeEvents.Should().HaveCount(3);
        export.LakeEvents.Select(e => e.Blob).Distinct().Should().BeEquivalentTo([$"events/{seeded.SharedLakeBlob}", $"events/{seeded.OwnLakeBlob}"]);
        export.LakeEvents.Select(e => e.Event.GetProperty("eventId").GetString()).Should().BeEquivalentTo(["c1-" + seeded.Customer, "c2-" + seeded.Customer, "c3-" + seeded.Customer]);
        export.DeadLetters.Should().HaveCount(2).And.OnlyContain(d => d.Blob == $"events-rejected/{seeded.DeadLetterBlob}");
        var analysis = export.Analyses.Should().ContainSingle(a => a.AnalysisId == seeded.AnalysisId).Subject;
        analysis.Assignment!.CustomerId.Should().Be(seeded.Customer);
        analysis.InDendrogram.Should().BeTrue();
        export.Scanned.LakeBlobsRead.Should().BeGreaterThanOrEqualTo(2);
        export.Scanned.Truncated.Should().BeFalse();
        JsonSerializer.Serialize(export).Should().NotContain(seeded.Other);
    }

    [Fact]
    public async Task EraseRemovesTheCustomerFromEveryStoreAndKeepsOthers()
    {
        var seeded = await SeedAsync();
        var service = Service();

        var report = await service.EraseAsync(seeded.Customer);

        report.RecentActivityDeleted.Should().BeTrue();
        report.PredictionsDeleted.Should().Be(2);
        report.LakeLinesDeleted.Should().Be(3);
        report.LakeBlobsRewritten.Should().Be(1);
        report.LakeBlobsDeleted.Should().Be(1);
        report.DeadLettersDeleted.Should().Be(2);
        report.AnalysesRewritten.Should().Be(1);
        report.AnalysisUploadsDeleted.Should().Be(1);

        var after = await service.ExportAsync(seeded.Customer);
        after.Erasure.Should().NotBeNull();
        after.RecentActivity.Should().BeEmpty();
        after.Predictions.Should().BeEmpty();
        after.LakeEvents.Should().BeEmpty();
        after.DeadLetters.Should().BeEmpty();
        after.Analyses.Should().NotContain(a => a.AnalysisId == seeded.AnalysisId);
        (await Erased.IsErasedAsync(seeded.Customer)).Should().BeTrue();

        // Everyone else's data is where it was.
        (await Store.GetRecentActivityAsync(seeded.Other)).Should().ContainSingle();
        (await Store.ListAllPredictionsAsync(seeded.Other)).Should().ContainSingle();
        var lake = await Text(BlobContainers.Events, seeded.SharedLakeBlob);
        lake.Should().Contain("o1-" + seeded.Other).And.NotContain(seeded.Customer);
        (await (await Containers.GetAsync(BlobContainers.Events)).GetBlobClient(seeded.OwnLakeBlob).ExistsAsync()).Value.Should().BeFalse();
        var deadLetters = await Text(BlobContainers.EventsRejected, seeded.DeadLetterBlob);
        deadLetters.Should().Contain(seeded.Other).And.NotContain(seeded.Customer);
        var result = JsonSerializer.Deserialize<Core.Segmentation.SegmentationAnalysis>(await Text(BlobContainers.Analyses, seeded.AnalysisId + ".json"), ResultJson)!;
        result.Assignments.Should().HaveCount(seeded.AnalysisCustomers - 1).And.NotContain(a => a.CustomerId == seeded.Customer);
        result.Projection.Should().NotContain(p => p.CustomerId == seeded.Customer);
        result.Hierarchy!.LeafCustomerIds.Should().Contain(CustomerDataService.ErasedLeaf).And.NotContain(seeded.Customer);
        (await (await Containers.GetAsync(BlobContainers.Uploads)).GetBlobClient($"analyses/{seeded.AnalysisId}.csv").ExistsAsync()).Value.Should().BeFalse();

        var again = await service.EraseAsync(seeded.Customer);
        again.Should().BeEquivalentTo(report with { ErasedAt = again.ErasedAt, RecentActivityDeleted = false, PredictionsDeleted = 0, LakeLinesDeleted = 0, LakeBlobsRewritten = 0, LakeBlobsDeleted = 0, DeadLettersDeleted = 0, AnalysesRewritten = 0, AnalysisUploadsDeleted = 0, Scanned = again.Scanned });
    }

    [Fact]
    public async Task AnEventAppendedToALakeBlobWhileItIsRewrittenIsKept()
    {
        var seeded = await SeedAsync();
        var late = Line("late-" + seeded.Other, seeded.Other);
        var writer = StorageEmulators.BlobService().GetBlobContainerClient(BlobContainers.Events).GetBlobClient(seeded.SharedLakeBlob);
        // Between the erasure's read and its conditional write, another writer replaces the blob with one more line.
        var race = new BeforeFirstConditionalWrite("/events/" + seeded.SharedLakeBlob, async () =>
        {
            var current = (await writer.DownloadContentAsync()).Value.Content.ToString();
            await writer.UploadAsync(BinaryData.FromString(current + late + "\n"), overwrite: true);
        });
        var service = Service(new BlobContainers(StorageEmulators.BlobService(race)));

        var report = await service.EraseAsync(seeded.Customer);

        race.Fired.Should().BeTrue();
        report.LakeLinesDeleted.Should().Be(3);
        var lake = await Text(BlobContainers.Events, seeded.SharedLakeBlob);
        lake.Should().Contain(late).And.Contain("o1-" + seeded.Other).And.NotContain(seeded.Customer);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/not-allowed")]
    [InlineData("ümlaut")]
    public async Task ABadIdIsRefusedBeforeAnyStorageCall(string customerId)
    {
        var service = Service();

        await ((Func<Task>)(() => service.ExportAsync(customerId))).Should().ThrowAsync<ArgumentException>().WithMessage("*1-128 characters*");
        await ((Func<Task>)(() => service.EraseAsync(customerId))).Should().ThrowAsync<ArgumentException>();
        await ((Func<Task>)(() => service.EraseAsync(new string('a', 129)))).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task BatchesKeptAfterAnOutageAreExportedAndErasedToo()
    {
        var customer = StorageEmulators.UniqueName("fb-");
        var other = StorageEmulators.UniqueName("fo-");
        var failed = new FailedBatchStore(Containers, Clock, StorageEmulators.UniqueName("events-failed-"));
        string Event(string id, string user) => $$"""{"eventId":"{{id}}","type":"view","userId":"{{user}}","itemId":"85123A","timestamp":"{{Now.AddHours(-1):O}}"}""";
        var mixed = await failed.WriteAsync(SmartShop.Core.Ingestion.ClickstreamBatch.FromEventHubs([Event("m1", customer), Event("m2", other), $$"""{"visitorid":"{{customer}}","event":"view"}"""], "0", 10, 12, null), "outage");
        var own = await failed.WriteAsync(SmartShop.Core.Ingestion.ClickstreamBatch.FromEventHubs([Event("o1", customer)], "0", 13, 13, null), "outage");
        var service = new CustomerDataService(Store, Containers, new ModelRegistry(Containers, Clock, StorageEmulators.UniqueName("models-")), Erased,
            new CustomerDataOptions { LakeScanDays = 30 }, Clock, NullLogger<CustomerDataService>.Instance,
            StorageEmulators.UniqueName("rec-"), StorageEmulators.UniqueName("seg-"), failed);

        var export = await service.ExportAsync(customer);
        var report = await service.EraseAsync(customer);

        export.FailedBatchEvents.Should().HaveCount(3);
        export.FailedBatchEvents.Select(e => e.Blob).Distinct().Should().BeEquivalentTo([$"{failed.ContainerName}/{mixed}", $"{failed.ContainerName}/{own}"]);
        JsonSerializer.Serialize(export).Should().NotContain(other);
        report.FailedBatchEventsDeleted.Should().Be(3);
        (await failed.ReadAsync(own)).Should().BeNull("a batch of only the customer's events is deleted");
        var left = (await failed.ReadAsync(mixed))!.Batch;
        left.Payloads.Should().ContainSingle().Which.Should().Contain(other);
        left.ErasedEvents.Should().Be(2);
        left.ToBatch().Id.Value.Should().Be(left.BatchId, "the batch keeps its identity for replay");
        (await service.ExportAsync(customer)).FailedBatchEvents.Should().BeEmpty();
    }

    private CustomerDataService Service(BlobContainers? containers = null)
    {
        var blobs = containers ?? Containers;
        return new CustomerDataService(Store, blobs, new ModelRegistry(blobs, Clock, StorageEmulators.UniqueName("models-")), Erased,
            new CustomerDataOptions { LakeScanDays = 30 }, Clock, NullLogger<CustomerDataService>.Instance,
            StorageEmulators.UniqueName("rec-"), StorageEmulators.UniqueName("seg-"));
    }

    private async Task<Seeded> SeedAsync()
    {
        var customer = StorageEmulators.UniqueName("cust-");
        var other = StorageEmulators.UniqueName("other-");
        await Store.AppendActivityAsync(customer, [new UserActivity("85123A", "view", Now.AddHours(-1))]);
        await Store.AppendActivityAsync(other, [new UserActivity("22423", "view", Now.AddHours(-1))]);
        await Store.WritePredictionsAsync(
        [
            new(customer, "p-new", Now.AddHours(-1), "users/recommendations", "v1", ["85123A"]),
            new(customer, "p-expired", Now.AddDays(-40), "users/recommendations", "v0", ["22423"]),
            new(other, "p-other", Now.AddHours(-1), "users/recommendations", "v1", ["85123A"]),
        ]);

        var lake = new EventLakeWriter(Containers);
        string[] shared = [Line("c1-" + customer, customer), Line("o1-" + other, other), Line("c2-" + customer, null, session: customer)];
        var sharedBlob = await lake.WriteAcceptedAsync(EventBatchId.FromContent(shared), Now.AddHours(-2), shared);
        string[] own = [Line("c3-" + customer, customer)];
        var ownBlob = await lake.WriteAcceptedAsync(EventBatchId.FromContent(own), Now.AddDays(-3), own);
        RejectedEvent[] rejected =
        [
            new($"{{\"eventId\":\"d1\",\"type\":\"bogus\",\"userId\":\"{customer}\",\"itemId\":\"X\"}}", "unknown-event-type: bogus", Now),
            new($"{{not json \"{customer}\"", "malformed-json: not valid JSON", Now),
            new($"{{\"eventId\":\"d3\",\"type\":\"bogus\",\"userId\":\"{other}\",\"itemId\":\"X\"}}", "unknown-event-type: bogus", Now),
        ];
        var deadLetterBlob = await lake.WriteRejectedAsync(EventBatchId.FromContent(rejected.Select(r => r.Payload)), Now.AddHours(-2), rejected);

        // A hierarchical analysis of 12 customers, the customer among them, with its upload.
        var analysisId = Guid.NewGuid().ToString("N");
        var ids = Enumerable.Range(0, 11).Select(i => $"{other}-{i}").Append(customer).ToList();
        var values = ids.SelectMany((_, i) => new double[] { i % 2 == 0 ? 1 + (i * 0.1) : 50 + i, i % 3 }).ToArray();
        var result = SegmentationEngine.Run(new CustomerFeatureTable(ids, ["a", "b"], values), new SegmentationOptions { K = 2, Algorithm = SegmentationAlgorithm.Hierarchical }).Analysis;
        await (await Containers.GetAsync(BlobContainers.Analyses)).GetBlobClient(analysisId + ".json").UploadAsync(BinaryData.FromObjectAsJson(result, ResultJson));
        await (await Containers.GetAsync(BlobContainers.Uploads)).GetBlobClient($"analyses/{analysisId}.csv").UploadAsync(BinaryData.FromString($"customer,a,b\n{customer},1,0\n"));
        return new Seeded(customer, other, sharedBlob, ownBlob, deadLetterBlob, analysisId, ids.Count);
    }

    private static string Line(string eventId, string? user, string? session = null)
    {
        var actor = user is null ? $"\"sessionId\":\"{session}\"" : $"\"userId\":\"{user}\"";
        return $"{{\"eventId\":\"{eventId}\",\"type\":\"view\",{actor},\"itemId\":\"85123A\",\"timestamp\":\"2026-11-30T10:00:00Z\"}}";
    }

    private async Task<string> Text(string container, string name) =>
        (await (await Containers.GetAsync(container)).GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString();

    private sealed record Seeded(string Customer, string Other, string SharedLakeBlob, string OwnLakeBlob, string DeadLetterBlob, string AnalysisId, int AnalysisCustomers);

    /// <summary>Runs <paramref name="race"/> once, just before the first conditional PUT to a blob path ending in <paramref name="path"/>.</summary>
    private sealed class BeforeFirstConditionalWrite(string path, Func<Task> race) : HttpPipelinePolicy
    {
        private int _fired;

        public bool Fired => _fired == 1;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method == RequestMethod.Put
                && message.Request.Uri.Path.EndsWith(path, StringComparison.Ordinal)
                && message.Request.Headers.Contains("If-Match")
                && Interlocked.Exchange(ref _fired, 1) == 0)
            {
                await race();
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}

public sealed class TableCustomerDataServiceTests : CustomerDataServiceTests
{
    public TableCustomerDataServiceTests() => Store = new TableDocumentLogStore(StorageEmulators.TableService(), new DocumentLogOptions(), Clock);

    protected override IDocumentLogStore Store { get; }
}

public sealed class CosmosCustomerDataServiceTests : CustomerDataServiceTests, IDisposable
{
    private readonly Microsoft.Azure.Cosmos.CosmosClient _client = StorageEmulators.CosmosClient();

    public CosmosCustomerDataServiceTests() => Store = new CosmosDocumentLogStore(_client, "smartshop-tests", new DocumentLogOptions(), Clock);

    protected override IDocumentLogStore Store { get; }

    public void Dispose() => _client.Dispose();
}
