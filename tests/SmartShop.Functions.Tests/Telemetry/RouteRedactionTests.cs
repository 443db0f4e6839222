using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Telemetry;

namespace SmartShop.Functions.Tests.Telemetry;

public sealed class RouteRedactionTests
{
    [Theory]
    [InlineData("/api/v1/users/17850/recommendations?k=5", "/api/v1/users/{userId}/recommendations?k=5")]
    [InlineData("https://func-x.azurewebsites.net/api/v1/users/c%2F42/segment", "https://func-x.azurewebsites.net/api/v1/users/{userId}/segment")]
    [InlineData("/api/V1/Users/anna@example.com/recommendations", "/api/V1/Users/{userId}/recommendations")]
    [InlineData("DELETE /api/v1/customers/14911/data", "DELETE /api/v1/customers/{customerId}/data")]
    [InlineData("/api/v1/customers/14911", "/api/v1/customers/{customerId}")]
    [InlineData("/api/v1/items/85123A/similar", "/api/v1/items/85123A/similar")]
    [InlineData("/api/v1/models/20261203-1/activate", "/api/v1/models/20261203-1/activate")]
    public void CustomerIdsInPathsAreReplacedByTheRouteParameter(string text, string expected) =>
        RouteRedaction.Redact(text).Should().Be(expected);

    [Fact]
    public void SpansLoseTheIdInEveryUrlAttributeAndInTheirName()
    {
        using var activity = new Activity("GET /api/v1/users/17850/recommendations");
        activity.DisplayName = "GET /api/v1/users/17850/recommendations";
        foreach (var tag in new[] { "url.full", "url.path", "http.target", "http.url" })
        {
            activity.SetTag(tag, "/api/v1/users/17850/recommendations?k=3");
        }

        activity.SetTag("faas.name", "GetUserRecommendations");

        new RouteRedactionProcessor().OnEnd(activity);

        activity.DisplayName.Should().Be("GET /api/v1/users/{userId}/recommendations");
        activity.TagObjects.Where(t => t.Value is string).Select(t => (string)t.Value!).Should().NotContain(v => v.Contains("17850", StringComparison.Ordinal));
        activity.GetTagItem("faas.name").Should().Be("GetUserRecommendations");
    }

    [Fact]
    public void RequestUrlsLoggedByAspNetCoreStayOutOfTheLogsWhileItsWarningsAndTheAppsOwnLogsRemain()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddSmartShopTelemetry();
        using var services = builder.Services.BuildServiceProvider();
        var loggers = services.GetRequiredService<ILoggerFactory>();

        loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information).Should().BeFalse();
        loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Warning).Should().BeTrue();
        loggers.CreateLogger("SmartShop.Functions.Recommendations.RecommendationFunctions").IsEnabled(LogLevel.Information).Should().BeTrue();
    }

    [Theory]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/telemetry-user-id-hash-key)")]
    [InlineData("")]
    public void AKeyVaultReferenceThePlatformCouldNotResolveIsNoKey(string setting)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Telemetry:UserIdHashKey"] = setting;
        builder.AddSmartShopTelemetry();
        using var services = builder.Services.BuildServiceProvider();

        services.GetRequiredService<SmartShopTelemetry>().PseudonymizeUserId("17850").Should().BeNull();
    }
}
