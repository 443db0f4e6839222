namespace SmartShop.Core.Attribution;

/// <summary>
/// The dimensions of a rollup row: the UTC day, the route, where it was shown, the model version, the experiment
/// variant and the customer segment (null: none or unknown).
/// </summary>
public sealed record RollupKey(
    DateOnly Day,
    string Endpoint,
    string ModelVersion,
    string? Placement = null,
    string? ExperimentId = null,
    string? Variant = null,
    string? Segment = null)
{
    public static RollupKey Of(DateOnly day, RecommendationContext context, string? placement = null, string? experimentId = null, string? variant = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The answer's own context wins over what the storefront echoed back.
        return new RollupKey(day, context.Endpoint, context.ModelVersion, context.Placement ?? placement,
            context.ExperimentId ?? experimentId, context.ExperimentId is null ? variant : context.Variant, context.Segment);
    }
}

/// <summary>What an ingested event counts for.</summary>
public static class FactKinds
{
    /// <summary>A recommended item was clicked.</summary>
    public const string Click = "click";

    /// <summary>A recommended item was added to the cart: named with the answer, or after a click on it within the window.</summary>
    public const string AddToCart = "addtocart";

    /// <summary>A recommended item was bought: named with the answer, or after a click on it within the window.</summary>
    public const string Purchase = "purchase";

    /// <summary>A recommended item was looked at without a click (a view naming the answer): reported apart, never attributed.</summary>
    public const string AssistedView = "assisted-view";

    /// <summary>An item bought after such a view within the window, with no click to explain it: reported apart.</summary>
    public const string AssistedPurchase = "assisted-purchase";
}

/// <summary>
/// One ingested event's contribution to a rollup row, kept with the event's id so that counting it twice is
/// impossible whichever batch, retry or replay wrote it. Holds no customer id: <see cref="Order"/> is a hash of the
/// order's id, enough to count distinct orders.
/// </summary>
public sealed record AttributionFact(string EventId, string Kind, RollupKey Key, double Revenue = 0, string? Order = null);

/// <summary>The answers one serving instance counted for a rollup row (cumulative for the instance and day).</summary>
public sealed record ImpressionCount(RollupKey Key, long Count);
