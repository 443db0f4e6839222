namespace SmartShop.Core.Ingestion;

/// <summary>
/// A storefront event, schema version 2 (docs/ingestion.md; every v1 event is a v2 event). Either <see cref="UserId"/>
/// or <see cref="SessionId"/> identifies who acted; <see cref="Timestamp"/> is UTC. <see cref="TransactionId"/> groups the
/// purchases of one order. The v2 properties name the recommendation that led to the event, for attribution.
/// </summary>
public sealed record ClickstreamEvent(
    string EventId,
    string Type,
    string? UserId,
    string? SessionId,
    string ItemId,
    DateTimeOffset Timestamp,
    int? Quantity = null,
    decimal? Price = null,
    string? Category = null,
    string? Source = null,
    string? TransactionId = null)
{
    public const int SchemaVersion = 2;

    /// <summary>The <c>recommendationId</c> of the answer whose item this event is about (v2).</summary>
    public string? RecommendationId { get; init; }

    /// <summary>The item's 1-based position in that answer (v2).</summary>
    public int? Position { get; init; }

    /// <summary>Where the storefront showed the recommendations: home, product-page, cart, … (v2).</summary>
    public string? Placement { get; init; }

    /// <summary>A purchase's revenue; when absent it is quantity × price (v2).</summary>
    public decimal? Revenue { get; init; }

    /// <summary>The experiment and variant the answer said served it, echoed by the storefront (v2).</summary>
    public string? ExperimentId { get; init; }

    public string? Variant { get; init; }

    /// <summary>The id that state and recommendations key on: the user when known, else the anonymous session.</summary>
    public string ActorId => UserId ?? SessionId!;
}

/// <summary>The event types the product understands out of the box; more can be allowed in <see cref="ClickstreamValidationOptions"/>.</summary>
public static class ClickstreamEventTypes
{
    public const string View = "view";
    public const string AddToCart = "addtocart";
    public const string RemoveFromCart = "removefromcart";
    public const string Purchase = "purchase";

    /// <summary>A recommended item was clicked (v2); for training it is a view of the item.</summary>
    public const string Click = "click";

    public static IReadOnlyList<string> Known { get; } = [View, AddToCart, RemoveFromCart, Purchase, Click];

    /// <summary>
    /// The known type another export names by another word (case-insensitive): page_view and pageview are views,
    /// add_to_cart and cart add-to-carts, RetailRocket's transaction and order purchases; null for a word it is not.
    /// </summary>
    public static string? FromAlias(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.ToLowerInvariant() switch
        {
            View or "page_view" or "pageview" => View,
            AddToCart or "add_to_cart" or "cart" => AddToCart,
            RemoveFromCart or "remove_from_cart" => RemoveFromCart,
            Purchase or "transaction" or "order" => Purchase,
            Click => Click,
            _ => null,
        };
    }
}
