using System.Text.Json;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;
using static SmartShop.Core.Tests.Ingestion.IngestionHarness;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>The ingestion pipeline against the real Azurite: lake, dead letters, user state and duplicates.</summary>
public sealed class ClickstreamIngestorTests
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private readonly IngestionHarness _harness = new();
    private readonly string _run = UniquePartition();

    private string Id(string name) => $"{_run}-{name}";

    [Fact]
    public async Task AValidBatchReachesTheLakeAndEachUsersRecentActivity()
    {
        var partition = UniquePartition();
        var batch = EventHubsBatch(partition, 100,
            Event(Id("e1"), Id("u1"), "85123A", minutesAgo: 3),
            Event(Id("e2"), Id("u1"), "22423", "addtocart", minutesAgo: 2),
            Event(Id("e3"), Id("u2"), "84879", "purchase", minutesAgo: 1));

        var summary = await _harness.Ingestor.IngestAsync(batch);

        summary.Should().BeEquivalentTo(new
        {
            Received = 3, Accepted = 3, Rejected = 0, Duplicates = 0, AlreadyIngested = false, DeadLetterBlobName = (string?)null,
            AcceptedByType = new Dictionary<string, int> { ["view"] = 1, ["addtocart"] = 1, ["purchase"] = 1 },
        });
        summary.IngestionLags.Should().HaveCount(3).And.OnlyContain(lag => lag == TimeSpan.FromSeconds(2));
        summary.LakeBlobName.Should().Be($"2026/11/24/11/p{partition}-s00000000000000000100-00000000000000000102.jsonl");

        var lines = await _harness.LakeLinesAsync(partition);
        lines.Should().Equal(
            $$"""{"eventId":"{{Id("e1")}}","type":"view","userId":"{{Id("u1")}}","itemId":"85123A","timestamp":"2026-11-24T11:57:00Z"}""",
            $$"""{"eventId":"{{Id("e2")}}","type":"addtocart","userId":"{{Id("u1")}}","itemId":"22423","timestamp":"2026-11-24T11:58:00Z"}""",
            $$"""{"eventId":"{{Id("e3")}}","type":"purchase","userId":"{{Id("u2")}}","itemId":"84879","timestamp":"2026-11-24T11:59:00Z"}""");
        (await _harness.ActivityStore.GetRecentActivityAsync(Id("u1"))).Should().Equal(
            new UserActivity("22423", "addtocart", Now.AddMinutes(-2)),
            new UserActivity("85123A", "view", Now.AddMinutes(-3)));
        (await _harness.ActivityStore.GetRecentActivityAsync(Id("u2"))).Should().ContainSingle()
            .Which.Should().Be(new UserActivity("84879", "purchase", Now.AddMinutes(-1)));
    }

    [Fact]
    public async Task InvalidEventsAreDeadLetteredWithTheirPayloadAndReasonWhileTheRestIsStored()
    {
        var partition = UniquePartition();
        var oneMegabyte = Event(Id("big"), Id("u1"), "X").Replace("\"X\"", $"\"X\",\"pad\":\"{new string('a', 1024 * 1024)}\"", StringComparison.Ordinal);
        string[] bad =
        [
            "{\"eventId\":\"broken\",",
            $$"""{"eventId":"{{Id("t")}}","type":"view","userId":"{{Id("u1")}}","itemId":"i","timestamp":"2026-11-24T11:00:00Z","quantity":"two"}""",
            $$"""{"eventId":"{{Id("m")}}","type":"view","itemId":"i","timestamp":"2026-11-24T11:00:00Z"}""",
            oneMegabyte,
            Event(Id("ctl"), Id("u1") + "\u0007", "i"), // a raw control character: not valid JSON
            Event(Id("esc"), Id("u1") + "\\u0007", "i"), // an escaped one: valid JSON, not a valid id
            Event(Id("uni"), Id("u1"), "Ünïcødé"),
            Event(Id("future"), Id("u1"), "i", minutesAgo: -6),
            Event(Id("ancient"), Id("u1"), "i", minutesAgo: 60 * 24 * 365 * 20),
        ];
        var unicodeCategory = $$"""{"eventId":"{{Id("cat")}}","type":"view","userId":"{{Id("u1")}}","itemId":"i","timestamp":"2026-11-24T11:59:00Z","category":"Küche 🍳"}""";
        var batch = EventHubsBatch(partition, 7, [Event(Id("ok"), Id("u1"), "85123A"), .. bad, unicodeCategory]);

        var summary = await _harness.Ingestor.IngestAsync(batch);

        summary.Accepted.Should().Be(2);
        summary.Rejected.Should().Be(bad.Length);
        summary.RejectedByCode.Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [EventRejection.MalformedJson] = 2, [EventRejection.WrongType] = 1, [EventRejection.MissingField] = 1,
            [EventRejection.PayloadTooLarge] = 1, [EventRejection.InvalidId] = 2, [EventRejection.TimestampInFuture] = 1,
            [EventRejection.TimestampTooOld] = 1,
        });

        var lake = await _harness.LakeLinesAsync(partition);
        lake.Should().HaveCount(2);
        JsonDocument.Parse(lake[1]).RootElement.GetProperty("category").GetString().Should().Be("Küche 🍳");
        var deadLetters = (await _harness.DeadLetterLinesAsync(partition))
            .Select(line => JsonSerializer.Deserialize<RejectedEvent>(line, WebJson)!)
            .ToList();
        deadLetters.Select(d => d.Payload).Should().Equal(bad);
        deadLetters[0].Reason.Should().StartWith(EventRejection.MalformedJson + ": ");
        deadLetters[3].Reason.Should().StartWith(EventRejection.PayloadTooLarge + ": event body is larger than 65536 bytes");
        (await _harness.ActivityStore.GetRecentActivityAsync(Id("u1"))).Select(a => a.ItemId).Should().BeEquivalentTo("85123A", "i");
    }

    [Fact]
    public async Task TheSameBatchDeliveredTwiceChangesNothing()
    {
        var partition = UniquePartition();
        var batch = EventHubsBatch(partition, 1, Event(Id("e1"), Id("u1"), "A"), Event(Id("e2"), Id("u1"), "B", minutesAgo: 2), "not json");
        var first = await _harness.Ingestor.IngestAsync(batch);
        var lakeAfterFirst = await _harness.LakeLinesAsync(partition);
        var activityAfterFirst = await _harness.ActivityStore.GetRecentActivityAsync(Id("u1"));

        var replay = await _harness.Ingestor.IngestAsync(batch);

        first.Accepted.Should().Be(2);
        replay.Should().BeEquivalentTo(new { Received = 3, Accepted = 0, Rejected = 0, Duplicates = 3, AlreadyIngested = true });
        replay.AcceptedByType.Should().BeEmpty();
        (await _harness.LakeLinesAsync(partition)).Should().Equal(lakeAfterFirst);
        (await _harness.DeadLetterLinesAsync(partition)).Should().ContainSingle();
        (await _harness.ActivityStore.GetRecentActivityAsync(Id("u1"))).Should().Equal(activityAfterFirst);
    }

    [Fact]
    public async Task DuplicateEventIdsWithinAndAcrossBatchesAreStoredOnce()
    {
        var partition = UniquePartition();
        var e1 = Event(Id("e1"), Id("u1"), "A");
        var first = await _harness.Ingestor.IngestAsync(EventHubsBatch(partition, 1, e1, e1, Event(Id("e2"), Id("u1"), "B", minutesAgo: 2)));
        // Another batch (new sequence number) repeats e1 and e2 next to one new event.
        var second = await _harness.Ingestor.IngestAsync(EventHubsBatch(partition, 4,
            Event(Id("e2"), Id("u1"), "B", minutesAgo: 2), e1, Event(Id("e3"), Id("u1"), "C", minutesAgo: 3)));
        // The same events without Event Hubs coordinates (e.g. resent over HTTP).
        var third = await _harness.Ingestor.IngestAsync(ClickstreamBatch.FromContent([e1, Event(Id("e3"), Id("u1"), "C", minutesAgo: 3)], "http"));

        first.Should().BeEquivalentTo(new { Accepted = 2, Duplicates = 1 });
        second.Should().BeEquivalentTo(new { Accepted = 1, Duplicates = 2, AcceptedByType = new Dictionary<string, int> { ["view"] = 1 } });
        third.Should().BeEquivalentTo(new { Accepted = 0, Duplicates = 2, AlreadyIngested = false, LakeBlobName = (string?)null });
        var lake = await _harness.LakeLinesAsync(partition);
        lake.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("eventId").GetString())
            .Should().Equal(Id("e1"), Id("e2"), Id("e3"));
        (await _harness.ActivityStore.GetRecentActivityAsync(Id("u1"))).Select(a => a.ItemId).Should().Equal("A", "B", "C");
    }

    [Fact]
    public async Task AnEventWithOnlyASessionIsKeptUnderTheSession()
    {
        var partition = UniquePartition();
        var anonymous = $$"""{"eventId":"{{Id("s")}}","type":"view","sessionId":"{{Id("session")}}","itemId":"A","timestamp":"2026-11-24T11:59:00Z"}""";

        (await _harness.Ingestor.IngestAsync(EventHubsBatch(partition, 1, anonymous))).Accepted.Should().Be(1);

        (await _harness.ActivityStore.GetRecentActivityAsync(Id("session"))).Should().ContainSingle();
    }

    [Fact]
    public async Task RetailRocketRowsAreMappedAndTheirDerivedIdsDeduplicate()
    {
        var partition = UniquePartition();
        var millis = Now.AddMinutes(-1).ToUnixTimeMilliseconds();
        var row = $$"""{"timestamp":{{millis}},"visitorid":"{{Id("v")}}","event":"transaction","itemid":461686,"transactionid":7}""";

        var first = await _harness.Ingestor.IngestAsync(EventHubsBatch(partition, 1, row));
        var again = await _harness.Ingestor.IngestAsync(EventHubsBatch(partition, 2, row));

        first.AcceptedByType.Should().BeEquivalentTo(new Dictionary<string, int> { ["purchase"] = 1 });
        again.Duplicates.Should().Be(1);
        (await _harness.LakeLinesAsync(partition)).Should().ContainSingle().Which.Should().Contain($"\"eventId\":\"rr-{Id("v")}-{millis}-461686-transaction\"");
    }
}
