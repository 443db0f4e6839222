using System.Text.RegularExpressions;

namespace SmartShop.Core.Data;

/// <summary>One invoice line in the Online Retail schema, after parsing and normalisation.</summary>
/// <param name="StockCode">Upper-cased and trimmed.</param>
/// <param name="CustomerId">Integer id as text ("17850.0" becomes "17850"); null for anonymous rows.</param>
public sealed partial record Transaction(
    string InvoiceNo,
    string StockCode,
    string Description,
    int Quantity,
    DateTime InvoiceDate,
    decimal UnitPrice,
    string? CustomerId,
    string Country)
{
    /// <summary>Cancellations start with C; A marks bad-debt adjustments. Neither is a purchase.</summary>
    public bool IsCancellation => InvoiceNo.StartsWith('C') || InvoiceNo.StartsWith('A');

    /// <summary>Product codes are five digits with an optional one- or two-letter variant; POST, DOT, M... are not products.</summary>
    public bool IsProduct => ProductCodePattern().IsMatch(StockCode);

    /// <summary>The evaluation protocol's definition of a clean purchase (same rules as the shared referee).</summary>
    public bool IsCleanPurchase =>
        CustomerId is not null && !IsCancellation && Quantity > 0 && UnitPrice > 0 && IsProduct;

    public decimal LineTotal => Quantity * UnitPrice;

    [GeneratedRegex(@"^\d{5}[A-Z]{0,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProductCodePattern();
}
