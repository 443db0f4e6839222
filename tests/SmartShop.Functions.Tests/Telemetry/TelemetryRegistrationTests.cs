using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Telemetry;

namespace SmartShop.Functions.Tests.Telemetry;

public sealed class TelemetryRegistrationTests
{
    [Fact]
    public void WithoutAConnectionStringNothingIsExported()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddSmartShopTelemetry();
        using var services = builder.Services.BuildServiceProvider();

        services.GetService<MeterProvider>().Should().BeNull();
        services.GetService<TracerProvider>().Should().BeNull();
        services.GetRequiredService<SmartShopTelemetry>().PseudonymizeUserId("17850").Should().BeNull();
    }

    [Fact]
    public void AConnectionStringSwitchesOnTheAzureMonitorExportOfMetricsAndSpans()
    {
        var builder = Host.CreateApplicationBuilder();
        // Loopback port 9 is closed: nothing leaves the machine even if the exporter flushes.
        builder.Configuration[TelemetryOptions.ConnectionStringSetting] =
            "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";
        builder.Configuration["Telemetry:UserIdHashKey"] = "test-key";
        builder.AddSmartShopTelemetry();
        using var services = builder.Services.BuildServiceProvider();

        services.GetService<MeterProvider>().Should().NotBeNull();
        services.GetService<TracerProvider>().Should().NotBeNull();
        services.GetRequiredService<SmartShopTelemetry>().PseudonymizeUserId("17850").Should().MatchRegex("^[0-9a-f]{16}$");
    }
}
