using SmartShop.Core.Storage;

namespace SmartShop.Core.Ingestion;

/// <summary>Raw event payloads as one source delivered them, with the identity that is equal on every redelivery.</summary>
public sealed record ClickstreamBatch
{
    private ClickstreamBatch(IReadOnlyList<string> payloads, EventBatchId id, string source, IReadOnlyList<DateTimeOffset>? enqueuedTimes, EventHubsRange? range)
    {
        Payloads = payloads;
        Id = id;
        Source = source;
        EnqueuedTimes = enqueuedTimes;
        EventHubsRange = range;
    }

    public IReadOnlyList<string> Payloads { get; }

    public EventBatchId Id { get; }

    /// <summary>Where the batch came from (eventhubs, http, replay): a low-cardinality telemetry dimension.</summary>
    public string Source { get; }

    /// <summary>Event Hubs enqueued time of each payload (same order), or null when the source has none.</summary>
    public IReadOnlyList<DateTimeOffset>? EnqueuedTimes { get; }

    /// <summary>Where in Event Hubs the batch came from (partition and sequence range), or null for other sources.</summary>
    public EventHubsRange? EventHubsRange { get; }

    /// <summary>A batch from an Event Hubs partition, identified by the partition and its first and last sequence numbers.</summary>
    public static ClickstreamBatch FromEventHubs(
        IReadOnlyList<string> payloads, string partitionId, long firstSequenceNumber, long lastSequenceNumber, IReadOnlyList<DateTimeOffset>? enqueuedTimes, string source = "eventhubs")
    {
        ArgumentNullException.ThrowIfNull(payloads);
        if (enqueuedTimes is not null && enqueuedTimes.Count != payloads.Count)
        {
            throw new ArgumentException($"{enqueuedTimes.Count} enqueued times were given for {payloads.Count} events.", nameof(enqueuedTimes));
        }

        var id = EventBatchId.FromEventHubs(partitionId, firstSequenceNumber, lastSequenceNumber);
        var range = new EventHubsRange(partitionId, firstSequenceNumber, lastSequenceNumber);
        return new ClickstreamBatch(payloads, id, source, enqueuedTimes is { Count: > 0 } ? enqueuedTimes : null, range);
    }

    /// <summary>A batch without broker coordinates (HTTP, replay, or a trigger without metadata), identified by its content.</summary>
    /// <param name="identityContext">
    /// Mixed into the content hash when the same content may rightly be processed again under other rules (replay
    /// with a wider age window): it is then a new batch, while the per-event ledger still drops what was stored.
    /// </param>
    public static ClickstreamBatch FromContent(IReadOnlyList<string> payloads, string source, string? identityContext = null)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var id = EventBatchId.FromContent(identityContext is null ? payloads : payloads.Prepend(identityContext));
        return new ClickstreamBatch(payloads, id, source, null, null);
    }
}

/// <summary>An Event Hubs partition and the sequence numbers of a batch's first and last event (inclusive).</summary>
public sealed record EventHubsRange(string PartitionId, long FirstSequenceNumber, long LastSequenceNumber);
