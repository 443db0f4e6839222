namespace SmartShop.Core.Synthetic;

/// <summary>What one generation run wrote; the dirt counts let a loader's data-quality report be checked exactly.</summary>
public sealed record SyntheticRetailSummary
{
    public int Customers { get; init; }

    public int Products { get; init; }

    public int Bundles { get; init; }

    public long Sessions { get; init; }

    /// <summary>Lines of events.jsonl.</summary>
    public long Events { get; init; }

    /// <summary>Data rows of events-retailrocket.csv (RetailRocket has no remove-from-cart event).</summary>
    public long RetailRocketRows { get; init; }

    /// <summary>Purchase invoices (cancellation invoices not included).</summary>
    public long Invoices { get; init; }

    public long Cancellations { get; init; }

    /// <summary>Data rows of transactions.csv, dirt included.</summary>
    public long TransactionRows { get; init; }

    public long AnonymousRows { get; init; }

    public long PostageRows { get; init; }

    public long ZeroPriceRows { get; init; }

    /// <summary>Rows a loader must reject: a quantity, price or date that does not parse.</summary>
    public long MalformedRows { get; init; }
}

/// <summary>Where each generated file goes. The caller owns (and disposes) the streams.</summary>
public sealed record SyntheticRetailStreams(Stream Catalogue, Stream Transactions, Stream Events, Stream RetailRocketEvents, Stream GroundTruth);
