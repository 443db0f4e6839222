using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SmartShop.Core.Telemetry;

namespace SmartShop.Functions.Telemetry;

public static class TelemetryServiceExtensions
{
    /// <summary>
    /// <see cref="SmartShopTelemetry"/> for the app's code and, only when APPLICATIONINSIGHTS_CONNECTION_STRING is
    /// set, one export path: OpenTelemetry with the Functions worker defaults and the Azure Monitor exporter
    /// (logs, the SmartShop meter and activity source). Without the setting nothing is exported.
    /// </summary>
    public static IHostApplicationBuilder AddSmartShopTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName);
        services.AddMetrics();
        services.AddSingleton(sp => new SmartShopTelemetry(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.UsableUserIdHashKey));

        // ASP.NET Core logs every request's URL at Information ("Request starting … /v1/users/17850/…"): keep only its
        // warnings and errors, whichever provider the worker logs to (the host's channel or the exporter).
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        if (string.IsNullOrWhiteSpace(builder.Configuration[TelemetryOptions.ConnectionStringSetting]))
        {
            return builder;
        }

        // Logging scopes carry the request id (RequestCorrelationMiddleware) into every log record.
        services.Configure<OpenTelemetryLoggerOptions>(o => o.IncludeScopes = true);
        services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(SmartShopTelemetry.SourceName))
            .WithTracing(tracing => tracing.AddSource(SmartShopTelemetry.SourceName).AddProcessor(new RouteRedactionProcessor()))
            .UseFunctionsWorkerDefaults()
            .UseAzureMonitorExporter();
        return builder;
    }
}
