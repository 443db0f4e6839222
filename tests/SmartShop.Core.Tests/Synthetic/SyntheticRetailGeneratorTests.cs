using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartShop.Core.Data;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Synthetic;

namespace SmartShop.Core.Tests.Synthetic;

/// <summary>A twelve-week data set from Monday 2024-01-01, generated once for the whole class.</summary>
public sealed class SyntheticRetailFixture
{
    public SyntheticRetailFixture() =>
        Data = GeneratedRetailData.Create(new SyntheticRetailOptions { Customers = 500, Products = 400, Days = 84, Seed = 11 });

    internal GeneratedRetailData Data { get; }
}

public sealed class SyntheticRetailGeneratorTests(SyntheticRetailFixture fixture) : IClassFixture<SyntheticRetailFixture>
{
    private readonly GeneratedRetailData _data = fixture.Data;

    [Fact]
    public void SameSeedGivesByteIdenticalFilesAndAnotherSeedDifferentOnes()
    {
        var options = new SyntheticRetailOptions { Customers = 200, Products = 100, Days = 30, Seed = 5 };

        var first = GeneratedRetailData.Create(options);
        var second = GeneratedRetailData.Create(options);
        var other = GeneratedRetailData.Create(options with { Seed = 6 });

        Hashes(second).Should().Equal(Hashes(first));
        Hashes(other).Should().NotIntersectWith(Hashes(first));
        first.Summary.Events.Should().BeGreaterThan(1_000);
    }

    [Fact]
    public void TheRealLoaderReadsTheTransactionsAndCountsEveryKindOfDirt()
    {
        var report = new DataQualityReport();

        var rows = _data.ReadTransactions(report);

        var summary = _data.Summary;
        report.RowsRead.Should().Be(summary.TransactionRows);
        report.RowsMalformed.Should().Be(summary.MalformedRows).And.BePositive();
        report.FirstMalformed.Should().OnlyContain(r => r.Reason.Contains("Quantity") || r.Reason.Contains("UnitPrice") || r.Reason.Contains("InvoiceDate"));
        rows.Count(r => r.CustomerId is null).Should().Be((int)summary.AnonymousRows).And.BePositive();
        rows.Count(r => r.StockCode == "POST").Should().Be((int)summary.PostageRows).And.BePositive();
        rows.Count(r => r.UnitPrice == 0).Should().Be((int)summary.ZeroPriceRows).And.BePositive();
        rows.Where(r => r.IsCancellation).Select(r => r.InvoiceNo).Distinct().Should().HaveCount((int)summary.Cancellations);
        rows.Where(r => r.IsCancellation).Should().OnlyContain(r => r.InvoiceNo.StartsWith('C') && r.Quantity < 0);
        var withPreset = new DataQualityReport();
        _data.ReadTransactions(withPreset, new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset });
        withPreset.Dropped.Should().ContainSingle(d => !d.Malformed).Which.Should().Match<DroppedRows>(d => d.Reason == "item id matches the exclusion rule" && d.Rows == summary.PostageRows);
        var invoices = rows.Where(r => r.IsCleanPurchase).GroupBy(r => r.InvoiceNo).ToList();
        invoices.Should().HaveCount((int)summary.Invoices);
        invoices.Average(g => g.Count()).Should().BeGreaterThan(2, "invoices have several lines");
    }

    [Fact]
    public void TheHighestDirtRateStaysWithinTheLoadersMalformedLimit()
    {
        var data = GeneratedRetailData.Create(new SyntheticRetailOptions { Customers = 100, Products = 50, Days = 28, DirtRate = 0.2, Seed = 3 });
        var report = new DataQualityReport();

        var rows = data.ReadTransactions(report);

        rows.Should().NotBeEmpty();
        report.MalformedRatio.Should().BeInRange(0.02, 0.1);
        report.RowsMalformed.Should().Be(data.Summary.MalformedRows);
    }

    [Fact]
    public void EveryEventIsValidForTheIngestionSchemaAndTheStreamIsInTimeOrder()
    {
        var end = _data.Options.Start.AddDays(_data.Options.Days).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        // Generated history is old by design; the stale-event limit is widened to cover the period.
        var validator = new ClickstreamEventValidator(new ClickstreamValidationOptions { MaxEventAge = TimeSpan.FromDays(100) }, new FixedClock(end));
        var previous = DateTimeOffset.MinValue;
        var count = 0;
        var types = new HashSet<string>();

        foreach (var line in _data.Lines(_data.Events))
        {
            var result = validator.Validate(line);
            result.Rejection.Should().BeNull(line);
            result.Event!.Timestamp.Should().BeOnOrAfter(previous);
            result.Event.Source.Should().Be("synthetic");
            result.Event.Category.Should().NotBeNullOrEmpty();
            previous = result.Event.Timestamp;
            types.Add(result.Event.Type);
            count++;
        }

        count.Should().Be((int)_data.Summary.Events);
        types.Should().BeEquivalentTo([ClickstreamEventTypes.View, ClickstreamEventTypes.AddToCart, ClickstreamEventTypes.RemoveFromCart, ClickstreamEventTypes.Purchase], "a shopper without recommendations never clicks one");
    }

    [Fact]
    public void RetailRocketRowsMirrorTheEventsWithInvoiceNumbersAsTransactionIds()
    {
        var invoices = _data.ReadTransactions(new DataQualityReport()).Select(r => r.InvoiceNo).ToHashSet();
        var lines = _data.Lines(_data.RetailRocket).ToList();

        lines[0].Should().Be("timestamp,visitorid,event,itemid,transactionid");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        rows.Should().HaveCount((int)_data.Summary.RetailRocketRows);
        rows.Select(r => long.Parse(r[0], CultureInfo.InvariantCulture)).Should().BeInAscendingOrder();
        rows.Select(r => r[2]).Distinct().Should().BeEquivalentTo(["view", "addtocart", "transaction"]);
        rows.Where(r => r[2] == "transaction").Should().OnlyContain(r => invoices.Contains(r[4]));
        rows.Where(r => r[2] != "transaction").Should().OnlyContain(r => r[4].Length == 0);
    }

    [Fact]
    public void CatalogueHasCategoriesAndAPowerLawPopularity()
    {
        var catalogue = _data.Lines(_data.Catalogue).Skip(1).Select(l => l.Split(',')).ToList();
        var purchases = _data.ReadTransactions(new DataQualityReport()).Where(r => r.IsCleanPurchase).ToList();

        catalogue.Should().HaveCount(400);
        catalogue.Should().OnlyContain(p => Regex.IsMatch(p[0], @"^\d{5}[A-Z]{0,2}$") && p[1].Length > 0 && decimal.Parse(p[3], CultureInfo.InvariantCulture) > 0);
        catalogue.Select(p => p[2]).Distinct().Should().HaveCount(12);
        var byProduct = purchases.GroupBy(r => r.StockCode).Select(g => g.Count()).OrderDescending().ToList();
        byProduct.Take(40).Sum().Should().BeGreaterThan(purchases.Count / 3, "the top 10 % of products take a large share of purchases");
    }

    [Fact]
    public void WeekendsAreBusierThanMidweek()
    {
        var byWeekday = new long[7];
        foreach (var line in _data.Lines(_data.RetailRocket).Skip(1))
        {
            var milliseconds = long.Parse(line.AsSpan(0, line.IndexOf(',')), CultureInfo.InvariantCulture);
            byWeekday[(int)DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).DayOfWeek]++;
        }

        var weekendLow = Math.Min(byWeekday[(int)DayOfWeek.Saturday], byWeekday[(int)DayOfWeek.Sunday]);
        weekendLow.Should().BeGreaterThan((long)(1.1 * byWeekday[(int)DayOfWeek.Monday]));
        weekendLow.Should().BeGreaterThan((long)(1.1 * byWeekday[(int)DayOfWeek.Tuesday]));
    }

    [Fact]
    public void SessionsOfOneCustomerAreAtLeastHalfAnHourApartAndEventsInsideAreMinutesApart()
    {
        var lastBySession = new Dictionary<string, (string User, DateTime First, DateTime Last)>();
        var gaps = new List<double>();
        foreach (var line in _data.Lines(_data.Events).Take(50_000))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var session = root.GetProperty("sessionId").GetString()!;
            var time = root.GetProperty("timestamp").GetDateTime();
            if (lastBySession.TryGetValue(session, out var known))
            {
                gaps.Add((time - known.Last).TotalSeconds);
                lastBySession[session] = known with { Last = time };
            }
            else
            {
                lastBySession[session] = (root.GetProperty("userId").GetString()!, time, time);
            }
        }

        gaps.Where(g => g > 0).Should().OnlyContain(g => g >= 5 && g < 3_600);
        foreach (var user in lastBySession.Values.GroupBy(s => s.User))
        {
            var sessions = user.OrderBy(s => s.First).ToList();
            for (var i = 1; i < sessions.Count; i++)
            {
                (sessions[i].First - sessions[i - 1].Last).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMinutes(30));
            }
        }
    }

    [Fact]
    public void PlantedPersonasStandOutInSimpleRfmAndClickStatistics()
    {
        var personas = _data.Personas();
        var end = _data.Options.Start.AddDays(_data.Options.Days).ToDateTime(TimeOnly.MinValue);
        var customers = _data.ReadTransactions(new DataQualityReport())
            .Where(r => r.IsCleanPurchase)
            .GroupBy(r => r.CustomerId!)
            .Select(g => new
            {
                Persona = personas[g.Key],
                Monetary = (double)g.Sum(r => r.LineTotal),
                Frequency = g.Select(r => r.InvoiceNo).Distinct().Count(),
                RecencyDays = (end - g.Max(r => r.InvoiceDate)).TotalDays,
                FirstDays = (g.Min(r => r.InvoiceDate) - _data.Options.Start.ToDateTime(TimeOnly.MinValue)).TotalDays,
            })
            .ToList();
        var clicks = ClickCounts();

        double Mean<T>(IEnumerable<T> rows, Func<T, double> value) => rows.Any() ? rows.Average(value) : double.NaN;
        var byPersona = customers.GroupBy(c => c.Persona).ToDictionary(g => g.Key, g => g.ToList());
        byPersona.Keys.Should().BeEquivalentTo(["newcomer", "window_shopper", "loyal_regular", "big_spender", "lapsed"]);
        var monetary = byPersona.ToDictionary(p => p.Key, p => Mean(p.Value, c => c.Monetary));
        var frequency = byPersona.ToDictionary(p => p.Key, p => Mean(p.Value, c => c.Frequency));
        var recency = byPersona.ToDictionary(p => p.Key, p => Mean(p.Value, c => c.RecencyDays));
        var firstPurchase = byPersona.ToDictionary(p => p.Key, p => Mean(p.Value, c => c.FirstDays));
        var viewsPerPurchase = personas.GroupBy(p => p.Value)
            .ToDictionary(g => g.Key, g => Mean(g.Where(c => clicks.ContainsKey(c.Key)), c => clicks[c.Key].Views / Math.Max(1.0, clicks[c.Key].Purchases)));

        TopOf(monetary).Should().Be("big_spender");
        TopOf(frequency).Should().Be("loyal_regular");
        TopOf(recency).Should().Be("lapsed");
        TopOf(firstPurchase).Should().Be("newcomer");
        TopOf(viewsPerPurchase).Should().Be("window_shopper");
    }

    [Fact]
    public void MostBundleItemsHaveTheirTopCoPurchasePartnerInsideTheirBundle()
    {
        var bundles = _data.Bundles();
        var baskets = _data.ReadTransactions(new DataQualityReport())
            .Where(r => r.IsCleanPurchase)
            .GroupBy(r => r.InvoiceNo)
            .Select(g => g.Select(r => r.StockCode).Distinct().ToList())
            .ToList();
        var bundleItems = bundles.SelectMany(b => b).ToHashSet();
        var pairs = new Dictionary<(string, string), int>();
        foreach (var basket in baskets)
        {
            foreach (var item in basket.Where(bundleItems.Contains))
            {
                foreach (var partner in basket.Where(p => p != item))
                {
                    pairs[(item, partner)] = pairs.GetValueOrDefault((item, partner)) + 1;
                }
            }
        }

        var inBundle = 0;
        foreach (var bundle in bundles)
        {
            foreach (var item in bundle)
            {
                var top = pairs.Where(p => p.Key.Item1 == item).OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item2, StringComparer.Ordinal).First();
                inBundle += bundle.Contains(top.Key.Item2) ? 1 : 0;
            }
        }

        bundleItems.Should().HaveCountGreaterThanOrEqualTo(15);
        ((double)inBundle / bundleItems.Count).Should().BeGreaterThanOrEqualTo(0.9);
    }

    [Theory]
    [InlineData(0, 100, 30, 0.02, "Customers")]
    [InlineData(10, 5, 30, 0.02, "Products")]
    [InlineData(10, 100, 0, 0.02, "Days")]
    [InlineData(10, 100, 30, 0.5, "dirt rate")]
    public void BadOptionsAreExplained(int customers, int products, int days, double dirtRate, string named)
    {
        var options = new SyntheticRetailOptions { Customers = customers, Products = products, Days = days, DirtRate = dirtRate };

        var act = () => SyntheticRetailGenerator.Generate(options, new SyntheticRetailStreams(Stream.Null, Stream.Null, Stream.Null, Stream.Null, Stream.Null));

        act.Should().Throw<ArgumentException>().WithMessage($"*{named}*");
    }

    private Dictionary<string, (int Views, int Purchases)> ClickCounts()
    {
        var counts = new Dictionary<string, (int Views, int Purchases)>();
        foreach (var line in _data.Lines(_data.RetailRocket).Skip(1))
        {
            var fields = line.Split(',');
            var current = counts.GetValueOrDefault(fields[1]);
            counts[fields[1]] = fields[2] switch
            {
                "view" => current with { Views = current.Views + 1 },
                "transaction" => current with { Purchases = current.Purchases + 1 },
                _ => current,
            };
        }
        return counts;
    }

    private static string TopOf(Dictionary<string, double> values) => values.MaxBy(v => v.Value).Key;

    private static string[] Hashes(GeneratedRetailData data) =>
        [.. new[] { data.Catalogue, data.Transactions, data.Events, data.RetailRocket, data.GroundTruth }.Select(b => Convert.ToHexString(SHA256.HashData(b)))];

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now, TimeSpan.Zero);
    }
}
