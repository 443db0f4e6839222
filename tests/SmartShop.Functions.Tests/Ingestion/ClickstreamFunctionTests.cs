using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Ingestion;
using static SmartShop.Functions.Tests.Ingestion.IngestionHost;

namespace SmartShop.Functions.Tests.Ingestion;

/// <summary>The Event Hubs function invoked directly with the app's services on Azurite.</summary>
public sealed class ClickstreamFunctionTests : IDisposable
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private readonly IngestionHost _host = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task ABatchWithPartitionMetadataLandsInTheLakeUnderItsPartitionAndSequenceNumber()
    {
        var enqueuedAt = DateTimeOffset.UtcNow.AddSeconds(-3);
        string[] events = [Event($"{_run}-1", $"{_run}-u", "A"), Event($"{_run}-2", $"{_run}-u", "B", "addtocart"), "{oops"];
        var context = TriggerContext.ForPartition(_run, 4711, events.Length, enqueuedAt);

        await _host.ClickstreamFunction().IngestClickstream(events, context, CancellationToken.None);
        await _host.ClickstreamFunction().IngestClickstream(events, context, CancellationToken.None);

        var blobName = EventLakeWriter.BlobName(EventBatchId.FromEventHubs(_run, 4711, 4711 + events.Length - 1), enqueuedAt);
        (await _host.LakeLinesAsync(blobName)).Should().HaveCount(2);
        var deadLetter = JsonSerializer.Deserialize<RejectedEvent>((await _host.LakeLinesAsync(blobName, BlobContainers.EventsRejected)).Single(), WebJson)!;
        deadLetter.Payload.Should().Be("{oops");
        (await _host.ActivityStore.GetRecentActivityAsync($"{_run}-u")).Select(a => a.ActivityType).Should().Equal("view", "addtocart");

        // The redelivery added nothing: two accepted, one rejected, two lag measurements, all from the first call.
        var measurements = _host.Measurements;
        measurements.Where(m => m.Instrument == SmartShopTelemetry.Names.EventsAccepted).Should().ContainSingle()
            .Which.Should().Be((SmartShopTelemetry.Names.EventsAccepted, 2d, "eventhubs"));
        measurements.Where(m => m.Instrument == SmartShopTelemetry.Names.EventsRejected).Should().ContainSingle()
            .Which.Should().Be((SmartShopTelemetry.Names.EventsRejected, 1d, EventRejection.MalformedJson));
        measurements.Where(m => m.Instrument == SmartShopTelemetry.Names.IngestionLag).Should().HaveCount(2)
            .And.OnlyContain(m => m.Value >= 3 && m.Value < 60);
    }

    [Fact]
    public async Task WithoutBindingMetadataTheBatchIsIdentifiedByItsContent()
    {
        string[] events = [Event($"{_run}-1", $"{_run}-u", "A", minutesAgo: 2)];

        await _host.ClickstreamFunction().IngestClickstream(events, new TriggerContext(ImmutableDictionary<string, object?>.Empty), CancellationToken.None);

        var blobName = EventLakeWriter.BlobName(EventBatchId.FromContent(events), DateTimeOffset.Parse(
            JsonDocument.Parse(events[0]).RootElement.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        (await _host.LakeLinesAsync(blobName)).Should().ContainSingle().Which.Should().Contain($"{_run}-1");
    }

    [Fact]
    public async Task AStorageFailureIsRethrownSoTheHostRetriesTheBatch()
    {
        using var unreachable = new IngestionHost(new() { ["AzureWebJobsStorage"] = EventsHttpFunctionTests.UnreachableStorage });
        string[] events = [Event($"{_run}-1", $"{_run}-u", "A")];

        var invoke = () => unreachable.ClickstreamFunction().IngestClickstream(events, TriggerContext.ForPartition(_run, 1, 1, DateTimeOffset.UtcNow), CancellationToken.None);

        await invoke.Should().ThrowAsync<Exception>();
        unreachable.Measurements.Should().BeEmpty("nothing was stored, so nothing is counted");
    }

    [Fact]
    public async Task TheLastAttemptKeepsTheRawBatchInEventsFailedBeforeRethrowing()
    {
        // Arrange: the pipeline's storage is down; the events-failed container is reachable.
        using var unreachable = new IngestionHost(new() { ["AzureWebJobsStorage"] = EventsHttpFunctionTests.UnreachableStorage });
        string[] events = [Event($"{_run}-1", $"{_run}-u", "A"), "{not json \u00e9", "  "];
        var enqueuedAt = DateTimeOffset.UtcNow.AddMinutes(-3);
        var context = TriggerContext.ForPartition(_run, 900, events.Length, enqueuedAt).OnRetry(ClickstreamFunction.MaxRetries, ClickstreamFunction.MaxRetries);
        var failedBatches = new FailedBatchStore(_host.Services.GetRequiredService<BlobContainers>(), TimeProvider.System, $"failed-{_run}");

        // Act
        var invoke = () => unreachable.ClickstreamFunction(failedBatches).IngestClickstream(events, context, CancellationToken.None);

        // Assert: the storage error still reaches the host, and the batch is kept exactly as received.
        await invoke.Should().ThrowAsync<Exception>();
        var batchId = EventBatchId.FromEventHubs(_run, 900, 902);
        var kept = (await failedBatches.ReadAsync(FailedBatchStore.BlobName(batchId)))!.Batch;
        kept.Should().BeEquivalentTo(new { BatchId = batchId.Value, PartitionId = _run, FirstSequenceNumber = 900L, LastSequenceNumber = 902L, Source = "eventhubs" });
        kept.Payloads.Should().Equal(events);
        kept.EnqueuedTimes.Should().HaveCount(3);
        kept.Reason.Should().NotBeNullOrWhiteSpace();
        kept.ToBatch().Id.Should().Be(batchId);
        unreachable.Measurements.Should().ContainSingle()
            .Which.Should().Be((SmartShopTelemetry.Names.IngestionFailedBatches, 1d, SmartShopTelemetry.FailedBatchOutcomes.Kept));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(null)]
    public async Task AnEarlierAttemptKeepsNothingBecauseTheHostWillRetry(int? retryCount)
    {
        using var unreachable = new IngestionHost(new() { ["AzureWebJobsStorage"] = EventsHttpFunctionTests.UnreachableStorage });
        string[] events = [Event($"{_run}-1", $"{_run}-u", "A")];
        var context = TriggerContext.ForPartition(_run, 10, 1, DateTimeOffset.UtcNow);
        context = retryCount is { } count ? context.OnRetry(count, ClickstreamFunction.MaxRetries) : context;
        var failedBatches = new FailedBatchStore(_host.Services.GetRequiredService<BlobContainers>(), TimeProvider.System, $"failed-{_run}");

        var invoke = () => unreachable.ClickstreamFunction(failedBatches).IngestClickstream(events, context, CancellationToken.None);

        await invoke.Should().ThrowAsync<Exception>();
        (await failedBatches.ReadAsync(FailedBatchStore.BlobName(EventBatchId.FromEventHubs(_run, 10, 10)))).Should().BeNull();
        unreachable.Measurements.Should().BeEmpty();
    }

    [Fact]
    public async Task WhenEvenKeepingTheBatchFailsTheLogNamesTheRangeToRewindAndNoPayload()
    {
        using var unreachable = new IngestionHost(new() { ["AzureWebJobsStorage"] = EventsHttpFunctionTests.UnreachableStorage });
        string[] events = [Event($"{_run}-1", $"{_run}-secret-user", "A"), Event($"{_run}-2", $"{_run}-secret-user", "B")];
        var context = TriggerContext.ForPartition(_run, 41, events.Length, DateTimeOffset.UtcNow).OnRetry(5, 5);
        var logger = new RecordingLogger();

        var invoke = () => unreachable.ClickstreamFunction(logger: logger).IngestClickstream(events, context, CancellationToken.None);

        await invoke.Should().ThrowAsync<Exception>();
        var lost = logger.Entries.Should().ContainSingle(e => e.Level == LogLevel.Critical).Subject;
        lost.EventId.Should().Be(7004);
        lost.Message.Should().Contain($"partition {_run}").And.Contain("41-42").And.NotContain("secret-user").And.NotContain("itemId");
        logger.Entries.Should().OnlyContain(e => !e.Message.Contains("secret-user"));
        unreachable.Measurements.Should().ContainSingle()
            .Which.Should().Be((SmartShopTelemetry.Names.IngestionFailedBatches, 1d, SmartShopTelemetry.FailedBatchOutcomes.Lost));
    }

    private sealed class RecordingLogger : ILogger<ClickstreamFunction>
    {
        private readonly List<(LogLevel Level, int EventId, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return _entries.ToList();
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, eventId.Id, formatter(state, exception)));
            }
        }
    }
}
