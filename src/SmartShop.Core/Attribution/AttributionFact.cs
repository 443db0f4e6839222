namespace SmartShop.Core.Attribution;

/// <summary>
/// The dimensions of a rollup row: the UTC day, the route, where it was shown, the model version, the experiment
/// variant and the customer segment (null: none or unknown). Experiment rows are also split by <see cref="Unit"/>, a
/// hash bucket of the shopper (<see cref="Units"/>): the clusters the results' variances are estimated from, since a
/// shopper's answers are not independent of each other. The bucket identifies nobody.
/// </summary>
public sealed record RollupKey(
    DateOnly Day,
    string Endpoint,
    string ModelVersion,
    string? Placement = null,
    string? ExperimentId = null,
    string? Variant = null,
    string? Segment = null,
    int? Unit = null)
{
    /// <summary>How many shopper buckets an experiment's rows are split into.</summary>
    public const int Units = 128;

    /// <param name="unitId">The shopper (user or session) the answer or event is about: its bucket splits experiment rows.</param>
    public static RollupKey Of(DateOnly day, RecommendationContext context, string? unitId, string? placement = null, string? experimentId = null, string? variant = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The answer's own context wins over what the storefront echoed back.
        var experiment = context.ExperimentId ?? experimentId;
        return new RollupKey(day, context.Endpoint, context.ModelVersion, context.Placement ?? placement,
            experiment, context.ExperimentId is null ? variant : context.Variant, context.Segment,
            experiment is null || unitId is null ? null : UnitOf(unitId));
    }

    /// <summary>The shopper's bucket, 0 to <see cref="Units"/> − 1 (a hash independent of every experiment's split).</summary>
    public static int UnitOf(string unitId) => (int)(Experiments.Experiment.Bucket("unit", unitId) * Units);
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
