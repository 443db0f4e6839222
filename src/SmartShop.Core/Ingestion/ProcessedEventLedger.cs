using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Ingestion;

/// <summary>
/// Remembers which batch stored each event id, and which batches completed, in Table storage (the Functions
/// host's own storage account, so it exists whichever document store holds user state). An event id owned by
/// another batch is a duplicate; one owned by the same batch is a retry of an unfinished batch and is written
/// again (to the same blob name, so the lake does not grow). Markers are written only after the lake and the
/// user state, so a marker always means "stored".
/// </summary>
public sealed class ProcessedEventLedger(TableServiceClient serviceClient)
{
    public const string EventsTable = "SmartShopIngestedEvents";
    public const string BatchesTable = "SmartShopIngestedBatches";

    // Event ids spread over a fixed set of partitions so one batch's markers go out in a few entity group transactions.
    private const int BucketCount = 16;
    private const int MaxTransactionSize = 100;
    private const int ReadParallelism = 16;
    private const int MaxRowsPerQuery = 14;
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

    /// <summary>For each id already stored, the batch that stored it; ids never stored are absent.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetOwnersAsync(IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        if (eventIds.Count == 0)
        {
            return owners;
        }

        var table = await GetAsync(EventsTable, cancellationToken).ConfigureAwait(false);
        // One query per partition and 14 ids: Table storage allows 15 comparisons in a filter (partition + 14 rows).
        var queries = eventIds
            .GroupBy(Bucket, StringComparer.Ordinal)
            .SelectMany(bucket => bucket.Chunk(MaxRowsPerQuery).Select(chunk => (Partition: bucket.Key, Ids: chunk)))
            .ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(queries, parallel, async (query, token) =>
        {
            var rows = string.Join(" or ", query.Ids.Select(id => TableClient.CreateQueryFilter($"RowKey eq {StorageKeys.Escape(id)}")));
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {query.Partition}") + " and (" + rows + ")";
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Batch"], cancellationToken: token).ConfigureAwait(false))
            {
                lock (owners)
                {
                    owners[Uri.UnescapeDataString(entity.RowKey)] = entity.GetString("Batch");
                }
            }
        }).ConfigureAwait(false);
        return owners;
    }

    /// <summary>Marks the ids as stored by <paramref name="batchId"/> (idempotent).</summary>
    public async Task RecordEventsAsync(EventBatchId batchId, IReadOnlyCollection<string> eventIds, DateTimeOffset storedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        ArgumentNullException.ThrowIfNull(eventIds);
        var table = await GetAsync(EventsTable, cancellationToken).ConfigureAwait(false);
        var transactions = eventIds
            .GroupBy(Bucket, StringComparer.Ordinal)
            .SelectMany(bucket => bucket.Chunk(MaxTransactionSize).Select(chunk => chunk
                .Select(id => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(bucket.Key, StorageKeys.Escape(id))
                {
                    ["Batch"] = batchId.Value,
                    ["StoredAt"] = storedAt,
                }))
                .ToList()))
            .ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(transactions, parallel, async (actions, token) =>
            await table.SubmitTransactionAsync(actions, token).ConfigureAwait(false)).ConfigureAwait(false);
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

    private static string Bucket(string eventId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(eventId), hash);
        return (hash[0] % BucketCount).ToString("x2", CultureInfo.InvariantCulture);
    }

    private Task<TableClient> GetAsync(string tableName, CancellationToken cancellationToken) => _tables.GetAsync(tableName, cancellationToken);
}
