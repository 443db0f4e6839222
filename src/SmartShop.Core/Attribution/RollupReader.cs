using SmartShop.Core.Storage;

namespace SmartShop.Core.Attribution;

/// <summary>The rollup rows of a span of days, from the document store's day partitions (one read per day).</summary>
public sealed class RollupReader(IDocumentLogStore store)
{
    /// <summary>The most days one read covers.</summary>
    public const int MaxDays = 92;

    /// <summary>Rows for each day of [<paramref name="from"/>, <paramref name="to"/>], at most <see cref="MaxDays"/>.</summary>
    public async Task<IReadOnlyList<RollupRow>> ReadAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        if (to < from || to.DayNumber - from.DayNumber >= MaxDays)
        {
            throw new ArgumentException($"A rollup read covers 1 to {MaxDays} days, from a day to a later or the same day.");
        }
        var days = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        var read = new AttributionDay[days.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, days.Count), parallel, async (i, token) =>
            read[i] = await store.ReadAttributionDayAsync(days[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        // An event belongs to one day (its timestamp's), so de-duplicating per day is de-duplicating overall.
        return read.SelectMany(day => Rollup.Build(day.Facts, day.Impressions)).ToList();
    }

    /// <summary>The rows of the span (only the route's when <paramref name="endpoint"/> is given) with their totals.</summary>
    public async Task<PerformanceView> ReadViewAsync(DateOnly from, DateOnly to, string? endpoint = null, CancellationToken cancellationToken = default)
    {
        var rows = Rollup.WithoutUnits((await ReadAsync(from, to, cancellationToken).ConfigureAwait(false)).Where(r => endpoint is null || r.Key.Endpoint == endpoint)).ToList();
        return new PerformanceView(from, to, rows, RollupTotals.Of(rows));
    }
}

/// <summary>What a span of rows adds up to; the rates are per impression (0 without impressions).</summary>
public sealed record RollupTotals(
    long Impressions, long Clicks, long AddToCarts, long Purchases, double Revenue, long AssistedViews, long AssistedPurchases, double AssistedRevenue,
    double Ctr, double Conversion, double RevenuePerMille)
{
    public static RollupTotals Of(IReadOnlyCollection<RollupRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var impressions = rows.Sum(r => r.Impressions);
        double Per(double value) => impressions == 0 ? 0 : value / impressions;
        var clicks = rows.Sum(r => r.Clicks);
        var purchases = rows.Sum(r => r.Purchases);
        var revenue = rows.Sum(r => r.Revenue);
        return new RollupTotals(impressions, clicks, rows.Sum(r => r.AddToCarts), purchases, revenue,
            rows.Sum(r => r.AssistedViews), rows.Sum(r => r.AssistedPurchases), rows.Sum(r => r.AssistedRevenue),
            Per(clicks), Per(purchases), 1000 * Per(revenue));
    }
}

/// <summary>The rollup rows of [<paramref name="From"/>, <paramref name="To"/>] and their totals.</summary>
public sealed record PerformanceView(DateOnly From, DateOnly To, IReadOnlyList<RollupRow> Rows, RollupTotals Totals);
