namespace SmartShop.Core.Segmentation;

public sealed record RfmScore(int Recency, int Frequency, int Monetary, string Segment)
{
    public string Code => $"{Recency}{Frequency}{Monetary}";
}

/// <summary>
/// Standard RFM quintile scores (1–5, 5 best: most recent, most frequent, highest spend) from average ranks, so
/// tied values share a score, and the usual named segments from the R and F scores (the widely used
/// R×F grid: Champions, Loyal customers, Potential loyalists, New customers, Promising, Need attention,
/// About to sleep, At risk, Can't lose them, Hibernating).
/// </summary>
public static class RfmScoring
{
    public static IReadOnlyList<RfmScore> Score(IReadOnlyList<double> recencyDays, IReadOnlyList<double> frequency, IReadOnlyList<double> monetary)
    {
        ArgumentNullException.ThrowIfNull(recencyDays);
        ArgumentNullException.ThrowIfNull(frequency);
        ArgumentNullException.ThrowIfNull(monetary);
        var n = recencyDays.Count;
        if (frequency.Count != n || monetary.Count != n)
        {
            throw new ArgumentException("Recency, frequency and monetary must have one value per customer.");
        }

        // Recency: fewer days is better, so rank the negated values.
        var r = Quintiles(recencyDays.Select(v => -v).ToList());
        var f = Quintiles(frequency);
        var m = Quintiles(monetary);
        var result = new RfmScore[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = new RfmScore(r[i], f[i], m[i], SegmentName(r[i], f[i]));
        }

        return result;
    }

    public static string SegmentName(int r, int f) => (r, f) switch
    {
        (5, >= 4) => "Champions",
        (3 or 4, >= 4) => "Loyal customers",
        (4 or 5, 2 or 3) => "Potential loyalists",
        (5, 1) => "New customers",
        (4, 1) => "Promising",
        (3, 3) => "Need attention",
        (3, <= 2) => "About to sleep",
        (<= 2, 5) => "Can't lose them",
        (<= 2, 3 or 4) => "At risk",
        _ => "Hibernating",
    };

    private static int[] Quintiles(IReadOnlyList<double> values)
    {
        var ranks = ClusteringMetrics.AverageRanks(values);
        var n = values.Count;
        return ranks.Select(rank => Math.Clamp((int)Math.Ceiling(5.0 * rank / n), 1, 5)).ToArray();
    }
}
