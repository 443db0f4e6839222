using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Recommendations;

/// <summary>Why a candidate was proposed; the reason shown to the user is derived from it.</summary>
public enum CandidateSource : byte
{
    BoughtBefore = 1,
    Similar = 2,
    BoughtTogether = 4,
    Popular = 8,
    Trending = 16,
    Content = 32,
    /// <summary>Implicit ALS: liked by shoppers with similar tastes.</summary>
    Als = 64,
}

/// <summary>A candidate item for one user with its ranking features.</summary>
internal struct Candidate
{
    public int Item;
    public CandidateSource Sources;
    public float Score;
}

/// <summary>
/// Generates candidates for a user from every generator and computes the ranking features.
/// The list of generators is data: a new generator adds one feature pair (score, rank) and candidates.
/// </summary>
internal sealed class CandidateFeatureBuilder
{
    public static readonly string[] FeatureNames =
    [
        "ease_score", "ease_rank", "ease_norm", "bought_baskets", "days_since_bought", "repeat_weight", "bought_before",
        "item_users", "item_trending", "popularity_rank", "trending_rank", "user_baskets", "user_items", "days_since_user_last",
        "price_ratio", "item_age_days", "bought_share", "days_per_basket", "cobought_score", "cobought_rank",
        "ease_recent_score", "ease_recent_rank", "item_user_share", "category_affinity", "als_score", "als_rank",
    ];

    public static int FeatureCount => FeatureNames.Length;

    private readonly HistorySnapshot _snapshot;
    private readonly IItemSimilarity _ease;
    private readonly float _activeUsers;
    private readonly CoPurchaseStats _coPurchase;
    private readonly int[] _popularityRank;
    private readonly int[] _trendingRank;
    private readonly int[] _popularOrder;
    private readonly int[] _trendingOrder;
    private readonly CandidateOptions _options;
    // Category index per item (−1: none); null when the catalogue has no categories.
    private readonly int[]? _itemCategories;
    // Implicit ALS over the same snapshot (users and items indexed as in the log); null when ALS is off.
    private readonly AlsModel? _als;

    public CandidateFeatureBuilder(HistorySnapshot snapshot, IItemSimilarity ease, CoPurchaseStats coPurchase, CandidateOptions options, int[]? itemCategories = null, AlsModel? als = null)
    {
        _als = als;
        _snapshot = snapshot;
        _ease = ease;
        _coPurchase = coPurchase;
        _options = options;
        _itemCategories = itemCategories;
        _activeUsers = Math.Max(1, snapshot.UserBaskets.Count(b => b > 0));
        _popularOrder = OrderDescending(snapshot.ItemUsers);
        _trendingOrder = OrderDescending(snapshot.ItemTrending);
        _popularityRank = RanksOf(_popularOrder);
        _trendingRank = RanksOf(_trendingOrder);
    }

    public HistorySnapshot Snapshot => _snapshot;
    public IItemSimilarity Similarity => _ease;
    public CoPurchaseStats CoPurchase => _coPurchase;
    public AlsModel? Als => _als;
    public int[] PopularOrder => _popularOrder;

    public static int Index(string feature) => Array.IndexOf(FeatureNames, feature) is var i and >= 0
        ? i
        : throw new ArgumentException($"Unknown feature '{feature}'.", nameof(feature));

    /// <summary>The reason shown for a candidate and the item it refers to (−1 when none).</summary>
    public (byte Source, int Anchor) Explain(int user, Candidate candidate)
    {
        var history = _snapshot.UserItems[user];
        if (Find(history, candidate.Item).Baskets > 0)
        {
            return ((byte)CandidateSource.BoughtBefore, -1);
        }
        if ((candidate.Sources & CandidateSource.Similar) != 0)
        {
            var best = -1;
            var bestWeight = 0f;
            foreach (var stat in history)
            {
                var w = _ease.Similarity(stat.Item, candidate.Item);
                if (w > bestWeight)
                {
                    (best, bestWeight) = (stat.Item, w);
                }
            }
            if (best >= 0)
            {
                return ((byte)CandidateSource.Similar, best);
            }
        }
        if ((candidate.Sources & CandidateSource.BoughtTogether) != 0)
        {
            var best = -1;
            var bestWeight = 0f;
            foreach (var j in _snapshot.UserRecentItems[user])
            {
                foreach (var a in _coPurchase.Neighbours[j])
                {
                    if (a.Item == candidate.Item && a.Confidence > bestWeight)
                    {
                        (best, bestWeight) = (j, a.Confidence);
                    }
                }
            }
            if (best >= 0)
            {
                return ((byte)CandidateSource.BoughtTogether, best);
            }
        }
        if ((candidate.Sources & CandidateSource.Als) != 0)
        {
            return ((byte)CandidateSource.Als, -1);
        }
        return ((candidate.Sources & CandidateSource.Trending) != 0 ? (byte)CandidateSource.Trending : (byte)CandidateSource.Popular, -1);
    }
    public int[] TrendingOrder => _trendingOrder;

    private static int[] OrderDescending(float[] values) =>
        [.. Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i)];

    private static int[] RanksOf(int[] order)
    {
        var ranks = new int[order.Length];
        for (var r = 0; r < order.Length; r++)
        {
            ranks[order[r]] = r + 1;
        }
        return ranks;
    }

    /// <summary>Writes candidates and a row-major feature matrix for <paramref name="user"/>; returns the count.</summary>
    public int Build(int user, ReadOnlySpan<int> extraRecentItems, List<Candidate> candidates, List<float> features, float[] easeScores, float[] coScores, float[] recentScores, float[] alsScores)
    {
        var snapshot = _snapshot;
        var history = snapshot.UserItems[user];
        var easeInput = new (int, float)[history.Length];
        for (var h = 0; h < history.Length; h++)
        {
            easeInput[h] = (history[h].Item, EaseValue(history[h]));
        }
        _ease.Score(easeInput, easeScores);

        var recent = snapshot.UserRecentItems[user];
        var recentInput = new (int, float)[recent.Length + extraRecentItems.Length];
        for (var r = 0; r < recent.Length; r++)
        {
            recentInput[r] = (recent[r], 1f);
        }
        for (var r = 0; r < extraRecentItems.Length; r++)
        {
            recentInput[recent.Length + r] = (extraRecentItems[r], 1f);
        }
        _ease.Score(recentInput, recentScores);

        Array.Clear(coScores);
        _coPurchase.Score(snapshot.UserRecentItems[user], coScores);
        _coPurchase.Score(extraRecentItems, coScores);

        candidates.Clear();
        var seen = new Dictionary<int, int>();
        void Add(int item, CandidateSource source)
        {
            if (seen.TryGetValue(item, out var index))
            {
                var c = candidates[index];
                c.Sources |= source;
                candidates[index] = c;
                return;
            }
            seen[item] = candidates.Count;
            candidates.Add(new Candidate { Item = item, Sources = source });
        }

        foreach (var stat in history.OrderByDescending(s => s.Weight).Take(_options.MaxRepeatCandidates))
        {
            Add(stat.Item, CandidateSource.BoughtBefore);
        }
        foreach (var item in TopK(easeScores, _options.SimilarCandidates, history))
        {
            Add(item, CandidateSource.Similar);
        }
        foreach (var item in TopK(coScores, _options.CoPurchaseCandidates, history))
        {
            if (coScores[item] > 0)
            {
                Add(item, CandidateSource.BoughtTogether);
            }
        }
        if (_als is not null && history.Length > 0)
        {
            var bought = new int[history.Length];
            for (var h = 0; h < history.Length; h++)
            {
                bought[h] = history[h].Item;
            }
            foreach (var scored in _als.TopK(user, _options.AlsCandidates, bought))
            {
                Add(scored.Item, CandidateSource.Als);
            }
        }
        foreach (var item in _trendingOrder.Take(_options.PopularCandidates))
        {
            Add(item, CandidateSource.Trending);
        }
        foreach (var item in _popularOrder.Take(_options.PopularCandidates))
        {
            Add(item, CandidateSource.Popular);
        }

        // ALS scores only for the candidates: ranks are taken among them, so other entries are never read.
        foreach (var c in candidates)
        {
            alsScores[c.Item] = _als is null || history.Length == 0 ? 0 : _als.Score(user, c.Item);
        }
        var alsRanks = RankAmong(alsScores, candidates);
        var easeRanks = RankAmong(easeScores, candidates);
        var coRanks = RankAmong(coScores, candidates);
        var recentRanks = RankAmong(recentScores, candidates);
        var maxEase = 1e-6f;
        foreach (var c in candidates)
        {
            maxEase = Math.Max(maxEase, easeScores[c.Item]);
        }
        features.Clear();
        Dictionary<int, int>? categoryCounts = null;
        if (_itemCategories is not null)
        {
            categoryCounts = [];
            foreach (var stat in history)
            {
                var category = _itemCategories[stat.Item];
                if (category >= 0)
                {
                    categoryCounts[category] = categoryCounts.GetValueOrDefault(category) + 1;
                }
            }
        }
        var userPrice = snapshot.UserMedianPrice[user];
        var userBaskets = snapshot.UserBaskets[user];
        var daysSinceUser = userBaskets > 0 ? (float)snapshot.DaysSince(snapshot.UserLastTicks[user]) : 9999f;
        var daysPerBasket = userBaskets > 0 ? (float)((snapshot.NowTicks - FirstTicks(history)) / (double)TimeSpan.TicksPerDay / userBaskets) : 9999f;
        for (var ci = 0; ci < candidates.Count; ci++)
        {
            var item = candidates[ci].Item;
            var stat = Find(history, item);
            var bought = stat.Baskets > 0;
            var itemPrice = snapshot.ItemMedianPrice[item];
            features.Add(easeScores[item]);
            features.Add(easeRanks[ci]);
            features.Add(easeScores[item] / maxEase);
            features.Add(stat.Baskets);
            features.Add(bought ? (float)snapshot.DaysSince(stat.LastTicks) : 9999f);
            features.Add(stat.Weight);
            features.Add(bought ? 1 : 0);
            features.Add(snapshot.ItemUsers[item]);
            features.Add(snapshot.ItemTrending[item]);
            features.Add(_popularityRank[item]);
            features.Add(_trendingRank[item]);
            features.Add(userBaskets);
            features.Add(history.Length);
            features.Add(daysSinceUser);
            features.Add(userPrice > 0 && itemPrice > 0 ? MathF.Log(itemPrice / userPrice) : 0);
            features.Add(snapshot.ItemFirstTicks[item] == long.MaxValue ? 0 : (float)snapshot.DaysSince(snapshot.ItemFirstTicks[item]));
            features.Add(userBaskets > 0 ? stat.Baskets / (float)userBaskets : 0);
            features.Add(daysPerBasket);
            features.Add(coScores[item]);
            features.Add(coRanks[ci]);
            features.Add(recentScores[item]);
            features.Add(recentRanks[ci]);
            features.Add(snapshot.ItemUsers[item] / _activeUsers);
            features.Add(categoryCounts is null || history.Length == 0 || _itemCategories![item] < 0
                ? 0
                : categoryCounts.GetValueOrDefault(_itemCategories[item]) / (float)history.Length);
            features.Add(alsScores[item]);
            features.Add(_als is null ? 0 : alsRanks[ci]);
        }
        return candidates.Count;
    }

    private static long FirstTicks(UserItemStat[] history)
    {
        // The user's first event is not kept per item; the oldest "last purchase" is a lower bound good enough for a rate.
        var first = long.MaxValue;
        foreach (var s in history)
        {
            first = Math.Min(first, s.LastTicks);
        }
        return first == long.MaxValue ? 0 : first;
    }

    // Binary EASE input: on the internal split, decayed or count-weighted inputs ranked new items worse.
    internal static float EaseValue(UserItemStat stat) => 1f;

    private static UserItemStat Find(UserItemStat[] history, int item)
    {
        int lo = 0, hi = history.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var v = history[mid].Item;
            if (v == item)
            {
                return history[mid];
            }
            if (v < item)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return default;
    }

    private static float[] RankAmong(float[] scores, List<Candidate> candidates)
    {
        var order = Enumerable.Range(0, candidates.Count).OrderByDescending(i => scores[candidates[i].Item]).ThenBy(i => candidates[i].Item).ToArray();
        var ranks = new float[candidates.Count];
        for (var r = 0; r < order.Length; r++)
        {
            ranks[order[r]] = r + 1;
        }
        return ranks;
    }

    private static List<int> TopK(float[] scores, int k, UserItemStat[] exclude)
    {
        var heap = new PriorityQueue<int, (float, int)>(k + 1);
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (Find(exclude, i).Baskets > 0)
            {
                continue;
            }
            heap.Enqueue(i, (s, -i));
            if (heap.Count > k)
            {
                heap.Dequeue();
            }
        }
        var result = new List<int>(heap.Count);
        while (heap.Count > 0)
        {
            result.Add(heap.Dequeue());
        }
        result.Reverse();
        return result;
    }
}
