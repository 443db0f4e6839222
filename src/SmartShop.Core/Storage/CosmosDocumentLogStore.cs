using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Core;
using Microsoft.Azure.Cosmos;
using SmartShop.Core.Attribution;

namespace SmartShop.Core.Storage;

/// <summary>
/// Document logs in Cosmos DB (NoSQL API, System.Text.Json): one container per log, partitioned by the log's
/// access key; every query names its partition, in the options and in the WHERE clause.
/// </summary>
public sealed class CosmosDocumentLogStore(CosmosClient client, string databaseName, DocumentLogOptions options, TimeProvider timeProvider) : IDocumentLogStore
{
    // The same names as infra/app/cosmos.bicep, which creates them in Azure.
    public const string PredictionsContainer = "predictions";
    public const string TrainingRunsContainer = "trainingRuns";
    public const string AnalysesContainer = "analyses";
    public const string UserActivityContainer = "userActivity";
    public const string AttributionContainer = "attribution";

    /// <summary>The Cosmos DB emulator's documented, public account key (not a secret); used for loopback endpoints only.</summary>
    public const string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private const string ActivityId = "recent";
    private const int MaxConcurrencyRetries = 8;
    private const int WriteParallelism = 8;

    private readonly CreatedOnFirstUse<Container> _containers = new();

    // The local emulator answers 500 instead of 404 for a missing item; only there is that read as "not found".
    // It is also the only place the app creates its database and containers (in Azure, data-plane roles cannot).
    private readonly bool _isEmulator = IsLocalEndpoint(client.Endpoint);

    /// <summary>A client for <paramref name="endpoint"/>: the emulator key for a loopback endpoint, otherwise <paramref name="credential"/>.</summary>
    public static CosmosClient CreateClient(Uri endpoint, TokenCredential? credential)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var clientOptions = new CosmosClientOptions
        {
            UseSystemTextJsonSerializerWithOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web),
            ApplicationName = "SmartShop.Functions",
        };
        if (IsLocalEndpoint(endpoint))
        {
            // The emulator speaks Gateway mode only and presents a self-signed certificate; accept it for loopback alone.
            clientOptions.ConnectionMode = ConnectionMode.Gateway;
            clientOptions.LimitToEndpoint = true;
            // Without these the SDK's Linux query path fails against the local NoSQL server (queries throw a
            // NullReferenceException); they are read by the SDK from the environment, so set them unless the user did.
            SetIfAbsent("AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX", "true");
            SetIfAbsent("AZURE_COSMOS_OPTIMISTIC_DIRECT_EXECUTION_ENABLED", "true");
            clientOptions.HttpClientFactory = () => new HttpClient(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
            });
            return new CosmosClient(endpoint.AbsoluteUri, EmulatorKey, clientOptions);
        }

        return new CosmosClient(endpoint.AbsoluteUri, credential ?? throw new ArgumentNullException(nameof(credential), "A Cosmos DB account outside this machine needs a credential."), clientOptions);
    }

    private static void SetIfAbsent(string variable, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
        {
            Environment.SetEnvironmentVariable(variable, value);
        }
    }

    public static bool IsLocalEndpoint(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.IsLoopback;
    }

    public async Task WritePredictionsAsync(IReadOnlyList<PredictionLogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var documents = entries.Select(ToDocument).ToList();
        var container = await GetContainerAsync(PredictionsContainer, cancellationToken).ConfigureAwait(false);
        // Bulk mode and batches are not available on every Cosmos endpoint we target; bounded parallel upserts are.
        await Parallel.ForEachAsync(
            documents,
            new ParallelOptions { MaxDegreeOfParallelism = WriteParallelism, CancellationToken = cancellationToken },
            async (document, ct) => await container.UpsertItemAsync(document, new PartitionKey(document.UserId), cancellationToken: ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PredictionLogEntry>> GetRecentPredictionsAsync(string userId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var cutoff = (timeProvider.GetUtcNow() - options.PredictionTtl).ToUnixTimeMilliseconds();
        var query = new QueryDefinition(string.Create(CultureInfo.InvariantCulture,
                $"SELECT TOP {limit} * FROM c WHERE c.userId = @userId AND c.timestampMs >= @cutoff ORDER BY c.timestampMs DESC"))
            .WithParameter("@userId", userId)
            .WithParameter("@cutoff", cutoff);
        var documents = await QueryAsync<PredictionDocument>(PredictionsContainer, query, userId, cancellationToken).ConfigureAwait(false);
        return documents.Select(d => new PredictionLogEntry(d.UserId, d.PredictionId, d.Timestamp, d.Endpoint, d.ModelVersion, d.ItemIds, d.LatencyMilliseconds)).ToList();
    }

    public async Task UpsertTrainingRunAsync(TrainingRun run, CancellationToken cancellationToken = default)
    {
        var document = ToDocument(run);
        var container = await GetContainerAsync(TrainingRunsContainer, cancellationToken).ConfigureAwait(false);
        await container.UpsertItemAsync(document, new PartitionKey(run.ModelName), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryCreateTrainingRunAsync(TrainingRun run, CancellationToken cancellationToken = default)
    {
        var document = ToDocument(run);
        var container = await GetContainerAsync(TrainingRunsContainer, cancellationToken).ConfigureAwait(false);
        try
        {
            await container.CreateItemAsync(document, new PartitionKey(run.ModelName), cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task<bool> TryReplaceTrainingRunAsync(TrainingRun run, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        var document = ToDocument(run);
        var container = await GetContainerAsync(TrainingRunsContainer, cancellationToken).ConfigureAwait(false);
        try
        {
            await container.ReplaceItemAsync(document, document.Id, new PartitionKey(run.ModelName), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed || IsMissing(e))
        {
            return false;
        }
    }

    public async Task<TrainingRun?> GetTrainingRunAsync(string modelName, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        var response = await ReadAsync<TrainingRunDocument>(TrainingRunsContainer, StorageKeys.Escape(runId), modelName, cancellationToken).ConfigureAwait(false);
        return response is null ? null : ToTrainingRun(response.Resource) with { ETag = response.ETag };
    }

    public async Task<IReadOnlyList<TrainingRun>> ListTrainingRunsAsync(string modelName, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var query = new QueryDefinition(string.Create(CultureInfo.InvariantCulture,
                $"SELECT TOP {limit} * FROM c WHERE c.modelName = @modelName ORDER BY c.startedAtMs DESC"))
            .WithParameter("@modelName", modelName);
        var documents = await QueryAsync<TrainingRunDocument>(TrainingRunsContainer, query, modelName, cancellationToken).ConfigureAwait(false);
        // Equal start times: order by run id, as the Table store does.
        return documents.Select(ToTrainingRun).OrderByDescending(r => r.StartedAt).ThenBy(r => r.RunId, StringComparer.Ordinal).ToList();
    }

    public async Task UpsertAnalysisAsync(SegmentationAnalysis analysis, CancellationToken cancellationToken = default)
    {
        StorageKeys.Validate(analysis);
        var document = new AnalysisDocument(
            StorageKeys.Escape(analysis.AnalysisId), analysis.AnalysisId, analysis.CreatedAt, analysis.Status,
            analysis.SourceBlobName, analysis.ResultJson, analysis.Error);
        var container = await GetContainerAsync(AnalysesContainer, cancellationToken).ConfigureAwait(false);
        await container.UpsertItemAsync(document, new PartitionKey(analysis.AnalysisId), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<SegmentationAnalysis?> GetAnalysisAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        var document = (await ReadAsync<AnalysisDocument>(AnalysesContainer, StorageKeys.Escape(analysisId), analysisId, cancellationToken).ConfigureAwait(false))?.Resource;
        return document is null ? null : ToAnalysis(document);
    }

    public async Task<AnalysisPage> ListAnalysesAsync(int limit, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // One partition per analysis: a cross-partition read of the (few) records; ordering and paging as in the Table store.
        var documents = await QueryAsync<AnalysisDocument>(AnalysesContainer, new QueryDefinition("SELECT * FROM c"), partitionKey: null, cancellationToken).ConfigureAwait(false);
        return StorageKeys.PageAnalyses(documents.Select(ToAnalysis), limit, continuationToken);
    }

    public async Task<bool> DeleteAnalysisAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        var container = await GetContainerAsync(AnalysesContainer, cancellationToken).ConfigureAwait(false);
        try
        {
            await container.DeleteItemAsync<AnalysisDocument>(StorageKeys.Escape(analysisId), new PartitionKey(analysisId), cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (IsMissing(e))
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<UserActivity>> AppendActivityAsync(string userId, IReadOnlyList<UserActivity> activities, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(activities);
        StorageKeys.Escape(userId);
        if (activities.Count == 0)
        {
            return await GetRecentActivityAsync(userId, cancellationToken).ConfigureAwait(false);
        }

        var container = await GetContainerAsync(UserActivityContainer, cancellationToken).ConfigureAwait(false);
        var partitionKey = new PartitionKey(userId);
        // Read-merge-write under the document's ETag; a concurrent writer makes us re-read and merge again.
        for (var attempt = 0; ; attempt++)
        {
            var existing = await ReadWithETagAsync(container, partitionKey, cancellationToken).ConfigureAwait(false);
            var merged = StorageKeys.MergeRecent(existing.Document?.Items ?? [], activities, options.RecentActivityLimit);
            var document = new ActivityDocument(ActivityId, userId, merged.ToList());
            try
            {
                if (existing.Document is null)
                {
                    await container.CreateItemAsync(document, partitionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await container.ReplaceItemAsync(document, ActivityId, partitionKey, new ItemRequestOptions { IfMatchEtag = existing.ETag }, cancellationToken).ConfigureAwait(false);
                }

                return merged;
            }
            catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict && attempt < MaxConcurrencyRetries)
            {
            }
        }
    }

    public async Task WriteAttributionFactsAsync(string writerId, IReadOnlyList<AttributionFact> facts, CancellationToken cancellationToken = default)
    {
        var container = await GetContainerAsync(AttributionContainer, cancellationToken).ConfigureAwait(false);
        foreach (var (partition, records) in AttributionRecords.Facts(writerId, facts))
        {
            await UpsertRecordsAsync(container, partition, records, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task WriteImpressionCountsAsync(string instanceId, DateOnly day, IReadOnlyList<ImpressionCount> counts, CancellationToken cancellationToken = default)
    {
        var container = await GetContainerAsync(AttributionContainer, cancellationToken).ConfigureAwait(false);
        await UpsertRecordsAsync(container, AttributionRecords.Partition(day), AttributionRecords.Impressions(instanceId, counts), cancellationToken).ConfigureAwait(false);
    }

    public async Task<AttributionDay> ReadAttributionDayAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var container = await GetContainerAsync(AttributionContainer, cancellationToken).ConfigureAwait(false);
        var partition = AttributionRecords.Partition(day);
        var facts = new List<AttributionFact>();
        var impressions = new List<ImpressionCount>();
        var query = new QueryDefinition("SELECT * FROM c WHERE c.day = @day").WithParameter("@day", partition);
        using var iterator = container.GetItemQueryIterator<AttributionDocument>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partition) });
        while (iterator.HasMoreResults)
        {
            foreach (var document in await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false))
            {
                AttributionRecords.Read(document.Id, document.Items, facts, impressions);
            }
        }
        return new AttributionDay(day, facts, impressions);
    }

    // A record per chunk (a batch's facts of a day are one or a few), written at once.
    private static async Task UpsertRecordsAsync(Container container, string partition, IReadOnlyList<(string Id, string Items)> records, CancellationToken cancellationToken) =>
        await Task.WhenAll(records.Select(r => container.UpsertItemAsync(new AttributionDocument(r.Id, partition, r.Items), new PartitionKey(partition), cancellationToken: cancellationToken))).ConfigureAwait(false);

    public async Task<IReadOnlyList<UserActivity>> GetRecentActivityAsync(string userId, CancellationToken cancellationToken = default)
    {
        StorageKeys.Escape(userId);
        var container = await GetContainerAsync(UserActivityContainer, cancellationToken).ConfigureAwait(false);
        var existing = await ReadWithETagAsync(container, new PartitionKey(userId), cancellationToken).ConfigureAwait(false);
        return existing.Document?.Items ?? [];
    }

    public async Task<IReadOnlyList<PredictionLogEntry>> ListAllPredictionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        StorageKeys.Escape(userId);
        // The user's partition; older entries than the TTL may still be there until the service expires them.
        var query = new QueryDefinition("SELECT * FROM c WHERE c.userId = @userId").WithParameter("@userId", userId);
        var documents = await QueryAsync<PredictionDocument>(PredictionsContainer, query, userId, cancellationToken).ConfigureAwait(false);
        return documents.OrderByDescending(d => d.TimestampMs).ThenBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => new PredictionLogEntry(d.UserId, d.PredictionId, d.Timestamp, d.Endpoint, d.ModelVersion, d.ItemIds, d.LatencyMilliseconds)).ToList();
    }

    public async Task<int> DeletePredictionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        StorageKeys.Escape(userId);
        var query = new QueryDefinition("SELECT c.id FROM c WHERE c.userId = @userId").WithParameter("@userId", userId);
        var ids = await QueryAsync<IdOnly>(PredictionsContainer, query, userId, cancellationToken).ConfigureAwait(false);
        var container = await GetContainerAsync(PredictionsContainer, cancellationToken).ConfigureAwait(false);
        var partitionKey = new PartitionKey(userId);
        var deleted = 0;
        await Parallel.ForEachAsync(
            ids,
            new ParallelOptions { MaxDegreeOfParallelism = WriteParallelism, CancellationToken = cancellationToken },
            async (document, ct) =>
            {
                try
                {
                    await container.DeleteItemAsync<PredictionDocument>(document.Id, partitionKey, cancellationToken: ct).ConfigureAwait(false);
                    Interlocked.Increment(ref deleted);
                }
                catch (CosmosException e) when (IsMissing(e))
                {
                    // Expired or deleted meanwhile: gone either way.
                }
            }).ConfigureAwait(false);
        return deleted;
    }

    public async Task<bool> DeleteRecentActivityAsync(string userId, CancellationToken cancellationToken = default)
    {
        StorageKeys.Escape(userId);
        var container = await GetContainerAsync(UserActivityContainer, cancellationToken).ConfigureAwait(false);
        try
        {
            await container.DeleteItemAsync<ActivityDocument>(ActivityId, new PartitionKey(userId), cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (IsMissing(e))
        {
            return false;
        }
    }

    private static PredictionDocument ToDocument(PredictionLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.ModelVersion);
        return new PredictionDocument(
            PredictionId(entry), entry.UserId, entry.PredictionId, entry.Timestamp,
            entry.Timestamp.ToUnixTimeMilliseconds(), entry.Endpoint, entry.ModelVersion, entry.ItemIds.ToList(), entry.LatencyMilliseconds);
    }

    // The same identity as the Table store's row key: a replay of one entry replaces it, a new timestamp adds one.
    private static string PredictionId(PredictionLogEntry entry) =>
        string.Create(CultureInfo.InvariantCulture, $"{entry.Timestamp.UtcTicks:D19}_{StorageKeys.Escape(entry.PredictionId)}");

    private static SegmentationAnalysis ToAnalysis(AnalysisDocument d) =>
        new(d.AnalysisId, d.CreatedAt, d.Status, d.SourceBlobName, d.ResultJson, d.Error);
    private static TrainingRunDocument ToDocument(TrainingRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.ModelName);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Status);
        return new TrainingRunDocument(
            StorageKeys.Escape(run.RunId), run.ModelName, run.RunId, run.StartedAt, run.StartedAt.ToUnixTimeMilliseconds(),
            run.CompletedAt, run.Status, run.ModelVersion, new Dictionary<string, double>(run.Metrics), run.Message)
        {
            Trigger = run.Trigger,
            InputBlob = run.InputBlob,
            InputETag = run.InputETag,
            InputHash = run.InputHash,
            DataSummary = run.DataSummary is null ? null : new Dictionary<string, string>(run.DataSummary),
            Parameters = run.Parameters is null ? null : new Dictionary<string, string>(run.Parameters),
            ChampionVersion = run.ChampionVersion,
            ChampionMetrics = run.ChampionMetrics is null ? null : new Dictionary<string, double>(run.ChampionMetrics),
            Error = run.Error,
        };
    }

    private static TrainingRun ToTrainingRun(TrainingRunDocument d) =>
        new(d.ModelName, d.RunId, d.StartedAt, d.CompletedAt, d.Status, d.ModelVersion, d.Metrics, d.Message)
        {
            Trigger = d.Trigger,
            InputBlob = d.InputBlob,
            InputETag = d.InputETag,
            InputHash = d.InputHash,
            DataSummary = d.DataSummary,
            Parameters = d.Parameters,
            ChampionVersion = d.ChampionVersion,
            ChampionMetrics = d.ChampionMetrics,
            Error = d.Error,
        };

    private async Task<(ActivityDocument? Document, string? ETag)> ReadWithETagAsync(Container container, PartitionKey partitionKey, CancellationToken cancellationToken)
    {
        try
        {
            var response = await container.ReadItemAsync<ActivityDocument>(ActivityId, partitionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (response.Resource, response.ETag);
        }
        catch (CosmosException e) when (IsMissing(e))
        {
            return (null, null);
        }
    }

    /// <summary>The item with its ETag, or null when it does not exist.</summary>
    private async Task<ItemResponse<T>?> ReadAsync<T>(string containerName, string id, string partitionKey, CancellationToken cancellationToken)
        where T : class
    {
        var container = await GetContainerAsync(containerName, cancellationToken).ConfigureAwait(false);
        try
        {
            return await container.ReadItemAsync<T>(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (CosmosException e) when (IsMissing(e))
        {
            return null;
        }
    }

    /// <summary>Runs a query in one partition, or across partitions when <paramref name="partitionKey"/> is null.</summary>
    private async Task<List<T>> QueryAsync<T>(string containerName, QueryDefinition query, string? partitionKey, CancellationToken cancellationToken)
    {
        var container = await GetContainerAsync(containerName, cancellationToken).ConfigureAwait(false);
        var results = new List<T>();
        var requestOptions = partitionKey is null ? new QueryRequestOptions() : new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey) };
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: requestOptions);
        while (iterator.HasMoreResults)
        {
            results.AddRange(await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private bool IsMissing(CosmosException e) =>
        e.StatusCode == HttpStatusCode.NotFound || (_isEmulator && e.StatusCode == HttpStatusCode.InternalServerError);

    private Task<Container> GetContainerAsync(string containerName, CancellationToken cancellationToken) =>
        _containers.GetAsync(containerName, OpenContainerAsync, cancellationToken);

    private async Task<Container> OpenContainerAsync(string containerName)
    {
        if (!_isEmulator)
        {
            return client.GetContainer(databaseName, containerName);
        }

        var database = (await client.CreateDatabaseIfNotExistsAsync(databaseName).ConfigureAwait(false)).Database;
        var properties = new ContainerProperties(containerName, PartitionKeyPath(containerName));
        if (containerName == PredictionsContainer)
        {
            properties.DefaultTimeToLive = (int)options.PredictionTtl.TotalSeconds;
        }

        return (await database.CreateContainerIfNotExistsAsync(properties).ConfigureAwait(false)).Container;
    }

    /// <summary>The partition key path of each container (also used by the infrastructure templates).</summary>
    public static string PartitionKeyPath(string containerName) => containerName switch
    {
        PredictionsContainer or UserActivityContainer => "/userId",
        TrainingRunsContainer => "/modelName",
        AnalysesContainer => "/analysisId",
        AttributionContainer => "/day",
        _ => throw new ArgumentOutOfRangeException(nameof(containerName), containerName, "Not a document log container."),
    };

    private sealed record PredictionDocument(
        string Id, string UserId, string PredictionId, DateTimeOffset Timestamp, long TimestampMs, string Endpoint, string ModelVersion, List<string> ItemIds,
        double? LatencyMilliseconds);

    private sealed record TrainingRunDocument(
        string Id, string ModelName, string RunId, DateTimeOffset StartedAt, long StartedAtMs, DateTimeOffset? CompletedAt,
        string Status, string? ModelVersion, Dictionary<string, double> Metrics, string? Message)
    {
        public string? Trigger { get; init; }
        public string? InputBlob { get; init; }
        public string? InputETag { get; init; }
        public string? InputHash { get; init; }
        public Dictionary<string, string>? DataSummary { get; init; }
        public Dictionary<string, string>? Parameters { get; init; }
        public string? ChampionVersion { get; init; }
        public Dictionary<string, double>? ChampionMetrics { get; init; }
        public string? Error { get; init; }
    }

    private sealed record AnalysisDocument(
        string Id, string AnalysisId, DateTimeOffset CreatedAt, string Status, string? SourceBlobName, string? ResultJson, string? Error);

    private sealed record ActivityDocument(string Id, string UserId, List<UserActivity> Items);

    private sealed record IdOnly(string Id);

    private sealed record AttributionDocument(string Id, string Day, string Items);
}
