using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartShop.Core.Privacy;
using SmartShop.Core.Storage;
using SmartShop.Core.Training;
using SmartShop.Functions.Operations;

namespace SmartShop.Functions.Privacy;

public static class CustomerDataServiceExtensions
{
    /// <summary>
    /// The customer-data workflow (export and erase, options section "CustomerData") and the erased-customers list,
    /// which serving re-reads every <c>ModelRegistry:PollIntervalSeconds</c> and training reads once per run.
    /// </summary>
    public static IHostApplicationBuilder AddSmartShopCustomerData(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<CustomerDataOptions>()
            .BindConfiguration(CustomerDataOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => new ErasedCustomers(
            sp.GetRequiredService<TableServiceClient>(),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<ModelRegistryOptions>>().Value.PollIntervalSeconds)));
        services.AddSingleton(sp =>
        {
            var training = sp.GetRequiredService<IOptions<TrainingOptions>>().Value;
            return new CustomerDataService(
                sp.GetRequiredService<IDocumentLogStore>(),
                sp.GetRequiredService<BlobContainers>(),
                sp.GetRequiredService<ModelRegistry>(),
                sp.GetRequiredService<ErasedCustomers>(),
                sp.GetRequiredService<IOptions<CustomerDataOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<CustomerDataService>>(),
                training.RecommendationsModel,
                training.SegmentationModel);
        });
        return builder;
    }
}
