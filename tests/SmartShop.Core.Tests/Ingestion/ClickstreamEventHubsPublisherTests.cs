using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using SmartShop.Cli.Commands;
using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Tests.Ingestion;

public sealed class ClickstreamEventHubsPublisherTests
{
    [Fact]
    public async Task SendsInBatchesLimitedByEventCountAndByWhatTheHubAccepts()
    {
        // The hub's batches take at most three events here (standing in for the byte limit).
        var producer = new RecordingProducer(maxEventsPerHubBatch: 3);
        var payloads = Enumerable.Range(0, 8).Select(i => $$"""{"eventId":"e{{i}}"}""").ToList();

        var bySize = await new ClickstreamEventHubsPublisher(producer).PublishAsync(payloads, maxBatchEvents: 100, eventsPerSecond: 0);
        var byCount = await new ClickstreamEventHubsPublisher(producer).PublishAsync(payloads, maxBatchEvents: 2, eventsPerSecond: 0);

        bySize.Should().BeEquivalentTo(new { Events = 8L, Batches = 3 }, o => o.Including(s => s.Events).Including(s => s.Batches));
        byCount.Batches.Should().Be(4);
        producer.Sent.Select(b => b.Count).Should().Equal(3, 3, 2, 2, 2, 2, 2);
        producer.Sent.Take(3).SelectMany(b => b).Select(e => e.EventBody.ToString()).Should().Equal(payloads);
        producer.Sent.SelectMany(b => b).Should().OnlyContain(e => e.ContentType == "application/json");
    }

    [Fact]
    public async Task PacesToTheRequestedRate()
    {
        var producer = new RecordingProducer(maxEventsPerHubBatch: 10);
        var payloads = Enumerable.Range(0, 30).Select(i => $"{{\"n\":{i}}}");

        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        producer.Clock = clock;

        var publishing = new ClickstreamEventHubsPublisher(producer, clock).PublishAsync(payloads, maxBatchEvents: 10, eventsPerSecond: 100);
        while (!publishing.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Yield();
        }

        var summary = await publishing;

        // The n-th batch of 10 may leave only once 10·(n-1) events at 100 events/s are due: at 0, 0.1 and 0.2 s.
        producer.SentAt.Select(t => t.TotalMilliseconds).Should().SatisfyRespectively(
            t => t.Should().BeInRange(0, 2), t => t.Should().BeInRange(100, 102), t => t.Should().BeInRange(200, 202));
        summary.Events.Should().Be(30);
        summary.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300), "after the last batch the pacer waits until 30 events are due");
    }

    [Fact]
    public async Task AnEventTooLargeForAnyBatchIsAPreciseError()
    {
        var producer = new RecordingProducer(maxEventsPerHubBatch: 10, rejectBodiesLongerThan: 20);

        var act = () => new ClickstreamEventHubsPublisher(producer).PublishAsync(["{}", new string('x', 50)], 10, 0);

        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("*50 characters is larger than the event hub accepts*");
    }

    [Fact]
    public async Task ReplayPublishesAFileOfJsonLines()
    {
        var file = Path.Combine(Path.GetTempPath(), $"publish-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, ["{\"eventId\":\"a\"}", "", "{\"eventId\":\"b\"}"]);
        var producer = new RecordingProducer(maxEventsPerHubBatch: 10);
        var settings = new ReplaySettings(new FileInfo(file), ClickstreamFileFormat.JsonLines, 0, 500, "UseDevelopmentStorage=true", 30);
        using var console = new StringWriter();

        try
        {
            var summary = await ReplayCommand.PublishAsync(settings, new ClickstreamEventHubsPublisher(producer), console, CancellationToken.None);

            summary.Events.Should().Be(2);
            console.ToString().Should().Contain("2 events published in 1 batches");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>An Event Hubs producer that records what it is asked to send (the SDK supports this through its model factory).</summary>
    private sealed class RecordingProducer(int maxEventsPerHubBatch, int rejectBodiesLongerThan = int.MaxValue) : EventHubProducerClient
    {
        private readonly Dictionary<EventDataBatch, List<EventData>> _contents = [];

        public List<List<EventData>> Sent { get; } = [];

        /// <summary>When each batch was sent, on <see cref="Clock"/>, from the first call to CreateBatchAsync.</summary>
        public List<TimeSpan> SentAt { get; } = [];

        public TimeProvider Clock { get; set; } = TimeProvider.System;

        private long? _start;

        public override ValueTask<EventDataBatch> CreateBatchAsync(CancellationToken cancellationToken = default)
        {
            _start ??= Clock.GetTimestamp();
            var store = new List<EventData>();
            var batch = EventHubsModelFactory.EventDataBatch(1_000_000, store, new CreateBatchOptions(),
                data => store.Count < maxEventsPerHubBatch && data.EventBody.ToString().Length <= rejectBodiesLongerThan);
            _contents[batch] = store;
            return ValueTask.FromResult(batch);
        }

        public override Task SendAsync(EventDataBatch eventBatch, CancellationToken cancellationToken = default)
        {
            Sent.Add([.. _contents[eventBatch]]);
            SentAt.Add(Clock.GetElapsedTime(_start!.Value));
            return Task.CompletedTask;
        }
    }
}
