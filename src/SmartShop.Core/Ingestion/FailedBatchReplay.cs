using SmartShop.Core.Storage;

namespace SmartShop.Core.Ingestion;

/// <summary>What replaying the kept failed batches did.</summary>
public sealed record FailedBatchReplayResult(int Batches, int Deleted, IReadOnlyList<IngestionSummary> Summaries)
{
    public long Received => Summaries.Sum(s => (long)s.Received);

    public long Accepted => Summaries.Sum(s => (long)s.Accepted);

    public long Rejected => Summaries.Sum(s => (long)s.Rejected);

    public long Duplicates => Summaries.Sum(s => (long)s.Duplicates);
}

/// <summary>
/// Stores the batches <see cref="FailedBatchStore"/> kept, through the same <see cref="ClickstreamIngestor"/> and
/// under each batch's original identity: a batch that did get stored (a later delivery, or an earlier replay) is a
/// completed batch and counts nothing, and an event stored by another batch is a duplicate. A kept blob is deleted
/// only after its batch completed, and only if it is still the content read (If-Match on its ETag).
/// </summary>
public static class FailedBatchReplay
{
    /// <exception cref="InvalidDataException">A blob in events-failed is not a failed batch (the ones before it are stored).</exception>
    public static async Task<FailedBatchReplayResult> RunAsync(FailedBatchStore store, ClickstreamIngestor ingestor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ingestor);
        var names = new List<string>();
        await foreach (var name in store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(name);
        }

        var summaries = new List<IngestionSummary>(names.Count);
        var deleted = 0;
        foreach (var name in names)
        {
            if (await store.ReadAsync(name, cancellationToken).ConfigureAwait(false) is not { } kept)
            {
                continue; // Replayed and deleted by a concurrent run.
            }

            summaries.Add(await ingestor.IngestAsync(kept.Batch.ToBatch(), cancellationToken).ConfigureAwait(false));
            if (await store.DeleteAsync(name, kept.ETag, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return new FailedBatchReplayResult(summaries.Count, deleted, summaries);
    }
}
