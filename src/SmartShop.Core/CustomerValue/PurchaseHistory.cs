using SmartShop.Core.Data;

namespace SmartShop.Core.CustomerValue;

/// <summary>
/// One customer's purchase history in the form the buy-till-you-die models read: <see cref="Frequency"/> repeat
/// purchase days (purchase days after the first), <see cref="Recency"/> days from the first to the last purchase day,
/// <see cref="Age"/> days from the first purchase day to the end of the observation, and
/// <see cref="MeanRepeatValue"/> the mean spend of the repeat purchase days (0 without any).
/// </summary>
public sealed record PurchaseHistory(string Customer, int Frequency, double Recency, double Age, double MeanRepeatValue, double TotalSpend);

public static class PurchaseHistories
{
    /// <summary>
    /// Each customer's history up to <paramref name="end"/> (exclusive) from transaction lines: purchases are the
    /// positive lines of non-cancelled orders, grouped per calendar day (several orders on one day are one purchase).
    /// </summary>
    public static IReadOnlyList<PurchaseHistory> From(IEnumerable<Transaction> rows, DateTime end)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var days = new Dictionary<string, SortedDictionary<DateOnly, double>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.CustomerId is not { } customer || row.IsCancellation || row.Quantity <= 0 || row.UnitPrice <= 0 || row.InvoiceDate >= end)
            {
                continue;
            }
            var perDay = days.TryGetValue(customer, out var d) ? d : days[customer] = [];
            var day = DateOnly.FromDateTime(row.InvoiceDate);
            perDay[day] = perDay.GetValueOrDefault(day) + (double)(row.Quantity * row.UnitPrice);
        }
        var last = DateOnly.FromDateTime(end.AddTicks(-1));
        return days.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c =>
        {
            var first = c.Value.Keys.First();
            var latest = c.Value.Keys.Last();
            var repeats = c.Value.Skip(1).Select(p => p.Value).ToList();
            return new PurchaseHistory(c.Key, repeats.Count, latest.DayNumber - first.DayNumber, last.DayNumber - first.DayNumber + 1,
                repeats.Count == 0 ? 0 : repeats.Average(), c.Value.Values.Sum());
        }).ToList();
    }

    /// <summary>Each customer's spend in [<paramref name="from"/>, <paramref name="to"/>), for checking predictions.</summary>
    public static IReadOnlyDictionary<string, double> SpendBetween(IEnumerable<Transaction> rows, DateTime from, DateTime to)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var spend = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.CustomerId is { } customer && !row.IsCancellation && row.Quantity > 0 && row.UnitPrice > 0 && row.InvoiceDate >= from && row.InvoiceDate < to)
            {
                spend[customer] = spend.GetValueOrDefault(customer) + (double)(row.Quantity * row.UnitPrice);
            }
        }
        return spend;
    }
}
