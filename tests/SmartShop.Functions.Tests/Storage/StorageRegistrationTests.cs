using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartShop.Core.Storage;

namespace SmartShop.Functions.Tests.Storage;

public sealed class StorageRegistrationTests
{
    [Fact]
    public void ConnectionStringSelectsTableStorageForTheDocumentLogs()
    {
        using var services = Build(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["ModelRegistry:KeepVersions"] = "3" });

        services.GetRequiredService<IDocumentLogStore>().Should().BeOfType<TableDocumentLogStore>();
        services.GetRequiredService<BlobServiceClient>().AccountName.Should().Be("devstoreaccount1");
        services.GetRequiredService<ModelRegistry>().KeepVersions.Should().Be(3);
        services.GetRequiredService<EventLakeWriter>().Should().NotBeNull();
        services.GetServices<IHostedService>().Should().Contain(s => s is DocumentLogWriter);
    }

    [Fact]
    public void CosmosEndpointSelectsCosmosForTheDocumentLogs()
    {
        using var services = Build(new()
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["DocumentLogs:CosmosEndpoint"] = "https://127.0.0.1:8081/",
            ["DocumentLogs:CosmosKey"] = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==",
        });

        services.GetRequiredService<IDocumentLogStore>().Should().BeOfType<CosmosDocumentLogStore>();
    }

    [Fact]
    public void IdentityBasedServiceUrisNeedNoConnectionString()
    {
        using var services = Build(new()
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://smartshopdata.blob.core.windows.net",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://smartshopdata.table.core.windows.net",
        });

        services.GetRequiredService<BlobServiceClient>().Uri.Should().Be(new Uri("https://smartshopdata.blob.core.windows.net"));
        services.GetRequiredService<TableServiceClient>().Uri.Host.Should().Be("smartshopdata.table.core.windows.net");
    }

    [Fact]
    public void AnAccountNameAloneIsEnough()
    {
        using var services = Build(new() { ["AzureWebJobsStorage:accountName"] = "smartshopdata" });

        services.GetRequiredService<BlobServiceClient>().Uri.Should().Be(new Uri("https://smartshopdata.blob.core.windows.net"));
        services.GetRequiredService<TableServiceClient>().AccountName.Should().Be("smartshopdata");
    }

    [Fact]
    public void MissingStorageSettingsAreReportedByName()
    {
        using var services = Build([]);

        var resolve = () => services.GetRequiredService<BlobServiceClient>();

        resolve.Should().Throw<InvalidOperationException>().WithMessage("*AzureWebJobsStorage*blobServiceUri*accountName*");
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSmartShopServices();
        return builder.Services.BuildServiceProvider();
    }
}
