using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Evaluation;

/// <summary>One line of the evaluation table.</summary>
public sealed record EvaluationRow(string Model, TruthKind Truth, RankingMetricsResult Metrics);

/// <summary>
/// Temporal hold-out evaluation with the referee's protocol: train on one file, score top-k lists against the next
/// period's purchases, next to the popularity and repeat-purchase baselines (defined as the referee defines them).
/// </summary>
public static class OfflineEvaluation
{
    public static IReadOnlyList<EvaluationRow> Run(IReadOnlyList<Transaction> train, IReadOnlyList<Transaction> test, int k, RecommenderOptions? options = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, RecommendationRequestBase.MaxK);
        var trainCounts = CountsByUser(train);
        var testCounts = CountsByUser(test);
        var trainSets = trainCounts.ToDictionary(kv => kv.Key, kv => (IReadOnlyCollection<string>)kv.Value.Keys, StringComparer.Ordinal);
        var testSets = testCounts.ToDictionary(kv => kv.Key, kv => (IReadOnlyCollection<string>)kv.Value.Keys, StringComparer.Ordinal);

        var model = new RecommenderTrainer(options).Train(InteractionSources.FromTransactions(train), Catalogue.FromTransactions(train), progress, cancellationToken);
        var recommender = new Recommender(model);
        var (productAll, productNew) = HoldoutMetrics.Lists(recommender, testSets.Keys.Where(trainSets.ContainsKey), k, cancellationToken);

        // Baselines exactly as the referee builds them: items by distinct customers (ties in first-seen order), top 200.
        var popularity = new Dictionary<string, (int Users, int FirstSeen)>(StringComparer.Ordinal);
        foreach (var items in trainCounts.Values)
        {
            foreach (var item in items.Keys)
            {
                var p = popularity.TryGetValue(item, out var seen) ? seen : (Users: 0, FirstSeen: popularity.Count);
                popularity[item] = (p.Users + 1, p.FirstSeen);
            }
        }
        var top = popularity.OrderByDescending(kv => kv.Value.Users).ThenBy(kv => kv.Value.FirstSeen).Take(200).Select(kv => kv.Key).ToList();
        var popularAll = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var popularUnseen = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var repeat = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (user, items) in trainCounts)
        {
            popularAll[user] = [.. top.Take(k)];
            popularUnseen[user] = [.. top.Where(i => !items.ContainsKey(i)).Take(k)];
            var own = items.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key);
            repeat[user] = [.. own.Concat(top.Where(i => !items.ContainsKey(i))).Take(k)];
        }
        var rows = new List<EvaluationRow>();
        foreach (var (name, lists) in new[] { ("smartshop", (productAll, productNew)), ("popularity", (popularAll, popularAll)), ("popularity-unseen", (popularUnseen, popularUnseen)), ("repeat+popularity", (repeat, repeat)) })
        {
            rows.Add(new EvaluationRow(name, TruthKind.All, RankingMetrics.Compute(trainSets, testSets, lists.Item1, k, TruthKind.All)));
            rows.Add(new EvaluationRow(name, TruthKind.New, RankingMetrics.Compute(trainSets, testSets, lists.Item2, k, TruthKind.New)));
        }
        return rows;
    }

    /// <summary>Clean purchase lines per user and item, users and items in first-seen order (as the referee's dictionaries).</summary>
    private static Dictionary<string, Dictionary<string, int>> CountsByUser(IEnumerable<Transaction> rows)
    {
        var result = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var t in rows)
        {
            if (!t.IsCleanPurchase)
            {
                continue;
            }
            var items = result.TryGetValue(t.CustomerId!, out var d) ? d : result[t.CustomerId!] = new Dictionary<string, int>(StringComparer.Ordinal);
            items[t.StockCode] = items.GetValueOrDefault(t.StockCode) + 1;
        }
        return result;
    }
}
