namespace SmartShop.Core.Data;

/// <summary>Header names of the transaction columns; defaults are the Online Retail schema.</summary>
public sealed record TransactionColumns
{
    public string InvoiceNo { get; init; } = "InvoiceNo";
    public string StockCode { get; init; } = "StockCode";
    public string Description { get; init; } = "Description";
    public string Quantity { get; init; } = "Quantity";
    public string InvoiceDate { get; init; } = "InvoiceDate";
    public string UnitPrice { get; init; } = "UnitPrice";
    public string CustomerId { get; init; } = "CustomerID";
    public string Country { get; init; } = "Country";

    /// <summary>Applies <c>Field=Header</c> mappings (e.g. <c>CustomerId=Customer ID</c>) to the default names.</summary>
    /// <exception cref="ArgumentException">A mapping is not Field=Header or names an unknown field.</exception>
    public static TransactionColumns FromMappings(IEnumerable<string> mappings)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        var columns = new TransactionColumns();
        foreach (var pair in mappings)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || at == pair.Length - 1)
            {
                throw new ArgumentException($"A column mapping is Field=Header, not '{pair}'.", nameof(mappings));
            }

            var header = pair[(at + 1)..];
            columns = pair[..at].ToLowerInvariant() switch
            {
                "invoiceno" => columns with { InvoiceNo = header },
                "stockcode" => columns with { StockCode = header },
                "description" => columns with { Description = header },
                "quantity" => columns with { Quantity = header },
                "invoicedate" => columns with { InvoiceDate = header },
                "unitprice" => columns with { UnitPrice = header },
                "customerid" => columns with { CustomerId = header },
                "country" => columns with { Country = header },
                _ => throw new ArgumentException($"Unknown column mapping field '{pair[..at]}' (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerId, Country).", nameof(mappings)),
            };
        }

        return columns;
    }
}

public sealed record TransactionCsvOptions
{
    public string Delimiter { get; init; } = ",";
    public TransactionColumns Columns { get; init; } = new();

    /// <summary>A file with more malformed rows than this share is rejected as a whole.</summary>
    public double MaxMalformedRatio { get; init; } = 0.10;

    /// <summary>How many malformed rows are reported with their line numbers.</summary>
    public int MaxReportedRows { get; init; } = 5;

    /// <summary>Longest accepted field, in characters: protects memory and logs from hostile files.</summary>
    public int MaxFieldLength { get; init; } = 1_000;

    /// <summary>Upper bound on data rows read from one file.</summary>
    public long MaxRows { get; init; } = 50_000_000;
}
