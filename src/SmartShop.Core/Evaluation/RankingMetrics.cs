namespace SmartShop.Core.Evaluation;

/// <summary>Which test purchases count as relevant: every item bought in the test period, or only items new to the user.</summary>
public enum TruthKind
{
    All,
    New,
}

/// <summary>Averages over the evaluated users, plus catalogue coverage.</summary>
public sealed record RankingMetricsResult(double Recall, double Precision, double HitRate, double Ndcg, int Users, double Coverage);

/// <summary>
/// Top-k metrics computed exactly as the shared referee (eval/evaluate.py) does: users are those with purchases in
/// both periods and a non-empty truth; precision divides by k; NDCG uses binary gain and log2(rank + 1);
/// coverage is the share of training items that appear in the evaluated users' lists.
/// </summary>
public static class RankingMetrics
{
    public static RankingMetricsResult Compute(
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> trainItemsByUser,
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> testItemsByUser,
        IReadOnlyDictionary<string, IReadOnlyList<string>> recommendations,
        int k,
        TruthKind kind)
    {
        ArgumentNullException.ThrowIfNull(trainItemsByUser);
        ArgumentNullException.ThrowIfNull(testItemsByUser);
        ArgumentNullException.ThrowIfNull(recommendations);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        double recall = 0, precision = 0, hit = 0, ndcg = 0;
        var users = 0;
        var recommended = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (user, testItems) in testItemsByUser)
        {
            if (!trainItemsByUser.TryGetValue(user, out var trainItems))
            {
                continue;
            }
            var truth = new HashSet<string>(testItems, StringComparer.Ordinal);
            if (kind == TruthKind.New)
            {
                truth.ExceptWith(trainItems);
            }
            if (truth.Count == 0)
            {
                continue;
            }
            users++;
            var list = recommendations.TryGetValue(user, out var l) ? l : [];
            var hits = 0;
            double dcg = 0;
            for (var p = 0; p < Math.Min(k, list.Count); p++)
            {
                recommended.Add(list[p]);
                if (truth.Contains(list[p]))
                {
                    hits++;
                    dcg += 1 / Math.Log2(p + 2);
                }
            }
            double idcg = 0;
            for (var p = 0; p < Math.Min(truth.Count, k); p++)
            {
                idcg += 1 / Math.Log2(p + 2);
            }
            recall += hits / (double)truth.Count;
            precision += hits / (double)k;
            hit += hits > 0 ? 1 : 0;
            ndcg += dcg / idcg;
        }
        var catalogue = new HashSet<string>(trainItemsByUser.Values.SelectMany(v => v), StringComparer.Ordinal);
        recommended.IntersectWith(catalogue);
        var coverage = catalogue.Count == 0 ? 0 : recommended.Count / (double)catalogue.Count;
        return users == 0
            ? new RankingMetricsResult(0, 0, 0, 0, 0, coverage)
            : new RankingMetricsResult(recall / users, precision / users, hit / users, ndcg / users, users, coverage);
    }
}
