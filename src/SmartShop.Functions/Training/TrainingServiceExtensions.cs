using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartShop.Core.Privacy;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Core.Training;

namespace SmartShop.Functions.Training;

public static class TrainingServiceExtensions
{
    /// <summary>
    /// The training runner (options section "Training"; default recipes unless a <see cref="TrainingRecipes"/> is
    /// registered), the trigger options, the drift monitor, and — only when
    /// Training:LocalBlobPolling is true — the local polling service that stands in for Event Grid under Azurite.
    /// </summary>
    public static IHostApplicationBuilder AddSmartShopTraining(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TrainingOptions>()
            .BindConfiguration(TrainingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new TrainingRunner(
            sp.GetRequiredService<BlobContainers>(),
            sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<IDocumentLogStore>(),
            sp.GetRequiredService<SmartShopTelemetry>(),
            sp.GetRequiredService<IOptions<TrainingOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TrainingRunner>>(),
            sp.GetService<TrainingRecipes>(),
            sp.GetService<ErasedCustomers>(),
            sp.GetRequiredService<SmartShop.Core.Experiments.ExperimentStore>()));
        builder.Services.AddOptions<TrainingTriggerOptions>()
            .BindConfiguration(TrainingTriggerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<DriftMonitor>();
        builder.Services.AddSingleton(sp => new SmartShop.Core.Experiments.CanaryService(
            sp.GetRequiredService<SmartShop.Core.Experiments.ExperimentStore>(),
            sp.GetRequiredService<SmartShop.Core.Experiments.ExperimentReport>(),
            sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<IDocumentLogStore>(),
            sp.GetRequiredService<SmartShopTelemetry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SmartShop.Core.Experiments.CanaryService>>(),
            sp.GetRequiredService<IOptions<TrainingOptions>>().Value.RecommendationsModel));
        builder.Services.AddSingleton<TrainingDataPoller>();
        builder.Services.AddSingleton<LocalTrainingDataPolling>();
        var polling = builder.Configuration.GetSection(TrainingTriggerOptions.SectionName).GetValue<bool>(nameof(TrainingTriggerOptions.LocalBlobPolling));
        if (polling)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalTrainingDataPolling>());
        }

        return builder;
    }
}
