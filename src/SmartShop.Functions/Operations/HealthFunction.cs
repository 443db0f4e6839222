using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartShop.Functions.Http;

namespace SmartShop.Functions.Operations;

/// <summary>Liveness and model status for load balancers and operators; anonymous and cheap.</summary>
public sealed class HealthFunction(ModelStatusBoard modelStatus, TimeProvider timeProvider)
{
    private static readonly string AppVersion =
        typeof(HealthFunction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HealthFunction).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    [Function(nameof(Health))]
    [ApiOperation("Operations", "Liveness, app version and which models are loaded.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(HealthReport))]
    public IActionResult Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
    {
        var models = modelStatus.Snapshot();
        // Serving without a model is possible (fallbacks), but operators should see it.
        var status = models.All(m => m.Loaded) ? "healthy" : "degraded";
        return new OkObjectResult(new HealthReport(status, AppVersion, timeProvider.GetUtcNow(), models));
    }
}

public sealed record HealthReport(string Status, string Version, DateTimeOffset Time, IReadOnlyList<ModelSlotStatus> Models);
