using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Ingestion;

/// <summary>
/// Remembers which batch claimed each event id, and which batches completed, in Table storage (the Functions
/// host's own storage account, so it exists whichever document store holds user state). A batch claims its ids
/// before it writes anything else; an id claimed by a completed batch is a duplicate, one claimed by the same batch
/// is a retry of an unfinished attempt and is kept (the blob an earlier attempt wrote under the batch's name already
/// holds it and is not written again), and one claimed by a batch that never completed is taken over. "Stored" = claimed by a batch whose record exists.
/// </summary>
public sealed class ProcessedEventLedger(TableServiceClient serviceClient)
{
    public const string EventsTable = "SmartShopIngestedEvents";
    public const string BatchesTable = "SmartShopIngestedBatches";

    // Event ids spread over a fixed set of partitions so one batch's claims go out in a few entity group transactions.
    private const int BucketCount = 16;
    private const int MaxTransactionSize = 100;
    private const int Parallelism = 16;
    private const int MaxRowsPerQuery = 14;
    private const int MaxClaimAttempts = 4;
    private const string BatchRowKey = "batch";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TableClientCache _tables = new(serviceClient);

    /// <summary>The summary recorded when the batch completed, or null when it never did.</summary>
    public async Task<IngestionSummary?> GetCompletedBatchAsync(EventBatchId batchId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        var table = await GetAsync(BatchesTable, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(batchId.Value, BatchRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? JsonSerializer.Deserialize<IngestionSummary>(response.Value!.GetString("Summary"), Json) : null;
    }

    /// <summary>
    /// Claims the event ids for <paramref name="batchId"/> and returns the ones it owns now: ids nobody claimed, ids
    /// this batch claimed on an earlier attempt, and ids claimed by a batch that never completed (taken over, so a
    /// failed batch cannot hold an event hostage). Ids owned by a completed batch are duplicates and left out. The
    /// common case — no id seen before — costs one entity group transaction per partition and no read.
    /// </summary>
    public async Task<IReadOnlySet<string>> ClaimAsync(EventBatchId batchId, IReadOnlyCollection<string> eventIds, DateTimeOffset claimedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        ArgumentNullException.ThrowIfNull(eventIds);
        var owned = new HashSet<string>(StringComparer.Ordinal);
        if (eventIds.Count == 0)
        {
            return owned;
        }

        var table = await GetAsync(EventsTable, cancellationToken).ConfigureAwait(false);
        var claim = new Claim(this, table, batchId, claimedAt);
        var chunks = eventIds
            .GroupBy(Bucket, StringComparer.Ordinal)
            .SelectMany(bucket => bucket.Chunk(MaxTransactionSize).Select(chunk => (Partition: bucket.Key, Ids: chunk)))
            .ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(chunks, parallel, async (chunk, token) =>
        {
            var ids = await claim.PartitionAsync(chunk.Partition, chunk.Ids, token).ConfigureAwait(false);
            lock (owned)
            {
                owned.UnionWith(ids);
            }
        }).ConfigureAwait(false);
        return owned;
    }

    /// <summary>Marks the batch as completed; a later delivery of it changes nothing.</summary>
    public async Task CompleteBatchAsync(EventBatchId batchId, IngestionSummary summary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        ArgumentNullException.ThrowIfNull(summary);
        var table = await GetAsync(BatchesTable, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(batchId.Value, BatchRowKey) { ["Summary"] = JsonSerializer.Serialize(summary, Json) };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsCompletedAsync(string batchId, CancellationToken cancellationToken)
    {
        var table = await GetAsync(BatchesTable, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(batchId, BatchRowKey, select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue;
    }

    /// <summary>The existing claims on the ids (owner batch + ETag); one query per 14 ids.</summary>
    private static async Task<Dictionary<string, TableEntity>> ReadClaimsAsync(TableClient table, string partition, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var claims = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        // Table storage allows 15 comparisons in a filter (partition + 14 rows).
        foreach (var chunk in ids.Chunk(MaxRowsPerQuery))
        {
            var rows = string.Join(" or ", chunk.Select(id => TableClient.CreateQueryFilter($"RowKey eq {StorageKeys.Escape(id)}")));
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}") + " and (" + rows + ")";
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                claims[Uri.UnescapeDataString(entity.RowKey)] = entity;
            }
        }

        return claims;
    }

    private static TableEntity ClaimEntity(string partition, string eventId, EventBatchId batchId, DateTimeOffset claimedAt) =>
        new(partition, StorageKeys.Escape(eventId)) { ["Batch"] = batchId.Value, ["ClaimedAt"] = claimedAt };

    private static string Bucket(string eventId) => StorageKeys.Bucket(eventId, BucketCount);

    private Task<TableClient> GetAsync(string tableName, CancellationToken cancellationToken) => _tables.GetAsync(tableName, cancellationToken);

    /// <summary>One batch's claim: insert first, and look at the existing claims only when an insert conflicts.</summary>
    private sealed class Claim(ProcessedEventLedger ledger, TableClient table, EventBatchId batchId, DateTimeOffset claimedAt)
    {
        private readonly ConcurrentDictionary<string, Task<bool>> _completed = new(StringComparer.Ordinal);

        public async Task<List<string>> PartitionAsync(string partition, string[] ids, CancellationToken cancellationToken)
        {
            var owned = new List<string>(ids.Length);
            IReadOnlyList<string> unclaimed = ids;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    if (unclaimed.Count > 0)
                    {
                        var actions = unclaimed.Select(id => new TableTransactionAction(TableTransactionActionType.Add, ClaimEntity(partition, id, batchId, claimedAt)));
                        await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                    }

                    owned.AddRange(unclaimed);
                    return owned;
                }
                catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict && attempt < MaxClaimAttempts)
                {
                    // Some id is claimed already (the transaction changed nothing): sort them all out below.
                }

                var claims = await ReadClaimsAsync(table, partition, unclaimed, cancellationToken).ConfigureAwait(false);
                var next = new List<string>();
                foreach (var id in unclaimed)
                {
                    if (!claims.TryGetValue(id, out var existing))
                    {
                        next.Add(id);
                    }
                    else if (existing.GetString("Batch") == batchId.Value)
                    {
                        owned.Add(id);
                    }
                    else if (!await IsCompletedAsync(existing.GetString("Batch"), cancellationToken).ConfigureAwait(false))
                    {
                        await TakeOverAsync(partition, id, existing.ETag, owned, next, cancellationToken).ConfigureAwait(false);
                    }
                }

                unclaimed = next;
            }
        }

        private async Task TakeOverAsync(string partition, string id, ETag etag, List<string> owned, List<string> next, CancellationToken cancellationToken)
        {
            try
            {
                await table.UpdateEntityAsync(ClaimEntity(partition, id, batchId, claimedAt), etag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                owned.Add(id);
            }
            catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
            {
                // Someone changed the claim meanwhile: look again on the next round.
                next.Add(id);
            }
        }

        private Task<bool> IsCompletedAsync(string owner, CancellationToken cancellationToken) =>
            _completed.GetOrAdd(owner, id => ledger.IsCompletedAsync(id, cancellationToken));
    }
}
