using SmartShop.Core.Attribution;

namespace SmartShop.Core.Experiments;

/// <summary>One variant's figures of one UTC day, for charts over time.</summary>
public sealed record VariantDay(DateOnly Day, string Variant, long Impressions, long Clicks, long Purchases, double Revenue);

/// <summary>An experiment's results over [<paramref name="From"/>, <paramref name="To"/>] (UTC days) and the same per day.</summary>
public sealed record ExperimentResultsView(ExperimentResult Results, DateOnly From, DateOnly To, IReadOnlyList<VariantDay> Daily);

/// <summary>
/// The results workflow: the rollup rows of the experiment's days (at most the last <see cref="RollupReader.MaxDays"/>,
/// plus the day after its end, for purchases made within the window after the last answer), its variants' rows summed,
/// then the statistics.
/// </summary>
public sealed class ExperimentReport(RollupReader rollups, TimeProvider timeProvider)
{
    public async Task<ExperimentResultsView> BuildAsync(Experiment experiment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var now = timeProvider.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var end = DateOnly.FromDateTime(experiment.EndedOrNow(now).UtcDateTime).AddDays(1);
        var to = end < today ? end : today;
        var start = DateOnly.FromDateTime(experiment.StartsAt.UtcDateTime);
        var from = start > to.AddDays(1 - RollupReader.MaxDays) ? start : to.AddDays(1 - RollupReader.MaxDays);
        var rows = from > to ? [] : (await rollups.ReadAsync(from, to, cancellationToken).ConfigureAwait(false))
            .Where(r => r.Key.ExperimentId == experiment.Id && r.Key.Variant is not null)
            .ToList();
        var counts = experiment.Variants.Select(v =>
        {
            var of = rows.Where(r => r.Key.Variant == v.Name).ToList();
            return new VariantCounts(v.Name, of.Sum(r => r.Impressions), of.Sum(r => r.Clicks), of.Sum(r => r.Purchases), of.Sum(r => r.Revenue), of.Sum(r => r.RevenueSquares))
            {
                AddToCarts = of.Sum(r => r.AddToCarts),
                Orders = of.Sum(r => r.Orders),
                Units = of.Where(r => r.Key.Unit is not null).GroupBy(r => r.Key.Unit).OrderBy(g => g.Key)
                    .Select(g => new UnitCounts(g.Sum(r => r.Impressions), g.Sum(r => r.Clicks), g.Sum(r => r.Purchases), g.Sum(r => r.Revenue))).ToList(),
            };
        }).ToList();
        var daily = rows
            .GroupBy(r => (r.Key.Day, Variant: r.Key.Variant!))
            .OrderBy(g => g.Key.Day).ThenBy(g => g.Key.Variant, StringComparer.Ordinal)
            .Select(g => new VariantDay(g.Key.Day, g.Key.Variant, g.Sum(r => r.Impressions), g.Sum(r => r.Clicks), g.Sum(r => r.Purchases), g.Sum(r => r.Revenue)))
            .ToList();
        return new ExperimentResultsView(ExperimentResults.Analyse(experiment, counts, now), from, to, daily);
    }
}
