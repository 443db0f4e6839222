namespace SmartShop.Core.Segmentation;

/// <summary>Internal validity indices and agreement measures for flat clusterings.</summary>
public static class ClusteringMetrics
{
    /// <summary>Condensed Euclidean distance matrix of the given rows (n(n−1)/2 floats), reused across k.</summary>
    public static float[] PairwiseDistances(double[] data, int d, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        var n = rows.Count;
        var result = new float[(long)n * (n - 1) / 2];
        long index = 0;
        for (var i = 0; i < n; i++)
        {
            var a = data.AsSpan(rows[i] * d, d);
            for (var j = i + 1; j < n; j++)
            {
                result[index++] = (float)Math.Sqrt(ClusterGeometry.SquaredDistance(a, data.AsSpan(rows[j] * d, d)));
            }
        }

        return result;
    }

    /// <summary>
    /// Mean silhouette over the points whose pairwise distances are given (labels indexed like those points).
    /// Singleton clusters score 0 (Rousseeuw's convention). Null when k &lt; 2 or every point is its own cluster.
    /// </summary>
    public static double? Silhouette(float[] condensed, int n, int[] labels, int k)
    {
        ArgumentNullException.ThrowIfNull(condensed);
        ArgumentNullException.ThrowIfNull(labels);
        if (k < 2 || k >= n)
        {
            return null;
        }

        var sums = new double[n * k];
        long index = 0;
        for (var i = 0; i < n; i++)
        {
            var li = labels[i];
            var rowI = i * k;
            for (var j = i + 1; j < n; j++)
            {
                var dij = condensed[index++];
                sums[rowI + labels[j]] += dij;
                sums[(j * k) + li] += dij;
            }
        }

        var sizes = new int[k];
        foreach (var l in labels)
        {
            sizes[l]++;
        }

        double total = 0;
        for (var i = 0; i < n; i++)
        {
            var own = labels[i];
            if (sizes[own] <= 1)
            {
                continue;
            }

            var a = sums[(i * k) + own] / (sizes[own] - 1);
            var b = double.MaxValue;
            for (var c = 0; c < k; c++)
            {
                if (c != own && sizes[c] > 0)
                {
                    b = Math.Min(b, sums[(i * k) + c] / sizes[c]);
                }
            }

            var denominator = Math.Max(a, b);
            total += denominator > 0 ? (b - a) / denominator : 0;
        }

        return total / n;
    }

    /// <summary>Davies–Bouldin index (lower is better); null for k &lt; 2.</summary>
    public static double? DaviesBouldin(double[] data, int n, int d, ClusterAssignment clusters)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(clusters);
        var k = clusters.K;
        if (k < 2)
        {
            return null;
        }

        var scatter = new double[k];
        var sizes = new int[k];
        for (var i = 0; i < n; i++)
        {
            var c = clusters.Labels[i];
            sizes[c]++;
            scatter[c] += Math.Sqrt(ClusterGeometry.SquaredDistance(data.AsSpan(i * d, d), clusters.Centroids.AsSpan(c * d, d)));
        }

        for (var c = 0; c < k; c++)
        {
            scatter[c] /= Math.Max(1, sizes[c]);
        }

        double total = 0;
        for (var a = 0; a < k; a++)
        {
            var worst = 0.0;
            for (var b = 0; b < k; b++)
            {
                if (a == b)
                {
                    continue;
                }

                var separation = Math.Sqrt(ClusterGeometry.SquaredDistance(clusters.Centroids.AsSpan(a * d, d), clusters.Centroids.AsSpan(b * d, d)));
                if (separation > 0)
                {
                    worst = Math.Max(worst, (scatter[a] + scatter[b]) / separation);
                }
            }

            total += worst;
        }

        return total / k;
    }

    /// <summary>Calinski–Harabasz index (higher is better); null when k &lt; 2, k ≥ n or there is no within-cluster spread.</summary>
    public static double? CalinskiHarabasz(double[] data, int n, int d, ClusterAssignment clusters)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(clusters);
        var k = clusters.K;
        if (k < 2 || k >= n || clusters.Inertia <= 0)
        {
            return null;
        }

        var mean = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var f = 0; f < d; f++)
            {
                mean[f] += data[(i * d) + f] / n;
            }
        }

        var sizes = new int[k];
        foreach (var l in clusters.Labels)
        {
            sizes[l]++;
        }

        double between = 0;
        for (var c = 0; c < k; c++)
        {
            between += sizes[c] * ClusterGeometry.SquaredDistance(clusters.Centroids.AsSpan(c * d, d), mean);
        }

        return between / (k - 1) / (clusters.Inertia / (n - k));
    }

    /// <summary>
    /// The elbow of the inertia curve: the k farthest below the straight line from the first to the last
    /// candidate (both axes scaled to 0..1). Reported beside the silhouette choice; null with fewer than 3 candidates.
    /// </summary>
    public static int? ElbowK(IReadOnlyList<KCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count < 3)
        {
            return null;
        }

        var first = candidates[0];
        var last = candidates[^1];
        var kSpan = last.K - first.K;
        var inertiaSpan = first.Inertia - last.Inertia;
        if (kSpan <= 0 || inertiaSpan <= 0)
        {
            return null;
        }

        var best = first.K;
        var bestGap = 0.0;
        foreach (var c in candidates)
        {
            var x = (double)(c.K - first.K) / kSpan;
            var y = (first.Inertia - c.Inertia) / inertiaSpan;
            if (y - x > bestGap)
            {
                bestGap = y - x;
                best = c.K;
            }
        }

        return best;
    }

    /// <summary>Adjusted Rand index (Hubert–Arabie) between two labelings of the same points.</summary>
    public static double AdjustedRandIndex(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException("Both labelings must cover the same points.", nameof(b));
        }

        var n = a.Count;
        var contingency = new Dictionary<(int, int), long>();
        var rows = new Dictionary<int, long>();
        var cols = new Dictionary<int, long>();
        for (var i = 0; i < n; i++)
        {
            contingency[(a[i], b[i])] = contingency.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            cols[b[i]] = cols.GetValueOrDefault(b[i]) + 1;
        }

        static double Pairs(long x) => x * (x - 1) / 2.0;
        var index = contingency.Values.Sum(Pairs);
        var rowPairs = rows.Values.Sum(Pairs);
        var colPairs = cols.Values.Sum(Pairs);
        var total = Pairs(n);
        if (total == 0)
        {
            return 1;
        }

        var expected = rowPairs * colPairs / total;
        var max = (rowPairs + colPairs) / 2;
        return max - expected == 0 ? 1 : (index - expected) / (max - expected);
    }

    /// <summary>Spearman rank correlation with average ranks for ties; null when either side is constant.</summary>
    public static double? Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count < 2)
        {
            return null;
        }

        var rx = AverageRanks(x);
        var ry = AverageRanks(y);
        var mx = rx.Average();
        var my = ry.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }

        return sxx == 0 || syy == 0 ? null : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>1-based ranks, ties sharing their average rank.</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            var rank = ((start + end) / 2.0) + 1;
            for (var i = start; i <= end; i++)
            {
                ranks[order[i]] = rank;
            }

            start = end + 1;
        }

        return ranks;
    }
}
