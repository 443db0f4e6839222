using System.Text.Json;
using SmartShop.Cli.Commands;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Cli;

public sealed class SegmentCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("seg-cli-");

    public void Dispose() => _directory.Delete(recursive: true);

    private FileInfo Write(string name, params string[] lines)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllLines(path, lines);
        return new FileInfo(path);
    }

    private Task<SegmentationRun> Segment(FileInfo data, SegmentationOptions? options = null, TextWriter? output = null) =>
        SegmentCommand.RunAsync(
            new SegmentSettings { Data = data, Out = new DirectoryInfo(Path.Combine(_directory.FullName, "out")), Options = options ?? new SegmentationOptions() },
            output ?? TextWriter.Null,
            CancellationToken.None);

    [Fact]
    public async Task SegmentsTheSampleAndWritesTheOutputsThatExplainReads()
    {
        using var output = new StringWriter();

        var run = await Segment(new FileInfo(TestData.OnlineRetailSample), output: output);

        var outDirectory = Path.Combine(_directory.FullName, "out");
        var lines = await File.ReadAllLinesAsync(Path.Combine(outDirectory, "assignments.csv"));
        lines[0].Should().Be("customer,segment,persona");
        lines.Should().HaveCount(run.Analysis.Input.Customers + 1);
        lines.Skip(1).Should().AllSatisfy(l => long.TryParse(l.Split(',')[0], out _).Should().BeTrue());
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDirectory, "segments.json")));
        json.RootElement.GetProperty("segments").GetArrayLength().Should().Be(run.Analysis.Metrics.K);
        json.RootElement.GetProperty("metrics").GetProperty("candidates").GetArrayLength().Should().Be(9);
        output.ToString().Should().Contain("silhouette").And.Contain(run.Analysis.Segments[0].Persona);

        using var explained = new StringWriter();
        var customer = lines[1].Split(',')[0];
        var explanation = await ExplainCommand.RunAsync(new DirectoryInfo(outDirectory), customer, asJson: false, explained, CancellationToken.None);
        explanation.Segment.Should().Be(int.Parse(lines[1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
        explained.ToString().Should().Contain("confidence").And.Contain("recency_days");
    }

    [Fact]
    public async Task EmptyFileIsAClearError()
    {
        var act = () => Segment(Write("empty.csv"));

        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("*empty*");
    }

    [Fact]
    public async Task MissingColumnsAreNamed()
    {
        var act = () => Segment(Write("bad.csv", "InvoiceNo,StockCode,Quantity", "1,22423,1"));

        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("*InvoiceDate*UnitPrice*CustomerID*");
    }

    [Fact]
    public async Task NonNumericValuesAreRejectedWhenTheyDominate()
    {
        var act = () => Segment(Write("text.csv", TestData.Header, "1,22423,X,many,2011-01-01 10:00:00,cheap,1.0,UK", "2,22423,X,lots,2011-01-01 10:00:00,free,2.0,UK"));

        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("*malformed*Quantity*");
    }

    [Fact]
    public async Task OneCustomerGivesOneSegmentAndKBeyondTheCustomersIsAnError()
    {
        var data = Write("one.csv", TestData.Header, "1,22423,X,2,2011-01-01 10:00:00,3.5,1.0,UK", "2,22424,X,1,2011-01-05 10:00:00,2.0,1.0,UK");

        var run = await Segment(data);
        var act = () => Segment(data, new SegmentationOptions { K = 2 });

        run.Analysis.Metrics.K.Should().Be(1);
        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("k = 2 exceeds the number of customers (1).");
    }

    [Fact]
    public async Task IdenticalCustomersGiveOneSegment()
    {
        var data = Write("same.csv", TestData.Header,
            "1,22423,X,2,2011-01-01 10:00:00,3.5,1.0,UK",
            "2,22423,X,2,2011-01-01 10:00:00,3.5,2.0,UK",
            "3,22423,X,2,2011-01-01 10:00:00,3.5,3.0,UK");

        var run = await Segment(data);

        run.Analysis.Segments.Single().Size.Should().Be(3);
        run.Analysis.Notes.Should().Contain(n => n.Contains("same profile", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CustomerTableFormatSegmentsAnyColumns()
    {
        var rows = Enumerable.Range(1, 30).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{i};{(i <= 15 ? 10 : 100) + (i * 0.37)};{(i <= 15 ? "a" : "b")}"));
        var data = Write("customers.csv", ["customer_id;score;tier", .. rows]);

        var run = await SegmentCommand.RunAsync(
            new SegmentSettings { Data = data, Out = new DirectoryInfo(Path.Combine(_directory.FullName, "t")), DataIsCustomerTable = true, Csv = new Core.Data.TransactionCsvOptions { Delimiter = ";" } },
            TextWriter.Null,
            CancellationToken.None);

        run.Analysis.Metrics.K.Should().Be(2);
        run.Analysis.Input.FeatureNames.Should().Equal("score", "tier=a", "tier=b");
    }

    [Fact]
    public async Task ClickstreamBrowsersWhoNeverBuyBecomeWindowShoppers()
    {
        var buyers = await Segment(new FileInfo(TestData.OnlineRetailSample));
        var buyerIds = buyers.Analysis.Assignments.Take(200).Select(a => a.CustomerId).ToList();
        var lines = new List<string> { "customer_id,session_id,event_type" };
        lines.AddRange(buyerIds.SelectMany(id => new[] { $"{id},{id}-a,view", $"{id},{id}-a,view", $"{id},{id}-a,add_to_cart" }));
        lines.AddRange(Enumerable.Range(0, 60).SelectMany(b => Enumerable.Range(0, 40 + (b % 7)).Select(v => $"9{b:D4},9{b:D4}-{v % 5},view")));
        var clicks = Write("clicks.csv", [.. lines]);

        var run = await SegmentCommand.RunAsync(
            new SegmentSettings { Data = new FileInfo(TestData.OnlineRetailSample), Clickstream = clicks, Out = new DirectoryInfo(Path.Combine(_directory.FullName, "c")) },
            TextWriter.Null,
            CancellationToken.None);

        run.Analysis.Input.FeatureNames.Should().Contain([CustomerFeatureNames.PageViews, CustomerFeatureNames.ViewToPurchaseRate]);
        run.Analysis.Input.Customers.Should().Be(buyers.Analysis.Input.Customers + 60);
        var browser = run.Analysis.Assignments.Single(a => a.CustomerId == "90001");
        browser.Persona.Should().Be("Window shoppers");
    }
}
