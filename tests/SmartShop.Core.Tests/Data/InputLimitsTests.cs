using System.IO.Compression;
using System.Text;
using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Data;

/// <summary>The one opener bounds what a file may expand to, whichever reader sits on top (transactions, tables, lines).</summary>
public sealed class InputLimitsTests
{
    private const string Header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";
    private const string Row = "536365,85123A,Heart,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n";

    [Fact]
    public void AGzipThatExpandsLikeABombStopsAtTheRatioNotAtTheEnd()
    {
        // 64 MiB of blank lines in about 64 KB: the reader would otherwise walk all of it.
        var bomb = Gzip(Header, new string('\n', 64 << 20));

        var read = () => ReadTransactions(bomb);

        var error = read.Should().Throw<InvalidDataException>().WithMessage("The gzip file expands more than 200 times*likely decompression bomb*").Which;
        InputLimits.LimitOf(error).Should().Be("ratio");
    }

    [Fact]
    public void AnOrdinaryGzipExportReadsWhole()
    {
        var file = Gzip(Header, string.Concat(Enumerable.Range(0, 20_000).Select(i => Row.Replace("17850", $"{17850 + (i % 900)}", StringComparison.Ordinal))));

        ReadTransactions(file).Should().HaveCount(20_000);
    }

    [Fact]
    public void DecompressedBytesAreCappedAbsolutely()
    {
        var file = Gzip(Header, string.Concat(Enumerable.Repeat(Row, 2_000)));
        var limits = new InputLimits { MaxBytes = 64 * 1024 };

        var read = () => ReadTransactions(file, limits);

        var error = read.Should().Throw<InvalidDataException>().WithMessage("The file is larger than the limit of 65,536 bytes once decompressed.").Which;
        InputLimits.LimitOf(error).Should().Be(InputLimits.SizeLimit);
    }

    [Fact]
    public void APlainFileIsCappedToo()
    {
        var file = Encoding.UTF8.GetBytes(Header + string.Concat(Enumerable.Repeat(Row, 2_000)));

        var read = () => ReadTransactions(file, new InputLimits { MaxBytes = 64 * 1024 });

        read.Should().Throw<InvalidDataException>().WithMessage("The file is larger than the limit of 65,536 bytes.");
    }

    [Fact]
    public void OneEndlessLineStopsAtTheLineLimitInEveryReader()
    {
        var endless = Gzip(new string('7', 3 << 20));

        var transactions = () => ReadTransactions(endless);
        var table = () => CustomerTableReader.Read(Open(endless, InputLimits.Default));

        transactions.Should().Throw<InvalidDataException>().WithMessage("Line 1 is longer than the limit of 1,048,576 characters.");
        var error = table.Should().Throw<InvalidDataException>().WithMessage("Line 1 is longer than the limit of 1,048,576 characters.").Which;
        InputLimits.LimitOf(error).Should().Be("line");
    }

    [Fact]
    public void AQuotedFieldSpanningManyLinesIsBoundedLikeALine()
    {
        var lines = string.Concat(Enumerable.Repeat("still inside the quotes\n", 100_000));
        var file = Gzip(Header, "536365,85123A,\"", lines, "\",6,2010-12-01 08:26:00,2.55,17850,UK\n");

        var read = () => ReadTransactions(file);

        read.Should().Throw<InvalidDataException>().WithMessage("A field near line * is longer than the limit of 1,048,576 characters.");
    }

    [Fact]
    public void AHeaderOrARowWithTooManyFieldsIsRefused()
    {
        var wideHeader = Gzip(string.Join(',', Enumerable.Range(0, 100_000).Select(i => $"c{i}")), "\n");
        var wideRow = Gzip(Header, Row, string.Concat(Enumerable.Repeat(",x", 5_000)), "\n");

        var header = () => ReadTransactions(wideHeader);
        var row = () => ReadTransactions(wideRow);
        var table = () => CustomerTableReader.Read(Open(wideHeader, InputLimits.Default));

        header.Should().Throw<InvalidDataException>().WithMessage("Line 1 has 100,000 fields, over the limit of 1,000.");
        row.Should().Throw<InvalidDataException>().WithMessage("Line 3 has 5,001 fields, over the limit of 1,000.");
        InputLimits.LimitOf(table.Should().Throw<InvalidDataException>().WithMessage("Line 1 has 100,000 fields*").Which).Should().Be("columns");
    }

    [Fact]
    public void TenMillionBlankLinesAreAnEmptyFileNotAHang()
    {
        var blank = Gzip(new string('\n', 10_000_000));

        var read = () => ReadTransactions(blank);

        var error = read.Should().Throw<InvalidDataException>().WithMessage("The transactions file is empty: it has no header row.").Which;
        InputLimits.LimitOf(error).Should().BeNull("it is bad data, not too much of it");
    }

    [Fact]
    public void ACustomerTableIsBoundedByCellsAndHonoursCancellation()
    {
        var columns = string.Join(';', Enumerable.Range(0, 200).Select(i => $"f{i}"));
        var row = string.Join(';', Enumerable.Range(0, 200).Select(i => (i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var table = "customer_id;" + columns + "\n" + string.Concat(Enumerable.Range(0, 600).Select(i => $"c{i};{row}\n"));
        var options = new CustomerTableOptions { Delimiter = ';', MaxCells = 100_000 };

        var tooMany = () => CustomerTableReader.Read(new StringReader(table), options);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stopped = () => CustomerTableReader.Read(new StringReader(table), options with { MaxCells = 1_000_000 }, cancelled.Token);

        InputLimits.LimitOf(tooMany.Should().Throw<InvalidDataException>()
            .WithMessage("The customer table has more than 497 rows of 201 columns (limits: 2,000,000 rows, 100,000 cells).").Which).Should().Be("rows");
        stopped.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void ACustomerTableValueLongerThanTheFieldLimitIsRefusedWithoutQuotingIt()
    {
        var value = new string('v', 200_000);
        var table = $"customer_id;channel\nc1;web\nc2;{value}\n";

        var read = () => CustomerTableReader.Read(new StringReader(table), new CustomerTableOptions { Delimiter = ';' });

        read.Should().Throw<InvalidDataException>().WithMessage("Line 3: the value in column 2 is longer than the limit of 1,000 characters.");
    }

    [Fact]
    public void ReadLineKeepsLineBreaksAsTheStreamReaderDid()
    {
        using var reader = InputFile.OpenText(new MemoryStream(Encoding.UTF8.GetBytes("a\r\nb\rc\n\nd")));

        new[] { reader.ReadLine(), reader.ReadLine(), reader.ReadLine(), reader.ReadLine(), reader.ReadLine(), reader.ReadLine() }
            .Should().Equal("a", "b", "c", "", "d", null);
    }

    private static List<Transaction> ReadTransactions(byte[] file, InputLimits? limits = null)
    {
        limits ??= InputLimits.Default;
        var reader = new TransactionCsvReader(new TransactionCsvOptions { Limits = limits });
        using var text = Open(file, limits);
        return reader.Read(text, new DataQualityReport()).ToList();
    }

    private static TextReader Open(byte[] file, InputLimits limits) => InputFile.OpenText(new MemoryStream(file), limits: limits);

    internal static byte[] Gzip(params string[] parts)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            foreach (var part in parts)
            {
                gzip.Write(Encoding.UTF8.GetBytes(part));
            }
        }
        return output.ToArray();
    }
}
