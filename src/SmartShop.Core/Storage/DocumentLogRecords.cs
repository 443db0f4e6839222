using System.Text.Json.Serialization;

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

/// <summary>
/// One training run and its evaluation; partition: model name. <see cref="Status"/> is the run's state or decision
/// (running, promoted, rejected, failed, error), <see cref="Metrics"/> the challenger's hold-out metrics and
/// <see cref="Message"/> the reason for the decision. The optional properties describe the input and the comparison.
/// </summary>
public sealed record TrainingRun(
    string ModelName,
    string RunId,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    string Status,
    string? ModelVersion,
    IReadOnlyDictionary<string, double> Metrics,
    string? Message)
{
    /// <summary>What started the run: "blob", "schedule", "drift", "cli", ...</summary>
    public string? Trigger { get; init; }

    /// <summary>The stored record's version as read (<see cref="IDocumentLogStore.GetTrainingRunAsync"/>); not stored itself.</summary>
    public string? ETag { get; init; }

    /// <summary>The input blob's name in the training-data container (null for event-lake runs).</summary>
    public string? InputBlob { get; init; }

    public string? InputETag { get; init; }

    /// <summary>SHA-256 of the input's bytes (hex), the key that makes a repeated upload one run.</summary>
    public string? InputHash { get; init; }

    /// <summary>Rows read and accepted, interactions, users, items, time span, hold-out cutoff (invariant strings).</summary>
    public IReadOnlyDictionary<string, string>? DataSummary { get; init; }

    /// <summary>Training and decision parameters (primary metric, tolerance, hold-out days, model parameters).</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>The version that was active when the run compared against it (null: there was none).</summary>
    public string? ChampionVersion { get; init; }

    /// <summary>The champion's metrics on the same hold-out (null: no usable champion).</summary>
    public IReadOnlyDictionary<string, double>? ChampionMetrics { get; init; }

    /// <summary>Why the run failed, or why the champion could not be evaluated.</summary>
    public string? Error { get; init; }
}

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

/// <summary>
/// Something a user did with an item (view, add-to-cart, purchase, ...), kept in the user's recent activity; a click or
/// view keeps the answer it came from, so a later purchase can be attributed to it.
/// </summary>
public sealed record UserActivity(
    string ItemId,
    string ActivityType,
    DateTimeOffset Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RecommendationId = null);
