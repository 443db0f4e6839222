namespace SmartShop.Core.Attribution;

/// <summary>
/// One rollup row: what the answers of one day × route × placement × model version × variant × segment were shown
/// and earned. <see cref="RevenueSquares"/> is the sum of squared purchase revenues (for the revenue test);
/// <see cref="Orders"/> counts distinct orders with at least one attributed item. The assisted figures are apart from
/// the attributed ones and never added to them.
/// </summary>
public sealed record RollupRow(RollupKey Key)
{
    public long Impressions { get; init; }

    public long Clicks { get; init; }

    public long AddToCarts { get; init; }

    public long Purchases { get; init; }

    public double Revenue { get; init; }

    public double RevenueSquares { get; init; }

    public long Orders { get; init; }

    public long AssistedViews { get; init; }

    public long AssistedPurchases { get; init; }

    public double AssistedRevenue { get; init; }
}

/// <summary>Sums facts and impression counts into rows. A fact counts once per event id, however often it was written.</summary>
public static class Rollup
{
    public static IReadOnlyList<RollupRow> Build(IEnumerable<AttributionFact> facts, IEnumerable<ImpressionCount> impressions)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(impressions);
        var rows = new Dictionary<RollupKey, Tally>();
        Tally Row(RollupKey key) => rows.TryGetValue(key, out var t) ? t : rows[key] = new Tally();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fact in facts)
        {
            if (!seen.Add(fact.EventId))
            {
                continue;
            }
            var t = Row(fact.Key);
            switch (fact.Kind)
            {
                case FactKinds.Click: t.Clicks++; break;
                case FactKinds.AddToCart: t.AddToCarts++; break;
                case FactKinds.AssistedView: t.AssistedViews++; break;
                case FactKinds.Purchase:
                    t.Purchases++;
                    t.Revenue += fact.Revenue;
                    t.RevenueSquares += fact.Revenue * fact.Revenue;
                    if (fact.Order is { } order)
                    {
                        t.Orders.Add(order);
                    }
                    break;
                case FactKinds.AssistedPurchase:
                    t.AssistedPurchases++;
                    t.AssistedRevenue += fact.Revenue;
                    break;
            }
        }
        foreach (var count in impressions)
        {
            Row(count.Key).Impressions += count.Count;
        }

        return rows
            .OrderBy(r => r.Key.Day).ThenBy(r => r.Key.Endpoint, StringComparer.Ordinal).ThenBy(r => r.Key.Placement, StringComparer.Ordinal)
            .ThenBy(r => r.Key.ModelVersion, StringComparer.Ordinal).ThenBy(r => r.Key.ExperimentId, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Variant, StringComparer.Ordinal).ThenBy(r => r.Key.Segment, StringComparer.Ordinal).ThenBy(r => r.Key.Unit)
            .Select(r => new RollupRow(r.Key)
            {
                Impressions = r.Value.Impressions,
                Clicks = r.Value.Clicks,
                AddToCarts = r.Value.AddToCarts,
                Purchases = r.Value.Purchases,
                Revenue = r.Value.Revenue,
                RevenueSquares = r.Value.RevenueSquares,
                Orders = r.Value.Orders.Count,
                AssistedViews = r.Value.AssistedViews,
                AssistedPurchases = r.Value.AssistedPurchases,
                AssistedRevenue = r.Value.AssistedRevenue,
            })
            .ToList();
    }

    /// <summary>The rows with their shopper buckets added up (what a shop reads; the buckets are for the statistics).</summary>
    public static IReadOnlyList<RollupRow> WithoutUnits(IEnumerable<RollupRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.GroupBy(r => r.Key with { Unit = null }).Select(g => new RollupRow(g.Key)
        {
            Impressions = g.Sum(r => r.Impressions),
            Clicks = g.Sum(r => r.Clicks),
            AddToCarts = g.Sum(r => r.AddToCarts),
            Purchases = g.Sum(r => r.Purchases),
            Revenue = g.Sum(r => r.Revenue),
            RevenueSquares = g.Sum(r => r.RevenueSquares),
            // An order lies in one shopper's bucket, so the buckets' distinct orders add up.
            Orders = g.Sum(r => r.Orders),
            AssistedViews = g.Sum(r => r.AssistedViews),
            AssistedPurchases = g.Sum(r => r.AssistedPurchases),
            AssistedRevenue = g.Sum(r => r.AssistedRevenue),
        }).ToList();
    }

    private sealed class Tally
    {
        public long Impressions { get; set; }

        public long Clicks { get; set; }

        public long AddToCarts { get; set; }

        public long Purchases { get; set; }

        public double Revenue { get; set; }

        public double RevenueSquares { get; set; }

        public HashSet<string> Orders { get; } = new(StringComparer.Ordinal);

        public long AssistedViews { get; set; }

        public long AssistedPurchases { get; set; }

        public double AssistedRevenue { get; set; }
    }
}
