using System.Buffers;
using System.Text;
using System.Text.Json;
using SmartShop.Core.Attribution;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Ingestion;

/// <summary>
/// The ingestion pipeline every source shares (Event Hubs, HTTP, replay): validate, dead-letter the invalid,
/// drop duplicates, append the rest to the event lake, merge them into each actor's recent activity, store what they
/// earned recommendations (<see cref="Attributor"/>, from the merged activity: no read per event), then record what
/// was stored. Every step is idempotent for a given batch identity, so a storage failure simply propagates
/// and a redelivery of the same batch finishes the job without losing or duplicating an event (docs/ingestion.md).
/// </summary>
public sealed class ClickstreamIngestor(
    ClickstreamEventValidator validator,
    EventLakeWriter lake,
    IDocumentLogStore activityStore,
    ProcessedEventLedger ledger,
    TimeProvider timeProvider,
    TimeSpan? attributionWindow = null)
{
    private readonly TimeSpan _attributionWindow = attributionWindow ?? Attributor.DefaultWindow;

    private static readonly JsonWriterOptions LineWriterOptions = new() { SkipValidation = true };

    public async Task<IngestionSummary> IngestAsync(ClickstreamBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var received = batch.Payloads.Count;
        if (received == 0 || await ledger.GetCompletedBatchAsync(batch.Id, cancellationToken).ConfigureAwait(false) is not null)
        {
            return Summary(batch, received, accepted: [], rejected: [], duplicates: received, lakeBlob: null, deadLetterBlob: null, alreadyIngested: received > 0);
        }

        // Validate; the first occurrence of an event id within the batch wins.
        var valid = new List<(ClickstreamEvent Event, int Index)>(received);
        var rejected = new List<(RejectedEvent Dead, string Code)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        var receivedAt = timeProvider.GetUtcNow();
        for (var i = 0; i < received; i++)
        {
            var payload = batch.Payloads[i] ?? string.Empty;
            var result = validator.Validate(payload);
            if (result.Event is { } clickstreamEvent)
            {
                if (seen.Add(clickstreamEvent.EventId))
                {
                    valid.Add((clickstreamEvent, i));
                }
                else
                {
                    duplicates++;
                }
            }
            else
            {
                var rejection = result.Rejection!;
                rejected.Add((new RejectedEvent(payload, $"{rejection.Code}: {rejection.Message}", receivedAt), rejection.Code));
            }
        }

        // Claim the ids before writing anything: ids a completed batch owns are duplicates; ids this batch claimed on
        // an unfinished attempt are kept. The lake blob below is created once under the batch's name: when an earlier
        // attempt wrote it, it already holds every id this attempt owns (and maybe ids taken over since, which the
        // lake reader counts once), so it is kept as it is.
        var owned = await ledger.ClaimAsync(batch.Id, seen, receivedAt, cancellationToken).ConfigureAwait(false);
        var fresh = valid.Where(v => owned.Contains(v.Event.EventId)).ToList();
        duplicates += valid.Count - fresh.Count;

        // Dead letters, lake blob and user state are independent and each idempotent: write them at once.
        var partitionTime = PartitionTime(batch, valid, receivedAt);
        var deadLetters = rejected.Count > 0
            ? lake.WriteRejectedAsync(batch.Id, partitionTime, rejected.Select(r => r.Dead).ToList(), cancellationToken)
            : null;
        var accepted = fresh.Count > 0 ? lake.WriteAcceptedAsync(batch.Id, partitionTime, CanonicalLines(fresh), cancellationToken) : null;
        var state = fresh.Count > 0 ? AppendActivityAndAttributeAsync(batch.Id, fresh, cancellationToken) : Task.CompletedTask;
        await Task.WhenAll(new Task?[] { deadLetters, accepted, state }.OfType<Task>()).ConfigureAwait(false);
        var storedAt = timeProvider.GetUtcNow();
        var lags = batch.EnqueuedTimes is { } enqueued ? fresh.Select(f => storedAt - enqueued[f.Index]).ToList() : [];
        var deadLetterBlob = deadLetters is null ? null : await deadLetters.ConfigureAwait(false);
        var lakeBlob = accepted is null ? null : await accepted.ConfigureAwait(false);

        var summary = Summary(batch, received, fresh.Select(f => f.Event).ToList(), rejected.Select(r => r.Code).ToList(), duplicates, lakeBlob, deadLetterBlob, alreadyIngested: false);
        await ledger.CompleteBatchAsync(batch.Id, summary, cancellationToken).ConfigureAwait(false);
        return summary with { IngestionLags = lags };
    }

    /// <summary>
    /// The hour folder a batch lands in: the first event's enqueued time (Event Hubs), else the earliest valid event
    /// time, else the time of receipt. The first two are equal on every redelivery, which keeps the blob name stable.
    /// </summary>
    private static DateTimeOffset PartitionTime(ClickstreamBatch batch, List<(ClickstreamEvent Event, int Index)> valid, DateTimeOffset receivedAt)
    {
        if (batch.EnqueuedTimes is { Count: > 0 } enqueued)
        {
            return enqueued[0];
        }

        return valid.Count > 0 ? valid.Min(v => v.Event.Timestamp) : receivedAt;
    }

    private static List<string> CanonicalLines(List<(ClickstreamEvent Event, int Index)> events)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var lines = new List<string>(events.Count);
        using var writer = new Utf8JsonWriter(buffer, LineWriterOptions);
        foreach (var (clickstreamEvent, _) in events)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            ClickstreamEventJson.Write(writer, clickstreamEvent);
            writer.Flush();
            lines.Add(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }

        return lines;
    }

    private async Task AppendActivityAndAttributeAsync(EventBatchId batchId, List<(ClickstreamEvent Event, int Index)> events, CancellationToken cancellationToken)
    {
        // Merging is a set union (equal activities collapse), so re-appending after a failed attempt changes nothing;
        // the facts are stored under the batch's id and counted once per event id, so rewriting them changes nothing either.
        var byActor = events
            .GroupBy(e => e.Event.ActorId, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<UserActivity>)g.Select(e => new UserActivity(e.Event.ItemId, e.Event.Type, e.Event.Timestamp, Attributor.KeptRecommendationId(e.Event))).ToList(),
                StringComparer.Ordinal);
        var merged = await activityStore.AppendActivitiesAsync(byActor, cancellationToken).ConfigureAwait(false);
        var facts = Attributor.Facts(events.Select(e => e.Event), merged, _attributionWindow);
        if (facts.Count > 0)
        {
            await activityStore.WriteAttributionFactsAsync(batchId.Value, facts, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IngestionSummary Summary(
        ClickstreamBatch batch, int received, List<ClickstreamEvent> accepted, List<string> rejected, int duplicates,
        string? lakeBlob, string? deadLetterBlob, bool alreadyIngested) =>
        new(
            batch.Id.Value,
            batch.Source,
            received,
            accepted.Count,
            rejected.Count,
            duplicates,
            accepted.GroupBy(e => e.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            rejected.GroupBy(c => c, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            lakeBlob,
            deadLetterBlob,
            alreadyIngested);
}
