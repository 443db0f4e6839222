using N = SmartShop.Core.Segmentation.CustomerFeatureNames;

namespace SmartShop.Core.Segmentation;

public sealed record Persona(string Name, string Strategy, string Rule);

/// <summary>
/// Names a segment from its centroid profile in z-units (0 = population average, ±1 = one standard deviation;
/// recency is days since the last purchase, so negative means recent). The first matching rule wins; a rule
/// whose features are absent does not match. docs/segmentation.md lists the same table.
/// </summary>
public static class PersonaRules
{
    public const double High = 0.5;

    private static readonly (string Name, string Rule, Func<Profile, bool> Matches, string Strategy)[] Rules =
    [
        ("Window shoppers", "page_views ≥ +0.5 and view_to_purchase_rate ≤ −0.5",
            p => p.Ge(N.PageViews, High) && p.Le(N.ViewToPurchaseRate, -High),
            "Convert browsing into purchases: cart-abandonment reminders, first-order incentives, social proof on viewed products."),
        ("Champions", "recency ≤ −0.5 and frequency ≥ +0.5 and monetary ≥ +0.5",
            p => p.Le(N.RecencyDays, -High) && p.Ge(N.Frequency, High) && p.Ge(N.Monetary, High),
            "Reward and retain: VIP tier, early access to new ranges, referral programme; avoid discounting."),
        ("At risk", "recency ≥ +0.5 and (frequency ≥ +0.3 or monetary ≥ +0.3)",
            p => p.Ge(N.RecencyDays, High) && (p.Ge(N.Frequency, 0.3) || p.Ge(N.Monetary, 0.3)),
            "Win back valuable customers who went quiet: personal outreach, tailored offers on their usual products."),
        ("New", "tenure ≤ −0.5 and recency ≤ 0 and frequency ≤ 0",
            p => p.Le(N.TenureDays, -High) && p.Le(N.RecencyDays, 0) && p.Le(N.Frequency, 0),
            "Onboard: welcome series, second-purchase incentive, recommendations from the first basket."),
        ("Loyal", "frequency ≥ +0.3 and recency ≤ 0",
            p => p.Ge(N.Frequency, 0.3) && p.Le(N.RecencyDays, 0),
            "Deepen the relationship: loyalty points, cross-sell adjacent categories, subscription or reorder reminders."),
        ("Big spenders", "monetary ≥ +0.5 or avg_basket_value ≥ +0.8",
            p => p.Ge(N.Monetary, High) || p.Ge(N.AverageBasketValue, 0.8),
            "Increase visit frequency: premium bundles, volume pricing, reminders timed to their order cycle."),
        ("Hibernating", "recency ≥ +0.5",
            p => p.Ge(N.RecencyDays, High),
            "Low-cost reactivation: seasonal campaigns and clearance offers; suppress from expensive channels."),
        ("About to sleep", "recency ≥ 0 and frequency ≤ −0.3 and monetary ≤ −0.3",
            p => p.Ge(N.RecencyDays, 0) && p.Le(N.Frequency, -0.3) && p.Le(N.Monetary, -0.3),
            "Re-engage before they lapse: limited-time offers on bestsellers, reminders of past purchases."),
        ("Occasional", "recency ≤ 0 (otherwise unremarkable)",
            p => p.Le(N.RecencyDays, 0),
            "Nudge towards habit: timely reminders, free-shipping threshold just above their usual basket."),
    ];

    private static readonly Persona Fallback = new(
        "Average customers",
        "Test broad campaigns and watch for movement into the more valuable segments.",
        "no rule matched");

    /// <summary>The rules in evaluation order (name and condition), for documentation and reports.</summary>
    public static IReadOnlyList<(string Name, string Rule)> Table => Rules.Select(r => (r.Name, r.Rule)).ToList();

    /// <summary>Persona of one centroid given as feature name → z-value.</summary>
    public static Persona Assign(IReadOnlyDictionary<string, double> centroidZ)
    {
        ArgumentNullException.ThrowIfNull(centroidZ);
        var profile = new Profile(centroidZ);
        foreach (var rule in Rules)
        {
            if (rule.Matches(profile))
            {
                return new Persona(rule.Name, rule.Strategy, rule.Rule);
            }
        }

        return Fallback;
    }

    /// <summary>Personas for all segments; repeated names get a " 2", " 3" suffix in segment order so names stay unique.</summary>
    public static IReadOnlyList<Persona> AssignAll(IReadOnlyList<IReadOnlyDictionary<string, double>> centroidsZ)
    {
        ArgumentNullException.ThrowIfNull(centroidsZ);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<Persona>(centroidsZ.Count);
        foreach (var centroid in centroidsZ)
        {
            var persona = Assign(centroid);
            var count = seen.GetValueOrDefault(persona.Name) + 1;
            seen[persona.Name] = count;
            result.Add(count == 1 ? persona : persona with { Name = $"{persona.Name} {count}" });
        }

        return result;
    }

    private sealed class Profile(IReadOnlyDictionary<string, double> z)
    {
        public bool Ge(string feature, double threshold) => z.TryGetValue(feature, out var v) && v >= threshold;

        public bool Le(string feature, double threshold) => z.TryGetValue(feature, out var v) && v <= threshold;
    }
}
