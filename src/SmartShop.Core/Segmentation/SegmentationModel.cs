using System.Globalization;

namespace SmartShop.Core.Segmentation;

/// <summary>One segment of a saved model: centroid in the clustering space and in z-units, persona and strategy.</summary>
public sealed record SegmentDefinition(int Id, string Persona, string Strategy, double[] Centroid, double[] CentroidZ);

/// <summary>
/// A fitted segmentation that can score new customers: preprocessing, centroids, personas and the anomaly
/// threshold (99th percentile of training distances to the assigned centroid). Serialised as JSON; the
/// format version changes whenever a field's meaning changes.
/// </summary>
public sealed record SegmentationModel(
    int FormatVersion,
    string Algorithm,
    string? Linkage,
    FeaturePreprocessor Preprocessing,
    IReadOnlyList<SegmentDefinition> Segments,
    double AnomalyDistanceThreshold,
    DateTime TrainedUtc)
{
    public const int CurrentFormatVersion = 1;

    /// <summary>
    /// What the training run measured (metrics with the per-k elbow data, segment profiles, PCA sample), so a served
    /// model can be charted without its training data. Optional: models saved before it existed load with null.
    /// </summary>
    public SegmentationModelReport? Report { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> FeatureNames => Preprocessing.Features.Select(f => f.Name).ToList();
}

/// <summary>The chartable description of a training run kept inside the model (no per-customer assignments, no merge tree).</summary>
public sealed record SegmentationModelReport(
    SegmentationInputSummary Input,
    SegmentationMetrics Metrics,
    IReadOnlyList<SegmentSummary> Segments,
    IReadOnlyList<ProjectionPoint> Projection);

public sealed record FeatureContribution(string Feature, double Value, double ZScore, double SegmentZ, double ShareOfDistance);

/// <summary>
/// A feature change (original units) that, together with the others listed, moves the customer into the runner-up
/// segment: values the feature can take (whole invoices, days and products; nothing negative; rates within 0–1).
/// </summary>
public sealed record FeatureMove(string Feature, double From, double To);

public sealed record CustomerExplanation(
    string? CustomerId,
    int Segment,
    string Persona,
    double Confidence,
    double Distance,
    IReadOnlyList<FeatureContribution> Features,
    int? RunnerUpSegment,
    string? RunnerUpPersona,
    double? RunnerUpDistance,
    IReadOnlyList<FeatureMove> MovesToRunnerUp,
    bool IsAnomaly,
    string? AnomalyDescription);

/// <summary>
/// Immutable, thread-safe scorer over a <see cref="SegmentationModel"/> (build once, share across requests).
/// Confidence = 1 − d₁/d₂ with d₁, d₂ the Euclidean distances to the nearest and runner-up centroids: 1 at the
/// centroid, 0 on the border between the two; 1 when the model has a single segment.
/// </summary>
public sealed class SegmentPredictor
{
    private const int MovesReported = 3;
    private readonly SegmentationModel _model;
    private readonly FeaturePreprocessor _pre;
    private readonly double[] _centroids;
    private readonly double[] _centroidsZ;
    private readonly string[] _featureNames;
    private readonly int _k;
    private readonly int _d;
    private readonly int _m;
    private readonly int _recency;
    private readonly int _monetary;

    public SegmentPredictor(SegmentationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.FormatVersion != SegmentationModel.CurrentFormatVersion)
        {
            throw new InvalidDataException($"Segmentation model format {model.FormatVersion} is not supported (expected {SegmentationModel.CurrentFormatVersion}).");
        }

        _model = model;
        _pre = model.Preprocessing;
        _k = model.Segments.Count;
        _d = _pre.InputDimension;
        _m = _pre.ModelDimension;
        _centroids = model.Segments.SelectMany(s => s.Centroid).ToArray();
        _centroidsZ = model.Segments.SelectMany(s => s.CentroidZ).ToArray();
        if (_k == 0 || _centroids.Length != _k * _m || _centroidsZ.Length != _k * _d)
        {
            throw new InvalidDataException("Segmentation model is inconsistent: centroid dimensions do not match the preprocessing.");
        }

        _featureNames = model.FeatureNames.ToArray();
        _recency = Array.IndexOf(_featureNames, CustomerFeatureNames.RecencyDays);
        _monetary = Array.IndexOf(_featureNames, CustomerFeatureNames.Monetary);
    }

    public SegmentationModel Model => _model;

    public IReadOnlyList<string> FeatureNames => _featureNames;

    /// <summary>Nearest segment only (no explanation).</summary>
    public int Predict(ReadOnlySpan<double> features)
    {
        Span<double> z = stackalloc double[_d];
        Span<double> x = stackalloc double[_m];
        _pre.ToZ(features, z);
        _pre.ZToModel(z, x);
        var (nearest, _, _, _) = NearestTwo(x);
        return nearest;
    }

    public CustomerExplanation Explain(ReadOnlySpan<double> features, string? customerId = null)
    {
        if (features.Length != _d)
        {
            throw new ArgumentException($"Expected {_d} feature values ({string.Join(", ", _featureNames)}) but got {features.Length}.", nameof(features));
        }

        foreach (var v in features)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("Feature values must be finite numbers.", nameof(features));
            }
        }

        Span<double> z = stackalloc double[_d];
        Span<double> x = stackalloc double[_m];
        _pre.ToZ(features, z);
        _pre.ZToModel(z, x);
        var (c1, s1, c2, s2) = NearestTwo(x);
        var d1 = Math.Sqrt(s1);
        double? d2 = c2 >= 0 ? Math.Sqrt(s2) : null;
        var confidence = d2 is { } runnerUp && runnerUp > 0 ? 1 - (d1 / runnerUp) : 1;

        var centroidZ = _centroidsZ.AsSpan(c1 * _d, _d);
        double totalZ = 0;
        for (var f = 0; f < _d; f++)
        {
            var t = z[f] - centroidZ[f];
            totalZ += t * t;
        }

        var contributions = new FeatureContribution[_d];
        for (var f = 0; f < _d; f++)
        {
            var t = z[f] - centroidZ[f];
            contributions[f] = new FeatureContribution(_featureNames[f], features[f], z[f], centroidZ[f], totalZ > 0 ? t * t / totalZ : 0);
        }

        var moves = c2 >= 0 ? MovesTowards(features, z, c1, c2, s1, s2) : [];
        var isAnomaly = d1 > _model.AnomalyDistanceThreshold;
        return new CustomerExplanation(
            customerId,
            c1,
            _model.Segments[c1].Persona,
            confidence,
            d1,
            contributions,
            c2 >= 0 ? c2 : null,
            c2 >= 0 ? _model.Segments[c2].Persona : null,
            d2,
            moves,
            isAnomaly,
            isAnomaly ? DescribeAnomaly(z, centroidZ) : null);
    }

    private (int Nearest, double NearestSq, int RunnerUp, double RunnerUpSq) NearestTwo(ReadOnlySpan<double> x)
    {
        int c1 = -1, c2 = -1;
        double s1 = double.MaxValue, s2 = double.MaxValue;
        for (var c = 0; c < _k; c++)
        {
            var s = ClusterGeometry.SquaredDistance(x, _centroids.AsSpan(c * _m, _m));
            if (s < s1)
            {
                c2 = c1;
                s2 = s1;
                c1 = c;
                s1 = s;
            }
            else if (s < s2)
            {
                c2 = c;
                s2 = s;
            }
        }

        return (c1, s1, c2, s2);
    }

    /// <summary>
    /// The shortest move in the clustering space that reaches the border with the runner-up: along w = c₂ − c₁
    /// by (d₂² − d₁²) / (2‖w‖²). Reported as the features that change most, in original units.
    /// </summary>
    private FeatureMove[] MovesTowards(ReadOnlySpan<double> features, ReadOnlySpan<double> z, int c1, int c2, double s1, double s2)
    {
        Span<double> w = stackalloc double[_m];
        double wNorm = 0;
        for (var j = 0; j < _m; j++)
        {
            w[j] = _centroids[(c2 * _m) + j] - _centroids[(c1 * _m) + j];
            wNorm += w[j] * w[j];
        }

        if (wNorm <= 0)
        {
            return [];
        }

        var alpha = (s2 - s1) / (2 * wNorm);
        for (var j = 0; j < _m; j++)
        {
            w[j] *= alpha;
        }

        Span<double> deltaZ = stackalloc double[_d];
        _pre.ModelToZ(w, deltaZ);
        var count = Math.Min(MovesReported, _d);
        Span<int> top = stackalloc int[count];
        top.Fill(-1);
        for (var f = 0; f < _d; f++)
        {
            if (_pre.Features[f].IsConstant || Math.Abs(deltaZ[f]) < 1e-9)
            {
                continue;
            }

            for (var slot = 0; slot < count; slot++)
            {
                if (top[slot] < 0 || Math.Abs(deltaZ[f]) > Math.Abs(deltaZ[top[slot]]))
                {
                    for (var shift = count - 1; shift > slot; shift--)
                    {
                        top[shift] = top[shift - 1];
                    }

                    top[slot] = f;
                    break;
                }
            }
        }

        var used = 0;
        while (used < count && top[used] >= 0)
        {
            used++;
        }

        // The shortest move only reaches the border, and may ask for impossible values: the nearest achievable change
        // along it is the smallest step (from just past the border) whose feasible values put the customer in the
        // runner-up segment; none within 4× the border's distance → no suggestion.
        var candidate = new double[_d];
        foreach (var step in (ReadOnlySpan<double>)[1.05, 1.15, 1.3, 1.5, 2, 2.5, 3, 4])
        {
            features.CopyTo(candidate);
            for (var i = 0; i < used; i++)
            {
                var f = top[i];
                candidate[f] = Achievable(f, features[f], _pre.ZToOriginal(f, z[f] + (step * deltaZ[f])));
            }
            if (Predict(candidate) == c2)
            {
                var moves = new List<FeatureMove>(used);
                for (var i = 0; i < used; i++)
                {
                    if (candidate[top[i]] != features[top[i]])
                    {
                        moves.Add(new FeatureMove(_featureNames[top[i]], features[top[i]], candidate[top[i]]));
                    }
                }
                return [.. moves];
            }
        }
        return [];
    }

    // The value nearest to the target that the feature can take, rounded away from where it started.
    private double Achievable(int feature, double from, double to)
    {
        var (min, max, whole) = CustomerFeatureNames.Domain(_featureNames[feature]);
        var value = whole ? (to > from ? Math.Ceiling(to) : Math.Floor(to)) : Math.Round(to, 2);
        return Math.Clamp(value, min, max);
    }

    private string DescribeAnomaly(ReadOnlySpan<double> z, ReadOnlySpan<double> centroidZ)
    {
        if (_recency >= 0 && _monetary >= 0 && z[_monetary] >= 1 && z[_recency] >= 1)
        {
            return "high-value customer at churn risk";
        }

        int first = -1, second = -1;
        for (var f = 0; f < _d; f++)
        {
            var gap = Math.Abs(z[f] - centroidZ[f]);
            if (first < 0 || gap > Math.Abs(z[first] - centroidZ[first]))
            {
                second = first;
                first = f;
            }
            else if (second < 0 || gap > Math.Abs(z[second] - centroidZ[second]))
            {
                second = f;
            }
        }

        return second < 0
            ? $"unusual {Describe(first, z)}"
            : $"unusual {Describe(first, z)} and {Describe(second, z)}";
    }

    private string Describe(int f, ReadOnlySpan<double> z) =>
        string.Create(CultureInfo.InvariantCulture, $"{(z[f] >= 0 ? "high" : "low")} {_featureNames[f]} (z = {z[f]:+0.0;-0.0})");
}
