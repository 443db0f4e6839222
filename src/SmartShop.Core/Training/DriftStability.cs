namespace SmartShop.Core.Training;

/// <summary>
/// Population stability index (PSI) between a reference sample and a recent one:
/// PSI = Σ (recent share − reference share) · ln(recent share / reference share) over shared bins.
/// Numeric features are binned at the reference sample's quantiles; categorical distributions use their categories.
/// An empty bin's share is replaced by <see cref="DefaultEpsilon"/> so the logarithm stays finite.
/// </summary>
public static class DriftStability
{
    public const int DefaultBins = 10;

    public const double DefaultEpsilon = 1e-4;

    /// <summary>
    /// Upper bin edges at the reference quantiles i/bins (nearest rank, i = 1 … bins−1), without repeats: a feature
    /// whose reference values are mostly equal gets fewer, wider bins instead of empty ones. Non-finite values are ignored.
    /// </summary>
    public static double[] QuantileEdges(IEnumerable<double> reference, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        var sorted = reference.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("The reference sample has no finite values.", nameof(reference));
        }

        var edges = new List<double>(bins - 1);
        for (var i = 1; i < bins; i++)
        {
            var edge = sorted[(int)Math.Ceiling(i * sorted.Length / (double)bins) - 1];
            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        return [.. edges];
    }

    /// <summary>Counts per bin: bin k holds edges[k−1] &lt; x ≤ edges[k]; the last bin holds everything above the last edge.</summary>
    public static long[] BinCounts(IEnumerable<double> values, IReadOnlyList<double> edges)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(edges);
        var counts = new long[edges.Count + 1];
        foreach (var value in values.Where(double.IsFinite))
        {
            var bin = 0;
            while (bin < edges.Count && value > edges[bin])
            {
                bin++;
            }

            counts[bin]++;
        }

        return counts;
    }

    /// <summary>PSI of a numeric feature, binned at the reference quantiles.</summary>
    public static double Numeric(IReadOnlyCollection<double> reference, IReadOnlyCollection<double> recent, int bins = DefaultBins, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(recent);
        var edges = QuantileEdges(reference, bins);
        return FromCounts(BinCounts(reference, edges), BinCounts(recent, edges), epsilon);
    }

    /// <summary>PSI of a categorical distribution over the union of both samples' categories.</summary>
    public static double Categorical(IReadOnlyDictionary<string, long> reference, IReadOnlyDictionary<string, long> recent, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(recent);
        var categories = reference.Keys.Union(recent.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return FromCounts(
            categories.Select(c => reference.GetValueOrDefault(c)).ToArray(),
            categories.Select(c => recent.GetValueOrDefault(c)).ToArray(),
            epsilon);
    }

    /// <summary>PSI of two count vectors over the same bins.</summary>
    public static double FromCounts(IReadOnlyList<long> reference, IReadOnlyList<long> recent, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(recent);
        if (reference.Count != recent.Count)
        {
            throw new ArgumentException($"Both samples need the same bins ({reference.Count} reference, {recent.Count} recent).", nameof(recent));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        double referenceTotal = reference.Sum(), recentTotal = recent.Sum();
        if (referenceTotal <= 0 || recentTotal <= 0)
        {
            throw new ArgumentException("Both samples need at least one value to compare distributions.");
        }

        var psi = 0.0;
        for (var i = 0; i < reference.Count; i++)
        {
            var expected = Math.Max(reference[i] / referenceTotal, epsilon);
            var actual = Math.Max(recent[i] / recentTotal, epsilon);
            psi += (actual - expected) * Math.Log(actual / expected);
        }

        return psi;
    }
}
