using System.Globalization;
using System.Text;
using SmartShop.Core.Data;
using SmartShop.Core.Evaluation;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Data;

/// <summary>
/// The bundled sample with every customer and item id rewritten to an arbitrary string and written in another dialect
/// (semicolons, decimal commas, day-first dates, other header names, CRLF, a BOM): read back with the matching options
/// and without the Online Retail preset, it must give the same segments, the same recommendations and the same
/// evaluation as the original.
/// </summary>
public sealed class RelabelledShopTests
{
    private const string DateFormat = "dd.MM.yyyy HH:mm:ss";

    private static readonly Lazy<Shop> Data = new(Shop.Create);

    [Fact]
    public void TheRelabelledCopyReadsBackToTheSameRows()
    {
        var shop = Data.Value;

        shop.Relabelled.Should().HaveCount(shop.Original.Count);
        shop.RelabelledReport.RowsDropped.Should().Be(0);
        shop.Relabelled.Select(shop.MapBack).Should().Equal(shop.Original);
    }

    [Fact]
    public void SegmentsAreTheSameOnceTheIdsAreMappedBack()
    {
        var shop = Data.Value;
        var options = new SegmentationOptions { Restarts = 2, FinalRestarts = 3, MaxK = 6 };

        var original = SegmentationEngine.Run(TransactionFeatureBuilder.Build(shop.Original).Features, options).Analysis;
        var relabelled = SegmentationEngine.Run(TransactionFeatureBuilder.Build(shop.Relabelled).Features, options).Analysis;

        relabelled.Segments.Select(s => s.Size).Should().Equal(original.Segments.Select(s => s.Size));
        relabelled.Assignments.ToDictionary(a => shop.OriginalCustomer[a.CustomerId], a => a.Segment)
            .Should().Equal(original.Assignments.ToDictionary(a => a.CustomerId, a => a.Segment));
    }

    [Fact]
    public void RecommendationsAreTheSameOnceTheIdsAreMappedBack()
    {
        var shop = Data.Value;
        var options = new RecommenderOptions { RankerLabelWindowsDays = [60, 30], Ranker = new RankerOptions { Trees = 30 }, MaxDegreeOfParallelism = 2 };

        var original = Train(shop.Original, options);
        var relabelled = Train(shop.Relabelled, options);

        var users = shop.Original.Where(t => t.IsCleanPurchase).Select(t => t.CustomerId!).Distinct().Order(StringComparer.Ordinal).Take(150).ToList();
        var lists = 0;
        foreach (var user in users)
        {
            var expected = original.RecommendForUser(new UserRecommendationRequest { UserId = user, K = 10 });
            var actual = relabelled.RecommendForUser(new UserRecommendationRequest { UserId = shop.NewCustomer[user], K = 10 });
            actual.Select(r => r.Score).Should().Equal(expected.Select(r => r.Score), (a, b) => Math.Abs(a - b) < 1e-4, "user {0}", user);
            // Items with the same score may come in another order only where the id order broke the tie.
            Levels(actual.Select(r => (shop.OriginalItem[r.ItemId], r.Score))).Should().Equal(Levels(expected.Select(r => (r.ItemId, r.Score))));
            lists++;
        }
        lists.Should().Be(150);
    }

    [Fact]
    public void TheProductsOwnEvaluationAgreesWithinTwoThousandths()
    {
        var shop = Data.Value;
        var split = new DateTime(2011, 8, 1, 0, 0, 0, DateTimeKind.Unspecified);

        var original = Evaluate(shop.Original, split);
        var relabelled = Evaluate(shop.Relabelled, split);

        relabelled.Should().HaveSameCount(original);
        foreach (var (a, b) in original.Zip(relabelled))
        {
            b.Model.Should().Be(a.Model);
            b.Metrics.Users.Should().Be(a.Metrics.Users);
            if (a.Model == "repeat+popularity")
            {
                // The referee's repeat baseline orders a user's equally often bought items by id: a tie the new ids break differently.
                continue;
            }
            b.Metrics.Ndcg.Should().BeApproximately(a.Metrics.Ndcg, 0.002, "{0} {1}", a.Model, a.Truth);
            b.Metrics.Recall.Should().BeApproximately(a.Metrics.Recall, 0.002, "{0} {1}", a.Model, a.Truth);
        }
        var product = original.Where(r => r.Model == "smartshop").Zip(relabelled.Where(r => r.Model == "smartshop"));
        product.Should().OnlyContain(p => Math.Abs(p.First.Metrics.Ndcg - p.Second.Metrics.Ndcg) < 0.002);
    }

    private static IReadOnlyList<EvaluationRow> Evaluate(IReadOnlyList<Transaction> rows, DateTime split) =>
        OfflineEvaluation.Run(rows.Where(t => t.InvoiceDate < split).ToList(), rows.Where(t => t.InvoiceDate >= split).ToList(), 10);

    private static Recommender Train(IReadOnlyList<Transaction> rows, RecommenderOptions options)
    {
        var model = new RecommenderTrainer(options).Train(InteractionSources.FromTransactions(rows), Catalogue.FromTransactions(rows));
        return new Recommender(model);
    }

    // Items grouped by score (rounded), each group as a sorted set: equal lists up to the order inside ties.
    private static List<string> Levels(IEnumerable<(string Item, float Score)> list) =>
        list.GroupBy(r => Math.Round(r.Score, 4))
            .Select(g => g.Key.ToString("F4", CultureInfo.InvariantCulture) + ":" + string.Join('|', g.Select(r => r.Item).Order(StringComparer.Ordinal)))
            .ToList();

    private sealed class Shop
    {
        public required List<Transaction> Original { get; init; }

        public required List<Transaction> Relabelled { get; init; }

        public required DataQualityReport RelabelledReport { get; init; }

        public required Dictionary<string, string> NewCustomer { get; init; }

        public required Dictionary<string, string> OriginalCustomer { get; init; }

        public required Dictionary<string, string> OriginalItem { get; init; }

        public Transaction MapBack(Transaction t) => t with
        {
            StockCode = OriginalItem[t.StockCode],
            CustomerId = t.CustomerId is null ? null : OriginalCustomer[t.CustomerId],
        };

        public static Shop Create()
        {
            var original = new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset })
                .ReadAll(TestData.OnlineRetailSample).Rows.ToList();

            // Arbitrary shapes, in an order unrelated to the original ids.
            var random = new Random(20261203);
            var customers = Relabel(original.Where(t => t.CustomerId is not null).Select(t => t.CustomerId!), random,
                i => (i % 3) switch { 0 => $"cust-{random.Next(100_000, 999_999)}", 1 => $"Shopper.{(char)('a' + random.Next(26))}{i}", _ => $"{random.Next(10, 99)}:{i:x}@web" });
            var items = Relabel(original.Select(t => t.StockCode), random,
                i => (i % 3) switch { 0 => $"SKU-{random.Next(10_000, 99_999)}-{i}", 1 => $"ab-{i}:xl", _ => $"{random.Next(100_000, 999_999)}{i}" });

            var text = new StringBuilder("\uFEFFOrder;Article;Title;Qty;Date;Price;Customer;Country\r\n");
            foreach (var t in original)
            {
                // The cancellation prefix becomes a suffix: the preset's invoice rule is not needed to find the returns.
                var order = t.IsCancellation ? "ret-" + t.InvoiceNo[1..] : "ord-" + t.InvoiceNo;
                text.Append(CultureInfo.InvariantCulture,
                    $"{order};{items[t.StockCode]};\"{t.Description.Replace("\"", "\"\"", StringComparison.Ordinal)}\";{t.Quantity};{t.InvoiceDate.ToString(DateFormat, CultureInfo.InvariantCulture)};{t.UnitPrice.ToString(CultureInfo.InvariantCulture).Replace('.', ',')};{(t.CustomerId is null ? "" : customers[t.CustomerId])};{t.Country}\r\n");
            }

            var options = new TransactionCsvOptions
            {
                DecimalSeparator = ',',
                DateFormat = DateFormat,
                Columns = TransactionColumns.FromMappings(["OrderId=Order", "ItemId=Article", "Description=Title", "Quantity=Qty", "Date=Date", "Price=Price", "CustomerId=Customer"]),
                Rules = new TransactionRules { CancelledInvoices = "^ret-" },
            };
            var report = new DataQualityReport();
            using var reader = InputFile.OpenText(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())));
            var relabelled = new TransactionCsvReader(options).Read(reader, report).ToList();
            return new Shop
            {
                Original = original,
                Relabelled = relabelled.Select(t => t with { InvoiceNo = t.InvoiceNo.StartsWith("ret-", StringComparison.Ordinal) ? "C" + t.InvoiceNo[4..] : t.InvoiceNo[4..] }).ToList(),
                RelabelledReport = report,
                NewCustomer = customers,
                OriginalCustomer = customers.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal),
                OriginalItem = items.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal),
            };
        }

        private static Dictionary<string, string> Relabel(IEnumerable<string> ids, Random random, Func<int, string> name)
        {
            var distinct = ids.Distinct(StringComparer.Ordinal).ToArray();
            random.Shuffle(distinct);
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            var used = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < distinct.Length; i++)
            {
                var label = name(i);
                used.Add(label).Should().BeTrue("labels are unique by construction");
                map[distinct[i]] = label;
            }
            return map;
        }
    }
}
