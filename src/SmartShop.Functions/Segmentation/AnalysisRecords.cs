using SmartShop.Core.Segmentation;

namespace SmartShop.Functions.Segmentation;

/// <summary>Lifecycle of an analysis: pending → running → succeeded | failed.</summary>
public static class AnalysisStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>
/// The small summary kept in the analysis record (its <c>ResultJson</c>): where the input is, what was asked and the
/// headline figures. The full result (segments, assignments, merge tree) is the blob <c>analyses/&lt;id&gt;.json</c>.
/// </summary>
public sealed record AnalysisSummary(
    string Source,
    long InputBytes,
    AnalysisParameters Parameters,
    int? K,
    int? Customers,
    double? Silhouette,
    DateTimeOffset? CompletedAt);

/// <summary>
/// One analysis as the API shows it; <see cref="Result"/> only once it succeeded (detail view). Source, size and
/// parameters are null only for a record some other writer put into the shared log store.
/// </summary>
public sealed record AnalysisResource(
    string Id,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    string? Source,
    long? InputBytes,
    AnalysisParameters? Parameters,
    int? K,
    int? Customers,
    double? Silhouette,
    string? Error,
    AnalysisLinks Links,
    SegmentationView? Result);

public sealed record AnalysisLinks(string Self, string? Assignments, string? Dendrogram);

public sealed record AnalysisList(IReadOnlyList<AnalysisResource> Items, string? ContinuationToken, string? Next);

public sealed record AnalysisAssignments(string AnalysisId, int Page, int PageSize, int Total, IReadOnlyList<CustomerAssignment> Items);

/// <summary>The merge tree in SciPy's linkage convention (ids ≥ leafCount are earlier merges), leaves named by customer.</summary>
public sealed record AnalysisDendrogram(string AnalysisId, string Linkage, bool Sampled, int LeafCount, IReadOnlyList<string> LeafCustomerIds, IReadOnlyList<DendrogramMerge> Merges);
