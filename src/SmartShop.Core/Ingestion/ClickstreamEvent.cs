namespace SmartShop.Core.Ingestion;

/// <summary>
/// A storefront event, schema version 1 (docs/ingestion.md). Either <see cref="UserId"/> or <see cref="SessionId"/>
/// identifies who acted; <see cref="Timestamp"/> is UTC. <see cref="TransactionId"/> groups the purchases of one order.
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
    public const int SchemaVersion = 1;

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

    public static IReadOnlyList<string> Known { get; } = [View, AddToCart, RemoveFromCart, Purchase];
}
