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

    // How a segment differs from others with the same persona: feature → (word when higher, tip; word when lower, tip).
    private static readonly (string Feature, string High, string HighTip, string Low, string LowTip)[] Qualifiers =
    [
        (N.AverageBasketValue, "bulk buyers", "Offer volume pricing and bundles sized to their baskets.", "small baskets", "Nudge basket size: free-shipping threshold and add-on suggestions."),
        (N.Frequency, "frequent", "Make reordering effortless: reorder reminders and subscriptions.", "infrequent", "Give them a reason to come back sooner: timed reminders of what they buy."),
        (N.Monetary, "high spend", "Protect the relationship: service first, no blanket discounts.", "low spend", "Grow spend with cross-sell of adjacent categories."),
        (N.RecencyDays, "lapsing", "Reach out before they go: a personal win-back message.", "recent", "Follow up while they are engaged: recommendations from their last order."),
        (N.TenureDays, "long-standing", "Recognise their loyalty: anniversary thanks and early access.", "newer", "Onboard into habits: a welcome series and a second-purchase offer."),
        (N.DistinctProducts, "broad range", "Show them new ranges first.", "narrow range", "Widen their range: recommendations next to their favourites."),
        (N.PageViews, "heavy browsers", "Convert their browsing: reminders of viewed products.", "light browsers", "Bring them to the site: email the products they are likely to want."),
        (N.ViewToPurchaseRate, "decisive", "Keep the path short: one-click reorder and saved baskets.", "hesitant", "Reassure them: reviews, returns policy and social proof."),
    ];

    /// <summary>
    /// Personas for all segments. Segments that share a persona are told apart by what differs most between them: the
    /// feature on which each is furthest from the others of its persona names it ("Champions — bulk buyers" against
    /// "Champions — frequent") and adds a tip to the strategy; a number is the last resort for segments that differ on
    /// none of the described features.
    /// </summary>
    public static IReadOnlyList<Persona> AssignAll(IReadOnlyList<IReadOnlyDictionary<string, double>> centroidsZ)
    {
        ArgumentNullException.ThrowIfNull(centroidsZ);
        var personas = centroidsZ.Select(Assign).ToArray();
        foreach (var group in Enumerable.Range(0, personas.Length).GroupBy(i => personas[i].Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var members = group.ToList();
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var i in members)
            {
                var others = members.Where(j => j != i).ToList();
                var qualifier = Qualifiers
                    .Where(q => centroidsZ[i].ContainsKey(q.Feature) && others.All(j => centroidsZ[j].ContainsKey(q.Feature)))
                    .Select(q => (q, Gap: centroidsZ[i][q.Feature] - others.Average(j => centroidsZ[j][q.Feature])))
                    .Where(c => Math.Abs(c.Gap) >= 0.1)
                    .OrderByDescending(c => Math.Abs(c.Gap))
                    .Select(c => c.Gap > 0 ? (Word: c.q.High, Tip: c.q.HighTip) : (Word: c.q.Low, Tip: c.q.LowTip))
                    .FirstOrDefault(c => !used.Contains(c.Word));
                var persona = personas[i];
                personas[i] = qualifier.Word is { } word && used.Add(word)
                    ? persona with { Name = $"{persona.Name} — {word}", Strategy = $"{persona.Strategy} {qualifier.Tip}" }
                    : persona with { Name = $"{persona.Name} {members.IndexOf(i) + 1}" };
            }
        }
        return personas;
    }

    private sealed class Profile(IReadOnlyDictionary<string, double> z)
    {
        public bool Ge(string feature, double threshold) => z.TryGetValue(feature, out var v) && v >= threshold;

        public bool Le(string feature, double threshold) => z.TryGetValue(feature, out var v) && v <= threshold;
    }
}
