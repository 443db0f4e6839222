using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartShop.Functions.Recommendations;

namespace SmartShop.Functions.Serving;

public static class ServingServiceExtensions
{
    /// <summary>
    /// The models served to requests, the hosted service that loads and hot-swaps them from the registry, and the
    /// recommendation routes' answer cache.
    /// </summary>
    public static IHostApplicationBuilder AddSmartShopServing(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ServingModels>();
        builder.Services.AddSingleton<ServingDemand>();
        builder.Services.AddSingleton<ModelRefreshService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelRefreshService>());
        builder.Services.AddSingleton<RecommendationCache>();
        builder.Services.AddSingleton<ImpressionCounter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ImpressionCounter>());
        return builder;
    }
}
