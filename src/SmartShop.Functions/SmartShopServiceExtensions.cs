using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Dashboard;
using SmartShop.Functions.Ingestion;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Privacy;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Storage;
using SmartShop.Functions.Telemetry;
using SmartShop.Functions.Training;

namespace SmartShop.Functions;

/// <summary>Registers everything the functions need; shared by Program.cs and the tests.</summary>
public static class SmartShopServiceExtensions
{
    public static IHostApplicationBuilder AddSmartShopServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddOptions<ModelRegistryOptions>()
            .BindConfiguration(ModelRegistryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ModelStatusBoard>();
        builder.AddSmartShopTelemetry();
        builder.AddSmartShopStorage();
        builder.AddSmartShopIngestion();
        builder.AddSmartShopAuth();
        builder.AddSmartShopSegmentation();
        builder.AddSmartShopServing();
        builder.AddSmartShopTraining();
        builder.AddSmartShopDashboard();
        builder.AddSmartShopCustomerData();
        return builder;
    }
}
