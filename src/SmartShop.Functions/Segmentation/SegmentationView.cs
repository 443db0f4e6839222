using SmartShop.Core.Segmentation;
using SegmentationResult = SmartShop.Core.Segmentation.SegmentationAnalysis;

namespace SmartShop.Functions.Segmentation;

/// <summary>
/// One shape for the active model (<c>GET /api/v1/segments</c>) and for an analysis result, so a dashboard draws the
/// elbow (per-k inertia and indices), PCA scatter, centroid radar (z-units) and size distribution with one code path.
/// Figures the source does not have are null (a model saved without its training report has no sizes or metrics).
/// </summary>
public sealed record SegmentationView(
    string Algorithm,
    string? Linkage,
    int K,
    int? Customers,
    IReadOnlyList<string> Features,
    SegmentationQuality? Metrics,
    IReadOnlyList<KCandidate> Elbow,
    int? ElbowK,
    IReadOnlyList<SegmentView> Segments,
    IReadOnlyList<PcaPoint> PcaSample,
    IReadOnlyList<string>? Notes = null)
{
    /// <summary>Most PCA points returned: enough for a scatter plot, bounded for the response size.</summary>
    public const int MaxPcaPoints = 1000;

    public static SegmentationView FromModel(SegmentationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var features = model.FeatureNames;
        var report = model.Report;
        if (report is not null)
        {
            return Create(model.Algorithm, model.Linkage, report.Input, report.Metrics, report.Segments, report.Projection);
        }

        var pre = model.Preprocessing;
        var segments = model.Segments.Select(s => new SegmentView(
            s.Id, s.Persona, s.Strategy, null, null,
            features.Select((f, i) => (f, pre.ZToOriginal(i, s.CentroidZ[i]))).ToDictionary(p => p.f, p => p.Item2, StringComparer.Ordinal),
            features.Select((f, i) => (f, s.CentroidZ[i])).ToDictionary(p => p.f, p => p.Item2, StringComparer.Ordinal),
            null)).ToList();
        return new SegmentationView(model.Algorithm.ToLowerInvariant(), model.Linkage?.ToLowerInvariant(), segments.Count, null, features, null, [], null, segments, []);
    }

    public static SegmentationView FromResult(SegmentationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Create(result.Parameters.Algorithm, result.Parameters.Linkage, result.Input, result.Metrics, result.Segments, result.Projection) with
        {
            Notes = result.Notes.Count > 0 ? result.Notes : null,
        };
    }

    private static SegmentationView Create(
        string algorithm,
        string? linkage,
        SegmentationInputSummary input,
        SegmentationMetrics metrics,
        IReadOnlyList<SegmentSummary> segments,
        IReadOnlyList<ProjectionPoint> projection) => new(
            algorithm.ToLowerInvariant(),
            linkage?.ToLowerInvariant(),
            metrics.K,
            input.Customers,
            input.FeatureNames,
            new SegmentationQuality(metrics.Silhouette, metrics.DaviesBouldin, metrics.CalinskiHarabasz, metrics.Inertia, metrics.StabilityAdjustedRandIndex, metrics.Anomalies, metrics.AnomalyDistanceThreshold),
            metrics.Candidates,
            metrics.ElbowK,
            segments.Select(s => new SegmentView(s.Id, s.Persona, s.Strategy, s.Size, s.Share, s.CentroidOriginal, s.CentroidZ, s.MeanOriginal)).ToList(),
            // Customer ids stay out: the scatter needs positions and segments only.
            projection.Take(MaxPcaPoints).Select(p => new PcaPoint(p.Segment, p.X, p.Y)).ToList());
}

public sealed record SegmentationQuality(
    double? Silhouette,
    double? DaviesBouldin,
    double? CalinskiHarabasz,
    double Inertia,
    double? StabilityAdjustedRandIndex,
    int Anomalies,
    double AnomalyDistanceThreshold);

/// <summary>A segment: persona and strategy, size and share, centroid in original units and in z-units, members' means.</summary>
public sealed record SegmentView(
    int Id,
    string Persona,
    string Strategy,
    int? Size,
    double? Share,
    IReadOnlyDictionary<string, double> Centroid,
    IReadOnlyDictionary<string, double> CentroidZ,
    IReadOnlyDictionary<string, double>? Mean);

public sealed record PcaPoint(int Segment, double X, double Y);
