using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Reporting;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

/// <summary>Runs on real Azurite: promotion, rejection of a worse challenger, duplicates, catalogue uploads.</summary>
public sealed class TrainingRunnerTests : IDisposable
{
    private readonly TrainingHarness _harness = new();
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("smartshop-training-tests-").FullName;

    public void Dispose()
    {
        _harness.Dispose();
        Directory.Delete(_workDirectory, recursive: true);
    }

    [Fact]
    public async Task FirstUploadIsPublishedActivatedRecordedAndTaggedAndTheSameContentAgainIsADuplicate()
    {
        var content = TrainingFiles.Good();
        var name = await _harness.UploadAsync(content);

        var report = await _harness.Runner.RunFromBlobAsync(name);

        report.Decision.Should().Be(TrainingDecision.Promoted, report.Message);
        report.InputKind.Should().Be(TrainingInputKind.Transactions);
        report.InputHash.Should().Be(Convert.ToHexStringLower(SHA256.HashData(content)));
        report.ChallengerMetrics["ndcg@10/all"].Should().BeGreaterThan(0.05);
        report.ChallengerMetrics["users/all"].Should().BeGreaterThanOrEqualTo(20);
        report.ChampionVersion.Should().BeNull();
        var options = _harness.Options;
        (await _harness.Registry.GetActiveAsync(options.RecommendationsModel))!.Version.Should().Be(report.RecommendationsVersion);
        (await _harness.Registry.GetActiveAsync(options.SegmentationModel))!.Version.Should().Be(report.SegmentationVersion);

        // The versions load with the product's own loaders and carry the run in their manifests.
        var recommendations = Path.Combine(_workDirectory, "rec");
        await _harness.Registry.DownloadVersionAsync(options.RecommendationsModel, report.RecommendationsVersion!, recommendations);
        ModelBundle.Load(recommendations).Info.TrainedTo.Should().BeBefore(DateTime.Parse(report.DataSummary["holdoutCutoff"], System.Globalization.CultureInfo.InvariantCulture));
        var provenance = ModelPublisher.ReadProvenance(recommendations)!;
        provenance.RunId.Should().Be(report.RunId);
        provenance.Decision.Should().Be("promoted");
        provenance.InputBlob.Should().Be(name);
        provenance.InputHash.Should().Be(report.InputHash);
        provenance.ChallengerMetrics.Should().BeEquivalentTo(report.ChallengerMetrics);
        // The run's report is stored next to each model it describes (the tests' build always has the renderer).
        File.ReadAllText(Path.Combine(recommendations, RunReport.ReportFileName)).Should().StartWith("<!doctype html>").And.Contain("report-data");
        var segmentation = Path.Combine(_workDirectory, "seg");
        await _harness.Registry.DownloadVersionAsync(options.SegmentationModel, report.SegmentationVersion!, segmentation);
        (await SegmentationModelStore.LoadAsync(segmentation)).Model.Segments.Should().HaveCount((int)report.SegmentationMetrics["k"]);
        using (var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(segmentation, ModelRegistry.ManifestFileName))))
        {
            manifest.RootElement.GetProperty("format").GetString().Should().Be(ModelPublisher.SegmentationFormat);
            manifest.RootElement.GetProperty("metrics").GetProperty("silhouette").GetDouble().Should().Be(report.SegmentationMetrics["silhouette"]);
            manifest.RootElement.GetProperty("training").GetProperty("runId").GetString().Should().Be(report.RunId);
        }

        File.Exists(Path.Combine(segmentation, RunReport.ReportFileName)).Should().BeTrue();

        var record = (await _harness.RunLog.GetTrainingRunAsync(options.RecommendationsModel, report.RunId))!;
        record.Status.Should().Be("promoted");
        record.Trigger.Should().Be("blob");
        record.InputBlob.Should().Be(name);
        record.InputETag.Should().Be(report.InputETag).And.NotBeNullOrEmpty();
        record.InputHash.Should().Be(report.InputHash);
        record.ModelVersion.Should().Be(report.RecommendationsVersion);
        record.Metrics.Should().BeEquivalentTo(report.ChallengerMetrics);
        record.DataSummary!["kind"].Should().Be("Transactions");
        record.DataSummary["rowsAccepted"].Should().Be(TrainingFiles.Transactions.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        record.Parameters!["primaryMetric"].Should().Be("ndcg@10/all");
        record.Parameters["recommender.itemSimilarity"].Should().Be("item-knn");
        record.CompletedAt.Should().NotBeNull();
        (await _harness.RunLog.GetTrainingRunAsync(options.SegmentationModel, report.RunId))!.ModelVersion.Should().Be(report.SegmentationVersion);

        var properties = (await (await _harness.BlobAsync(BlobContainers.TrainingData, name)).GetPropertiesAsync()).Value;
        properties.Metadata[TrainingRunner.RunIdMetadata].Should().Be(report.RunId);
        properties.Metadata[TrainingRunner.StatusMetadata].Should().Be("promoted");
        _harness.Measurements.Measurements.Should().Contain(m => m.Name == SmartShopTelemetry.Names.TrainingRuns && m.Tags[SmartShopTelemetry.Tags.Decision] == "promoted");

        _harness.CustomEvents.Should().Equal("ModelPromoted");

        // The same bytes under another name: the first run's record, nothing trained or published again.
        var again = await _harness.UploadAndRunAsync(content);
        again.IsDuplicate.Should().BeTrue();
        again.RunId.Should().Be(report.RunId);
        again.Decision.Should().Be(TrainingDecision.Promoted);
        again.RecommendationsVersion.Should().Be(report.RecommendationsVersion);
        (await _harness.RunLog.ListTrainingRunsAsync(options.RecommendationsModel, 10)).Should().ContainSingle();
        (await _harness.Registry.ListVersionsAsync(options.RecommendationsModel)).Should().ContainSingle();
        _harness.Measurements.Measurements.Should().Contain(m => m.Name == SmartShopTelemetry.Names.TrainingRuns && m.Tags[SmartShopTelemetry.Tags.Decision] == "duplicate");
    }

    [Fact]
    public async Task AWorseChallengerIsKeptAsARejectedCandidateAndTheChampionStays()
    {
        var champion = await _harness.UploadAndRunAsync(TrainingFiles.Good());

        var challenger = await _harness.UploadAndRunAsync(TrainingFiles.Worse());

        champion.Decision.Should().Be(TrainingDecision.Promoted, champion.Message);
        challenger.Decision.Should().Be(TrainingDecision.Rejected, challenger.Message);
        challenger.Message.Should().Contain("worse than the champion").And.Contain(champion.RecommendationsVersion);
        challenger.ChampionVersion.Should().Be(champion.RecommendationsVersion);
        challenger.ChallengerMetrics["ndcg@10/all"].Should().BeLessThan(challenger.ChampionMetrics!["ndcg@10/all"] - _harness.Options.Tolerance);
        // Same hold-out for both: the champion scores there exactly as it did when it was the challenger.
        challenger.ChampionMetrics["ndcg@10/all"].Should().Be(champion.ChallengerMetrics["ndcg@10/all"]);
        var options = _harness.Options;
        (await _harness.Registry.GetActiveAsync(options.RecommendationsModel))!.Version.Should().Be(champion.RecommendationsVersion);
        (await _harness.Registry.GetActiveAsync(options.SegmentationModel))!.Version.Should().Be(champion.SegmentationVersion);
        (await _harness.Registry.ListVersionsAsync(options.RecommendationsModel)).Select(v => v.Version)
            .Should().BeEquivalentTo([champion.RecommendationsVersion, challenger.RecommendationsVersion]);
        var candidate = Path.Combine(_workDirectory, "candidate");
        await _harness.Registry.DownloadVersionAsync(options.RecommendationsModel, challenger.RecommendationsVersion!, candidate);
        ModelPublisher.ReadProvenance(candidate)!.Decision.Should().Be("rejected");
        var record = (await _harness.RunLog.GetTrainingRunAsync(options.RecommendationsModel, challenger.RunId))!;
        record.Status.Should().Be("rejected");
        record.ChampionVersion.Should().Be(champion.RecommendationsVersion);
        record.ChampionMetrics.Should().BeEquivalentTo(challenger.ChampionMetrics);
        _harness.CustomEvents.Should().Equal("ModelPromoted", "ModelRejected");
    }

    [Fact]
    public async Task AnUploadedCatalogueIsStoredAndTheNextRunUsesIt()
    {
        var item = TrainingFiles.Transactions.GroupBy(t => t.StockCode).OrderByDescending(g => g.Count()).First().Key;
        var catalogue = $"id,title,category,price,in_stock\n{item},Renamed best seller,Kitchen,9.99,false\n";

        var stored = await _harness.UploadAndRunAsync(Encoding.UTF8.GetBytes(catalogue), ".csv");
        var trained = await _harness.UploadAndRunAsync(TrainingFiles.Good());

        stored.InputKind.Should().Be(TrainingInputKind.Catalogue);
        stored.Decision.Should().Be(TrainingDecision.Promoted, stored.Message);
        stored.Message.Should().Contain("next training run");
        (await _harness.Registry.GetActiveAsync(_harness.Options.CatalogueModel))!.Version.Should().Be(stored.CatalogueVersion);
        (await _harness.Registry.GetActiveAsync(_harness.Options.RecommendationsModel)).Should().NotBeNull("the catalogue run trained nothing, the transactions run did");
        var bundle = Path.Combine(_workDirectory, "with-catalogue");
        await _harness.Registry.DownloadVersionAsync(_harness.Options.RecommendationsModel, trained.RecommendationsVersion!, bundle);
        var model = ModelBundle.Load(bundle);
        var index = Array.IndexOf(model.ItemIds, item);
        model.Titles[index].Should().Be("Renamed best seller");
        model.Categories[index].Should().Be("Kitchen");
        model.InStock[index].Should().BeFalse();
    }

    [Fact]
    public async Task ItemsTheCatalogueMarksAsNotProductsAreNeitherTrainedNorSegmentedOn()
    {
        var fee = TrainingFiles.Transactions.GroupBy(t => t.StockCode).OrderByDescending(g => g.Count()).First().Key;
        var interactions = TrainingFiles.Transactions.Count(t => t.IsCleanPurchase && t.StockCode == fee);
        await _harness.UploadAndRunAsync(Encoding.UTF8.GetBytes($"id,title,category,price,in_stock,is_product\n{fee},Card fee,,1,true,false\n"), ".csv");

        var trained = await _harness.UploadAndRunAsync(TrainingFiles.Good());

        trained.Decision.Should().Be(TrainingDecision.Promoted, trained.Message);
        trained.DataSummary["nonProductInteractions"].Should().Be(interactions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var bundle = Path.Combine(_workDirectory, "without-fee");
        await _harness.Registry.DownloadVersionAsync(_harness.Options.RecommendationsModel, trained.RecommendationsVersion!, bundle);
        ModelBundle.Load(bundle).ItemIds.Should().NotContain(fee);
    }
}
