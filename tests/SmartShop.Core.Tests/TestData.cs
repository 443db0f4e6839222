namespace SmartShop.Core.Tests;

/// <summary>Paths and builders for test inputs; the bundled sample is copied next to the test assembly.</summary>
internal static class TestData
{
    public static string OnlineRetailSample { get; } =
        Path.Combine(AppContext.BaseDirectory, "samples", "online-retail-sample.csv.gz");

    public const string Header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

    public static StringReader Csv(params string[] rows) => new(string.Join('\n', rows));
}
