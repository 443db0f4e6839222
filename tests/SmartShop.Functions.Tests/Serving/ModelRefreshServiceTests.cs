using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartShop.Core.Recommendations;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Tests.Http;

namespace SmartShop.Functions.Tests.Serving;

/// <summary>Loading and hot-swapping served models from a registry on Azurite.</summary>
public sealed class ModelRefreshServiceTests : IDisposable
{
    private readonly ApiHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task NothingIsServedWhileNothingIsActive()
    {
        var outcomes = await _host.Refresh.RefreshAsync();

        outcomes.Select(o => o.Status).Should().AllBeEquivalentTo(ModelRefreshStatus.NothingActive);
        _host.Serving.Recommendations.Should().BeNull();
        _host.Serving.Segmentation.Should().BeNull();
        _host.Services.GetRequiredService<ModelStatusBoard>().Snapshot().Should().OnlyContain(s => !s.Loaded);
    }

    [Fact]
    public async Task ActiveVersionsAreLoadedWithSegmentTrendingAndMarkedOnTheStatusBoard()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await ServingTestModels.PublishSegmentationAsync(_host.Registry, "s1");

        var outcomes = await _host.Refresh.RefreshAsync();
        var again = await _host.Refresh.RefreshAsync();

        outcomes.Should().OnlyContain(o => o.Status == ModelRefreshStatus.Loaded);
        again.Should().OnlyContain(o => o.Status == ModelRefreshStatus.Unchanged);
        var served = _host.Serving.Recommendations!;
        served.Version.Should().Be("r1");
        served.SegmentationVersion.Should().Be("s1");
        served.Trending!.Segments.Should().HaveCount(3);
        _host.Serving.Segmentation!.Version.Should().Be("s1");
        _host.Services.GetRequiredService<ModelStatusBoard>().Snapshot().Select(s => (s.Name, s.Version))
            .Should().BeEquivalentTo([(ModelStatusBoard.Recommendations, "r1"), (ModelStatusBoard.Segmentation, "s1")]);
        served.Recommender.Trending(new TrendingRequest { Segment = served.Trending.Segments[0], K = 3 })
            .Should().NotBeEmpty().And.OnlyContain(i => i.Reason.StartsWith("popular in your segment", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARunsModelsActivatedInOnePointerWriteAreServedTogetherWhileTheSegmentationPointerLags()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await ServingTestModels.PublishSegmentationAsync(_host.Registry, "s1");
        await _host.Refresh.RefreshAsync();
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r2", activate: false);
        await ServingTestModels.PublishSegmentationAsync(_host.Registry, "s2", activate: false);
        var current = await _host.Registry.GetActiveAsync(ModelStatusBoard.Recommendations);

        // The run's one activation write; the worker stops before it moves the segmentation pointer.
        (await _host.Registry.TryActivateWithAsync(ModelStatusBoard.Recommendations, "r2", current!.ETag,
            new Dictionary<string, string> { [ModelStatusBoard.Segmentation] = "s2" })).Should().BeTrue();
        await _host.Refresh.RefreshAsync();

        (await _host.Registry.GetActiveAsync(ModelStatusBoard.Segmentation))!.Version.Should().Be("s1", "the lagging pointer");
        _host.Serving.Recommendations!.Version.Should().Be("r2");
        _host.Serving.Segmentation!.Version.Should().Be("s2");
        _host.Serving.Recommendations.SegmentationVersion.Should().Be("s2");

        // An operator's later activation of a segmentation alone is what serves from then on.
        (await _host.Registry.TryActivateAsync(ModelStatusBoard.Segmentation, "s1")).Should().BeTrue();
        await _host.Refresh.RefreshAsync();
        _host.Serving.Segmentation!.Version.Should().Be("s1");
    }

    [Fact]
    public async Task ANewActiveVersionIsSwappedInWhileARequestHoldingTheOldSnapshotCompletes()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();
        var inFlight = _host.Serving.Recommendations!;

        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r2");
        var outcomes = await _host.Refresh.RefreshAsync();

        outcomes.Single(o => o.Model == ModelStatusBoard.Recommendations).Should().Be(
            new ModelRefreshOutcome(ModelStatusBoard.Recommendations, ModelRefreshStatus.Loaded, "r2", null));
        _host.Serving.Recommendations!.Version.Should().Be("r2");
        _host.Serving.Recommendations.Recommender.Should().NotBeSameAs(inFlight.Recommender);
        inFlight.Version.Should().Be("r1");
        inFlight.Recommender.RecommendForUser(new UserRecommendationRequest { UserId = ServingTestModels.KnownUsers[0], K = 5 })
            .Should().HaveCount(5);
    }

    [Fact]
    public async Task ACorruptVersionIsRejectedOnceAndThePreviousModelKeepsServing()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r2");
        var container = _host.Services.GetRequiredService<BlobServiceClient>()
            .GetBlobContainerClient(_host.Services.GetRequiredService<IOptions<ModelRegistryOptions>>().Value.ContainerName);
        await container.GetBlobClient($"{ModelStatusBoard.Recommendations}/r2/items.price.bin").UploadAsync(BinaryData.FromString("garbage"), overwrite: true);

        var failed = (await _host.Refresh.RefreshAsync()).Single(o => o.Model == ModelStatusBoard.Recommendations);
        var retried = (await _host.Refresh.RefreshAsync()).Single(o => o.Model == ModelStatusBoard.Recommendations);

        failed.Status.Should().Be(ModelRefreshStatus.Failed);
        failed.ActiveVersion.Should().Be("r2");
        failed.Error.Should().Contain("items.price.bin");
        retried.Status.Should().Be(ModelRefreshStatus.Unchanged, "a rejected pointer is not downloaded again until it moves");
        _host.Serving.Recommendations!.Version.Should().Be("r1");
        _host.Services.GetRequiredService<ModelStatusBoard>().Snapshot().Single(s => s.Name == ModelStatusBoard.Recommendations).Version.Should().Be("r1");
    }

    [Fact]
    public async Task AVersionThatWouldNotFitBesideTheServedModelIsRefusedAndThePreviousKeepsServing()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r2");
        _host.Refresh.AvailableMemoryBytes = () => 16 * 1024;

        var refused = (await _host.Refresh.RefreshAsync()).Single(o => o.Model == ModelStatusBoard.Recommendations);

        refused.Status.Should().Be(ModelRefreshStatus.Failed);
        refused.Error.Should().Contain("Version r2 needs about").And.Contain("MiB free").And.Contain("instanceMemoryMB");
        _host.Serving.Recommendations!.Version.Should().Be("r1");
    }

    [Fact]
    public async Task ASegmentationArrivingLaterGivesTheServedRecommenderSegmentTrending()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();
        _host.Serving.Recommendations!.Trending.Should().BeNull();

        await ServingTestModels.PublishSegmentationAsync(_host.Registry, "s1");
        await _host.Refresh.RefreshAsync();

        _host.Serving.Recommendations!.Version.Should().Be("r1");
        _host.Serving.Recommendations.SegmentationVersion.Should().Be("s1");
        _host.Serving.Recommendations.Trending.Should().NotBeNull();
    }
}
