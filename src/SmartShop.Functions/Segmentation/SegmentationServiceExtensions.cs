using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SmartShop.Functions.Segmentation;

public static class SegmentationServiceExtensions
{
    /// <summary>Segmentation analyses (service, bounded queue, background worker); storage comes from AddSmartShopStorage.</summary>
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
        services.AddSingleton<AnalysisBacklog>();
        services.AddHostedService(sp => new AnalysisWorker(
            sp.GetRequiredService<AnalysisBacklog>(),
            new Lazy<AnalysisService>(sp.GetRequiredService<AnalysisService>),
            sp.GetRequiredService<ILogger<AnalysisWorker>>()));
        return builder;
    }
}
