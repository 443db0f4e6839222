using SmartShop.Core.Data;

namespace SmartShop.Core.Segmentation;

/// <summary>Options of <see cref="TransactionFeatureBuilder"/>.</summary>
public sealed record TransactionFeatureOptions
{
    /// <summary>Reference date for recency and tenure; default: the day after the last invoice (any row before the cutoff).</summary>
    public DateTime? AnalysisDate { get; init; }

    /// <summary>
    /// When set, only rows before this instant build the features; clean purchases from it on are summed per
    /// customer as the holdout spend (used to check that segments rank future value).
    /// </summary>
    public DateTime? TrainBefore { get; init; }
}

/// <summary>What the transaction rows contained and how many of them were used.</summary>
public sealed record TransactionInputSummary(
    long Rows,
    long CleanPurchaseRows,
    long ReturnRows,
    long RowsWithoutCustomer,
    int Customers,
    int CustomersWithOnlyReturns,
    DateTime? FirstInvoice,
    DateTime? LastInvoice,
    DateTime AnalysisDate,
    long HoldoutRows);

public sealed record TransactionFeatures(
    CustomerFeatureTable Features,
    TransactionInputSummary Summary,
    IReadOnlyDictionary<string, double> HoldoutSpend);

/// <summary>
/// RFM and basket features per customer from transactions. Purchases are the referee's clean purchases
/// (<see cref="Transaction.IsCleanPurchase"/>); returns are cancelled product rows with a customer,
/// subtracted from monetary. Customers need at least one clean purchase to be scored.
/// </summary>
public static class TransactionFeatureBuilder
{
    public static IReadOnlyList<string> FeatureNames { get; } =
    [
        CustomerFeatureNames.RecencyDays,
        CustomerFeatureNames.Frequency,
        CustomerFeatureNames.Monetary,
        CustomerFeatureNames.TenureDays,
        CustomerFeatureNames.AverageBasketValue,
        CustomerFeatureNames.DistinctProducts,
    ];

    public static TransactionFeatures Build(IEnumerable<Transaction> transactions, TransactionFeatureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        options ??= new TransactionFeatureOptions();
        var accumulators = new Dictionary<string, CustomerAccumulator>(StringComparer.Ordinal);
        var holdout = new Dictionary<string, double>(StringComparer.Ordinal);
        long rows = 0, clean = 0, returns = 0, noCustomer = 0, holdoutRows = 0;
        DateTime? first = null, last = null;

        foreach (var t in transactions)
        {
            rows++;
            if (options.TrainBefore is null || t.InvoiceDate < options.TrainBefore)
            {
                first = first is null || t.InvoiceDate < first ? t.InvoiceDate : first;
                last = last is null || t.InvoiceDate > last ? t.InvoiceDate : last;
            }

            if (t.CustomerId is null)
            {
                noCustomer++;
                continue;
            }

            if (options.TrainBefore is { } cutoff && t.InvoiceDate >= cutoff)
            {
                if (t.IsCleanPurchase)
                {
                    holdoutRows++;
                    holdout[t.CustomerId] = holdout.GetValueOrDefault(t.CustomerId) + (double)(t.Quantity * t.UnitPrice);
                }

                continue;
            }

            var isReturn = t.IsReturn;
            if (!t.IsCleanPurchase && !isReturn)
            {
                continue;
            }

            if (!accumulators.TryGetValue(t.CustomerId, out var acc))
            {
                acc = new CustomerAccumulator();
                accumulators.Add(t.CustomerId, acc);
            }

            var value = (double)(t.Quantity * t.UnitPrice);
            if (isReturn)
            {
                returns++;
                acc.Returns += value;
                continue;
            }

            clean++;
            acc.Gross += value;
            acc.Invoices.Add(t.InvoiceNo);
            acc.Products.Add(t.StockCode);
            if (acc.First is null || t.InvoiceDate < acc.First)
            {
                acc.First = t.InvoiceDate;
            }

            if (acc.Last is null || t.InvoiceDate > acc.Last)
            {
                acc.Last = t.InvoiceDate;
            }
        }

        var analysisDate = options.AnalysisDate ?? (last?.Date.AddDays(1) ?? DateTime.UnixEpoch);
        var buyers = accumulators.Where(p => p.Value.Invoices.Count > 0).OrderBy(p => p.Key, CustomerIdComparer.Instance).ToList();
        var width = FeatureNames.Count;
        var values = new double[buyers.Count * width];
        for (var i = 0; i < buyers.Count; i++)
        {
            var acc = buyers[i].Value;
            var row = values.AsSpan(i * width, width);
            row[0] = Math.Max(0, (analysisDate.Date - acc.Last!.Value.Date).Days);
            row[1] = acc.Invoices.Count;
            row[2] = acc.Gross + acc.Returns;
            row[3] = Math.Max(0, (analysisDate.Date - acc.First!.Value.Date).Days);
            row[4] = acc.Gross / acc.Invoices.Count;
            row[5] = acc.Products.Count;
        }

        var summary = new TransactionInputSummary(
            rows, clean, returns, noCustomer, buyers.Count, accumulators.Count - buyers.Count, first, last, analysisDate, holdoutRows);
        var table = new CustomerFeatureTable(buyers.Select(p => p.Key).ToList(), FeatureNames, values);
        return new TransactionFeatures(table, summary, holdout);
    }

    private sealed class CustomerAccumulator
    {
        public double Gross { get; set; }

        public double Returns { get; set; }

        public HashSet<string> Invoices { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Products { get; } = new(StringComparer.Ordinal);

        public DateTime? First { get; set; }

        public DateTime? Last { get; set; }
    }
}
