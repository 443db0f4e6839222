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
        services.GetServices<IHostedService>().Should().Contain(s => s is DocumentLogWriter);
    }

    [Fact]
    public void CosmosEndpointSelectsCosmosForTheDocumentLogs()
    {
        using var services = Build(new()
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Cosmos:Endpoint"] = "https://127.0.0.1:8081/",
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

    [Fact]
    public async Task TheAppHostFlushesQueuedLogsToAzuriteOnShutdown()
    {
        var storage = Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["DocumentLogs:FlushIntervalMilliseconds"] = "60000",
        });
        builder.AddSmartShopServices();
        var user = "host-test-" + Guid.NewGuid().ToString("N");
        var prediction = new PredictionLogEntry(user, "p1", DateTimeOffset.UtcNow, "recommendations", "v1", ["85123A"]);

        using (var host = builder.Build())
        {
            await host.StartAsync();
            var writer = host.Services.GetRequiredService<DocumentLogWriter>();
            writer.TryLogPrediction(prediction).Should().BeTrue();
            writer.TryLogActivity(user, new UserActivity("85123A", "view", prediction.Timestamp)).Should().BeTrue();
            await host.StopAsync();
        }

        var store = new TableDocumentLogStore(new TableServiceClient(storage), new DocumentLogOptions(), TimeProvider.System);
        (await store.GetRecentPredictionsAsync(user, 10)).Should().ContainSingle().Which.ItemIds.Should().Equal("85123A");
        (await store.GetRecentActivityAsync(user)).Should().ContainSingle().Which.ActivityType.Should().Be("view");
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSmartShopServices();
        return builder.Services.BuildServiceProvider();
    }
}
