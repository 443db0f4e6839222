namespace SmartShop.Core.Recommendations;

/// <summary>Kinds of user–item events a recommender learns from.</summary>
public enum InteractionKind
{
    View,
    AddToCart,
    RemoveFromCart,
    Purchase,
}

/// <summary>One user–item event. <paramref name="BasketId"/> groups purchases made together (an invoice, an order).</summary>
public readonly record struct InteractionEvent(
    string UserId,
    string ItemId,
    DateTime Timestamp,
    InteractionKind Kind,
    double Quantity = 1,
    double Price = 0,
    string? BasketId = null);

/// <summary>How raw events become interaction strengths.</summary>
public sealed record InteractionOptions
{
    public double ViewWeight { get; init; } = 1;
    public double AddToCartWeight { get; init; } = 3;
    public double RemoveFromCartWeight { get; init; }
    public double PurchaseWeight { get; init; } = 5;

    /// <summary>Half-life of the exponential time decay, in days; null or ≤ 0 disables decay.</summary>
    public double? HalfLifeDays { get; init; } = 90;

    /// <summary>Reference time for recency and decay; default is the latest event in the data (never the wall clock).</summary>
    public DateTime? Now { get; init; }

    public double WeightOf(InteractionKind kind) => kind switch
    {
        InteractionKind.View => ViewWeight,
        InteractionKind.AddToCart => AddToCartWeight,
        InteractionKind.RemoveFromCart => RemoveFromCartWeight,
        InteractionKind.Purchase => PurchaseWeight,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown interaction kind."),
    };

    public void Validate()
    {
        foreach (var (name, value) in new[] { ("view", ViewWeight), ("add-to-cart", AddToCartWeight), ("remove-from-cart", RemoveFromCartWeight), ("purchase", PurchaseWeight) })
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentException($"The {name} weight must be a finite number ≥ 0 (got {value}).");
            }
        }
        if (HalfLifeDays is { } h && !double.IsFinite(h))
        {
            throw new ArgumentException("The half-life must be finite.");
        }
    }
}

/// <summary>
/// Events indexed for model building: users and items as dense ids, columns sorted by time.
/// Immutable once built.
/// </summary>
public sealed class InteractionLog
{
    private InteractionLog(string[] userIds, string[] itemIds, int[] users, int[] items, long[] ticks, int[] baskets, InteractionKind[] kinds, float[] quantities, float[] prices)
    {
        UserIds = userIds;
        ItemIds = itemIds;
        Users = users;
        Items = items;
        Ticks = ticks;
        Baskets = baskets;
        Kinds = kinds;
        Quantities = quantities;
        Prices = prices;
        UserIndex = IndexById(userIds);
        ItemIndex = IndexById(itemIds);
    }

    public IReadOnlyList<string> UserIds { get; }
    public IReadOnlyList<string> ItemIds { get; }
    public IReadOnlyDictionary<string, int> UserIndex { get; }
    public IReadOnlyDictionary<string, int> ItemIndex { get; }
    internal int[] Users { get; }
    internal int[] Items { get; }
    internal long[] Ticks { get; }
    internal int[] Baskets { get; }
    internal InteractionKind[] Kinds { get; }
    internal float[] Quantities { get; }
    internal float[] Prices { get; }

    public int Count => Users.Length;
    public int UserCount => UserIds.Count;
    public int ItemCount => ItemIds.Count;

    public DateTime First => Count == 0 ? default : new DateTime(Ticks[0], DateTimeKind.Unspecified);
    public DateTime Last => Count == 0 ? default : new DateTime(Ticks[^1], DateTimeKind.Unspecified);

    /// <summary>Number of leading events (in time order) strictly before <paramref name="cutoff"/>.</summary>
    public int CountBefore(DateTime cutoff)
    {
        var index = Array.BinarySearch(Ticks, cutoff.Ticks);
        if (index < 0)
        {
            return ~index;
        }
        while (index > 0 && Ticks[index - 1] == cutoff.Ticks)
        {
            index--;
        }
        return index;
    }

    /// <summary>Indexes events; <paramref name="extraItemIds"/> (catalogue items without events) get item ids too.</summary>
    public static InteractionLog Build(IEnumerable<InteractionEvent> events, IEnumerable<string>? extraItemIds = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        var list = events.ToList();
        // Stable order: time, then arrival order, so equal timestamps stay deterministic.
        var order = Enumerable.Range(0, list.Count).OrderBy(i => list[i].Timestamp.Ticks).ThenBy(i => i).ToArray();
        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var basketIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var users = new int[list.Count];
        var items = new int[list.Count];
        var ticks = new long[list.Count];
        var baskets = new int[list.Count];
        var kinds = new InteractionKind[list.Count];
        var quantities = new float[list.Count];
        var prices = new float[list.Count];
        var userIds = new List<string>();
        var itemIds = new List<string>();
        for (var n = 0; n < order.Length; n++)
        {
            var e = list[order[n]];
            if (string.IsNullOrWhiteSpace(e.UserId) || string.IsNullOrWhiteSpace(e.ItemId))
            {
                throw new ArgumentException($"Event {order[n]} has an empty user or item id.", nameof(events));
            }
            users[n] = IndexOf(userIndex, userIds, e.UserId);
            items[n] = IndexOf(itemIndex, itemIds, e.ItemId);
            ticks[n] = e.Timestamp.Ticks;
            // Without a basket id, one user's events at one instant form a basket.
            var basketKey = e.BasketId ?? string.Concat(e.UserId, "@", e.Timestamp.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!basketIndex.TryGetValue(basketKey, out var b))
            {
                b = basketIndex.Count;
                basketIndex[basketKey] = b;
            }
            baskets[n] = b;
            kinds[n] = e.Kind;
            quantities[n] = (float)e.Quantity;
            prices[n] = (float)e.Price;
        }
        foreach (var id in (extraItemIds ?? []).Order(StringComparer.Ordinal))
        {
            IndexOf(itemIndex, itemIds, id);
        }
        return new InteractionLog([.. userIds], [.. itemIds], users, items, ticks, baskets, kinds, quantities, prices);
    }

    internal static Dictionary<string, int> IndexById(string[] ids)
    {
        var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            index[ids[i]] = i;
        }
        return index;
    }

    private static int IndexOf(Dictionary<string, int> index, List<string> ids, string id)
    {
        if (!index.TryGetValue(id, out var i))
        {
            i = ids.Count;
            index[id] = i;
            ids.Add(id);
        }
        return i;
    }
}
