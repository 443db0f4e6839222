using System.CommandLine;
using System.Globalization;
using System.Text;
using SmartShop.Cli;
using SmartShop.Cli.Commands;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Synthetic;
using SmartShop.Core.Tests.Recommendations;

namespace SmartShop.Core.Tests.Cli;

/// <summary>Every command that reads transactions takes the same data options, and refuses unusable ones with exit code 2.</summary>
public sealed class DataOptionsTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("data-options-");

    public void Dispose() => _directory.Delete(recursive: true);

    private static Task<int> Invoke(params string[] args)
    {
        var root = new RootCommand("test");
        foreach (var command in new[] { DemoCommand.Create(), TrainCommand.Create(), EvaluateCommand.Create(), SegmentCommand.Create(), RetrainCommand.Create(), RecommendCommand.Create() })
        {
            root.Subcommands.Add(command);
        }
        return CommandLineRunner.RunAsync(root, args);
    }

    // The synthetic shop as a European export: semicolons, decimal commas, day-first dates, its own header names.
    private string WriteEuropeanExport()
    {
        var path = Path.Combine(_directory.FullName, "export.csv");
        var lines = new List<string> { "Beleg;Artikel;Text;Menge;Datum;Preis;Kunde;Land" };
        lines.AddRange(SyntheticShop.Events().Select(e => string.Create(CultureInfo.InvariantCulture,
            $"{e.BasketId};sku-{e.ItemId};Artikel {e.ItemId};1;{e.Timestamp:dd.MM.yyyy HH:mm};2,50;kunde-{e.UserId};DE")));
        File.WriteAllLines(path, lines, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        return path;
    }

    private static readonly string[] European =
    [
        "--decimal-separator", ",", "--date-format", "dd.MM.yyyy HH:mm",
        "--map", "OrderId=Beleg", "ItemId=Artikel", "Description=Text", "Quantity=Menge", "Date=Datum", "Price=Preis", "CustomerId=Kunde", "Country=Land",
    ];

    [Fact]
    public async Task TrainAndRecommendReadAEuropeanExportWithOpaqueIds()
    {
        var data = WriteEuropeanExport();
        var model = Path.Combine(_directory.FullName, "model");
        var recs = Path.Combine(_directory.FullName, "recs.csv");

        (await Invoke(["train", "--data", data, "--out", model, "--no-als", .. European])).Should().Be(0);
        (await Invoke("recommend", "--model", model, "--users", "all", "--k", "3", "--out", recs)).Should().Be(0);

        var lines = await File.ReadAllLinesAsync(recs);
        lines.Skip(1).Should().OnlyContain(l => l.StartsWith("kunde-U", StringComparison.Ordinal) && l.Split(',')[2].StartsWith("sku-I", StringComparison.Ordinal));
        lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().Should().HaveCount(SyntheticShop.Events().Select(e => e.UserId).Distinct().Count());
    }

    [Fact]
    public async Task ACataloguesNonProductItemsAreDroppedWithTheirOwnReasonAndNeverRecommended()
    {
        var data = WriteEuropeanExport();
        var catalogue = Path.Combine(_directory.FullName, "catalogue.csv");
        File.WriteAllLines(catalogue, ["id,title,category,price,in_stock,is_product",
            .. Enumerable.Range(0, 30).Select(i => string.Create(CultureInfo.InvariantCulture, $"sku-{SyntheticShop.ItemId(i)},Artikel {i},c{i % 3},2.5,true,{(i == 3 ? "false" : "true")}"))]);
        var model = Path.Combine(_directory.FullName, "model");
        var recs = Path.Combine(_directory.FullName, "recs.csv");
        using var log = new StringWriter();

        TrainCommand.Run(data, catalogue, model, new RecommenderOptions { Als = null, MaxDegreeOfParallelism = 2 },
            new DataOptions().Read(new RootCommand().Parse([])) with { DecimalSeparator = ',', DateFormat = "dd.MM.yyyy HH:mm", Columns = Core.Data.TransactionColumns.FromMappings(European.Skip(5)) },
            TextWriter.Null, log, CancellationToken.None);
        (await Invoke("recommend", "--model", model, "--users", "all", "--k", "10", "--out", recs)).Should().Be(0);

        log.ToString().Should().MatchRegex(@"  \d+ rows: item is not a product in the catalogue \(first at line \d+\)");
        (await File.ReadAllLinesAsync(recs)).Skip(1).Select(l => l.Split(',')[2]).Should().NotContain("sku-I03").And.Contain("sku-I06");
    }

    [Fact]
    public async Task EvaluateAndSegmentReadTheSameExportWithTheSameOptions()
    {
        var data = WriteEuropeanExport();

        (await Invoke(["evaluate", "--data", data, "--split-date", "2024-02-01", "--k", "5", .. European])).Should().Be(0);
        (await Invoke(["segment", "--data", data, "--out", Path.Combine(_directory.FullName, "seg"), "--k", "3", .. European])).Should().Be(0);

        var assignments = await File.ReadAllLinesAsync(Path.Combine(_directory.FullName, "seg", "assignments.csv"));
        assignments.Skip(1).Should().OnlyContain(l => l.StartsWith("kunde-U", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("train", "--encoding", "ebcdic")]
    [InlineData("train", "--decimal-separator", ";")]
    [InlineData("evaluate", "--preset", "amazon")]
    [InlineData("segment", "--exclude-items", "([a")]
    [InlineData("segment", "--date-format", "%")]
    [InlineData("demo", "--delimiter", "ab")]
    [InlineData("demo", "--map", "Colour=Farbe")]
    [InlineData("retrain", "--max-quantity", "0")]
    [InlineData("train", "--delimeter", ";")]
    public async Task UnusableDataOptionsEndWithTheInputErrorCode(string command, string option, string value)
    {
        var data = WriteEuropeanExport();
        string[] rest = command switch
        {
            "train" => ["--out", Path.Combine(_directory.FullName, "m")],
            "evaluate" => ["--split-date", "2024-02-01"],
            "segment" => ["--out", Path.Combine(_directory.FullName, "s")],
            "retrain" => ["--storage", "UseDevelopmentStorage=true"],
            _ => [],
        };

        // The export's own options make it readable: only the one bad option can fail the command.
        var readable = European.ToList();
        var at = readable.IndexOf(option);
        if (at >= 0 && option != "--map")
        {
            readable.RemoveRange(at, 2);
        }

        (await Invoke([command, "--data", data, .. rest, .. readable, option, value])).Should().Be(CommandLineRunner.InputError);
    }

    [Fact]
    public async Task AFileInAnotherDialectWithoutTheOptionsIsRefusedWithTheReason()
    {
        var data = WriteEuropeanExport();

        (await Invoke("train", "--data", data, "--out", Path.Combine(_directory.FullName, "m"))).Should().Be(CommandLineRunner.InputError);
    }

    [Fact]
    public void ADemoOnAFileWithNoPurchaseLeftSaysWhichRulesDroppedTheRows()
    {
        var path = Path.Combine(_directory.FullName, "fees.csv");
        File.WriteAllLines(path, [TestData.Header, "1,POST,POSTAGE,1,2011-01-01 10:00:00,2,17850,UK", "2,DOT,DOTCOM POSTAGE,1,2011-01-01 10:00:00,2,17850,UK"]);

        var act = () => DemoCommand.Run(new FileInfo(path), new Core.Data.TransactionCsvOptions { Preset = Core.Data.TransactionCsvOptions.OnlineRetailPreset }, TextWriter.Null, CancellationToken.None);

        act.Should().Throw<InvalidDataException>().WithMessage("No purchases to work with: 0 of 2 rows kept*dropped: 2 rows: item id matches the exclusion rule (first at line 2).");
    }

    [Fact]
    public void AUsersFileMayHaveAHeaderAndOtherColumnsButNotLinesThatAreNotIds()
    {
        var path = Path.Combine(_directory.FullName, "users.csv");
        File.WriteAllLines(path, ["\uFEFFcustomer_id,segment", "17850,gold", "", "cust-11706;x", "\"u:3\""]);

        RecommendCommand.ReadUserIds(path).Should().Equal("17850", "cust-11706", "u:3");

        File.WriteAllLines(path, ["17850", "not an id"]);
        FluentActions.Invoking(() => RecommendCommand.ReadUserIds(path)).Should().Throw<InvalidDataException>().WithMessage("--users file line 2: not a user id*");
    }

    [Fact]
    public async Task SegmentJoinsTheGeneratorsRetailRocketFileOnTheSameCustomerIds()
    {
        var synth = Path.Combine(_directory.FullName, "synth");
        Directory.CreateDirectory(synth);
        SyntheticRetailGenerator.WriteFiles(new SyntheticRetailOptions { Customers = 120, Products = 60, Days = 30, Seed = 4 }, synth);

        var run = await SegmentCommand.RunAsync(
            new SegmentSettings
            {
                Data = new FileInfo(Path.Combine(synth, SyntheticRetailGenerator.TransactionsFile)),
                Clickstream = new FileInfo(Path.Combine(synth, SyntheticRetailGenerator.RetailRocketEventsFile)),
                Out = new DirectoryInfo(Path.Combine(_directory.FullName, "rr")),
                Csv = new Core.Data.TransactionCsvOptions { Preset = Core.Data.TransactionCsvOptions.OnlineRetailPreset },
                Options = new SegmentationOptions { K = 3 },
            },
            TextWriter.Null,
            CancellationToken.None);

        var clicks = ClickstreamFeatureBuilder.ReadFile(Path.Combine(synth, SyntheticRetailGenerator.RetailRocketEventsFile));
        clicks.Count.Should().BeGreaterThan(50);
        var views = clicks.IndexOfFeature(CustomerFeatureNames.PageViews);
        var sessions = clicks.IndexOfFeature(CustomerFeatureNames.Sessions);
        Enumerable.Range(0, clicks.Count).Should().OnlyContain(i => clicks[i, sessions] >= 1 && clicks[i, sessions] <= clicks[i, views] + clicks.Count);
        run.Analysis.Input.FeatureNames.Should().Contain(CustomerFeatureNames.PageViews);
        run.Analysis.Assignments.Select(a => a.CustomerId).Should().Contain(clicks.CustomerIds.Take(10), "the events' visitors are the export's customers");
    }
}
