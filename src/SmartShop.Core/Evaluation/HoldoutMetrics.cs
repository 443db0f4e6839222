using System.Globalization;
using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Evaluation;

/// <summary>Which items each user bought before the cutoff and in the hold-out period (distinct items, users in first-seen order).</summary>
public sealed record HoldoutSplit(
    IReadOnlyDictionary<string, IReadOnlyCollection<string>> TrainItemsByUser,
    IReadOnlyDictionary<string, IReadOnlyCollection<string>> TestItemsByUser)
{
    /// <summary>The purchases before <paramref name="cutoff"/> are training, those from it on are the hold-out.</summary>
    public static HoldoutSplit FromPurchases(IEnumerable<InteractionEvent> events, DateTime cutoff)
    {
        ArgumentNullException.ThrowIfNull(events);
        var train = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var test = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.Kind != InteractionKind.Purchase)
            {
                continue;
            }
            var side = e.Timestamp < cutoff ? train : test;
            (side.TryGetValue(e.UserId, out var items) ? items : side[e.UserId] = new HashSet<string>(StringComparer.Ordinal)).Add(e.ItemId);
        }
        return new HoldoutSplit(
            train.ToDictionary(kv => kv.Key, kv => (IReadOnlyCollection<string>)kv.Value, StringComparer.Ordinal),
            test.ToDictionary(kv => kv.Key, kv => (IReadOnlyCollection<string>)kv.Value, StringComparer.Ordinal));
    }

    /// <summary>Users scored by the protocol: purchases in both periods.</summary>
    public IReadOnlyList<string> ScoredUsers => [.. TestItemsByUser.Keys.Where(TrainItemsByUser.ContainsKey)];
}

/// <summary>
/// Scores a trained recommender on a temporal hold-out with the referee's protocol: default lists against truth
/// "all", discovery lists (purchased items excluded) against truth "new". Metric names are
/// <c>&lt;metric&gt;@&lt;k&gt;/&lt;all|new&gt;</c> plus <c>users/all</c> and <c>users/new</c>.
/// </summary>
public static class HoldoutMetrics
{
    /// <summary>The metrics a promotion decision may use (k is the protocol's 10).</summary>
    public const string PrimaryMetricPattern = "^(ndcg|recall|precision|hitrate)@10/(all|new)$";

    public const int K = 10;

    /// <summary>The user's default and discovery top-k lists from <paramref name="recommender"/>.</summary>
    public static (Dictionary<string, IReadOnlyList<string>> All, Dictionary<string, IReadOnlyList<string>> New) Lists(
        Recommender recommender, IEnumerable<string> users, int k, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        ArgumentNullException.ThrowIfNull(users);
        var all = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var discovery = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            cancellationToken.ThrowIfCancellationRequested();
            all[user] = [.. recommender.RecommendForUser(new UserRecommendationRequest { UserId = user, K = k }, cancellationToken).Select(r => r.ItemId)];
            discovery[user] = [.. recommender.RecommendForUser(new UserRecommendationRequest { UserId = user, K = k, ExcludePurchased = true }, cancellationToken).Select(r => r.ItemId)];
        }
        return (all, discovery);
    }

    /// <summary>All metrics of <paramref name="recommender"/> on <paramref name="split"/> at k = <see cref="K"/>.</summary>
    public static IReadOnlyDictionary<string, double> Score(Recommender recommender, HoldoutSplit split, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(split);
        var (all, discovery) = Lists(recommender, split.ScoredUsers, K, cancellationToken);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        Add(metrics, "all", RankingMetrics.Compute(split.TrainItemsByUser, split.TestItemsByUser, all, K, TruthKind.All));
        Add(metrics, "new", RankingMetrics.Compute(split.TrainItemsByUser, split.TestItemsByUser, discovery, K, TruthKind.New));
        return metrics;
    }

    private static void Add(SortedDictionary<string, double> metrics, string truth, RankingMetricsResult result)
    {
        string Name(string metric) => string.Create(CultureInfo.InvariantCulture, $"{metric}@{K}/{truth}");
        metrics[Name("ndcg")] = Math.Round(result.Ndcg, 6);
        metrics[Name("recall")] = Math.Round(result.Recall, 6);
        metrics[Name("precision")] = Math.Round(result.Precision, 6);
        metrics[Name("hitrate")] = Math.Round(result.HitRate, 6);
        metrics[Name("coverage")] = Math.Round(result.Coverage, 6);
        metrics["users/" + truth] = result.Users;
    }
}
