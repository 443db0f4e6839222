using System.Text.Json.Serialization;
namespace SmartShop.Functions.Recommendations;

/// <summary>What every item of an answer carries; the cache sizes its entries from it.</summary>
public interface IRecommendedItem
{
    string ItemId { get; }

    IReadOnlyList<string> Reasons { get; }

    string Title { get; }

    string? Category { get; }

    string? Currency { get; }

    string? ImageUrl { get; }

    string? ProductUrl { get; }
}

/// <summary>
/// One recommended item: the engine's reason first, then any note about a fallback; with the catalogue's title, price,
/// currency, image and product URL so a storefront renders it without a second lookup (null where the catalogue has none).
/// </summary>
public sealed record RecommendationItem(
    string ItemId, float Score, IReadOnlyList<string> Reasons, string Title, string? Category, decimal Price,
    string? Currency = null, string? ImageUrl = null, string? ProductUrl = null) : IRecommendedItem;

/// <summary>An item bought together with the requested one; the statistics are null when the list fell back to trending.</summary>
public sealed record BoughtTogetherRecommendation(
    string ItemId, float Score, IReadOnlyList<string> Reasons, string Title, string? Category, decimal Price,
    int? Baskets, float? Support, float? Confidence, float? Lift,
    string? Currency = null, string? ImageUrl = null, string? ProductUrl = null) : IRecommendedItem;

/// <summary><c>GET v1/users/{userId}/recommendations</c>.</summary>
public sealed record UserRecommendations(string UserId, string RecommendationId, string ModelVersion, IReadOnlyList<RecommendationItem> Recommendations)
{
    /// <summary>The experiment that served this answer, if any; echo it (and <see cref="Variant"/>) on the events it leads to.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ExperimentId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Variant { get; init; }
}

/// <summary><c>GET v1/items/{itemId}/similar</c>.</summary>
public sealed record SimilarItems(string ItemId, string RecommendationId, string ModelVersion, IReadOnlyList<RecommendationItem> Recommendations);

/// <summary><c>GET v1/items/{itemId}/bought-together</c>.</summary>
public sealed record BoughtTogetherItems(string ItemId, string RecommendationId, string ModelVersion, IReadOnlyList<BoughtTogetherRecommendation> Recommendations);

/// <summary><c>POST v1/cart/recommendations</c>.</summary>
public sealed record CartRecommendations(string? UserId, string RecommendationId, string ModelVersion, IReadOnlyList<RecommendationItem> Recommendations);

/// <summary><c>GET v1/trending</c>; <see cref="Segment"/> is null for global trending.</summary>
public sealed record TrendingItems(string? Segment, string RecommendationId, string ModelVersion, IReadOnlyList<RecommendationItem> Recommendations);

/// <summary>The body of <c>POST v1/cart/recommendations</c>.</summary>
public sealed record CartRecommendationRequest(IReadOnlyList<string>? Items, string? UserId, int? K);
