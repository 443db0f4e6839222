using System.Text;
using SmartShop.Core.Data;

namespace SmartShop.Core.Tests.Data;

/// <summary>A shop's own export, as it is: other dialects, other id shapes, and every reason a row is dropped.</summary>
public sealed class TransactionDialectTests
{
    private static (List<Transaction> Rows, DataQualityReport Report) Read(string text, TransactionCsvOptions? options = null)
    {
        var report = new DataQualityReport();
        var rows = new TransactionCsvReader(options).Read(new StringReader(text), report).ToList();
        return (rows, report);
    }

    private static (List<Transaction> Rows, DataQualityReport Report) ReadBytes(byte[] bytes, TransactionCsvOptions? options = null)
    {
        var report = new DataQualityReport();
        using var text = InputFile.OpenText(new MemoryStream(bytes), options?.Encoding);
        var rows = new TransactionCsvReader(options).Read(text, report).ToList();
        return (rows, report);
    }

    [Fact]
    public void AEuropeanExportWithSemicolonsDecimalCommasAndDayFirstDatesIsRead()
    {
        var text = """
            Bestellnummer;Artikel;Bezeichnung;Menge;Datum;Preis;Kunde;Land
            A-1001;SKU-10081;"Tasse ""Blau""; 0,3 l";2;31.01.2011 08:26;1,90;cust-11706;DE
            A-1001;ab-77:xl;Teller;1;31.01.2011 08:26;12,50;cust-11706;DE
            A-1002;100234;Messer;3;01.02.2011 17:05;0,95;K.2;AT
            """;
        var options = new TransactionCsvOptions
        {
            DecimalSeparator = ',',
            DateFormat = "dd.MM.yyyy HH:mm",
            Columns = TransactionColumns.FromMappings(["OrderId=Bestellnummer", "ItemId=Artikel", "Description=Bezeichnung", "Quantity=Menge", "Date=Datum", "Price=Preis", "CustomerId=Kunde", "Country=Land"]),
        };

        var (rows, report) = Read(text, options);

        report.RowsDropped.Should().Be(0, "the delimiter is sniffed from the header");
        rows.Select(r => r.StockCode).Should().Equal("SKU-10081", "ab-77:xl", "100234");
        rows.Select(r => r.CustomerId).Should().Equal("cust-11706", "cust-11706", "K.2");
        rows[0].UnitPrice.Should().Be(1.90m);
        rows[0].Description.Should().Be("Tasse \"Blau\"; 0,3 l");
        rows[1].LineTotal.Should().Be(12.50m);
        rows[2].InvoiceDate.Should().Be(new DateTime(2011, 2, 1, 17, 5, 0));
        rows.Should().OnlyContain(r => r.IsCleanPurchase);
    }

    [Fact]
    public void TabsQuotedDelimitersEmbeddedNewlinesBomAndCrlfAreRead()
    {
        var text = "\uFEFF" + TestData.Header.Replace(',', '\t') + "\r\n" +
                   "1\t22423\t\"CAKE\tSTAND, \"\"3 TIER\"\"\nwith a second line\"\t2\t2011-01-05 10:00:00\t12.75\t17850\tUK\r\n" +
                   "2\t47566\tBUNTING\t1\t2011-01-05T11:00:00Z\t4.95\t13047\tUK\r\n";

        var (rows, report) = ReadBytes(Encoding.UTF8.GetPreamble().Length > 0 ? Encoding.UTF8.GetBytes(text) : []);

        report.RowsMalformed.Should().Be(0);
        rows.Should().HaveCount(2);
        rows[0].Description.Should().Be("CAKE\tSTAND, \"3 TIER\"\nwith a second line");
        rows[1].InvoiceDate.Should().Be(new DateTime(2011, 1, 5, 11, 0, 0));
        rows[1].StockCode.Should().Be("47566");
    }

    [Fact]
    public void AFileThatIsNotUtf8IsReportedWithTheLikelyEncodingAndReadWhenItIsNamed()
    {
        var latin1 = Encoding.Latin1.GetBytes(TestData.Header + "\n1,22423,CAFÉ CRÈME,1,2011-01-05 10:00:00,2.50,17850,España\n");

        var act = () => ReadBytes(latin1);

        act.Should().Throw<InvalidDataException>().WithMessage("*not valid UTF-8*0xC9*latin1*");
        var (rows, _) = ReadBytes(latin1, new TransactionCsvOptions { Encoding = "latin1" });
        rows.Should().ContainSingle().Which.Description.Should().Be("CAFÉ CRÈME");
        ReadBytes(latin1, new TransactionCsvOptions { Encoding = "windows-1252" }).Rows.Single().Country.Should().Be("España");
    }

    [Fact]
    public void IdsAreOpaqueOrdinalStringsAndOnlyTheSpreadsheetPointZeroIsNormalised()
    {
        var (rows, report) = Read(string.Join('\n',
            TestData.Header,
            "1,a1,X,1,2011-01-05 10:00:00,1,17850.0,UK",
            "1,A1,X,1,2011-01-05 10:00:00,1,17850,UK",
            "2,a1,X,1,2011-01-05 10:00:00,1,17850.5,UK",
            "3,a1,X,1,2011-01-05 10:00:00,1,0017850,UK",
            "4,a1,X,1,2011-01-05 10:00:00,1,1.7850e4,UK",
            "5,a/1,X,1,2011-01-05 10:00:00,1,17850,UK",
            "6,a1,X,1,2011-01-05 10:00:00,1,cust 1,UK"), new TransactionCsvOptions { MaxMalformedRatio = 0.5 });

        rows.Select(r => r.StockCode).Should().Equal("a1", "A1", "a1", "a1", "a1");
        rows.Select(r => r.CustomerId).Should().Equal("17850", "17850", "17850.5", "0017850", "1.7850e4");
        report.Dropped.Select(d => d.Reason).Should().BeEquivalentTo(
            "StockCode is not an id (1-128 characters of A-Z a-z 0-9 - _ . : @)",
            "CustomerID is not an id (1-128 characters of A-Z a-z 0-9 - _ . : @)");
        report.Dropped.Should().OnlyContain(d => d.Malformed);
    }

    [Fact]
    public void EveryDroppedRowIsCountedByItsReasonInOneLineEach()
    {
        var options = new TransactionCsvOptions
        {
            MaxMalformedRatio = 0.5,
            Rules = new TransactionRules { ExcludeItems = "^(POST|FEE-.*)$", NonProductItems = new HashSet<string>(StringComparer.Ordinal) { "VOUCHER-50" } },
        };
        var good = "1,22423,X,2,2011-01-05 10:00:00,12.75,17850,UK";
        var (rows, report) = Read(string.Join('\n',
            TestData.Header, good,
            "2,POST,POSTAGE,1,2011-01-05 10:00:00,18,17850,UK",
            "3,POST,POSTAGE,1,2011-01-05 10:00:00,18,17850,UK",
            "4,FEE-CARD,FEE,1,2011-01-05 10:00:00,1,17850,UK",
            "5,VOUCHER-50,GIFT,1,2011-01-05 10:00:00,50,17850,UK",
            "6,22423,X,1000000000,2011-01-05 10:00:00,1,17850,UK",
            "7,22423,X,2147483648,2011-01-05 10:00:00,1,17850,UK",
            "8,22423,X,-2147483649,2011-01-05 10:00:00,1,17850,UK",
            "9,22423,X,1,2011-01-05 10:00:00,250000,17850,UK",
            "10,22423,X,90000,2011-01-05 10:00:00,20,17850,UK",
            "11,22423,X,1.5,2011-01-05 10:00:00,1,17850,UK",
            "12,22423,X,1,2011-01-05 10:00:00,1e3x,17850,UK",
            good), options);

        rows.Should().HaveCount(2);
        report.DropLines().Should().Equal(
            "3 rows: item id matches the exclusion rule (first at line 3)",
            "3 rows: quantity above the limit of 100,000 (first at line 7)",
            "1 row: Quantity is not a whole number (first at line 12)",
            "1 row: UnitPrice is not a number (first at line 13)",
            "1 row: item is not a product in the catalogue (first at line 6)",
            "1 row: line total above the limit of 1,000,000 (first at line 11)",
            "1 row: unit price above the limit of 100,000 (first at line 10)");
        report.RowsMalformed.Should().Be(2, "only unreadable rows count toward the malformed limit");
        report.ToString().Should().StartWith("13 rows read, 2 accepted, 11 dropped (2 malformed, 15.38 %)");
    }

    [Fact]
    public void PlausibilityLimitsAreOptions()
    {
        var options = new TransactionCsvOptions { Rules = new TransactionRules { MaxQuantity = 10, MaxUnitPrice = 5, MaxLineTotal = 20 } };

        var (rows, report) = Read(string.Join('\n',
            TestData.Header,
            "1,a,X,10,2011-01-05 10:00:00,2,c1,UK",
            "2,a,X,11,2011-01-05 10:00:00,1,c1,UK",
            "3,a,X,1,2011-01-05 10:00:00,5.01,c1,UK",
            "4,a,X,-5,2011-01-05 10:00:00,4.5,c1,UK"), options);

        rows.Select(r => r.InvoiceNo).Should().Equal("1");
        report.Dropped.Select(d => d.Reason).Should().Equal("line total above the limit of 20", "quantity above the limit of 10", "unit price above the limit of 5");
    }

    [Fact]
    public void WithoutAPresetOnlyANegativeQuantityIsAReturnAndTheOnlineRetailPresetUsesItsInvoicePrefixes()
    {
        var text = string.Join('\n',
            TestData.Header,
            "C1,a,X,-1,2011-01-05 10:00:00,2,c1,UK",
            "C2,22423,X,1,2011-01-05 10:00:00,2,c1,UK",
            "R3,22423,X,-1,2011-01-05 10:00:00,2,c1,UK");

        Read(text).Rows.Select(r => (r.InvoiceNo, r.IsReturn, r.IsCleanPurchase)).Should().Equal(("C1", true, false), ("C2", false, true), ("R3", true, false));
        var preset = Read(text, new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset });
        preset.Rows.Select(r => (r.InvoiceNo, r.IsReturn, r.IsCleanPurchase)).Should().Equal(("C2", false, false), ("R3", false, false));
        preset.Report.DropLines().Should().Equal("1 row: item id matches the exclusion rule (first at line 2)");
    }

    [Theory]
    [InlineData(";", "semicolon", ";")]
    [InlineData("\t", "tab", "tab")]
    public void AHeaderThatUsesAnotherDelimiterThanTheOneGivenNamesTheLikelyOne(string actual, string name, string hint)
    {
        var text = TestData.Header.Replace(",", actual, StringComparison.Ordinal) + "\n1" + actual + "x\n";

        var act = () => Read(text, new TransactionCsvOptions { Delimiter = "," });

        act.Should().Throw<InvalidDataException>().WithMessage($"*missing required column(s)*The header looks {name}-separated: set the delimiter to '{hint}'.");
    }

    [Theory]
    [InlineData("Delimiter", "ab", "*delimiter must be one character*")]
    [InlineData("DateFormat", "dd.MM.yyyy %", "*not a .NET date format*")]
    [InlineData("Encoding", "ebcdic", "*Unknown encoding 'ebcdic'*utf-8, latin1*")]
    [InlineData("Preset", "amazon", "*Unknown data preset 'amazon'*online-retail*")]
    [InlineData("ExcludeItems", "([a-z", "*exclude-items pattern is not a regular expression*")]
    public void UnusableOptionsAreRefusedBeforeAnyRowIsRead(string option, string value, string message)
    {
        var options = option switch
        {
            "Delimiter" => new TransactionCsvOptions { Delimiter = value },
            "DateFormat" => new TransactionCsvOptions { DateFormat = value },
            "Encoding" => new TransactionCsvOptions { Encoding = value },
            "Preset" => new TransactionCsvOptions { Preset = value },
            _ => new TransactionCsvOptions { Rules = new TransactionRules { ExcludeItems = value } },
        };

        var act = () => new TransactionCsvReader(options);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void DatesThatDoNotMatchTheFormatSayWhichFormatWasExpected()
    {
        var (_, report) = Read(string.Join('\n', TestData.Header, "1,a,X,1,05/01/2011 10:00,2,c1,UK", "1,a,X,1,2011-01-05,2,c1,UK",
            "1,a,X,1,2011-01-05,2,c1,UK", "1,a,X,1,2011-01-05,2,c1,UK", "1,a,X,1,2011-01-05,2,c1,UK", "1,a,X,1,2011-01-05,2,c1,UK",
            "1,a,X,1,2011-01-05,2,c1,UK", "1,a,X,1,2011-01-05,2,c1,UK", "1,a,X,1,2011-01-05,2,c1,UK", "1,a,X,1,2011-01-05,2,c1,UK",
            "1,a,X,1,2011-01-05,2,c1,UK"));

        report.Dropped.Should().ContainSingle().Which.Reason.Should().Be("InvoiceDate is not an ISO 8601 or yyyy-MM-dd HH:mm:ss date (set the date format)");
    }

    [Fact]
    public void AnIso8601OffsetIsTheInstantInUtcAndADateWithoutOneIsKeptAsWritten()
    {
        var (rows, _) = Read(string.Join('\n', TestData.Header,
            "1,a,X,1,2011-01-05T12:00:00+01:00,2,c1,UK",
            "2,a,X,1,2011-01-05T12:00:00.250-05:30,2,c1,UK",
            "3,a,X,1,2011-01-05 12:00:00,2,c1,UK"));

        rows.Select(r => r.InvoiceDate).Should().Equal(
            new DateTime(2011, 1, 5, 11, 0, 0), new DateTime(2011, 1, 5, 17, 30, 0).AddMilliseconds(250), new DateTime(2011, 1, 5, 12, 0, 0));
    }
}
