using System.Globalization;

namespace SmartShop.Core.Experiments;

/// <summary>
/// What one variant earned: impressions served, clicks and purchases attributed to them, attributed revenue and the
/// sum of its squares per impression (for the revenue test; exact when an impression leads to at most one purchase).
/// </summary>
public sealed record VariantCounts(string Variant, long Impressions, long Clicks, long Purchases, double Revenue, double RevenueSquares)
{
    public long AddToCarts { get; init; }

    /// <summary>Orders (transaction ids) with at least one attributed item.</summary>
    public long Orders { get; init; }

    /// <summary>The same per shopper bucket (empty: unknown), for the delta-method tests.</summary>
    public IReadOnlyList<UnitCounts> Units { get; init; } = [];
}

/// <summary>One shopper bucket's impressions, clicks, purchases and revenue in one variant.</summary>
public sealed record UnitCounts(long Impressions, long Clicks, long Purchases, double Revenue);

/// <summary>A metric of a variant against the control's.</summary>
public sealed record MetricComparison(string Metric, double Control, double Variant, Difference Difference);

public sealed record VariantResult(
    string Variant,
    long Impressions,
    long Clicks,
    long Purchases,
    double Revenue,
    RateEstimate Ctr,
    RateEstimate Conversion,
    double RevenuePerMille,
    IReadOnlyList<MetricComparison> VersusControl)
{
    public long AddToCarts { get; init; }

    public long Orders { get; init; }
}

public sealed record ExperimentResult(string ExperimentId, string Control, IReadOnlyList<VariantResult> Variants, double SampleRatioPValue, bool SampleRatioMismatch, string Verdict);

/// <summary>Turns each variant's counts into rates, intervals, tests against the control and a plain-language verdict.</summary>
public static class ExperimentResults
{
    /// <summary>Significance of a difference.</summary>
    public const double Alpha = 0.05;

    /// <summary>A split this unlikely under the planned weights is broken (the usual SRM threshold).</summary>
    public const double SampleRatioAlpha = 0.001;

    public static ExperimentResult Analyse(Experiment experiment, IReadOnlyList<VariantCounts> counts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(counts);
        var byName = counts.ToDictionary(c => c.Variant, StringComparer.Ordinal);
        var ordered = experiment.Variants.Select(v => byName.GetValueOrDefault(v.Name) ?? new VariantCounts(v.Name, 0, 0, 0, 0, 0)).ToList();
        var control = ordered[0];
        var results = ordered.Select(c => new VariantResult(
            c.Variant, c.Impressions, c.Clicks, c.Purchases, c.Revenue,
            ExperimentStatistics.Rate(Math.Min(c.Clicks, c.Impressions), c.Impressions),
            ExperimentStatistics.Rate(Math.Min(c.Purchases, c.Impressions), c.Impressions),
            c.Impressions == 0 ? 0 : 1000 * c.Revenue / c.Impressions,
            ReferenceEquals(c, control) ? [] : Compare(control, c)) { AddToCarts = c.AddToCarts, Orders = c.Orders }).ToList();
        var srm = ExperimentStatistics.SampleRatioPValue(ordered.Select(c => c.Impressions).ToList(), experiment.Variants.Select(v => v.Weight).ToList());
        return new ExperimentResult(experiment.Id, control.Variant, results, srm, srm < SampleRatioAlpha, Verdict(experiment, results, srm, now));
    }

    private static List<MetricComparison> Compare(VariantCounts control, VariantCounts variant)
    {
        Difference ctr, conversion, revenue;
        if (control.Units.Count > 0 && variant.Units.Count > 0)
        {
            // Randomised by shopper: the clusters are the shopper buckets.
            Difference Ratio(Func<UnitCounts, double> numerator) => ExperimentStatistics.RatioDifference(
                control.Units.Select(u => (numerator(u), (double)u.Impressions)).ToList(), variant.Units.Select(u => (numerator(u), (double)u.Impressions)).ToList());
            ctr = Ratio(u => u.Clicks);
            conversion = Ratio(u => u.Purchases);
            revenue = Ratio(u => u.Revenue);
        }
        else
        {
            ctr = ExperimentStatistics.RateDifference(Math.Min(control.Clicks, control.Impressions), control.Impressions, Math.Min(variant.Clicks, variant.Impressions), variant.Impressions);
            conversion = ExperimentStatistics.RateDifference(Math.Min(control.Purchases, control.Impressions), control.Impressions, Math.Min(variant.Purchases, variant.Impressions), variant.Impressions);
            revenue = ExperimentStatistics.MeanDifference(control.Impressions, control.Revenue, control.RevenueSquares, variant.Impressions, variant.Revenue, variant.RevenueSquares);
        }
        return
        [
            new(Experiment.Ctr, Share(control.Clicks, control.Impressions), Share(variant.Clicks, variant.Impressions), ctr),
            new(Experiment.Conversion, Share(control.Purchases, control.Impressions), Share(variant.Purchases, variant.Impressions), conversion),
            // Per 1,000 impressions, as the metric is reported.
            new(Experiment.RevenuePerMille, 1000 * Share(control.Revenue, control.Impressions), 1000 * Share(variant.Revenue, variant.Impressions),
                revenue with { Value = 1000 * revenue.Value, CiLow = 1000 * revenue.CiLow, CiHigh = 1000 * revenue.CiHigh }),
        ];
    }

    private static double Share(double part, long whole) => whole == 0 ? 0 : part / whole;

    private static string Verdict(Experiment experiment, List<VariantResult> results, double srm, DateTimeOffset now)
    {
        var time = Schedule(experiment, now);
        if (srm < SampleRatioAlpha)
        {
            return Invariant($"Sample ratio mismatch ({P(srm)}): the variants did not get their planned shares of traffic, so no comparison can be trusted until the split is fixed; {time}.");
        }
        var control = results[0].Variant;
        var sentences = new List<string>();
        foreach (var variant in results.Skip(1))
        {
            var primary = variant.VersusControl.Single(c => c.Metric == experiment.PrimaryMetric);
            var d = primary.Difference;
            var sentence = d.PValue < Alpha
                ? Invariant($"{variant.Variant} {(d.Value > 0 ? "beats" : "loses to")} {control} on {Name(primary.Metric)} by {Amount(primary.Metric, Math.Abs(d.Value))}, 95 % CI {Range(primary.Metric, d)} ({P(d.PValue)})")
                : Invariant($"no significant difference between {variant.Variant} and {control} on {Name(primary.Metric)} yet ({Amount(primary.Metric, d.Value, signed: true)}, 95 % CI {Range(primary.Metric, d)}, {P(d.PValue)})");
            var losses = variant.VersusControl.Where(c => experiment.Guardrails.Contains(c.Metric) && c.Difference.PValue < Alpha && c.Difference.Value < 0).ToList();
            if (losses.Count > 0)
            {
                sentence += ", but it loses on " + string.Join(" and ", losses.Select(l => Invariant($"{Name(l.Metric)} by {Amount(l.Metric, -l.Difference.Value)}")));
            }
            sentences.Add(sentence);
        }
        var text = string.Join("; ", sentences);
        return char.ToUpperInvariant(text[0]) + text[1..] + "; " + time + ".";
    }

    private static string Schedule(Experiment experiment, DateTimeOffset now)
    {
        if (experiment.EndsAt is { } end && now >= end)
        {
            return Invariant($"finished after {(end - experiment.StartsAt).TotalDays:0.#} days");
        }
        return experiment.StopsAt is { } stops
            ? Invariant($"keep running: {Math.Ceiling((stops - now).TotalDays):0} days left of the planned {(stops - experiment.StartsAt).TotalDays:0.#}")
            : "keep running: no stop date is planned";
    }

    private static string Name(string metric) => metric switch
    {
        Experiment.Ctr => "CTR",
        Experiment.Conversion => "conversion",
        _ => "revenue per 1,000 impressions",
    };

    // Rates are told in percentage points, revenue per mille in the shop's currency units.
    private static string Amount(string metric, double value, bool signed = false) => metric == Experiment.RevenuePerMille
        ? Invariant($"{(signed && value > 0 ? "+" : "")}{value:0.00}")
        : Invariant($"{(signed && value > 0 ? "+" : "")}{100 * value:0.0#} points");

    private static string Range(string metric, Difference d) => d is not { CiLow: { } low, CiHigh: { } high }
        ? "none yet"
        : metric == Experiment.RevenuePerMille
            ? Invariant($"{low:0.00} to {high:0.00}")
            : Invariant($"{100 * low:0.0#} to {100 * high:0.0#} points");

    private static string P(double p) => p < 0.0001 ? "p < 0.0001" : Invariant($"p = {p:0.####}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
