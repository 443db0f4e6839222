using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Tests.Storage;

public sealed class EventLakeWriterTests
{
    private static readonly DateTimeOffset EnqueuedAt = new(2026, 3, 7, 23, 59, 58, TimeSpan.FromHours(-5));

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private readonly BlobContainers _containers = new(StorageEmulators.BlobService());
    private readonly EventLakeWriter _writer;

    public EventLakeWriterTests() => _writer = new EventLakeWriter(_containers);

    [Fact]
    public async Task ARetriedBatchKeepsTheBlobItsEarlierAttemptWrote()
    {
        // A unique partition id keeps this test's blobs apart from parallel runs.
        var partition = Guid.NewGuid().ToString("N")[..10];
        string[] lines = ["{\"type\":\"view\",\"item\":\"85123A\"}", "{\"type\":\"purchase\",\"item\":\"22423\"}"];

        var first = await _writer.WriteAcceptedAsync(EventBatchId.FromEventHubs(partition, 4200, 4201), EnqueuedAt, lines);
        var retry = await _writer.WriteAcceptedAsync(EventBatchId.FromEventHubs(partition, 4200, 4201), EnqueuedAt, lines[..1]);

        retry.Should().Be(first);
        var stored = await ListAsync(BlobContainers.Events, partition);
        stored.Should().ContainSingle().Which.Should().Be(first);
        var content = await DownloadAsync(BlobContainers.Events, first);
        content.Should().Be(string.Join('\n', lines) + "\n", "the earlier attempt's blob holds a superset of what a retry owns");
    }

    [Fact]
    public async Task ARetriedBatchKeepsItsDeadLetterBlob()
    {
        var partition = Guid.NewGuid().ToString("N")[..10];
        var batch = EventBatchId.FromEventHubs(partition, 9, 10);
        RejectedEvent[] rejected = [new("{a", "malformed-json: x", EnqueuedAt), new("{b", "malformed-json: y", EnqueuedAt)];

        var first = await _writer.WriteRejectedAsync(batch, EnqueuedAt, rejected);
        var retry = await _writer.WriteRejectedAsync(batch, EnqueuedAt, [rejected[0] with { RejectedAt = EnqueuedAt.AddMinutes(5) }]);

        retry.Should().Be(first);
        (await DownloadAsync(BlobContainers.EventsRejected, first)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2);
    }

    [Fact]
    public async Task BlobsArePartitionedByUtcDateAndHour()
    {
        var partition = Guid.NewGuid().ToString("N")[..10];

        var name = await _writer.WriteAcceptedAsync(EventBatchId.FromEventHubs(partition, 7, 7), EnqueuedAt, ["{}"]);

        // 23:59 at UTC-5 is 04:59 UTC the next day.
        name.Should().Be($"2026/03/08/04/p{partition}-s00000000000000000007-00000000000000000007.jsonl");
    }

    [Fact]
    public void AnEventHubsBatchIsIdentifiedByItsWholeSequenceRange()
    {
        var full = EventBatchId.FromEventHubs("0", 100, 103);
        var shorterRedelivery = EventBatchId.FromEventHubs("0", 100, 101);

        full.Value.Should().Be("p0-s00000000000000000100-00000000000000000103");
        shorterRedelivery.Should().NotBe(full, "a redelivery from the same sequence number with fewer events is another batch");
        EventBatchId.FromEventHubs("0", 100, 103).Should().Be(full);
        ((Action)(() => EventBatchId.FromEventHubs("0", 5, 4))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void ThePartitionHourIsReadBackFromALakeBlobName()
    {
        var name = EventLakeWriter.BlobName(EventBatchId.FromEventHubs("7", 1, 250), EnqueuedAt);

        EventLakeWriter.TryParsePartitionHour(name, out var hour).Should().BeTrue();
        hour.Should().Be(new DateTime(2026, 3, 8, 4, 0, 0, DateTimeKind.Utc));
        EventLakeWriter.TryParsePartitionHour("p7-s1-250.jsonl", out _).Should().BeFalse();
    }

    [Fact]
    public async Task ContentHashIdentifiesABatchWithoutEventHubsCoordinates()
    {
        var unique = Guid.NewGuid().ToString("N");
        string[] lines = [$"{{\"id\":\"{unique}\"}}"];

        var first = await _writer.WriteAcceptedAsync(EventBatchId.FromContent(lines), EnqueuedAt, lines);
        var again = await _writer.WriteAcceptedAsync(EventBatchId.FromContent(lines), EnqueuedAt, lines);

        again.Should().Be(first);
        EventBatchId.FromContent([lines[0], "{}"]).Should().NotBe(EventBatchId.FromContent(lines));
        (await ListAsync(BlobContainers.Events, EventBatchId.FromContent(lines).Value)).Should().ContainSingle();
    }

    [Fact]
    public async Task RejectedEventsKeepTheOriginalPayloadAndReason()
    {
        var partition = Guid.NewGuid().ToString("N")[..10];
        var rejected = new RejectedEvent("{not json", "malformed_json", EnqueuedAt);

        var name = await _writer.WriteRejectedAsync(EventBatchId.FromEventHubs(partition, 1, 1), EnqueuedAt, [rejected]);

        var line = (await DownloadAsync(BlobContainers.EventsRejected, name)).TrimEnd('\n');
        var stored = JsonSerializer.Deserialize<RejectedEvent>(line, WebJson);
        stored.Should().Be(rejected);
    }

    [Fact]
    public async Task LinesWithLineBreaksAreRefused()
    {
        var write = () => _writer.WriteAcceptedAsync(EventBatchId.FromEventHubs("0", 1, 1), EnqueuedAt, ["{\n}"]);

        await write.Should().ThrowAsync<ArgumentException>().WithMessage("*line break*");
    }

    private async Task<List<string>> ListAsync(string container, string nameContains)
    {
        var client = await _containers.GetAsync(container);
        var names = new List<string>();
        await foreach (var blob in client.GetBlobsAsync(new GetBlobsOptions()))
        {
            if (blob.Name.Contains(nameContains, StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
        }

        return names;
    }

    private async Task<string> DownloadAsync(string container, string name)
    {
        BlobContainerClient client = await _containers.GetAsync(container);
        return (await client.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString();
    }
}
