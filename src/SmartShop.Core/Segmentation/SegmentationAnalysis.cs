namespace SmartShop.Core.Segmentation;

public enum SegmentationAlgorithm
{
    KMeans,
    Hierarchical,
}

public sealed record SegmentationOptions
{
    /// <summary>Fixed number of segments; null chooses k in [MinK, MaxK] by the best silhouette.</summary>
    public int? K { get; init; }

    public int MinK { get; init; } = 2;

    public int MaxK { get; init; } = 10;

    public SegmentationAlgorithm Algorithm { get; init; } = SegmentationAlgorithm.KMeans;

    public Linkage Linkage { get; init; } = Linkage.Ward;

    /// <summary>K-Means restarts per candidate k while searching (best inertia kept).</summary>
    public int Restarts { get; init; } = 3;

    /// <summary>K-Means restarts for the chosen (or fixed) k and for the stability runs: more restarts, fewer local optima.</summary>
    public int FinalRestarts { get; init; } = 10;

    public int Seed { get; init; } = 42;

    /// <summary>Extra K-Means runs with other seeds at the chosen k, compared to the result by adjusted Rand index.</summary>
    public int StabilityRuns { get; init; } = 2;

    public int PcaComponents { get; init; }

    public double SkewnessThreshold { get; init; } = 1.0;

    /// <summary>Above this many customers, silhouette and hierarchical clustering use a seeded sample of this size.</summary>
    public int ExactLimit { get; init; } = HierarchicalClusterer.ExactLimit;

    public int ProjectionSampleSize { get; init; } = 1000;

    /// <summary>Reporting label of the data source (a file name, "table", …).</summary>
    public string Source { get; init; } = "features";
}

public sealed record SegmentationInputSummary(
    string Source,
    int Customers,
    int DistinctProfiles,
    IReadOnlyList<string> FeatureNames,
    TransactionInputSummary? Transactions);

public sealed record SegmentationParameters(
    string Algorithm,
    string? Linkage,
    string KSelection,
    int MinK,
    int MaxK,
    int K,
    int Restarts,
    int FinalRestarts,
    int Seed,
    int PcaComponents,
    IReadOnlyList<FeatureScaling> Preprocessing);

/// <summary>Quality of one candidate k (the elbow uses inertia, the choice uses silhouette).</summary>
public sealed record KCandidate(int K, double Inertia, double? Silhouette, double? DaviesBouldin, double? CalinskiHarabasz);

public sealed record SegmentationMetrics(
    int K,
    double Inertia,
    double? Silhouette,
    int SilhouettePoints,
    bool SilhouetteSampled,
    double? DaviesBouldin,
    double? CalinskiHarabasz,
    IReadOnlyList<KCandidate> Candidates,
    int? ElbowK,
    double? StabilityAdjustedRandIndex,
    IReadOnlyList<double> StabilityRunsAdjustedRandIndex,
    double AnomalyDistanceThreshold,
    int Anomalies);

public sealed record SegmentSummary(
    int Id,
    string Persona,
    string Strategy,
    string PersonaRule,
    int Size,
    double Share,
    IReadOnlyDictionary<string, double> CentroidOriginal,
    IReadOnlyDictionary<string, double> CentroidZ,
    IReadOnlyDictionary<string, double> MeanOriginal);

public sealed record CustomerAssignment(
    string CustomerId,
    int Segment,
    string Persona,
    double Distance,
    double Confidence,
    bool IsAnomaly,
    RfmScore? Rfm);

public sealed record RfmSegmentCount(string Segment, int Customers);

public sealed record ProjectionPoint(string CustomerId, int Segment, double X, double Y);

/// <summary>The merge tree; when the input exceeded the exact limit it covers a seeded sample (the other customers were assigned to the nearest cut centroid).</summary>
public sealed record HierarchySummary(bool Sampled, int LeafCount, IReadOnlyList<string> LeafCustomerIds, MergeTree Tree);

public sealed record SegmentHoldout(int Segment, string Persona, int Customers, double MeanMonetary, double MeanHoldoutSpend, double ShareWithHoldoutPurchase);

/// <summary>Do segments ranked by mean monetary (training period) also rank the customers' spend after the cutoff?</summary>
public sealed record HoldoutValidation(DateTime TrainBefore, long HoldoutRows, IReadOnlyList<SegmentHoldout> Segments, double? Spearman);

/// <summary>
/// A segmentation analysis: the stored unit (input summary, parameters, metrics, personas, assignments).
/// Plain records, serialisable with System.Text.Json.
/// </summary>
public sealed record SegmentationAnalysis(
    int FormatVersion,
    DateTime CreatedUtc,
    SegmentationInputSummary Input,
    SegmentationParameters Parameters,
    SegmentationMetrics Metrics,
    IReadOnlyList<SegmentSummary> Segments,
    IReadOnlyList<RfmSegmentCount> RfmSegments,
    IReadOnlyList<CustomerAssignment> Assignments,
    IReadOnlyList<ProjectionPoint> Projection,
    HierarchySummary? Hierarchy,
    HoldoutValidation? Validation,
    IReadOnlyList<string> Notes)
{
    public const int CurrentFormatVersion = 1;
}

/// <summary>How many customers of each segment fall in each RFM segment: the persona and RFM views side by side.</summary>
public sealed record PersonaRfmCrossTable(IReadOnlyList<string> RfmSegments, IReadOnlyList<(int Segment, string Persona, IReadOnlyList<int> Customers)> Rows)
{
    public static PersonaRfmCrossTable From(SegmentationAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var columns = analysis.RfmSegments.Select(r => r.Segment).ToList();
        var rows = analysis.Assignments.GroupBy(a => (a.Segment, a.Persona)).OrderBy(g => g.Key.Segment)
            .Select(g => (g.Key.Segment, g.Key.Persona, (IReadOnlyList<int>)columns.Select(c => g.Count(a => a.Rfm?.Segment == c)).ToList()))
            .ToList();
        return new PersonaRfmCrossTable(columns, rows);
    }
}
