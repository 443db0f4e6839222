using System.Collections.Concurrent;
using SmartShop.Core.Attribution;

namespace SmartShop.Core.Storage;

/// <summary>
/// The product's logs and histories. Every read names its partition (user id, model name or analysis id), so no
/// hot path runs a cross-partition query. Implemented on Cosmos DB (Azure) and Table storage (Azurite, default).
/// </summary>
public interface IDocumentLogStore
{
    /// <summary>Stores predictions; an entry with the same user, prediction id and timestamp is replaced.</summary>
    Task WritePredictionsAsync(IReadOnlyList<PredictionLogEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>The user's newest predictions within the TTL, newest first.</summary>
    Task<IReadOnlyList<PredictionLogEntry>> GetRecentPredictionsAsync(string userId, int limit, CancellationToken cancellationToken = default);

    Task UpsertTrainingRunAsync(TrainingRun run, CancellationToken cancellationToken = default);

    /// <summary>Stores the run only if no run with its model name and run id exists; false when one does (atomic).</summary>
    Task<bool> TryCreateTrainingRunAsync(TrainingRun run, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the run only if its stored record still has <paramref name="etag"/> (as read); false when another writer
    /// changed it meanwhile (atomic).
    /// </summary>
    Task<bool> TryReplaceTrainingRunAsync(TrainingRun run, string etag, CancellationToken cancellationToken = default);

    /// <summary>The run with its <see cref="TrainingRun.ETag"/>, or null when it does not exist.</summary>
    Task<TrainingRun?> GetTrainingRunAsync(string modelName, string runId, CancellationToken cancellationToken = default);

    /// <summary>The model's newest runs by start time, newest first.</summary>
    Task<IReadOnlyList<TrainingRun>> ListTrainingRunsAsync(string modelName, int limit, CancellationToken cancellationToken = default);

    Task UpsertAnalysisAsync(SegmentationAnalysis analysis, CancellationToken cancellationToken = default);

    /// <summary>The analysis, or null when it does not exist.</summary>
    Task<SegmentationAnalysis?> GetAnalysisAsync(string analysisId, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of analyses, newest first (created time, then id). Pass the previous page's continuation token for the
    /// next page; it is null on the last page. Listing spans partitions: an admin read, never a hot path.
    /// </summary>
    /// <exception cref="ArgumentException">The continuation token was not issued by this method.</exception>
    Task<AnalysisPage> ListAnalysesAsync(int limit, string? continuationToken = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes the analysis record; false when it did not exist.</summary>
    Task<bool> DeleteAnalysisAsync(string analysisId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges activities into the user's recent list, keeping the newest <see cref="DocumentLogOptions.RecentActivityLimit"/>;
    /// returns the merged list as stored.
    /// </summary>
    Task<IReadOnlyList<UserActivity>> AppendActivityAsync(string userId, IReadOnlyList<UserActivity> activities, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="AppendActivityAsync"/> for many users at once (one ingested batch); a store may write them in fewer
    /// round trips than one per user. Returns each user's merged list as stored.
    /// </summary>
    async Task<IReadOnlyDictionary<string, IReadOnlyList<UserActivity>>> AppendActivitiesAsync(IReadOnlyDictionary<string, IReadOnlyList<UserActivity>> activitiesByUser, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(activitiesByUser);
        var merged = new ConcurrentDictionary<string, IReadOnlyList<UserActivity>>(StringComparer.Ordinal);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(activitiesByUser, parallel, async (user, token) =>
            merged[user.Key] = await AppendActivityAsync(user.Key, user.Value, token).ConfigureAwait(false)).ConfigureAwait(false);
        return merged;
    }

    /// <summary>The user's recent activity, newest first (empty for an unknown user).</summary>
    Task<IReadOnlyList<UserActivity>> GetRecentActivityAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every prediction entry the store still holds for the user, newest first, expired ones included (Table storage
    /// keeps them until they are deleted): what a data-access request must show. Reads the user's partition only.
    /// </summary>
    Task<IReadOnlyList<PredictionLogEntry>> ListAllPredictionsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every prediction entry of the user (one partition); returns how many were deleted.</summary>
    Task<int> DeletePredictionsAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user's recent activity; false when there was none.</summary>
    Task<bool> DeleteRecentActivityAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the attribution facts one writer (an ingested batch) derived, in their days' partitions; writing the same
    /// writer's facts again replaces them. A fact is counted once per event id whoever wrote it.
    /// </summary>
    Task WriteAttributionFactsAsync(string writerId, IReadOnlyList<AttributionFact> facts, CancellationToken cancellationToken = default);

    /// <summary>Stores one serving instance's cumulative impression counts of a day, replacing the ones it wrote before.</summary>
    Task WriteImpressionCountsAsync(string instanceId, DateOnly day, IReadOnlyList<ImpressionCount> counts, CancellationToken cancellationToken = default);

    /// <summary>Everything stored for the day (one partition).</summary>
    Task<AttributionDay> ReadAttributionDayAsync(DateOnly day, CancellationToken cancellationToken = default);
}
