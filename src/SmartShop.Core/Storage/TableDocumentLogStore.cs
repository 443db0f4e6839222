using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SmartShop.Core.Attribution;

namespace SmartShop.Core.Storage;

/// <summary>
/// Document logs in Azure Table storage (Azurite locally): one table per log, partition key = the log's partition,
/// row keys chosen so the hot reads are single-partition range scans. Tables are created on first use.
/// </summary>
public sealed class TableDocumentLogStore(TableServiceClient serviceClient, DocumentLogOptions options, TimeProvider timeProvider) : IDocumentLogStore
{
    public const string PredictionsTable = "SmartShopPredictions";
    public const string TrainingRunsTable = "SmartShopTrainingRuns";
    public const string AnalysesTable = "SmartShopAnalyses";
    public const string RecentActivityTable = "SmartShopRecentActivity";
    public const string AttributionTable = "SmartShopAttribution";

    private const string AnalysisRowKey = "analysis";
    // Recent activity: partition = one of 16 hash buckets of the user id, row = the user id.
    private const int ActivityPartitions = 16;
    private const int ActivityWriteParallelism = 8;
    private const int MaxTransactionSize = 100;
    private const int MaxConcurrencyRetries = 8;
    private const int MaxKnownUsers = 10_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TableClientCache _tables = new(serviceClient);

    // What this store last wrote or read per user, with its ETag: the next append needs no read. Bounded by starting
    // over when full (a forgotten user who exists costs its transaction one failed attempt and a read).
    private readonly ConcurrentDictionary<string, KnownActivity> _knownActivity = new(StringComparer.Ordinal);

    public async Task WritePredictionsAsync(IReadOnlyList<PredictionLogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var table = await GetTableAsync(PredictionsTable, cancellationToken).ConfigureAwait(false);
        // One entity group transaction per partition and 100 entities: one round trip for a typical flush.
        foreach (var partition in entries.GroupBy(e => StorageKeys.Escape(e.UserId), StringComparer.Ordinal))
        {
            var distinct = partition.DistinctBy(PredictionRowKey).ToList();
            foreach (var chunk in distinct.Chunk(MaxTransactionSize))
            {
                var actions = chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(e))).ToList();
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<IReadOnlyList<PredictionLogEntry>> GetRecentPredictionsAsync(string userId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var table = await GetTableAsync(PredictionsTable, cancellationToken).ConfigureAwait(false);
        var cutoff = timeProvider.GetUtcNow() - options.PredictionTtl;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageKeys.Escape(userId)} and LoggedAt ge {cutoff}");
        var result = new List<PredictionLogEntry>(limit);
        // Row keys are inverted ticks, so the partition scan returns newest first.
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(ToPrediction(entity));
            if (result.Count == limit)
            {
                break;
            }
        }

        return result;
    }

    public async Task UpsertTrainingRunAsync(TrainingRun run, CancellationToken cancellationToken = default)
    {
        var entity = ToEntity(run);
        var table = await GetTableAsync(TrainingRunsTable, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryCreateTrainingRunAsync(TrainingRun run, CancellationToken cancellationToken = default)
    {
        var entity = ToEntity(run);
        var table = await GetTableAsync(TrainingRunsTable, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task<bool> TryReplaceTrainingRunAsync(TrainingRun run, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        var entity = ToEntity(run);
        var table = await GetTableAsync(TrainingRunsTable, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(entity, new ETag(etag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<TrainingRun?> GetTrainingRunAsync(string modelName, string runId, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(TrainingRunsTable, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(StorageKeys.Escape(modelName), StorageKeys.Escape(runId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ToTrainingRun(response.Value!) with { ETag = response.Value!.ETag.ToString() } : null;
    }

    public async Task<IReadOnlyList<TrainingRun>> ListTrainingRunsAsync(string modelName, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var table = await GetTableAsync(TrainingRunsTable, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageKeys.Escape(modelName)}");
        var runs = new List<TrainingRun>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            runs.Add(ToTrainingRun(entity));
        }

        // A model has a run a day at most: sorting one partition in memory is cheap.
        return runs.OrderByDescending(r => r.StartedAt).ThenBy(r => r.RunId, StringComparer.Ordinal).Take(limit).ToList();
    }

    public async Task UpsertAnalysisAsync(SegmentationAnalysis analysis, CancellationToken cancellationToken = default)
    {
        StorageKeys.Validate(analysis);
        var table = await GetTableAsync(AnalysesTable, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(StorageKeys.Escape(analysis.AnalysisId), AnalysisRowKey)
        {
            [nameof(SegmentationAnalysis.AnalysisId)] = analysis.AnalysisId,
            [nameof(SegmentationAnalysis.CreatedAt)] = analysis.CreatedAt,
            [nameof(SegmentationAnalysis.Status)] = analysis.Status,
            [nameof(SegmentationAnalysis.SourceBlobName)] = analysis.SourceBlobName,
            [nameof(SegmentationAnalysis.ResultJson)] = analysis.ResultJson,
            [nameof(SegmentationAnalysis.Error)] = analysis.Error,
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SegmentationAnalysis?> GetAnalysisAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(AnalysesTable, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(StorageKeys.Escape(analysisId), AnalysisRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ToAnalysis(response.Value!) : null;
    }

    public async Task<AnalysisPage> ListAnalysesAsync(int limit, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var table = await GetTableAsync(AnalysesTable, cancellationToken).ConfigureAwait(false);
        // One partition per analysis: listing scans the table (analyses are few; this is an admin read).
        var all = new List<SegmentationAnalysis>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {AnalysisRowKey}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            all.Add(ToAnalysis(entity));
        }

        return StorageKeys.PageAnalyses(all, limit, continuationToken);
    }

    public async Task<bool> DeleteAnalysisAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(AnalysesTable, cancellationToken).ConfigureAwait(false);
        // The SDK answers a missing entity with its 404 response rather than an exception.
        var response = await table.DeleteEntityAsync(StorageKeys.Escape(analysisId), AnalysisRowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        return response.Status != (int)HttpStatusCode.NotFound;
    }

    public async Task<IReadOnlyList<UserActivity>> AppendActivityAsync(string userId, IReadOnlyList<UserActivity> activities, CancellationToken cancellationToken = default)
    {
        var merged = await AppendActivitiesAsync(new Dictionary<string, IReadOnlyList<UserActivity>>(StringComparer.Ordinal) { [userId] = activities }, cancellationToken).ConfigureAwait(false);
        return merged.TryGetValue(userId, out var list) ? list : [];
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<UserActivity>>> AppendActivitiesAsync(IReadOnlyDictionary<string, IReadOnlyList<UserActivity>> activitiesByUser, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(activitiesByUser);
        var result = new ConcurrentDictionary<string, IReadOnlyList<UserActivity>>(StringComparer.Ordinal);
        var appends = activitiesByUser
            .Select(pair => (User: pair.Key, Key: KeyOf(pair.Key), Activities: pair.Value ?? throw new ArgumentException($"User '{pair.Key}' has no activity list.", nameof(activitiesByUser))))
            .Where(append => append.Activities.Count > 0)
            .ToList();
        if (appends.Count == 0)
        {
            return result;
        }

        var table = await GetTableAsync(RecentActivityTable, cancellationToken).ConfigureAwait(false);
        // Users share a few partitions, so one entity group transaction writes up to 100 of them (fewer when long
        // activity lists could push the transaction past its 4 MiB: ~380 bytes per activity at most, with its answer's id).
        var usersPerTransaction = Math.Clamp(2_000_000 / (options.RecentActivityLimit * 380), 1, MaxTransactionSize);
        var transactions = appends
            .GroupBy(append => append.Key.Partition, StringComparer.Ordinal)
            .SelectMany(partition => partition.Chunk(usersPerTransaction))
            .ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ActivityWriteParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(transactions, parallel, async (transaction, token) =>
        {
            var merged = await AppendInOneTransactionAsync(table, transaction, token).ConfigureAwait(false);
            for (var i = 0; i < transaction.Length; i++)
            {
                result[transaction[i].User] = merged[i];
            }
        }).ConfigureAwait(false);
        return result;
    }

    public async Task<IReadOnlyList<UserActivity>> GetRecentActivityAsync(string userId, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(RecentActivityTable, cancellationToken).ConfigureAwait(false);
        var key = KeyOf(userId);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(key.Partition, key.Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ReadActivities(response.Value!) : [];
    }

    public async Task<IReadOnlyList<PredictionLogEntry>> ListAllPredictionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(PredictionsTable, cancellationToken).ConfigureAwait(false);
        var result = new List<PredictionLogEntry>();
        // The user's partition, newest first (inverted ticks); expired entries are still stored here, so they are listed.
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {StorageKeys.Escape(userId)}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(ToPrediction(entity));
        }

        return result;
    }

    public async Task<int> DeletePredictionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(PredictionsTable, cancellationToken).ConfigureAwait(false);
        var partition = StorageKeys.Escape(userId);
        var keys = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(entity.RowKey);
        }

        // One partition: entity group transactions of up to 100 deletes.
        foreach (var chunk in keys.Chunk(MaxTransactionSize))
        {
            var actions = chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, row), ETag.All)).ToList();
            await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }

        return keys.Count;
    }

    public async Task<bool> DeleteRecentActivityAsync(string userId, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(RecentActivityTable, cancellationToken).ConfigureAwait(false);
        var key = KeyOf(userId);
        _knownActivity.TryRemove(key.Row, out _);
        var response = await table.DeleteEntityAsync(key.Partition, key.Row, ETag.All, cancellationToken).ConfigureAwait(false);
        // Forgotten again after the delete: an append that raced it must not leave a stale ETag behind.
        _knownActivity.TryRemove(key.Row, out _);
        return response.Status != (int)HttpStatusCode.NotFound;
    }

    private static PredictionLogEntry ToPrediction(TableEntity entity) => new(
        entity.GetString(nameof(PredictionLogEntry.UserId)),
        entity.GetString(nameof(PredictionLogEntry.PredictionId)),
        entity.GetDateTimeOffset("LoggedAt")!.Value,
        entity.GetString(nameof(PredictionLogEntry.Endpoint)),
        entity.GetString(nameof(PredictionLogEntry.ModelVersion)),
        JsonSerializer.Deserialize<List<string>>(entity.GetString(nameof(PredictionLogEntry.ItemIds)), Json) ?? [],
        entity.GetDouble(nameof(PredictionLogEntry.LatencyMilliseconds)));

    public async Task WriteAttributionFactsAsync(string writerId, IReadOnlyList<AttributionFact> facts, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(AttributionTable, cancellationToken).ConfigureAwait(false);
        foreach (var (partition, records) in AttributionRecords.Facts(writerId, facts))
        {
            await UpsertRecordsAsync(table, partition, records, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task WriteImpressionCountsAsync(string instanceId, DateOnly day, IReadOnlyList<ImpressionCount> counts, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(AttributionTable, cancellationToken).ConfigureAwait(false);
        await UpsertRecordsAsync(table, AttributionRecords.Partition(day), AttributionRecords.Impressions(instanceId, counts), cancellationToken).ConfigureAwait(false);
    }

    public async Task<AttributionDay> ReadAttributionDayAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(AttributionTable, cancellationToken).ConfigureAwait(false);
        var facts = new List<AttributionFact>();
        var impressions = new List<ImpressionCount>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AttributionRecords.Partition(day)}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            AttributionRecords.Read(entity.RowKey, entity.GetString("Items"), facts, impressions);
        }
        return new AttributionDay(day, facts, impressions);
    }

    private static async Task UpsertRecordsAsync(TableClient table, string partition, IReadOnlyList<(string Id, string Items)> records, CancellationToken cancellationToken)
    {
        foreach (var chunk in records.Chunk(AttributionRecords.MaxChunksPerWrite))
        {
            var actions = chunk.Select(r => new TableTransactionAction(
                TableTransactionActionType.UpsertReplace, new TableEntity(partition, r.Id) { ["Items"] = r.Items })).ToList();
            await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Merges each user's activities into what this store knows of them (a conditional update under the ETag it
    /// last got), or inserts a user it does not know — no read. A conflict (another writer, or a user that exists
    /// already) fails the whole transaction, which then changed nothing: the store reads those users and tries again.
    /// </summary>
    private async Task<IReadOnlyList<UserActivity>[]> AppendInOneTransactionAsync(TableClient table, (string User, ActivityKey Key, IReadOnlyList<UserActivity> Activities)[] appends, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var merged = new IReadOnlyList<UserActivity>[appends.Length];
            var actions = new List<TableTransactionAction>(appends.Length);
            for (var i = 0; i < appends.Length; i++)
            {
                var (_, key, activities) = appends[i];
                _knownActivity.TryGetValue(key.Row, out var known);
                merged[i] = StorageKeys.MergeRecent(known?.Items ?? [], activities, options.RecentActivityLimit);
                var entity = ActivityEntity(key, merged[i]);
                actions.Add(known is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, known.ETag));
            }

            try
            {
                var responses = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < appends.Length; i++)
                {
                    Remember(appends[i].Key.Row, responses.Value[i].Headers.ETag, merged[i]);
                }

                return merged;
            }
            catch (RequestFailedException e) when (IsConcurrencyConflict(e) && attempt < MaxConcurrencyRetries)
            {
                await Task.WhenAll(appends.Select(append => ReadAsync(table, append.Key, cancellationToken))).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Refreshes what the store knows of a user from the table.</summary>
    private async Task ReadAsync(TableClient table, ActivityKey key, CancellationToken cancellationToken)
    {
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(key.Partition, key.Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (existing.HasValue)
        {
            Remember(key.Row, existing.Value!.ETag, ReadActivities(existing.Value!));
        }
        else
        {
            _knownActivity.TryRemove(key.Row, out _);
        }
    }

    private static bool IsConcurrencyConflict(RequestFailedException e) =>
        e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict or (int)HttpStatusCode.NotFound;

    private static ActivityKey KeyOf(string userId)
    {
        var row = StorageKeys.Escape(userId);
        return new ActivityKey(StorageKeys.Bucket(userId, ActivityPartitions), row);
    }

    private static TableEntity ActivityEntity(ActivityKey key, IReadOnlyList<UserActivity> items) =>
        new(key.Partition, key.Row) { ["Items"] = JsonSerializer.Serialize(items, Json) };

    private void Remember(string rowKey, ETag? etag, IReadOnlyList<UserActivity> items)
    {
        if (etag is not { } current)
        {
            _knownActivity.TryRemove(rowKey, out _);
            return;
        }

        if (_knownActivity.Count >= MaxKnownUsers)
        {
            _knownActivity.Clear();
        }

        _knownActivity[rowKey] = new KnownActivity(current, items);
    }

    private static TableEntity ToEntity(PredictionLogEntry entry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.ModelVersion);
        return new TableEntity(StorageKeys.Escape(entry.UserId), PredictionRowKey(entry))
        {
            [nameof(PredictionLogEntry.UserId)] = entry.UserId,
            [nameof(PredictionLogEntry.PredictionId)] = entry.PredictionId,
            // "Timestamp" is the service's own property; ours needs another name.
            ["LoggedAt"] = entry.Timestamp,
            [nameof(PredictionLogEntry.Endpoint)] = entry.Endpoint,
            [nameof(PredictionLogEntry.ModelVersion)] = entry.ModelVersion,
            [nameof(PredictionLogEntry.ItemIds)] = JsonSerializer.Serialize(entry.ItemIds, Json),
            [nameof(PredictionLogEntry.LatencyMilliseconds)] = entry.LatencyMilliseconds,
        };
    }

    private static string PredictionRowKey(PredictionLogEntry entry) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.MaxValue.UtcTicks - entry.Timestamp.UtcTicks:D19}_{StorageKeys.Escape(entry.PredictionId)}");

    private static SegmentationAnalysis ToAnalysis(TableEntity entity) => new(
        entity.GetString(nameof(SegmentationAnalysis.AnalysisId)),
        entity.GetDateTimeOffset(nameof(SegmentationAnalysis.CreatedAt))!.Value,
        entity.GetString(nameof(SegmentationAnalysis.Status)),
        entity.GetString(nameof(SegmentationAnalysis.SourceBlobName)),
        entity.GetString(nameof(SegmentationAnalysis.ResultJson)),
        entity.GetString(nameof(SegmentationAnalysis.Error)));
    private static TableEntity ToEntity(TrainingRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Status);
        return new TableEntity(StorageKeys.Escape(run.ModelName), StorageKeys.Escape(run.RunId))
        {
            [nameof(TrainingRun.ModelName)] = run.ModelName,
            [nameof(TrainingRun.RunId)] = run.RunId,
            [nameof(TrainingRun.StartedAt)] = run.StartedAt,
            [nameof(TrainingRun.CompletedAt)] = run.CompletedAt,
            [nameof(TrainingRun.Status)] = run.Status,
            [nameof(TrainingRun.ModelVersion)] = run.ModelVersion,
            [nameof(TrainingRun.Metrics)] = JsonSerializer.Serialize(run.Metrics, Json),
            [nameof(TrainingRun.Message)] = run.Message,
            [nameof(TrainingRun.Trigger)] = run.Trigger,
            [nameof(TrainingRun.InputBlob)] = run.InputBlob,
            [nameof(TrainingRun.InputETag)] = run.InputETag,
            [nameof(TrainingRun.InputHash)] = run.InputHash,
            [nameof(TrainingRun.DataSummary)] = JsonOrNull(run.DataSummary),
            [nameof(TrainingRun.Parameters)] = JsonOrNull(run.Parameters),
            [nameof(TrainingRun.ChampionVersion)] = run.ChampionVersion,
            [nameof(TrainingRun.ChampionMetrics)] = JsonOrNull(run.ChampionMetrics),
            [nameof(TrainingRun.Error)] = run.Error,
        };
    }

    private static string? JsonOrNull<T>(T? value)
        where T : class => value is null ? null : JsonSerializer.Serialize(value, Json);

    private static T? FromJsonOrNull<T>(string? json)
        where T : class => json is null ? null : JsonSerializer.Deserialize<T>(json, Json);

    private static TrainingRun ToTrainingRun(TableEntity entity) => new(
        entity.GetString(nameof(TrainingRun.ModelName)),
        entity.GetString(nameof(TrainingRun.RunId)),
        entity.GetDateTimeOffset(nameof(TrainingRun.StartedAt))!.Value,
        entity.GetDateTimeOffset(nameof(TrainingRun.CompletedAt)),
        entity.GetString(nameof(TrainingRun.Status)),
        entity.GetString(nameof(TrainingRun.ModelVersion)),
        JsonSerializer.Deserialize<Dictionary<string, double>>(entity.GetString(nameof(TrainingRun.Metrics)), Json) ?? [],
        entity.GetString(nameof(TrainingRun.Message)))
    {
        Trigger = entity.GetString(nameof(TrainingRun.Trigger)),
        InputBlob = entity.GetString(nameof(TrainingRun.InputBlob)),
        InputETag = entity.GetString(nameof(TrainingRun.InputETag)),
        InputHash = entity.GetString(nameof(TrainingRun.InputHash)),
        DataSummary = FromJsonOrNull<Dictionary<string, string>>(entity.GetString(nameof(TrainingRun.DataSummary))),
        Parameters = FromJsonOrNull<Dictionary<string, string>>(entity.GetString(nameof(TrainingRun.Parameters))),
        ChampionVersion = entity.GetString(nameof(TrainingRun.ChampionVersion)),
        ChampionMetrics = FromJsonOrNull<Dictionary<string, double>>(entity.GetString(nameof(TrainingRun.ChampionMetrics))),
        Error = entity.GetString(nameof(TrainingRun.Error)),
    };

    private static List<UserActivity> ReadActivities(TableEntity entity) =>
        JsonSerializer.Deserialize<List<UserActivity>>(entity.GetString("Items"), Json) ?? [];

    private Task<TableClient> GetTableAsync(string tableName, CancellationToken cancellationToken) => _tables.GetAsync(tableName, cancellationToken);

    private sealed record KnownActivity(ETag ETag, IReadOnlyList<UserActivity> Items);

    private readonly record struct ActivityKey(string Partition, string Row);
}
