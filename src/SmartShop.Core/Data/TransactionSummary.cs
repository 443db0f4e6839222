namespace SmartShop.Core.Data;

public sealed record ProductPopularity(string StockCode, string Description, int Customers);

/// <summary>Headline counts of a transaction set, as the demo and data checks report them.</summary>
public sealed record TransactionSummary(
    long CleanPurchases,
    int Customers,
    int Products,
    int Invoices,
    long Cancellations,
    long AnonymousRows,
    DateTime First,
    DateTime Last,
    IReadOnlyList<ProductPopularity> TopProducts)
{
    public static TransactionSummary Compute(IEnumerable<Transaction> rows, int topProducts = 5)
    {
        ArgumentNullException.ThrowIfNull(rows);
        long total = 0, clean = 0, cancellations = 0, anonymous = 0;
        var first = DateTime.MaxValue;
        var last = DateTime.MinValue;
        var customers = new HashSet<string>(StringComparer.Ordinal);
        var invoices = new HashSet<string>(StringComparer.Ordinal);
        var buyersByProduct = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var row in rows)
        {
            total++;
            first = row.InvoiceDate < first ? row.InvoiceDate : first;
            last = row.InvoiceDate > last ? row.InvoiceDate : last;
            if (row.CustomerId is null)
            {
                anonymous++;
            }
            if (row.IsCancellation)
            {
                cancellations++;
            }
            if (!row.IsCleanPurchase)
            {
                continue;
            }
            clean++;
            customers.Add(row.CustomerId!);
            invoices.Add(row.InvoiceNo);
            if (!buyersByProduct.TryGetValue(row.StockCode, out var buyers))
            {
                buyersByProduct[row.StockCode] = buyers = new HashSet<string>(StringComparer.Ordinal);
            }
            buyers.Add(row.CustomerId!);
            descriptions.TryAdd(row.StockCode, row.Description);
        }

        var top = buyersByProduct
            .OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(topProducts)
            .Select(p => new ProductPopularity(p.Key, descriptions[p.Key], p.Value.Count))
            .ToList();
        return new TransactionSummary(clean, customers.Count, buyersByProduct.Count, invoices.Count, cancellations, anonymous,
            total == 0 ? default : first, total == 0 ? default : last, top);
    }
}
