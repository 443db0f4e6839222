using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Tests.Http;

namespace SmartShop.Functions.Tests.Serving;

/// <summary>The catalogue part of a refresh never stops a model from being served.</summary>
public sealed class CatalogueRefreshTests
{
    // Azurite's well-known account on a port nothing listens on, without SDK retries.
    private const string Unreachable =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    [Fact]
    public async Task AnUnreachableCatalogueStoreLeavesTheModelServedWithoutOverlay()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        using var host = new ApiHost(replace: services => services.AddSingleton(sp =>
            new CatalogueStore(new TableServiceClient(Unreachable, options), TimeProvider.System)));
        await ServingTestModels.PublishRecommenderAsync(host.Registry, "r1");

        var outcomes = await host.Refresh.RefreshAsync();

        outcomes[0].Status.Should().Be(ModelRefreshStatus.Loaded);
        host.Serving.Recommendations!.Recommender.Catalogue.Count.Should().Be(0);
        host.Refresh.Catalogue.Version.Should().Be(CatalogueStore.EmptyVersion);
    }

    [Fact]
    public async Task AChangeWhoseMarkerWriteWasLostIsServedAfterTheNextFullRead()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = new ApiHost(replace: services => services.AddSingleton<TimeProvider>(time));
        await ServingTestModels.PublishRecommenderAsync(host.Registry, "r1");
        await host.Refresh.RefreshAsync();
        var item = host.Serving.Recommendations!.Recommender.Trending(new TrendingRequest { K = 1 })[0].ItemId;
        // A writer that stored the tombstone and failed before moving the change marker.
        var table = new TableClient(Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } storage ? storage : "UseDevelopmentStorage=true", host.CatalogueTable);
        await table.UpsertEntityAsync(new TableEntity("item", Uri.EscapeDataString(item)) { ["Id"] = item, ["ChangedAt"] = time.GetUtcNow(), ["Deleted"] = true });
        IEnumerable<string> Trending() => host.Serving.Recommendations!.Recommender.Trending(new TrendingRequest { K = 50 }).Select(r => r.ItemId);

        await host.Refresh.RefreshAsync();
        Trending().Should().Contain(item, "the marker did not move");
        time.Advance(ModelRefreshService.CatalogueFullReadInterval);
        await host.Refresh.RefreshAsync();

        Trending().Should().NotContain(item);
    }

    [Fact]
    public async Task ABadUploadedCatalogueIsSkippedAndTheModelServes()
    {
        using var host = new ApiHost();
        await ServingTestModels.PublishRecommenderAsync(host.Registry, "r1");
        var directory = Directory.CreateTempSubdirectory("smartshop-test-catalogue-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, Core.Training.ModelPublisher.CatalogueFileName), "id,title,category,price,in_stock\nA,Mug,,not-a-price,true\n");
            await File.WriteAllTextAsync(Path.Combine(directory, ModelRegistry.ManifestFileName), """{"format":"smartshop-catalogue"}""");
            await host.Registry.UploadVersionAsync("catalogue", "c1", directory);
            (await host.Registry.TryActivateAsync("catalogue", "c1")).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var outcomes = await host.Refresh.RefreshAsync();

        outcomes[0].Status.Should().Be(ModelRefreshStatus.Loaded);
        host.Serving.Recommendations!.Recommender.Catalogue.Count.Should().Be(0, "the bad file was skipped");
        (await host.Refresh.RefreshAsync())[0].Status.Should().Be(ModelRefreshStatus.Unchanged);
    }
}
