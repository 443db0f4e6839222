using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Experiments;

/// <summary>
/// Counts what each variant of an experiment earned from the lake's events (each event once, as the one lake reader
/// gives them), so a redelivered or replayed batch changes no figure. An event counts for the variant it names
/// (<c>experimentId</c> + <c>variant</c>, echoed by the storefront from the answer): clicks and add-to-carts, and
/// purchases with their revenue (<c>revenue</c>, else quantity × price). A purchase that names no experiment counts
/// for the variant of the click on the answer it names (its <c>recommendationId</c>), or, naming none, of the same
/// shopper's last click on the same item, when that click was within the window before it (default 24 h).
/// Only events between the experiment's start and its end count.
/// </summary>
public static class ExperimentAttribution
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    public static IReadOnlyList<VariantCounts> Count(
        Experiment experiment, IEnumerable<ClickstreamEvent> events, IReadOnlyDictionary<string, long> impressions, TimeSpan window, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(impressions);
        var end = experiment.EndedOrNow(now);
        var variants = experiment.Variants.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var tallies = experiment.Variants.ToDictionary(v => v.Name, _ => new Tally(), StringComparer.Ordinal);
        // The latest recommended click per answer and per (shopper, item), for purchases that do not name the experiment.
        var clicks = new Dictionary<(string Actor, string Item), (DateTimeOffset At, string Variant)>();
        var answers = new Dictionary<string, (DateTimeOffset At, string Variant)>(StringComparer.Ordinal);
        foreach (var e in events.Where(e => e.Timestamp >= experiment.StartsAt && e.Timestamp <= end).OrderBy(e => e.Timestamp))
        {
            var named = e.ExperimentId == experiment.Id && e.Variant is { } v && variants.Contains(v) ? e.Variant : null;
            switch (e.Type)
            {
                case ClickstreamEventTypes.Click when named is not null:
                    tallies[named].Clicks++;
                    clicks[(e.ActorId, e.ItemId)] = (e.Timestamp, named);
                    if (e.RecommendationId is { } answer)
                    {
                        answers[answer] = (e.Timestamp, named);
                    }
                    break;
                case ClickstreamEventTypes.AddToCart when named is not null:
                    tallies[named].AddToCarts++;
                    break;
                case ClickstreamEventTypes.Purchase:
                    // A purchase naming an answer belongs to that answer's click only; one naming none, to the item's.
                    var variant = named ?? Within(
                        e.RecommendationId is { } bought
                            ? answers.TryGetValue(bought, out var byAnswer) ? byAnswer : null
                            : clicks.TryGetValue((e.ActorId, e.ItemId), out var byItem) ? byItem : null,
                        e.Timestamp, window);
                    if (variant is not null)
                    {
                        var revenue = (double)(e.Revenue ?? (e.Quantity ?? 1) * (e.Price ?? 0));
                        var tally = tallies[variant];
                        tally.Purchases++;
                        tally.Revenue += revenue;
                        tally.RevenueSquares += revenue * revenue;
                        if (e.TransactionId is { } order)
                        {
                            tally.Orders.Add(order);
                        }
                    }
                    break;
            }
        }

        return experiment.Variants.Select(v =>
        {
            var t = tallies[v.Name];
            return new VariantCounts(v.Name, impressions.GetValueOrDefault(v.Name), t.Clicks, t.Purchases, t.Revenue, t.RevenueSquares)
            {
                AddToCarts = t.AddToCarts,
                Orders = t.Orders.Count,
            };
        }).ToList();
    }

    private static string? Within((DateTimeOffset At, string Variant)? click, DateTimeOffset purchasedAt, TimeSpan window) =>
        click is { } c && purchasedAt - c.At <= window ? c.Variant : null;

    private sealed class Tally
    {
        public long Clicks { get; set; }

        public long AddToCarts { get; set; }

        public long Purchases { get; set; }

        public double Revenue { get; set; }

        public double RevenueSquares { get; set; }

        public HashSet<string> Orders { get; } = new(StringComparer.Ordinal);
    }
}
