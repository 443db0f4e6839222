namespace SmartShop.Core.Recommendations;

/// <summary>Per-request filters applied after ranking.</summary>
public sealed record RecommendationFilters
{
    /// <summary>Only items in these categories (null: any).</summary>
    public IReadOnlySet<string>? Categories { get; init; }
    public decimal? MinPrice { get; init; }
    public decimal? MaxPrice { get; init; }
    /// <summary>Items never to return for this request.</summary>
    public IReadOnlySet<string>? ExcludeItems { get; init; }
}

/// <summary>Service-wide business rules applied to every answer.</summary>
public sealed record BusinessRules
{
    /// <summary>Items never recommended (recalls, discontinued lines).</summary>
    public IReadOnlySet<string> BlockedItems { get; init; } = new HashSet<string>(StringComparer.Ordinal);
    /// <summary>Skip items the catalogue marks out of stock.</summary>
    public bool ExcludeOutOfStock { get; init; } = true;
    /// <summary>Score added to an item (e.g. promoted lines); applied to items already among the candidates.</summary>
    public IReadOnlyDictionary<string, float> Boosts { get; init; } = new Dictionary<string, float>(StringComparer.Ordinal);
}

public abstract record RecommendationRequestBase
{
    public const int MaxK = 100;

    public int K { get; init; } = 10;
    public RecommendationFilters? Filters { get; init; }
    /// <summary>At most this many items per category (null: no limit).</summary>
    public int? MaxPerCategory { get; init; }

    public virtual void Validate()
    {
        if (K is < 1 or > MaxK)
        {
            throw new ArgumentOutOfRangeException(nameof(K), K, $"k must be between 1 and {MaxK}.");
        }
        if (MaxPerCategory is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPerCategory), MaxPerCategory, "MaxPerCategory must be at least 1.");
        }
        if (Filters is { MinPrice: { } min, MaxPrice: { } max } && min > max)
        {
            throw new ArgumentException("MinPrice is above MaxPrice.");
        }
    }
}

/// <summary>Recommendations for one user; <see cref="RecentItems"/> are the user's latest events (newest first), known to the model or not.</summary>
public sealed record UserRecommendationRequest : RecommendationRequestBase
{
    public string? UserId { get; init; }
    public IReadOnlyList<string> RecentItems { get; init; } = [];
    /// <summary>Discovery mode: never return an item the user bought.</summary>
    public bool ExcludePurchased { get; init; }
    /// <summary>When false, items bought within <see cref="RepeatWindowDays"/> (or ever, without a window) are excluded.</summary>
    public bool AllowRepeatPurchases { get; init; } = true;
    public double? RepeatWindowDays { get; init; }

    public override void Validate()
    {
        base.Validate();
        if (RepeatWindowDays is { } d && (!double.IsFinite(d) || d < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(RepeatWindowDays), d, "The repeat window must be a number of days ≥ 0.");
        }
        if (RecentItems.Count > 1_000)
        {
            throw new ArgumentException("At most 1000 recent items per request.");
        }
    }
}

public sealed record ItemRequest : RecommendationRequestBase
{
    public required string ItemId { get; init; }
}

public sealed record CartRequest : RecommendationRequestBase
{
    public required IReadOnlyList<string> CartItems { get; init; }

    public override void Validate()
    {
        base.Validate();
        if (CartItems.Count > 1_000)
        {
            throw new ArgumentException("At most 1000 cart items per request.");
        }
    }
}

public sealed record TrendingRequest : RecommendationRequestBase
{
    /// <summary>Trending inside this customer segment (needs a <see cref="SegmentTrending"/>); null: global trending.</summary>
    public string? Segment { get; init; }

    public override void Validate()
    {
        base.Validate();
        if (Segment is { } segment && (segment.Length is 0 or > SegmentTrending.MaxSegmentNameLength))
        {
            throw new ArgumentException($"Segment must be 1-{SegmentTrending.MaxSegmentNameLength} characters.");
        }
    }
}

/// <summary>One recommended item with the reason it is shown.</summary>
public sealed record RecommendedItem(string ItemId, string Title, float Score, string Reason);

/// <summary>An item often bought together with the requested one, with the association statistics.</summary>
public sealed record BoughtTogetherItem(string ItemId, string Title, int Baskets, float Support, float Confidence, float Lift, string Reason);
