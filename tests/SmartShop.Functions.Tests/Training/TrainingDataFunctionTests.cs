using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartShop.Core.Storage;
using SmartShop.Core.Training;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Recommendations;
using SmartShop.Functions.Training;

namespace SmartShop.Functions.Tests.Training;

/// <summary>One upload, trained once through the blob function as the host would invoke it.</summary>
public sealed class TrainedUploadFixture : IAsyncLifetime
{
    public TrainingHost Host { get; } = new();

    public BinaryData Content { get; private set; } = BinaryData.Empty;

    public string BlobName { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Content = await TrainingHost.UniqueSampleAsync();
        BlobName = await Host.UploadAsync(Content);
        var container = await Host.TrainingDataAsync();
        await Host.Create<TrainingDataFunction>().OnTrainingDataUploaded(container.GetBlobClient(BlobName), BlobName, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Host.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Upload → blob function → new active version → served after a refresh; duplicates; the local polling path.</summary>
public sealed class TrainingDataFunctionTests(TrainedUploadFixture fixture) : IClassFixture<TrainedUploadFixture>
{
    private readonly TrainingHost _host = fixture.Host;

    [Fact]
    public async Task AnUploadTrainsActivatesAndTheRecommendationRouteServesItAfterARefresh()
    {
        var active = await _host.Registry.GetActiveAsync(_host.TrainingOptions.RecommendationsModel);
        active.Should().NotBeNull("the first model trained into an empty registry is promoted");

        await _host.Services.GetRequiredService<ModelRefreshService>().RefreshAsync();

        var serving = _host.Services.GetRequiredService<ServingModels>();
        serving.Recommendations!.Version.Should().Be(active!.Version);
        serving.Segmentation!.Version.Should().Be((await _host.Registry.GetActiveAsync(_host.TrainingOptions.SegmentationModel))!.Version);
        const string user = "12748"; // the sample's most frequent buyer
        serving.Recommendations.Recommender.IsKnownUser(user).Should().BeTrue();
        var result = await _host.Create<RecommendationFunctions>().GetUserRecommendations(ApiHost.Get($"/api/v1/users/{user}/recommendations"), user, CancellationToken.None);
        var response = ApiResults.Ok<UserRecommendations>(result);
        response.ModelVersion.Should().Be(active.Version);
        response.Recommendations.Should().NotBeEmpty();
    }

    [Fact]
    public async Task ASecondRunReportsHowFarItsCustomersMovedFromTheChampionsInItsReportAndManifest()
    {
        var name = await _host.UploadAsync(await TrainingHost.UniqueSampleAsync(rows: 10_000));

        var report = await _host.Services.GetRequiredService<TrainingRunner>().RunFromBlobAsync(name);

        report.Decision.Should().NotBe(TrainingDecision.Failed, report.Message);
        report.Drift.Select(d => d.Feature).Should().Contain(["recency_days", "frequency", "monetary"]);
        report.Drift.Should().OnlyContain(d => d.Scope == DriftAnalysis.CustomerScope && d.Psi >= 0);
        using var directory = new TemporaryDirectory();
        await _host.Registry.DownloadVersionAsync(_host.TrainingOptions.SegmentationModel, report.SegmentationVersion!, directory.Path);
        ModelPublisher.ReadProvenance(directory.Path)!.Drift.Should().Equal(report.Drift.ToDictionary(d => d.Feature, d => d.Psi));
    }

    [Fact]
    public async Task BadDataCompletesTheInvocationSoTheHostDoesNotRetryAndTheFileIsMovedAside()
    {
        var active = await _host.Registry.GetActiveAsync(_host.TrainingOptions.RecommendationsModel);
        var name = await _host.UploadAsync(BinaryData.FromString("this is not,a training file\n1,2\n"));
        var container = await _host.TrainingDataAsync();

        var invoke = () => _host.Create<TrainingDataFunction>().OnTrainingDataUploaded(container.GetBlobClient(name), name, CancellationToken.None);

        await invoke.Should().NotThrowAsync();
        (await container.GetBlobClient(name).ExistsAsync()).Value.Should().BeFalse();
        var rejected = await _host.Services.GetRequiredService<BlobContainers>().GetAsync(BlobContainers.TrainingDataRejected);
        (await rejected.GetBlobClient(name).ExistsAsync()).Value.Should().BeTrue();
        (await _host.Registry.GetActiveAsync(_host.TrainingOptions.RecommendationsModel))!.Version.Should().Be(active!.Version);
    }

    [Fact]
    public async Task TheSameUploadTriggeringTwiceTrainsOnce()
    {
        var versions = await _host.Registry.ListVersionsAsync(_host.TrainingOptions.RecommendationsModel);
        var container = await _host.TrainingDataAsync();

        await _host.Create<TrainingDataFunction>().OnTrainingDataUploaded(container.GetBlobClient(fixture.BlobName), fixture.BlobName, CancellationToken.None);

        (await _host.Registry.ListVersionsAsync(_host.TrainingOptions.RecommendationsModel)).Should().HaveCount(versions.Count);
    }

    [Fact]
    public async Task TheLocalPollerHandsANewUploadToTheRunnerOnceAndSkipsFilesARunMarkedDone()
    {
        var polling = _host.Services.GetRequiredService<LocalTrainingDataPolling>();
        await _host.Services.GetRequiredService<TrainingDataPoller>().FindNewBlobsAsync(); // what other tests left behind
        var container = await _host.TrainingDataAsync();
        var trainedRunId = (await container.GetBlobClient(fixture.BlobName).GetPropertiesAsync()).Value.Metadata[TrainingRunner.RunIdMetadata];
        // The same bytes under another name: the poller must hand it over; the runner knows the content already.
        var copy = await _host.UploadAsync(fixture.Content);

        var first = await polling.PollOnceAsync();
        var second = await polling.PollOnceAsync();

        var report = first.Should().ContainSingle(r => r.InputBlob == copy || r.RunId == trainedRunId).Subject;
        report.IsDuplicate.Should().BeTrue();
        report.RunId.Should().Be(trainedRunId);
        second.Should().NotContain(r => r.RunId == trainedRunId, "an unchanged blob is not handed to the runner again");
        var restarted = new TrainingDataPoller(_host.Services.GetRequiredService<BlobContainers>());
        (await restarted.FindNewBlobsAsync()).Should().NotContain(fixture.BlobName, "after a restart the run's tags still mark the trained file done");
    }

    [Fact]
    public async Task ThePollerSeesNewAndChangedBlobsOnlyAndForgetsDeletedOnes()
    {
        var poller = new TrainingDataPoller(_host.Services.GetRequiredService<BlobContainers>());
        var container = await _host.TrainingDataAsync();
        await poller.FindNewBlobsAsync();
        var name = $"poll-{Guid.NewGuid():N}.csv";
        var blob = container.GetBlobClient(name);

        await blob.UploadAsync(BinaryData.FromString("a"));
        var afterUpload = await poller.FindNewBlobsAsync();
        var unchanged = await poller.FindNewBlobsAsync();
        await blob.UploadAsync(BinaryData.FromString("b"), overwrite: true);
        var afterChange = await poller.FindNewBlobsAsync();
        await blob.DeleteAsync();
        await poller.FindNewBlobsAsync();
        await blob.UploadAsync(BinaryData.FromString("b"));
        var afterReupload = await poller.FindNewBlobsAsync();
        await blob.DeleteAsync();

        afterUpload.Should().Contain(name);
        unchanged.Should().NotContain(name);
        afterChange.Should().Contain(name);
        afterReupload.Should().Contain(name);
    }

    [Fact]
    public void PollingRunsInTheBackgroundOnlyWhenTheSettingIsOn()
    {
        using var on = new TrainingHost(new() { ["Training:LocalBlobPolling"] = "true" });

        on.Services.GetServices<IHostedService>().OfType<LocalTrainingDataPolling>().Should().ContainSingle();
        _host.Services.GetServices<IHostedService>().OfType<LocalTrainingDataPolling>().Should().BeEmpty();
    }
}

internal sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("smartshop-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
