using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Operations;

namespace SmartShop.Functions.Storage;

public static class StorageServiceExtensions
{
    /// <summary>
    /// Blob and Table clients (registered once through AddAzureClients with one credential), the model registry,
    /// the event lake writer, the catalogue change store, the document log store (Cosmos DB when Cosmos:Endpoint is set, Table
    /// storage otherwise) and the background document log writer.
    /// </summary>
    public static IHostApplicationBuilder AddSmartShopStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var storageSection = builder.Configuration.GetSection(StorageConnection.SettingName);

        services.AddOptions<DocumentLogOptions>()
            .BindConfiguration(DocumentLogOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<CosmosOptions>()
            .BindConfiguration(CosmosOptions.SectionName)
            .Validate(o => !o.IsConfigured || Uri.TryCreate(o.Endpoint, UriKind.Absolute, out _), "Cosmos:Endpoint must be an absolute URI (or empty for Table storage).")
            .Validate(o => !o.IsConfigured || !string.IsNullOrWhiteSpace(o.DatabaseName), "Cosmos:DatabaseName must not be empty.")
            .ValidateOnStart();

        // One credential for every Azure client: managed identity in Azure (a user-assigned one through
        // AzureWebJobsStorage__clientId), developer sign-in locally when no connection string is used.
        services.AddSingleton<TokenCredential>(_ => new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = storageSection["clientId"] is { Length: > 0 } clientId ? clientId : null,
        }));
        services.AddAzureClients(clients =>
        {
            clients.UseCredential(sp => sp.GetRequiredService<TokenCredential>());
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential) => StorageConnection.CreateBlobServiceClient(storageSection, credential, options));
            clients.AddClient<TableServiceClient, TableClientOptions>((options, credential) => StorageConnection.CreateTableServiceClient(storageSection, credential, options));
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential) => StorageConnection.CreateQueueServiceClient(storageSection, credential, options));
        });

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<BlobContainers>();
        services.AddSingleton(sp =>
        {
            var registry = sp.GetRequiredService<IOptions<ModelRegistryOptions>>().Value;
            return new ModelRegistry(sp.GetRequiredService<BlobContainers>(), sp.GetRequiredService<TimeProvider>(), registry.ContainerName, registry.KeepVersions);
        });
        services.AddSingleton<EventLakeWriter>();
        services.AddSingleton<SmartShop.Core.Training.EventLakeReader>();
        services.AddSingleton<FailedBatchStore>();
        services.AddSingleton(sp => new CatalogueStore(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<TimeProvider>()));
        // Beside the models their variants name, in the registry's container.
        services.AddSingleton(sp => new SmartShop.Core.Experiments.ExperimentStore(
            sp.GetRequiredService<BlobContainers>(), sp.GetRequiredService<IOptions<ModelRegistryOptions>>().Value.ContainerName));
        services.AddSingleton<SmartShop.Core.Attribution.RollupReader>();
        services.AddSingleton<SmartShop.Core.Experiments.ExperimentReport>();

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DocumentLogOptions>>().Value);
        services.AddSingleton(sp =>
        {
            var cosmos = sp.GetRequiredService<IOptions<CosmosOptions>>().Value;
            if (!cosmos.IsConfigured)
            {
                throw new InvalidOperationException("No Cosmos DB is configured (Cosmos:Endpoint); the document logs use Table storage.");
            }

            return CosmosDocumentLogStore.CreateClient(new Uri(cosmos.Endpoint!), sp.GetRequiredService<TokenCredential>());
        });
        services.AddSingleton<IDocumentLogStore>(sp =>
        {
            var options = sp.GetRequiredService<DocumentLogOptions>();
            var cosmos = sp.GetRequiredService<IOptions<CosmosOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            return cosmos.IsConfigured
                ? new CosmosDocumentLogStore(sp.GetRequiredService<CosmosClient>(), cosmos.DatabaseName, options, time)
                : new TableDocumentLogStore(sp.GetRequiredService<TableServiceClient>(), options, time);
        });
        services.AddSingleton(sp => new DocumentLogWriter(
            new Lazy<IDocumentLogStore>(sp.GetRequiredService<IDocumentLogStore>),
            sp.GetRequiredService<DocumentLogOptions>(),
            sp.GetRequiredService<SmartShopTelemetry>(),
            sp.GetRequiredService<ILogger<DocumentLogWriter>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DocumentLogWriter>());
        return builder;
    }
}
