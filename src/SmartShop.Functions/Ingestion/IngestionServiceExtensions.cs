using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;

namespace SmartShop.Functions.Ingestion;

public static class IngestionServiceExtensions
{
    /// <summary>The clickstream pipeline shared by the Event Hubs and HTTP functions (storage comes from AddSmartShopStorage).</summary>
    public static IHostApplicationBuilder AddSmartShopIngestion(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<IngestionOptions>()
            .BindConfiguration(IngestionOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => new ClickstreamEventValidator(
            sp.GetRequiredService<IOptions<IngestionOptions>>().Value.ToValidationOptions(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ProcessedEventLedger(sp.GetRequiredService<TableServiceClient>()));
        services.AddSingleton(sp => new ClickstreamIngestor(
            sp.GetRequiredService<ClickstreamEventValidator>(),
            sp.GetRequiredService<EventLakeWriter>(),
            sp.GetRequiredService<IDocumentLogStore>(),
            sp.GetRequiredService<ProcessedEventLedger>(),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromHours(sp.GetRequiredService<IOptions<IngestionOptions>>().Value.AttributionWindowHours)));
        return builder;
    }
}
