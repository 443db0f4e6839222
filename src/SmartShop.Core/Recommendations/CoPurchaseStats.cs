namespace SmartShop.Core.Recommendations;

/// <summary>One "bought together" association: support, confidence and lift of antecedent → consequent.</summary>
public readonly record struct Association(int Item, int Baskets, float Support, float Confidence, float Lift);

/// <summary>
/// Basket co-occurrence statistics: for each item its strongest associations (by confidence, ties by lift),
/// computed over baskets that contain a purchase.
/// </summary>
internal sealed class CoPurchaseStats
{
    public CoPurchaseStats(Association[][] neighbours, int basketCount)
    {
        Neighbours = neighbours;
        BasketCount = basketCount;
    }

    public Association[][] Neighbours { get; }
    public int BasketCount { get; }

    public static CoPurchaseStats Build(InteractionLog log, int eventCount, int itemCount, int maxNeighbours, int minBasketsTogether, int maxBasketSize)
    {
        var baskets = new Dictionary<int, List<int>>();
        for (var n = 0; n < eventCount; n++)
        {
            if (log.Kinds[n] != InteractionKind.Purchase)
            {
                continue;
            }
            if (!baskets.TryGetValue(log.Baskets[n], out var list))
            {
                list = [];
                baskets[log.Baskets[n]] = list;
            }
            list.Add(log.Items[n]);
        }
        var itemBaskets = new int[itemCount];
        var basketItems = new List<int[]>(baskets.Count);
        var basketsOfItem = new List<int>[itemCount];
        foreach (var list in baskets.Values)
        {
            var distinct = list.Distinct().ToArray();
            foreach (var i in distinct)
            {
                itemBaskets[i]++;
            }
            // Huge baskets (wholesale restocks) say little about affinity and cost quadratic time.
            if (distinct.Length > maxBasketSize)
            {
                continue;
            }
            foreach (var i in distinct)
            {
                (basketsOfItem[i] ??= []).Add(basketItems.Count);
            }
            basketItems.Add(distinct);
        }
        var total = Math.Max(1, baskets.Count);
        var perItem = new List<Association>[itemCount];
        // Per antecedent item: count co-occurring items in a dense scratch array (O(items) memory, no pair table).
        Parallel.For(0, itemCount, () => new int[itemCount], (a, _, counts) =>
        {
            if (basketsOfItem[a] is not { } mine)
            {
                return counts;
            }
            var touched = new List<int>();
            foreach (var basket in mine)
            {
                foreach (var b in basketItems[basket])
                {
                    if (b != a && counts[b]++ == 0)
                    {
                        touched.Add(b);
                    }
                }
            }
            var result = new List<Association>();
            foreach (var b in touched)
            {
                var together = counts[b];
                counts[b] = 0;
                if (together < minBasketsTogether)
                {
                    continue;
                }
                var confidence = together / (float)itemBaskets[a];
                var lift = confidence / (itemBaskets[b] / (float)total);
                result.Add(new Association(b, together, together / (float)total, confidence, lift));
            }
            perItem[a] = result;
            return counts;
        }, _ => { });
        var neighbours = new Association[itemCount][];
        for (var i = 0; i < itemCount; i++)
        {
            neighbours[i] = perItem[i] is null
                ? []
                : [.. perItem[i].OrderByDescending(x => x.Confidence).ThenByDescending(x => x.Lift).ThenBy(x => x.Item).Take(maxNeighbours)];
        }
        return new CoPurchaseStats(neighbours, total);
    }

    /// <summary>Adds each source item's association confidences to <paramref name="scores"/>.</summary>
    public void Score(ReadOnlySpan<int> sourceItems, float[] scores)
    {
        foreach (var j in sourceItems)
        {
            foreach (var a in Neighbours[j])
            {
                scores[a.Item] += a.Confidence;
            }
        }
    }
}
