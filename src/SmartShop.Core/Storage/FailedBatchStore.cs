using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs.Models;
using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Storage;

/// <summary>
/// Keeps the Event Hubs batches whose last delivery attempt failed (a storage outage longer than the retries) in the
/// <see cref="BlobContainers.EventsFailed"/> container, one JSON document per batch named after its identity, so
/// that the host moving on past them loses nothing: <c>smartshop replay --failed-batches</c> stores them later
/// under their original identity and deletes each blob once its batch completed.
/// </summary>
/// <param name="containerName">The container (tests isolate themselves with their own).</param>
public sealed class FailedBatchStore(BlobContainers containers, TimeProvider timeProvider, string containerName = BlobContainers.EventsFailed)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private const int MaxReasonLength = 1024;

    /// <summary>The reason kept with a failed batch: the exception's type and message (storage errors carry no event content), shortened.</summary>
    public static string Reason(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var reason = $"{failure.GetType().Name}: {failure.Message}";
        return reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength];
    }

    /// <summary>The blob name of a failed batch: &lt;batch id&gt;.json.</summary>
    public static string BlobName(EventBatchId batchId)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        return batchId.Value + ".json";
    }

    /// <summary>
    /// Writes the batch (payloads exactly as received, partition and sequence range, enqueued times, reason) and
    /// returns the blob name. A batch already kept (another instance's final attempt of the same batch) is left as it
    /// is: the same identity carries the same payloads.
    /// </summary>
    public async Task<string> WriteAsync(ClickstreamBatch batch, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var record = new FailedBatch(
            batch.Id.Value, batch.Source, batch.EventHubsRange?.PartitionId, batch.EventHubsRange?.FirstSequenceNumber, batch.EventHubsRange?.LastSequenceNumber,
            reason, timeProvider.GetUtcNow(), batch.EnqueuedTimes, batch.Payloads);
        var name = BlobName(batch.Id);
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        try
        {
            await container.GetBlobClient(name).UploadAsync(
                BinaryData.FromObjectAsJson(record, Json),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict || e.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            // Kept already by an earlier final attempt of the same batch.
        }

        return name;
    }

    public string ContainerName => containerName;

    /// <summary>The names of the kept batches, in name order (by partition, then sequence number).</summary>
    public async IAsyncEnumerable<string> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return item.Name;
        }
    }

    /// <summary>Reads a kept batch with the ETag it was read at, or null when it is gone.</summary>
    /// <exception cref="InvalidDataException">The blob is not a failed batch this store wrote.</exception>
    public async Task<StoredFailedBatch?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        BlobDownloadResult download;
        try
        {
            download = (await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }

        return new StoredFailedBatch(name, Parse(name, download.Content), download.Details.ETag);
    }

    /// <summary>
    /// Deletes a kept batch if it is still the content read (If-Match on <paramref name="etag"/>); false when it
    /// changed or is gone meanwhile.
    /// </summary>
    public async Task<bool> DeleteAsync(string name, ETag etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        try
        {
            await container.GetBlobClient(name).DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = etag }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>The payloads of kept batches that <paramref name="matches"/> (a customer's, for a data-access answer).</summary>
    public async Task<IReadOnlyList<FailedBatchPayload>> FindAsync(Func<string, bool> matches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matches);
        var found = new List<FailedBatchPayload>();
        await foreach (var name in ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await TryReadAsync(name, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                found.AddRange(stored.Batch.Payloads.Where(matches).Select(p => new FailedBatchPayload($"{containerName}/{name}", p)));
            }
        }
        return found;
    }

    /// <summary>
    /// Removes the payloads <paramref name="matches"/> from every kept batch (an erasure): each batch is rewritten under
    /// an ETag condition (read again on a conflict), or deleted when nothing is left. Returns the payloads removed.
    /// </summary>
    public async Task<int> RemoveAsync(Func<string, bool> matches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matches);
        var removed = 0;
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        await foreach (var name in ListAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var attempt = 0; attempt < MaxEraseAttempts; attempt++)
            {
                if (await TryReadAsync(name, cancellationToken).ConfigureAwait(false) is not { } stored)
                {
                    break;
                }
                var batch = stored.Batch;
                var keep = Enumerable.Range(0, batch.Payloads.Count).Where(i => !matches(batch.Payloads[i])).ToList();
                if (keep.Count == batch.Payloads.Count)
                {
                    break;
                }
                if (keep.Count == 0 ? await DeleteAsync(name, stored.ETag, cancellationToken).ConfigureAwait(false)
                        : await TryReplaceAsync(container.GetBlobClient(name), stored.ETag, batch with
                        {
                            Payloads = keep.Select(i => batch.Payloads[i]).ToList(),
                            EnqueuedTimes = batch.EnqueuedTimes is { } times ? keep.Select(i => times[i]).ToList() : null,
                            ErasedEvents = batch.ErasedEvents + (batch.Payloads.Count - keep.Count),
                        }, cancellationToken).ConfigureAwait(false))
                {
                    removed += batch.Payloads.Count - keep.Count;
                    break;
                }
            }
        }
        return removed;
    }

    private const int MaxEraseAttempts = 3;

    private static async Task<bool> TryReplaceAsync(Azure.Storage.Blobs.BlobClient blob, ETag etag, FailedBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.FromObjectAsJson(batch, Json), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                Conditions = new BlobRequestConditions { IfMatch = etag },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    // A blob that is not a failed batch is left to replay to report; a data-access scan goes on past it.
    private async Task<StoredFailedBatch?> TryReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private FailedBatch Parse(string name, BinaryData content)
    {
        FailedBatch? batch;
        try
        {
            batch = content.ToObjectFromJson<FailedBatch>(Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{containerName}/{name} is not a failed batch: {e.Message}", e);
        }

        var problem = batch switch
        {
            null => "it is empty",
            { BatchId: null or "" } => "it has no batchId",
            { Payloads: null or { Count: 0 } } => "it has no payloads",
            { PartitionId: not null, FirstSequenceNumber: null } or { PartitionId: not null, LastSequenceNumber: null } => "it has a partitionId but no sequence range",
            { EnqueuedTimes: { } times } when times.Count != batch.Payloads.Count => $"it has {times.Count} enqueued times for {batch.Payloads.Count} payloads",
            _ => null,
        };
        if (problem is not null)
        {
            throw new InvalidDataException($"{containerName}/{name} is not a failed batch: {problem}.");
        }

        return batch!;
    }
}

/// <summary>
/// A batch whose last delivery attempt failed: the payloads exactly as received and where they came from.
/// <see cref="ToBatch"/> rebuilds it under its original identity, so an event stored meanwhile counts once.
/// </summary>
public sealed record FailedBatch(
    string BatchId,
    string Source,
    string? PartitionId,
    long? FirstSequenceNumber,
    long? LastSequenceNumber,
    string Reason,
    DateTimeOffset FailedAt,
    IReadOnlyList<DateTimeOffset>? EnqueuedTimes,
    IReadOnlyList<string> Payloads)
{
    /// <summary>Payloads an erasure removed (a customer's events); the batch keeps its identity.</summary>
    public int ErasedEvents { get; init; }

    /// <summary>The batch as it was delivered, with the same identity (Event Hubs range, else the content hash).</summary>
    /// <exception cref="InvalidDataException">The rebuilt identity is not <see cref="BatchId"/> (the document was edited).</exception>
    public ClickstreamBatch ToBatch()
    {
        ClickstreamBatch batch;
        try
        {
            batch = PartitionId is not null
                ? ClickstreamBatch.FromEventHubs(Payloads, PartitionId, FirstSequenceNumber!.Value, LastSequenceNumber!.Value, EnqueuedTimes, Source)
                : ClickstreamBatch.FromContent(Payloads, Source);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Failed batch {BatchId}: {e.Message}", e);
        }

        // After an erasure the content hash of what is left differs: it is then a batch of its own, and the per-event
        // ledger still counts each of its events once.
        if (batch.Id.Value != BatchId && !(ErasedEvents > 0 && PartitionId is null))
        {
            throw new InvalidDataException($"Failed batch {BatchId}: its payloads and range identify batch {batch.Id.Value}, not {BatchId}.");
        }

        return batch;
    }
}

/// <summary>One payload of a kept failed batch, with the blob it is in.</summary>
public sealed record FailedBatchPayload(string Blob, string Payload);

/// <summary>A kept failed batch as read: its blob name, content and ETag.</summary>
public sealed record StoredFailedBatch(string Name, FailedBatch Batch, ETag ETag);
