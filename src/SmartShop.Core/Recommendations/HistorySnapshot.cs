namespace SmartShop.Core.Recommendations;

/// <summary>Per user–item aggregate at a point in time.</summary>
internal readonly record struct UserItemStat(int Item, int Baskets, long LastTicks, float Weight, float Quantity);

/// <summary>
/// Everything the candidate generators and ranking features need, computed from the events before a point in time.
/// Built twice during training: once before the internal cutoff (to learn the ranker) and once on all data (to serve).
/// </summary>
internal sealed class HistorySnapshot
{
    public required int UserCount { get; init; }
    public required int ItemCount { get; init; }
    public required long NowTicks { get; init; }
    /// <summary>Per user, aggregates sorted by item id.</summary>
    public required UserItemStat[][] UserItems { get; init; }
    public required int[] UserBaskets { get; init; }
    public required long[] UserLastTicks { get; init; }
    public required float[] UserMedianPrice { get; init; }
    /// <summary>Distinct users who interacted with each item.</summary>
    public required float[] ItemUsers { get; init; }
    /// <summary>Exponentially decayed basket count (short half-life): what sells now.</summary>
    public required float[] ItemTrending { get; init; }
    public required long[] ItemFirstTicks { get; init; }
    public required float[] ItemMedianPrice { get; init; }
    /// <summary>Last few baskets of every user (item lists, newest first), for "often bought with" signals.</summary>
    public required int[][] UserRecentItems { get; init; }

    public double DaysSince(long ticks) => (NowTicks - ticks) / (double)TimeSpan.TicksPerDay;

    public static HistorySnapshot Build(InteractionLog log, int eventCount, InteractionOptions options, double trendingHalfLifeDays)
    {
        var nowTicks = options.Now?.Ticks ?? (eventCount > 0 ? log.Ticks[eventCount - 1] : 0);
        var users = log.UserCount;
        var items = log.ItemCount;
        var perUser = new Dictionary<int, (int Baskets, int LastBasket, long Last, double Weight, double Quantity)>[users];
        var userBaskets = new int[users];
        var userLastBasket = Enumerable.Repeat(-1, users).ToArray();
        var userLast = new long[users];
        var userPrices = new List<float>[users];
        var itemUserSets = new HashSet<int>[items];
        var itemTrending = new double[items];
        var itemFirst = Enumerable.Repeat(long.MaxValue, items).ToArray();
        var itemPrices = new List<float>[items];
        var halfLife = options.HalfLifeDays is > 0 ? options.HalfLifeDays.Value : double.PositiveInfinity;
        var itemLastBasket = Enumerable.Repeat(-1, items).ToArray();
        for (var n = 0; n < eventCount; n++)
        {
            var u = log.Users[n];
            var i = log.Items[n];
            var basket = log.Baskets[n];
            var kindWeight = options.WeightOf(log.Kinds[n]);
            if (kindWeight <= 0)
            {
                continue;
            }
            var age = (nowTicks - log.Ticks[n]) / (double)TimeSpan.TicksPerDay;
            var decay = double.IsInfinity(halfLife) ? 1 : Math.Pow(0.5, Math.Max(0, age) / halfLife);
            var dict = perUser[u] ??= [];
            var isNewBasket = !dict.TryGetValue(i, out var s) || s.LastBasket != basket;
            dict[i] = (s.Baskets + (isNewBasket ? 1 : 0), basket, log.Ticks[n], s.Weight + (isNewBasket ? kindWeight * decay : 0), s.Quantity + log.Quantities[n]);
            if (userLastBasket[u] != basket)
            {
                userLastBasket[u] = basket;
                userBaskets[u]++;
            }
            userLast[u] = log.Ticks[n];
            if (log.Prices[n] > 0)
            {
                (userPrices[u] ??= []).Add(log.Prices[n]);
                (itemPrices[i] ??= []).Add(log.Prices[n]);
            }
            (itemUserSets[i] ??= []).Add(u);
            if (itemLastBasket[i] != basket)
            {
                itemLastBasket[i] = basket;
                itemTrending[i] += Math.Pow(0.5, Math.Max(0, age) / trendingHalfLifeDays);
            }
            itemFirst[i] = Math.Min(itemFirst[i], log.Ticks[n]);
        }

        var userItems = new UserItemStat[users][];
        for (var u = 0; u < users; u++)
        {
            userItems[u] = perUser[u] is null
                ? []
                : [.. perUser[u].OrderBy(p => p.Key).Select(p => new UserItemStat(p.Key, p.Value.Baskets, p.Value.Last, (float)p.Value.Weight, (float)p.Value.Quantity))];
        }
        return new HistorySnapshot
        {
            UserCount = users,
            ItemCount = items,
            NowTicks = nowTicks,
            UserItems = userItems,
            UserBaskets = userBaskets,
            UserLastTicks = userLast,
            UserMedianPrice = [.. userPrices.Select(Median)],
            ItemUsers = [.. itemUserSets.Select(s => (float)(s?.Count ?? 0))],
            ItemTrending = [.. itemTrending.Select(t => (float)t)],
            ItemFirstTicks = itemFirst,
            ItemMedianPrice = [.. itemPrices.Select(Median)],
            UserRecentItems = RecentItems(log, eventCount, users, options, basketsPerUser: 3),
        };
    }

    private static int[][] RecentItems(InteractionLog log, int eventCount, int users, InteractionOptions options, int basketsPerUser)
    {
        var result = new List<int>[users];
        var basketsSeen = new int[users];
        var lastBasket = Enumerable.Repeat(-1, users).ToArray();
        for (var n = eventCount - 1; n >= 0; n--)
        {
            var u = log.Users[n];
            if (options.WeightOf(log.Kinds[n]) <= 0)
            {
                continue;
            }
            if (lastBasket[u] != log.Baskets[n])
            {
                lastBasket[u] = log.Baskets[n];
                basketsSeen[u]++;
            }
            if (basketsSeen[u] <= basketsPerUser)
            {
                var list = result[u] ??= [];
                if (!list.Contains(log.Items[n]))
                {
                    list.Add(log.Items[n]);
                }
            }
        }
        return [.. result.Select(l => l?.ToArray() ?? [])];
    }

    private static float Median(List<float>? values)
    {
        if (values is null || values.Count == 0)
        {
            return 0;
        }
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
