using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Tests.Storage;

public sealed class FailedBatchStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private readonly BlobContainers _containers = new(StorageEmulators.BlobService());
    private readonly FailedBatchStore _store;
    private readonly string _partition = Guid.NewGuid().ToString("N")[..10];

    // A container of its own: a replay lists the whole container, and parallel tests must not see each other's batches.
    public FailedBatchStoreTests() => _store = new FailedBatchStore(_containers, new ManualTimeProvider(Now), StorageEmulators.UniqueName("failed-"));

    [Fact]
    public async Task AKeptBatchComesBackWithItsPayloadsExactlyAndItsOriginalIdentity()
    {
        string[] payloads = ["{\"eventId\":\"a\"}", "{broken \u00e9", "", new string('x', 70_000)];
        var enqueued = payloads.Select((_, i) => Now.AddSeconds(-10 + i)).ToList();
        var batch = ClickstreamBatch.FromEventHubs(payloads, _partition, 500, 503, enqueued);

        var name = await _store.WriteAsync(batch, "RequestFailedException: Service request failed.");
        var kept = await _store.ReadAsync(name);

        name.Should().Be($"p{_partition}-s00000000000000000500-00000000000000000503.json");
        kept!.Batch.Payloads.Should().Equal(payloads);
        kept.Batch.Should().BeEquivalentTo(new { PartitionId = _partition, FirstSequenceNumber = 500L, LastSequenceNumber = 503L, Reason = "RequestFailedException: Service request failed.", FailedAt = Now });
        var rebuilt = kept.Batch.ToBatch();
        rebuilt.Id.Should().Be(batch.Id);
        rebuilt.EnqueuedTimes.Should().Equal(enqueued);
    }

    [Fact]
    public async Task ABatchWithoutEventHubsMetadataIsRebuiltUnderItsContentHash()
    {
        string[] payloads = [$"{{\"eventId\":\"{_partition}\"}}"];
        var batch = ClickstreamBatch.FromContent(payloads, "eventhubs");

        var kept = await _store.ReadAsync(await _store.WriteAsync(batch, "x: y"));

        kept!.Batch.ToBatch().Id.Should().Be(batch.Id);
        kept.Batch.PartitionId.Should().BeNull();
    }

    [Fact]
    public async Task ASecondFinalAttemptOfTheSameBatchKeepsTheFirstAndAStaleDeleteChangesNothing()
    {
        var batch = ClickstreamBatch.FromEventHubs(["{}"], _partition, 1, 1, null);
        var name = await _store.WriteAsync(batch, "first: outage");
        var read = await _store.ReadAsync(name);

        await _store.WriteAsync(batch, "second: outage");
        (await _store.ReadAsync(name))!.Batch.Reason.Should().Be("first: outage");
        (await _store.DeleteAsync(name, new Azure.ETag("\"0x0\""))).Should().BeFalse("the ETag is not the blob's");
        (await _store.DeleteAsync(name, read!.ETag)).Should().BeTrue();
        (await _store.ReadAsync(name)).Should().BeNull();
        (await _store.DeleteAsync(name, read.ETag)).Should().BeFalse("it is gone");
    }

    [Theory]
    [InlineData("not json", "is not a failed batch")]
    [InlineData("{\"batchId\":\"p0-s1-1\",\"source\":\"eventhubs\",\"reason\":\"r\",\"failedAt\":\"2026-11-24T12:00:00Z\",\"payloads\":[]}", "has no payloads")]
    [InlineData("{\"batchId\":\"p0-s1-1\",\"source\":\"eventhubs\",\"partitionId\":\"0\",\"reason\":\"r\",\"failedAt\":\"2026-11-24T12:00:00Z\",\"payloads\":[\"{}\"]}", "no sequence range")]
    public async Task ABlobThatIsNotAFailedBatchIsBadInputNamingIt(string content, string problem)
    {
        var name = $"bad-{_partition}.json";
        await (await _containers.GetAsync(_store.ContainerName)).GetBlobClient(name).UploadAsync(BinaryData.FromString(content));

        var read = () => _store.ReadAsync(name);

        await read.Should().ThrowAsync<InvalidDataException>().WithMessage($"{_store.ContainerName}/{name}*{problem}*");
        await (await _containers.GetAsync(_store.ContainerName)).GetBlobClient(name).DeleteAsync();
    }
}
