using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
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
