using SmartShop.Core.Data;

namespace SmartShop.Core.Tests.Data;

public sealed class TransactionCsvReaderTests
{
    private static readonly TransactionCsvOptions OnlineRetail = new() { Preset = TransactionCsvOptions.OnlineRetailPreset };

    private static List<Transaction> Read(DataQualityReport report, TransactionCsvOptions? options, params string[] rows) =>
        new TransactionCsvReader(options).Read(TestData.Csv(rows), report).ToList();

    [Fact]
    public void ParsesOnlineRetailRowsAndNormalisesIds()
    {
        var report = new DataQualityReport();

        var rows = Read(report, OnlineRetail,
            TestData.Header,
            "536365,85123a,WHITE HANGING HEART T-LIGHT HOLDER ,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom");

        var row = rows.Should().ContainSingle().Subject;
        row.StockCode.Should().Be("85123A");
        row.Description.Should().Be("WHITE HANGING HEART T-LIGHT HOLDER");
        row.CustomerId.Should().Be("17850");
        row.Quantity.Should().Be(6);
        row.UnitPrice.Should().Be(2.55m);
        row.InvoiceDate.Should().Be(new DateTime(2010, 12, 1, 8, 26, 0));
        row.IsCleanPurchase.Should().BeTrue();
        report.RowsAccepted.Should().Be(1);

        Read(new DataQualityReport(), null, TestData.Header, "536365,85123a,HEART,6,2010-12-01 08:26:00,2.55,17850.0,UK")
            .Should().ContainSingle().Which.StockCode.Should().Be("85123a", "without the preset item ids are kept as written");
    }

    [Theory]
    [InlineData("C536379,85123A,X,-1,2010-12-01 09:41:00,2.55,14527.0,UK", false)] // cancellation
    [InlineData("A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,11062.06,,UK", false)] // adjustment, anonymous
    [InlineData("536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.00,12583.0,France", false)] // not a product
    [InlineData("536414,22139,,56,2010-12-01 11:52:00,0.00,,UK", false)] // zero price, anonymous
    [InlineData("536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,UK", true)]
    [InlineData("536365,15056BL,EDWARDIAN PARASOL BLACK,6,2010-12-01 08:26:00,3.39,17850.0,UK", true)]
    public void TheOnlineRetailPresetFollowsTheEvaluationProtocol(string row, bool clean)
    {
        var parsed = Read(new DataQualityReport(), OnlineRetail, TestData.Header, row);

        parsed.Count(t => t.IsCleanPurchase).Should().Be(clean ? 1 : 0);
    }

    [Fact]
    public void MalformedRowsAreCountedWithLineNumbersAndSkipped()
    {
        var report = new DataQualityReport();
        var good = "536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,UK";
        var rows = new List<string> { TestData.Header };
        rows.AddRange(Enumerable.Repeat(good, 20));
        rows.Insert(3, "536365,71053,LANTERN,six,2010-12-01 08:26:00,3.39,17850.0,UK");
        rows.Insert(5, "536365,71053,LANTERN,6,not a date,3.39,17850.0,UK");

        var parsed = Read(report, null, [.. rows]);

        parsed.Should().HaveCount(20);
        report.RowsMalformed.Should().Be(2);
        report.FirstMalformed.Select(m => m.LineNumber).Should().Equal(4, 6);
        report.FirstMalformed[0].Reason.Should().Be("Quantity is not a whole number", "reasons name the field, never echo the file's values");
        report.FirstMalformed[1].Reason.Should().Contain("InvoiceDate");
    }

    [Fact]
    public void MostlyGarbageFileFailsWithTheRatioInTheMessage()
    {
        var rows = new List<string> { TestData.Header, "536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,UK" };
        rows.AddRange(Enumerable.Repeat("garbage;;;", 5));

        var act = () => Read(new DataQualityReport(), null, [.. rows]);

        act.Should().Throw<InvalidDataException>().WithMessage("*mostly malformed*83.3 %*limit 10 %*line 3*");
    }

    [Fact]
    public void MissingRequiredColumnsAreNamed()
    {
        var act = () => Read(new DataQualityReport(), null, "InvoiceNo,StockCode,Quantity", "1,2,3");

        act.Should().Throw<InvalidDataException>().WithMessage("*missing required column(s): InvoiceDate, UnitPrice, CustomerID*");
    }

    [Fact]
    public void EmptyFileIsRejected()
    {
        var act = () => Read(new DataQualityReport(), null);

        act.Should().Throw<InvalidDataException>().WithMessage("*empty*");
    }

    [Fact]
    public void ConfiguredColumnNamesAndDelimiterAreUsed()
    {
        var options = new TransactionCsvOptions
        {
            Delimiter = ";",
            Columns = new TransactionColumns { CustomerId = "Customer", InvoiceNo = "Invoice" },
        };

        var parsed = Read(new DataQualityReport(), options,
            "Invoice;StockCode;Description;Quantity;InvoiceDate;UnitPrice;Customer;Country",
            "1;22423;CAKESTAND;2;2011-01-05 10:00:00;12.75;12345;UK");

        parsed.Should().ContainSingle().Which.CustomerId.Should().Be("12345");
    }

    [Fact]
    public void OverlongFieldsAreRejectedNotStored()
    {
        var report = new DataQualityReport();
        var rows = new List<string> { TestData.Header };
        rows.AddRange(Enumerable.Repeat("536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,UK", 30));
        rows.Add($"536365,71053,{new string('x', 5_000)},6,2010-12-01 08:26:00,3.39,17850.0,UK");

        var parsed = Read(report, null, [.. rows]);

        parsed.Should().HaveCount(30);
        report.FirstMalformed.Should().ContainSingle().Which.Reason.Should().Contain("longer than 1000");
    }

    [Fact]
    public void ReadsTheBundledGzipSample()
    {
        var set = new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset }).ReadAll(TestData.OnlineRetailSample);

        set.Report.RowsRead.Should().Be(63_125);
        set.Report.RowsMalformed.Should().Be(0);
        set.Report.Dropped.Should().ContainSingle().Which.Should().Be(new DroppedRows("item id matches the exclusion rule", 405, 32, false));
        set.Rows.Should().HaveCount(62_720);
        set.Rows.Count(r => r.IsCleanPurchase).Should().Be(59_512);
        set.Rows.Where(r => r.CustomerId is not null).Select(r => r.CustomerId).Distinct().Should().HaveCount(795, "five customers bought only postage or fees");
    }

    [Fact]
    public void SummaryCountsCustomersProductsAndTopSellers()
    {
        var rows = Read(new DataQualityReport(), null,
            TestData.Header,
            "1,22423,CAKESTAND,1,2011-01-05 10:00:00,12.75,1,UK",
            "2,22423,CAKESTAND,1,2011-01-06 10:00:00,12.75,2,UK",
            "2,47566,BUNTING,1,2011-01-06 10:00:00,4.95,2,UK",
            "C3,47566,BUNTING,-1,2011-01-07 10:00:00,4.95,2,UK",
            "4,47566,BUNTING,1,2011-01-08 10:00:00,4.95,,UK");

        var summary = TransactionSummary.Compute(rows, topProducts: 1);

        summary.CleanPurchases.Should().Be(3);
        summary.Customers.Should().Be(2);
        summary.Products.Should().Be(2);
        summary.Invoices.Should().Be(2);
        summary.Cancellations.Should().Be(1);
        summary.AnonymousRows.Should().Be(1);
        summary.TopProducts.Should().ContainSingle().Which.Should().Be(new ProductPopularity("22423", "CAKESTAND", 2));
        summary.Last.Should().Be(new DateTime(2011, 1, 8, 10, 0, 0));
    }
}
