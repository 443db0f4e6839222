using System.Text.Json;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Privacy;

/// <summary>Everything the product holds about one customer (a data-access answer); serialised as one JSON document.</summary>
public sealed record CustomerDataExport(
    string CustomerId,
    DateTimeOffset ExportedAt,
    ErasureRecord? Erasure,
    IReadOnlyList<UserActivity> RecentActivity,
    IReadOnlyList<PredictionLogEntry> Predictions,
    IReadOnlyList<LakeEventLine> LakeEvents,
    IReadOnlyList<DeadLetterLine> DeadLetters,
    IReadOnlyList<AnalysisAssignmentData> Analyses,
    ActiveSegmentationData? ActiveSegmentation,
    ActiveRecommendationsData? ActiveRecommendations,
    LakeScan Scanned)
{
    /// <summary>The customer's events in batches kept after a storage outage (events-failed), as received.</summary>
    public IReadOnlyList<FailedBatchPayload> FailedBatchEvents { get; init; } = [];
}

/// <summary>One event-lake line of the customer, as stored (schema-v2 JSON) with the blob it is in.</summary>
public sealed record LakeEventLine(string Blob, JsonElement Event);

/// <summary>One dead letter naming the customer: the payload as received, why it was refused, when.</summary>
public sealed record DeadLetterLine(string Blob, string Payload, string? Reason, DateTimeOffset? RejectedAt);

/// <summary>The customer's row in a stored segmentation analysis result.</summary>
public sealed record AnalysisAssignmentData(string AnalysisId, DateTime CreatedUtc, CustomerAssignment? Assignment, bool InProjectionSample, bool InDendrogram);

/// <summary>The customer's features and segment in the active segmentation model (a training customer of that version).</summary>
public sealed record ActiveSegmentationData(string Version, int Segment, string Persona, IReadOnlyDictionary<string, double> Features, bool SuppressedAsErased);

/// <summary>Whether the active recommendations version was trained on the customer (its user rows: factors and history).</summary>
public sealed record ActiveRecommendationsData(string Version, bool KnownUser, bool SuppressedAsErased);

/// <summary>What a lake scan covered: hours from <see cref="From"/> on, blobs read per container, and whether it stopped at the limit.</summary>
public sealed record LakeScan(DateTime From, int LakeBlobsRead, int DeadLetterBlobsRead, bool Truncated, int AnalysesRead);

/// <summary>What an erasure deleted or rewrote, per store, and what it could only suppress (models) until retrained.</summary>
public sealed record CustomerDataErasure(
    DateTimeOffset ErasedAt,
    bool RecentActivityDeleted,
    int PredictionsDeleted,
    int LakeLinesDeleted,
    int LakeBlobsRewritten,
    int LakeBlobsDeleted,
    int DeadLettersDeleted,
    int AnalysesRewritten,
    int AnalysisUploadsDeleted,
    bool InActiveRecommendations,
    bool InActiveSegmentation,
    LakeScan Scanned)
{
    /// <summary>Loaded models are not rewritten: the erasure record makes serving treat the customer as unknown, and the next training run drops the customer.</summary>
    /// <summary>The customer's events removed from batches kept after a storage outage.</summary>
    public int FailedBatchEventsDeleted { get; init; }

    public string Models { get; init; } = "suppressed: served as an unknown customer from the next erased-list refresh; excluded from the next training run";
}
