namespace SmartShop.Core.Data;

/// <summary>One order line as <see cref="TransactionCsvReader"/> keeps it: a purchase or a return of merchandise.</summary>
/// <param name="InvoiceNo">The order (basket) id as written.</param>
/// <param name="StockCode">The item id: opaque, compared ordinally (upper-cased only when the rules say so).</param>
/// <param name="CustomerId">Opaque id ("17850.0" becomes "17850"); null for anonymous rows.</param>
public sealed record Transaction(
    string InvoiceNo,
    string StockCode,
    string Description,
    int Quantity,
    DateTime InvoiceDate,
    decimal UnitPrice,
    string? CustomerId,
    string Country)
{
    /// <summary>The line belongs to a cancelled order (the rules' invoice pattern, else a negative quantity): never a purchase.</summary>
    public bool IsCancellation { get; init; }

    /// <summary>A return of merchandise: a cancelled line with a negative quantity.</summary>
    public bool IsReturn => IsCancellation && Quantity < 0;

    /// <summary>A purchase by a known customer: not cancelled, positive quantity and price.</summary>
    public bool IsCleanPurchase =>
        CustomerId is not null && !IsCancellation && Quantity > 0 && UnitPrice > 0;

    public decimal LineTotal => Quantity * UnitPrice;
}
