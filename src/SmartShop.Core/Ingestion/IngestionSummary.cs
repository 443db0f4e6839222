using System.Text.Json.Serialization;

namespace SmartShop.Core.Ingestion;

/// <summary>
/// What one delivery of a batch changed. Duplicates (an event id another batch stored, a repeat within the batch,
/// or every event of a batch that had already completed) are counted only in <see cref="Duplicates"/>.
/// </summary>
public sealed record IngestionSummary(
    string BatchId,
    string Source,
    int Received,
    int Accepted,
    int Rejected,
    int Duplicates,
    IReadOnlyDictionary<string, int> AcceptedByType,
    IReadOnlyDictionary<string, int> RejectedByCode,
    string? LakeBlobName,
    string? DeadLetterBlobName,
    bool AlreadyIngested)
{
    /// <summary>Enqueued → stored time of each accepted event that carried an enqueued time (not persisted).</summary>
    [JsonIgnore]
    public IReadOnlyList<TimeSpan> IngestionLags { get; init; } = [];
}
