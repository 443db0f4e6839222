using System.Security.Cryptography;
using System.Text;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Attribution;

/// <summary>
/// Turns a batch's new events into attribution facts, as the batch is ingested. An event that names a
/// <c>recommendationId</c> counts for that answer: a click, an add-to-cart, a purchase (its <c>revenue</c>, else
/// quantity × price), or, for a view, an assisted view; an add-to-cart or purchase whose click on that answer is
/// longer ago than the window (default 24 h) counts for nothing. One that names none counts for the shopper's latest
/// click on the same item within the window before it. Clicks are found in the recent activity the pipeline has just
/// merged (so no extra read). A purchase naming nothing, with no such click but a view naming an answer within the
/// window, is an assisted purchase, reported apart. Everything else counts for nothing.
/// </summary>
public static class Attributor
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    private static readonly RecommendationContext Unknown = new("unknown", "unknown");

    /// <summary>The recommendation id an activity keeps: the clicks' and views' that name one, to attribute later events by.</summary>
    public static string? KeptRecommendationId(ClickstreamEvent clickstreamEvent)
    {
        ArgumentNullException.ThrowIfNull(clickstreamEvent);
        return clickstreamEvent.Type is ClickstreamEventTypes.Click or ClickstreamEventTypes.View ? clickstreamEvent.RecommendationId : null;
    }

    /// <param name="events">The batch's new events (each id once).</param>
    /// <param name="activityByActor">Each actor's recent activity, this batch's events included.</param>
    public static IReadOnlyList<AttributionFact> Facts(
        IEnumerable<ClickstreamEvent> events, IReadOnlyDictionary<string, IReadOnlyList<UserActivity>> activityByActor, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(activityByActor);
        var facts = new List<AttributionFact>();
        foreach (var e in events)
        {
            var day = DateOnly.FromDateTime(e.Timestamp.UtcDateTime);
            RollupKey Key(string recommendationId) =>
                RollupKey.Of(day, RecommendationContext.Parse(recommendationId) ?? Unknown, e.ActorId, e.Placement, e.ExperimentId, e.Variant);
            switch (e.Type)
            {
                case ClickstreamEventTypes.Click when e.RecommendationId is { } answer:
                    facts.Add(new AttributionFact(e.EventId, FactKinds.Click, Key(answer)));
                    break;
                case ClickstreamEventTypes.View when e.RecommendationId is { } answer:
                    facts.Add(new AttributionFact(e.EventId, FactKinds.AssistedView, Key(answer)));
                    break;
                case ClickstreamEventTypes.AddToCart:
                    if (Answer(activityByActor, e, window) is { } carted)
                    {
                        facts.Add(new AttributionFact(e.EventId, FactKinds.AddToCart, Key(carted)));
                    }
                    break;
                case ClickstreamEventTypes.Purchase:
                    var revenue = (double)(e.Revenue ?? (e.Quantity ?? 1) * (e.Price ?? 0));
                    var order = e.TransactionId is { } transaction ? OrderHash(transaction) : null;
                    if (Answer(activityByActor, e, window) is { } bought)
                    {
                        facts.Add(new AttributionFact(e.EventId, FactKinds.Purchase, Key(bought), revenue, order));
                    }
                    else if (e.RecommendationId is null && Latest(activityByActor, e, ClickstreamEventTypes.View, window, null)?.RecommendationId is { } seen)
                    {
                        facts.Add(new AttributionFact(e.EventId, FactKinds.AssistedPurchase, Key(seen), revenue, order));
                    }
                    break;
            }
        }
        return facts;
    }

    /// <summary>
    /// The answer an add-to-cart or purchase counts for: the one it names, unless the shopper's click on that answer's
    /// item is known and longer ago than the window; else the answer of the latest click on the item within the window.
    /// </summary>
    private static string? Answer(IReadOnlyDictionary<string, IReadOnlyList<UserActivity>> activityByActor, ClickstreamEvent e, TimeSpan window)
    {
        if (e.RecommendationId is not { } named)
        {
            return Latest(activityByActor, e, ClickstreamEventTypes.Click, window, null)?.RecommendationId;
        }
        return Latest(activityByActor, e, ClickstreamEventTypes.Click, TimeSpan.MaxValue, named) is not { } click || e.Timestamp - click.Timestamp <= window
            ? named
            : null;
    }

    /// <summary>
    /// The actor's latest <paramref name="type"/> of the event's item that named an answer (<paramref name="answer"/>,
    /// when given), within the window before the event.
    /// </summary>
    private static UserActivity? Latest(IReadOnlyDictionary<string, IReadOnlyList<UserActivity>> activityByActor, ClickstreamEvent e, string type, TimeSpan window, string? answer)
    {
        if (!activityByActor.TryGetValue(e.ActorId, out var activities))
        {
            return null;
        }
        UserActivity? latest = null;
        foreach (var a in activities)
        {
            if (a.RecommendationId is { } id && (answer is null || id == answer) && a.ActivityType == type && a.Timestamp <= e.Timestamp
                && e.Timestamp - a.Timestamp <= window && string.Equals(a.ItemId, e.ItemId, StringComparison.Ordinal)
                && (latest is null || a.Timestamp > latest.Timestamp))
            {
                latest = a;
            }
        }
        return latest;
    }

    // Enough of SHA-256 to count distinct orders without keeping the order's id.
    private static string OrderHash(string transactionId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(transactionId)).AsSpan(0, 8));
}
