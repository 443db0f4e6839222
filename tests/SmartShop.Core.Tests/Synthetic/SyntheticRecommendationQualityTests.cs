using System.Globalization;
using System.Text.Json;
using SmartShop.Core.Data;
using SmartShop.Core.Recommendations.Als;
using SmartShop.Core.Synthetic;
using Xunit.Abstractions;

namespace SmartShop.Core.Tests.Synthetic;

/// <summary>
/// ALS trained on the first nine weeks of generated purchases ranks each customer's purchases of new products in
/// the last three weeks well above a most-popular list, and its lists follow the planted category affinities.
/// </summary>
public sealed class SyntheticRecommendationQualityTests(ITestOutputHelper output)
{
    private const int ListLength = 10;

    [Fact]
    public void AlsBeatsPopularityOnHeldOutPurchasesAndFollowsPlantedAffinities()
    {
        var options = new SyntheticRetailOptions { Customers = 2_000, Products = 600, Days = 84, Seed = 99 };
        using var catalogue = new MemoryStream();
        using var transactions = new MemoryStream();
        using var groundTruth = new MemoryStream();
        SyntheticRetailGenerator.Generate(options, new SyntheticRetailStreams(catalogue, transactions, Stream.Null, Stream.Null, groundTruth));
        transactions.Position = 0;
        var cutoff = options.Start.AddDays(63).ToDateTime(TimeOnly.MinValue);
        var purchases = new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset }).Read(new StreamReader(transactions), new DataQualityReport())
            .Where(r => r.IsCleanPurchase)
            .ToList();
        var customers = purchases.Select(r => r.CustomerId!).Distinct().Order(StringComparer.Ordinal).ToList();
        var products = purchases.Select(r => r.StockCode).Distinct().Order(StringComparer.Ordinal).ToList();
        var customerIndex = customers.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var productIndex = products.Select((p, i) => (p, i)).ToDictionary(p => p.p, p => p.i);

        // Weight = number of invoices with the (customer, product) pair, before the cut-off.
        var builder = new CsrMatrixBuilder(customers.Count, products.Count);
        foreach (var pair in purchases.Where(r => r.InvoiceDate < cutoff).Select(r => (r.CustomerId!, r.StockCode, r.InvoiceNo)).Distinct())
        {
            builder.Add(customerIndex[pair.Item1], productIndex[pair.StockCode], 1);
        }
        var train = builder.Build();
        var model = new ImplicitAlsTrainer(new ImplicitAlsOptions { Factors = 32, Regularization = 5, Alpha = 1, Iterations = 15, Seed = 1, MaxDegreeOfParallelism = 1 }).Fit(train);

        var popular = Enumerable.Range(0, products.Count).OrderByDescending(train.Transpose().RowLength).ThenBy(i => i).ToList();
        var favourites = ReadFavouriteCategories(groundTruth.ToArray());
        var categoryOf = ReadCategories(catalogue.ToArray());
        double alsHits = 0, popularHits = 0, alsAffinity = 0, popularAffinity = 0;
        var evaluated = 0;
        foreach (var group in purchases.Where(r => r.InvoiceDate >= cutoff).GroupBy(r => customerIndex[r.CustomerId!]))
        {
            var user = group.Key;
            var seen = train.ColumnIndices[train.RowOffsets[user]..train.RowOffsets[user + 1]].ToArray();
            var truth = group.Select(r => productIndex[r.StockCode]).Where(i => Array.BinarySearch(seen, i) < 0).ToHashSet();
            if (seen.Length == 0 || truth.Count == 0)
            {
                continue;
            }
            var als = model.TopK(user, ListLength, seen).Select(s => s.Item).ToList();
            var baseline = popular.Where(i => Array.BinarySearch(seen, i) < 0).Take(ListLength).ToList();
            alsHits += (double)als.Count(truth.Contains) / Math.Min(ListLength, truth.Count);
            popularHits += (double)baseline.Count(truth.Contains) / Math.Min(ListLength, truth.Count);
            var liked = favourites[customers[user]];
            alsAffinity += als.Count(i => liked.Contains(categoryOf[products[i]])) / (double)ListLength;
            popularAffinity += baseline.Count(i => liked.Contains(categoryOf[products[i]])) / (double)ListLength;
            evaluated++;
        }

        var alsRecall = alsHits / evaluated;
        var popularRecall = popularHits / evaluated;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{evaluated} customers with new purchases in the last 3 weeks: recall@10 ALS {alsRecall:F3}, popularity {popularRecall:F3}; " +
            $"share of the list in the customer's 3 planted favourite categories: ALS {alsAffinity / evaluated:F3}, popularity {popularAffinity / evaluated:F3}"));
        evaluated.Should().BeGreaterThan(500);
        alsRecall.Should().BeGreaterThan(1.5 * popularRecall);
        (alsAffinity / evaluated).Should().BeGreaterThan(0.6).And.BeGreaterThan(2 * popularAffinity / evaluated);
    }

    /// <summary>Customer → the three categories with the largest planted affinity.</summary>
    private static Dictionary<string, HashSet<string>> ReadFavouriteCategories(byte[] groundTruth)
    {
        using var json = JsonDocument.Parse(groundTruth);
        return json.RootElement.GetProperty("customers").EnumerateArray().ToDictionary(
            c => c.GetProperty("customerId").GetString()!,
            c => c.GetProperty("affinities").EnumerateObject().OrderByDescending(a => a.Value.GetDouble()).Take(3).Select(a => a.Name).ToHashSet());
    }

    /// <summary>Product id → category, from catalogue.csv (titles and categories contain no commas).</summary>
    private static Dictionary<string, string> ReadCategories(byte[] catalogue) =>
        System.Text.Encoding.ASCII.GetString(catalogue).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(fields => fields[0], fields => fields[2]);
}
