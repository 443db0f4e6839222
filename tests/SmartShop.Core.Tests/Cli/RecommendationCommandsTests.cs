using System.CommandLine;
using System.Globalization;
using SmartShop.Cli;
using SmartShop.Cli.Commands;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Tests.Recommendations;

namespace SmartShop.Core.Tests.Cli;

public sealed class RecommendationCommandsTests : IDisposable
{
    // The files carry a postage line; an exclusion rule keeps it out of training and the evaluation's truth.
    private static readonly Core.Data.TransactionCsvOptions NoPostage = new() { Rules = new Core.Data.TransactionRules { ExcludeItems = "^POST$" } };

    private readonly string _directory = Directory.CreateTempSubdirectory("smartshop-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // The synthetic shop as Online Retail rows, plus dirt the reader and the cleaning rules must drop.
    private string WriteTransactions(string name, Func<InteractionEvent, bool> keep)
    {
        var path = Path.Combine(_directory, name);
        var lines = new List<string> { TestData.Header };
        lines.AddRange(SyntheticShop.Events().Where(keep).Select(e => string.Create(CultureInfo.InvariantCulture,
            $"{e.BasketId!.Replace("-", "", StringComparison.Ordinal)[1..]},{e.ItemId.Replace("I", "100", StringComparison.Ordinal)},ITEM {e.ItemId},1,{e.Timestamp:yyyy-MM-dd HH:mm:ss},2.5,{1000 + int.Parse(e.UserId[1..], CultureInfo.InvariantCulture)}.0,United Kingdom")));
        lines.Add("C1,10001,CANCELLED,-1,2024-01-02 10:00:00,2.5,1.0,United Kingdom");
        lines.Add("X9,POST,POSTAGE,1,2024-01-02 10:00:00,18,1.0,United Kingdom");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void TrainThenRecommendWritesRankedCsvWithReasons()
    {
        var data = WriteTransactions("train.csv", _ => true);
        var model = Path.Combine(_directory, "model");
        using var log = new StringWriter();

        TrainCommand.Run(data, null, model, new RecommenderOptions { MaxDegreeOfParallelism = 2 }, NoPostage, TextWriter.Null, log, CancellationToken.None);
        using var output = new StringWriter();
        RecommendCommand.Run(model, "all", 3, excludePurchased: true, output, log, CancellationToken.None);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines[0].Should().Be("user,rank,item,score,reason");
        lines.Should().HaveCount(1 + 60 * 3);
        lines[1].Should().MatchRegex(@"^\d+,1,100\d\d,[-0-9.E]+,.+$");
        lines.Skip(1).Select(l => l.Split(',')[2]).Should().NotContain("POST");
        log.ToString().Should().Contain("1 row: item id matches the exclusion rule (first at line");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TrainWritesAlsFactorsUnlessNoAlsIsGiven(bool noAls)
    {
        var data = WriteTransactions("train.csv", _ => true);
        var model = Path.Combine(_directory, "model");
        var root = new RootCommand("test");
        root.Subcommands.Add(TrainCommand.Create());

        var exitCode = await CommandLineRunner.RunAsync(root, ["train", "--data", data, "--out", model, .. noAls ? new[] { "--no-als" } : []]);

        exitCode.Should().Be(0);
        File.Exists(Path.Combine(model, "als.factors")).Should().Be(!noAls);
        ModelBundle.Load(model).Info.Parameters["als"].Should().Be(noAls ? "off" : "factors=64;lambda=5;alpha=10;iterations=10;seed=42;candidates=50");
    }

    [Fact]
    public void RecommendRejectsBadKAndMissingModelPrecisely()
    {
        FluentActions.Invoking(() => RecommendCommand.Run(_directory, "all", 101, false, TextWriter.Null, TextWriter.Null, CancellationToken.None))
            .Should().Throw<ArgumentException>().WithMessage("--k must be between 1 and 100*");
        FluentActions.Invoking(() => RecommendCommand.Run(_directory, "all", 10, false, TextWriter.Null, TextWriter.Null, CancellationToken.None))
            .Should().Throw<ModelBundleException>().WithMessage("Not a model bundle*");
    }

    [Fact]
    public void EvaluatePrintsProductAndBaselineRowsAndJson()
    {
        var cutoff = SyntheticShop.Start.AddDays(40);
        var train = WriteTransactions("a.csv", e => e.Timestamp < cutoff);
        var test = WriteTransactions("b.csv", e => e.Timestamp >= cutoff);
        var json = Path.Combine(_directory, "metrics.json");
        using var output = new StringWriter();

        var rows = EvaluateCommand.Run(new EvaluateCommand.EvaluationInput(train, test, null, null) { Csv = NoPostage }, 5, json, output, TextWriter.Null, CancellationToken.None);

        rows.Select(r => r.Model).Distinct().Should().Equal("smartshop", "popularity", "popularity-unseen", "repeat+popularity");
        rows.Should().OnlyContain(r => r.Metrics.Users > 0 && r.Metrics.Ndcg >= 0 && r.Metrics.Ndcg <= 1);
        output.ToString().Should().Contain("ndcg@5");
        File.ReadAllText(json).Should().Contain("\"model\": \"smartshop\"");
    }

    [Fact]
    public void EvaluateSplitsOneFileAtADateExactlyAsTwoFilesWould()
    {
        var cutoff = SyntheticShop.Start.Date.AddDays(40);
        var train = WriteTransactions("a.csv", e => e.Timestamp < cutoff);
        var test = WriteTransactions("b.csv", e => e.Timestamp >= cutoff);
        var all = WriteTransactions("all.csv", _ => true);

        var fromTwo = EvaluateCommand.Run(new EvaluateCommand.EvaluationInput(train, test, null, null) { Csv = NoPostage }, 5, null, TextWriter.Null, TextWriter.Null, CancellationToken.None);
        var fromOne = EvaluateCommand.Run(new EvaluateCommand.EvaluationInput(null, null, all, cutoff) { Csv = NoPostage }, 5, null, TextWriter.Null, TextWriter.Null, CancellationToken.None);

        fromOne.Should().BeEquivalentTo(fromTwo);
    }

    [Fact]
    public void EvaluateNeedsTwoFilesOrAFileAndADate()
    {
        FluentActions.Invoking(() => EvaluateCommand.Input(new FileInfo("a.csv"), null, null, null))
            .Should().Throw<ArgumentException>().WithMessage("Give either --train and --test, or --data and --split-date*");
        FluentActions.Invoking(() => EvaluateCommand.Run(new EvaluateCommand.EvaluationInput(null, null, WriteTransactions("x.csv", _ => true), new DateTime(1990, 1, 1)), 5, null, TextWriter.Null, TextWriter.Null, CancellationToken.None))
            .Should().Throw<ArgumentException>().WithMessage("--split-date 1990-01-01 leaves 0 training*");
    }
}
