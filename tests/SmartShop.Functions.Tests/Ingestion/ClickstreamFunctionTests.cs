using System.Collections.Immutable;
using System.Text.Json;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
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
}
