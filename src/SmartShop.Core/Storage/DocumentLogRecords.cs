namespace SmartShop.Core.Storage;

/// <summary>One served recommendation, kept <see cref="DocumentLogOptions.PredictionTtlDays"/> days; partition: user id.</summary>
/// <param name="LatencyMilliseconds">How long the answer took to compute, when the caller measured it.</param>
public sealed record PredictionLogEntry(
    string UserId,
    string PredictionId,
    DateTimeOffset Timestamp,
    string Endpoint,
    string ModelVersion,
    IReadOnlyList<string> ItemIds,
    double? LatencyMilliseconds = null);

/// <summary>One training run and its evaluation; partition: model name.</summary>
public sealed record TrainingRun(
    string ModelName,
    string RunId,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    string Status,
    string? ModelVersion,
    IReadOnlyDictionary<string, double> Metrics,
    string? Message);

/// <summary>
/// One segmentation analysis; partition: analysis id. <see cref="ResultJson"/> is opaque to storage and limited to
/// <see cref="MaxResultJsonLength"/> characters (a Table storage string property holds 64 KiB).
/// </summary>
public sealed record SegmentationAnalysis(
    string AnalysisId,
    DateTimeOffset CreatedAt,
    string Status,
    string? SourceBlobName,
    string? ResultJson,
    string? Error)
{
    public const int MaxResultJsonLength = 32_000;
}

/// <summary>A page of <see cref="IDocumentLogStore.ListAnalysesAsync"/>; <see cref="ContinuationToken"/> is null on the last page.</summary>
public sealed record AnalysisPage(IReadOnlyList<SegmentationAnalysis> Items, string? ContinuationToken);

/// <summary>Something a user did with an item (view, add-to-cart, purchase, ...), kept in the user's recent activity.</summary>
public sealed record UserActivity(string ItemId, string ActivityType, DateTimeOffset Timestamp);
