using System.Globalization;
using System.IO.Compression;
using System.Text;
using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

/// <summary>
/// Training inputs cut from the bundled sample: a quarter of its customers (fast to train), and a "worse" copy whose
/// purchases before the hold-out have their product codes permuted (same dates, same hold-out, no usable history).
/// </summary>
internal static class TrainingFiles
{
    private static readonly Lazy<IReadOnlyList<Transaction>> Subset = new(() =>
    {
        var rows = new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset }).ReadAll(TestData.OnlineRetailSample).Rows;
        // Every fourth customer (by id), anonymous rows dropped: ~200 customers, a few thousand purchases.
        return rows.Where(t => t.CustomerId is { } id && long.Parse(id, CultureInfo.InvariantCulture) % 4 == 0).ToList();
    });

    /// <summary>Recipes that train in about a second: item-kNN, no ALS, the weighted blend instead of LightGBM rankers.</summary>
    public static TrainingRecipes FastRecipes { get; } = new()
    {
        Recommender = new RecommenderOptions { Als = null, MaxEaseItems = 0, RankerLabelWindowsDays = [], MaxDegreeOfParallelism = 2 },
        Segmentation = new SegmentationOptions { MaxK = 4, Restarts = 1, FinalRestarts = 2, StabilityRuns = 1 },
    };

    public static IReadOnlyList<Transaction> Transactions => Subset.Value;

    /// <summary>The subset as a gzip-compressed CSV.</summary>
    public static byte[] Good() => Gzip(Csv(Subset.Value));

    /// <summary>The subset, minus its first <paramref name="skip"/> rows: different bytes, nearly the same data.</summary>
    public static byte[] GoodVariant(int skip) => Gzip(Csv(Subset.Value.Skip(skip)));

    /// <summary>Before the 30-day hold-out every product code is replaced by another one (seeded permutation).</summary>
    public static byte[] Worse()
    {
        var rows = Subset.Value;
        var cutoff = rows.Max(t => t.InvoiceDate).AddDays(-30);
        var codes = rows.Select(t => t.StockCode).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var shuffled = codes.ToArray();
        new Random(11).Shuffle(shuffled);
        var map = codes.Zip(shuffled).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        return Gzip(Csv(rows.Select(t => t.InvoiceDate < cutoff ? t with { StockCode = map[t.StockCode] } : t)));
    }

    public static string Csv(IEnumerable<Transaction> rows)
    {
        var text = new StringBuilder(TestData.Header).Append('\n');
        foreach (var t in rows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{t.InvoiceNo},{t.StockCode},\"{t.Description.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{t.Quantity},{t.InvoiceDate:yyyy-MM-dd HH:mm:ss},{t.UnitPrice},{t.CustomerId},{t.Country}\n");
        }
        return text.ToString();
    }

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return buffer.ToArray();
    }
}
