using SmartShop.Core.Data;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

public sealed class TrainingDecisionTests
{
    private static readonly Dictionary<string, double> Challenger = new() { ["ndcg@10/all"] = 0.300, ["ndcg@10/new"] = 0.10, ["users/all"] = 50, ["users/new"] = 40 };

    [Theory]
    [InlineData(0.304, true)]   // worse by 0.004: within the tolerance
    [InlineData(0.305, true)]   // worse by exactly the tolerance
    [InlineData(0.3051, false)] // worse by more
    [InlineData(0.200, true)]   // better
    public void TheChallengerIsPromotedUnlessWorseThanTheChampionByMoreThanTheTolerance(double champion, bool promoted)
    {
        var (promote, message) = TrainingRunner.Decide("ndcg@10/all", 0.005, 20, Challenger, "v1", new Dictionary<string, double> { ["ndcg@10/all"] = champion });

        promote.Should().Be(promoted);
        message.Should().Contain("ndcg@10/all 0.3000 vs v1").And.Contain("tolerance 0.005");
    }

    [Fact]
    public void ThePrimaryMetricIsConfigurable()
    {
        var champion = new Dictionary<string, double> { ["ndcg@10/all"] = 0.1, ["ndcg@10/new"] = 0.2 };

        TrainingRunner.Decide("ndcg@10/all", 0.005, 20, Challenger, "v1", champion).Promote.Should().BeTrue();
        TrainingRunner.Decide("ndcg@10/new", 0.005, 20, Challenger, "v1", champion).Promote.Should().BeFalse();
    }

    [Fact]
    public void WithoutAUsableChampionTheChallengerIsPromoted()
    {
        TrainingRunner.Decide("ndcg@10/all", 0.005, 20, Challenger, null, null).Message.Should().StartWith("No active model");
        var (promote, message) = TrainingRunner.Decide("ndcg@10/all", 0.005, 20, Challenger, "v1", null);

        promote.Should().BeTrue();
        message.Should().Contain("v1 could not be evaluated");
    }

    [Fact]
    public void TooFewHoldoutUsersKeepAnExistingChampion()
    {
        var (promote, message) = TrainingRunner.Decide("ndcg@10/new", 0.005, 41, Challenger, "v1", new Dictionary<string, double> { ["ndcg@10/new"] = 0 });

        promote.Should().BeFalse();
        message.Should().Contain("Only 40 hold-out users (fewer than 41)");
    }

    [Fact]
    public void AMappedHeaderInAnotherDelimiterIsATransactionsFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "Beleg;Artikel;Menge;Datum;Preis;Kunde\n");
            var options = new TransactionCsvOptions { Columns = TransactionColumns.FromMappings(["OrderId=Beleg", "ItemId=Artikel"]) };

            TrainingInputReader.Detect(path, options).Should().Be(TrainingInputKind.Transactions);
            FluentActions.Invoking(() => TrainingInputReader.Detect(path, new TransactionCsvOptions())).Should().Throw<InvalidDataException>().WithMessage("Unrecognised training file*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n", TrainingInputKind.Transactions)]
    [InlineData("\n\"InvoiceNo\",\"StockCode\"\n", TrainingInputKind.Transactions)]
    [InlineData("timestamp,visitorid,event,itemid,transactionid\n", TrainingInputKind.RetailRocketEvents)]
    [InlineData("{\"eventId\":\"e1\"}\n", TrainingInputKind.ClickstreamJsonLines)]
    [InlineData("id,title,category,price,in_stock\n", TrainingInputKind.Catalogue)]
    [InlineData("{\"id\":\"sku-1\",\"title\":\"Mug\",\"price\":4.5}\n", TrainingInputKind.Catalogue)]
    public void TheFileKindComesFromTheFirstLineEvenGzipped(string content, TrainingInputKind kind)
    {
        var plain = Path.GetTempFileName();
        var gzipped = Path.GetTempFileName();
        try
        {
            File.WriteAllText(plain, content);
            File.WriteAllBytes(gzipped, TrainingFiles.Gzip(content));

            TrainingInputReader.Detect(plain, new TransactionCsvOptions()).Should().Be(kind);
            TrainingInputReader.Detect(gzipped, new TransactionCsvOptions()).Should().Be(kind);
        }
        finally
        {
            File.Delete(plain);
            File.Delete(gzipped);
        }
    }

    [Fact]
    public void OptionsAreValidated()
    {
        new TrainingOptions().Validate();
        var bad = () => new TrainingOptions { PrimaryMetric = "auc", Tolerance = 2 }.Validate();

        bad.Should().Throw<ArgumentException>().WithMessage("*Training:PrimaryMetric*").WithMessage("*Tolerance*");
    }
}
