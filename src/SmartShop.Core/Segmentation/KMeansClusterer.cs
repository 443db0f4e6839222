using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace SmartShop.Core.Segmentation;

/// <summary>A flat clustering of n points: labels 0..K−1 and centroids (K × d, row-major) in the clustering space.</summary>
public sealed record ClusterAssignment(int K, int[] Labels, double[] Centroids, double Inertia);

/// <summary>
/// K-Means++ through ML.NET's <see cref="KMeansTrainer"/>. Each restart uses its own seeded MLContext and one
/// thread (deterministic); the restart with the lowest inertia wins. Labels are recomputed here as nearest
/// centroid so they match the centroids exactly, then renumbered by cluster size (largest = 0) so runs with
/// different seeds are comparable.
/// </summary>
public static class KMeansClusterer
{
    public static ClusterAssignment Fit(double[] data, int n, int d, int k, int seed, int restarts = 3, int maxIterations = 200)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);

        var rows = new FeatureRow[n];
        for (var i = 0; i < n; i++)
        {
            var v = new float[d];
            for (var f = 0; f < d; f++)
            {
                v[f] = (float)data[(i * d) + f];
            }

            rows[i] = new FeatureRow { Features = v };
        }

        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);

        ClusterAssignment? best = null;
        for (var r = 0; r < restarts; r++)
        {
            var context = new MLContext(seed: unchecked(seed + (r * 7919)));
            var view = context.Data.LoadFromEnumerable(rows, schema);
            var trainer = context.Clustering.Trainers.KMeans(new KMeansTrainer.Options
            {
                FeatureColumnName = nameof(FeatureRow.Features),
                NumberOfClusters = k,
                InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
                MaximumNumberOfIterations = maxIterations,
                OptimizationTolerance = 1e-7f,
                NumberOfThreads = 1,
            });
            var model = trainer.Fit(view);
            VBuffer<float>[] centroidBuffers = [];
            model.Model.GetClusterCentroids(ref centroidBuffers, out var actualK);
            var centroids = new double[actualK * d];
            for (var c = 0; c < actualK; c++)
            {
                var dense = centroidBuffers[c].DenseValues().ToArray();
                for (var f = 0; f < d; f++)
                {
                    centroids[(c * d) + f] = dense[f];
                }
            }

            var candidate = ClusterGeometry.AssignToNearest(data, n, d, centroids, actualK);
            if (best is null || candidate.Inertia < best.Inertia)
            {
                best = candidate;
            }
        }

        return ClusterGeometry.CanonicalOrder(best!, data, n, d);
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }
}

/// <summary>Nearest-centroid assignment, centroid means and a canonical cluster numbering.</summary>
public static class ClusterGeometry
{
    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var t = a[i] - b[i];
            s += t * t;
        }

        return s;
    }

    /// <summary>Assigns every point to its nearest centroid, drops empty clusters and recomputes centroids as means.</summary>
    public static ClusterAssignment AssignToNearest(double[] data, int n, int d, double[] centroids, int k)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(centroids);
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            var row = data.AsSpan(i * d, d);
            var best = 0;
            var bestDistance = double.MaxValue;
            for (var c = 0; c < k; c++)
            {
                var dist = SquaredDistance(row, centroids.AsSpan(c * d, d));
                if (dist < bestDistance)
                {
                    bestDistance = dist;
                    best = c;
                }
            }

            labels[i] = best;
        }

        return FromLabels(data, n, d, labels);
    }

    /// <summary>Centroids as member means; empty label values are removed and labels compacted.</summary>
    public static ClusterAssignment FromLabels(double[] data, int n, int d, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labels);
        var maxLabel = labels.Length == 0 ? -1 : labels.Max();
        var counts = new int[maxLabel + 1];
        foreach (var l in labels)
        {
            counts[l]++;
        }

        var remap = new int[maxLabel + 1];
        var k = 0;
        for (var c = 0; c <= maxLabel; c++)
        {
            remap[c] = counts[c] > 0 ? k++ : -1;
        }

        var compact = new int[n];
        var centroids = new double[k * d];
        var sizes = new int[k];
        for (var i = 0; i < n; i++)
        {
            var c = remap[labels[i]];
            compact[i] = c;
            sizes[c]++;
            for (var f = 0; f < d; f++)
            {
                centroids[(c * d) + f] += data[(i * d) + f];
            }
        }

        for (var c = 0; c < k; c++)
        {
            for (var f = 0; f < d; f++)
            {
                centroids[(c * d) + f] /= sizes[c];
            }
        }

        double inertia = 0;
        for (var i = 0; i < n; i++)
        {
            inertia += SquaredDistance(data.AsSpan(i * d, d), centroids.AsSpan(compact[i] * d, d));
        }

        return new ClusterAssignment(k, compact, centroids, inertia);
    }

    /// <summary>Renumbers clusters by descending size (ties: by first centroid coordinate) so the numbering is stable.</summary>
    public static ClusterAssignment CanonicalOrder(ClusterAssignment assignment, double[] data, int n, int d)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var sizes = new int[assignment.K];
        foreach (var l in assignment.Labels)
        {
            sizes[l]++;
        }

        var order = Enumerable.Range(0, assignment.K)
            .OrderByDescending(c => sizes[c])
            .ThenBy(c => assignment.Centroids[c * d])
            .ToArray();
        var newIndex = new int[assignment.K];
        for (var i = 0; i < order.Length; i++)
        {
            newIndex[order[i]] = i;
        }

        var labels = assignment.Labels.Select(l => newIndex[l]).ToArray();
        return FromLabels(data, n, d, labels);
    }
}
