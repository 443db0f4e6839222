using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SmartShop.Functions.Recommendations;

public static class RecommendationServiceExtensions
{
    /// <summary>What the recommendation routes need beyond the served models: the answer cache.</summary>
    public static IHostApplicationBuilder AddSmartShopRecommendationApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<RecommendationCache>();
        return builder;
    }
}
