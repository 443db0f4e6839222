using System.Text;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

/// <summary>Bad inputs fail with a reason, leave the active model alone and never retrigger; a corrupt champion is reported.</summary>
public sealed class TrainingFailureTests : IDisposable
{
    private readonly TrainingHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "corrupt", TestData.Header + "\n" + string.Join('\n', Enumerable.Range(0, 50).Select(i => $"5{i:00000},85123A,X,not-a-number,2011-01-01 10:00:00,2.5,17850,UK")), "mostly malformed" },
        { "empty", "", "empty" },
        { "blank", "\n\n  \n", "empty" },
        { "header only", TestData.Header + "\n", "no data rows" },
        { "wrong columns", "InvoiceNo,StockCode,Amount\n536365,85123A,3\n", "missing required column(s): Quantity, InvoiceDate, UnitPrice, CustomerID" },
        { "unknown kind", "customer,segment\n17850,gold\n", "Unrecognised training file" },
        { "no purchases", TestData.Header + "\nC536379,85123A,X,-1,2011-01-01 10:00:00,2.5,17850,UK\n536380,22423,X,1,2011-01-01 10:00:00,0,17850,UK\n536381,22423,X,1,2011-01-01 10:00:00,2.5,,UK\n", "has no purchases" },
        { "history inside the hold-out", TestData.Header + "\n536365,85123A,X,6,2011-01-01 10:00:00,2.55,17850,UK\n536366,71053,X,6,2011-01-02 10:00:00,3.39,13047,UK\n", "hold-out" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task BadDataFailsWithAReasonAndTheFileIsMovedAside(string what, string content, string reason)
    {
        var name = await _harness.UploadAsync(Encoding.UTF8.GetBytes(content), ".csv");

        var report = await _harness.Runner.RunFromBlobAsync(name);

        report.Decision.Should().Be(TrainingDecision.Failed, what);
        report.Error.Should().Contain(reason);
        report.RecommendationsVersion.Should().BeNull();
        (await _harness.Registry.GetActiveAsync(_harness.Options.RecommendationsModel)).Should().BeNull();
        (await _harness.Registry.ListVersionsAsync(_harness.Options.RecommendationsModel)).Should().BeEmpty();
        (await (await _harness.BlobAsync(BlobContainers.TrainingData, name)).ExistsAsync()).Value.Should().BeFalse("a refused file leaves the drop zone");
        var moved = (await (await _harness.BlobAsync(BlobContainers.TrainingDataRejected, name)).GetPropertiesAsync()).Value;
        moved.ContentLength.Should().Be(Encoding.UTF8.GetByteCount(content));
        moved.Metadata[TrainingRunner.StatusMetadata].Should().Be("failed");
        moved.Metadata[TrainingRunner.ReasonMetadata].Should().NotBeNullOrEmpty();
        var record = (await _harness.RunLog.GetTrainingRunAsync(_harness.Options.RecommendationsModel, report.RunId))!;
        record.Status.Should().Be("failed");
        record.Error.Should().Be(report.Error);
        _harness.Measurements.Measurements.Should().Contain(m => m.Name == SmartShopTelemetry.Names.TrainingRuns && m.Tags[SmartShopTelemetry.Tags.Decision] == "failed");
        _harness.CustomEvents.Should().Equal("TrainingFailed");
    }

    [Fact]
    public async Task AFileOverTheSizeLimitIsRefusedUnreadAndTaggedInPlace()
    {
        using var harness = new TrainingHarness(configure: o => o.MaxInputBytes = 100);
        var name = await harness.UploadAsync(TrainingFiles.Good());

        var report = await harness.Runner.RunFromBlobAsync(name);
        var again = await harness.Runner.RunFromBlobAsync(name);

        report.Decision.Should().Be(TrainingDecision.Failed);
        report.Error.Should().Contain("over the limit of 100").And.Contain("Training:MaxInputBytes");
        report.InputHash.Should().BeNull("the file was never downloaded");
        again.IsDuplicate.Should().BeTrue();
        var properties = (await (await harness.BlobAsync(BlobContainers.TrainingData, name)).GetPropertiesAsync()).Value;
        properties.Metadata[TrainingRunner.StatusMetadata].Should().Be("failed");
        properties.Metadata[TrainingRunner.ReasonMetadata].Should().Contain("over the limit");
    }

    [Fact]
    public async Task AMissingBlobIsAClearError()
    {
        var run = () => _harness.Runner.RunFromBlobAsync("never-uploaded.csv");

        await run.Should().ThrowAsync<FileNotFoundException>().WithMessage("*training-data/never-uploaded.csv*does not exist*");
    }

    [Fact]
    public async Task ACorruptChampionIsReportedAndReplacedByAChallengerItCouldNotBeComparedWith()
    {
        var champion = await _harness.UploadAndRunAsync(TrainingFiles.Good());
        var models = await _harness.Containers.GetAsync(BlobContainers.Models);
        await models.GetBlobClient($"{_harness.Options.RecommendationsModel}/{champion.RecommendationsVersion}/items.price.bin")
            .UploadAsync(BinaryData.FromBytes([1, 2, 3, 4]), overwrite: true);

        // This challenger would lose against a readable champion (see TrainingRunnerTests).
        var challenger = await _harness.UploadAndRunAsync(TrainingFiles.Worse());

        champion.Decision.Should().Be(TrainingDecision.Promoted, champion.Message);
        challenger.Decision.Should().Be(TrainingDecision.Promoted, challenger.Message);
        challenger.ChampionVersion.Should().Be(champion.RecommendationsVersion);
        challenger.ChampionMetrics.Should().BeNull();
        challenger.Error.Should().Contain("could not be loaded").And.Contain("items.price.bin");
        (await _harness.Registry.GetActiveAsync(_harness.Options.RecommendationsModel))!.Version.Should().Be(challenger.RecommendationsVersion);
        (await _harness.RunLog.GetTrainingRunAsync(_harness.Options.RecommendationsModel, challenger.RunId))!.Error.Should().Be(challenger.Error);
    }
}
