using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SmartShop.Functions.Segmentation;

public static class SegmentationServiceExtensions
{
    /// <summary>Segmentation analyses (service and the Storage queue of large ones); storage comes from AddSmartShopStorage.</summary>
    public static IHostApplicationBuilder AddSmartShopSegmentation(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<AnalysesOptions>()
            .BindConfiguration(AnalysesOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AnalysesOptions>>().Value);
        services.AddSingleton<AnalysisService>();
        services.AddSingleton<QueuedAnalyses>();
        return builder;
    }
}
