using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Storage;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Serving;

namespace SmartShop.Functions.Tests.Recommendations;

/// <summary>
/// One app host per test class with recommender "r1" and segmentation "s1" published to its own registry and loaded
/// through <see cref="ModelRefreshService"/>; the prediction log writer runs so logged answers reach Table storage.
/// </summary>
public sealed class LoadedRecommendationApi : IAsyncLifetime
{
    internal ApiHost Host { get; } = new(new() { ["DocumentLogs:FlushIntervalMilliseconds"] = "50" });

    public RecommendationFunctions Functions => Host.Create<RecommendationFunctions>();

    public RecommendationCache Cache => Host.Services.GetRequiredService<RecommendationCache>();

    public IDocumentLogStore Store => Host.Services.GetRequiredService<IDocumentLogStore>();

    public ServedRecommender Served => Host.Serving.Recommendations!;

    public async Task InitializeAsync()
    {
        await ServingTestModels.PublishRecommenderAsync(Host.Registry, "r1");
        await ServingTestModels.PublishSegmentationAsync(Host.Registry, "s1");
        await Host.Refresh.RefreshAsync();
        await Host.Services.GetRequiredService<DocumentLogWriter>().StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Host.Services.GetRequiredService<DocumentLogWriter>().StopAsync(CancellationToken.None);
        Host.Dispose();
    }
}

internal static class ApiResults
{
    public static T Ok<T>(IActionResult result) => result.Should().BeOfType<OkObjectResult>().Which.Value.Should().BeOfType<T>().Subject;

    public static ProblemDetails Problem(IActionResult result, int status, string code)
    {
        var problem = result.Should().BeAssignableTo<ObjectResult>().Which;
        problem.StatusCode.Should().Be(status);
        var details = problem.Value.Should().BeOfType<ProblemDetails>().Subject;
        details.Extensions["code"].Should().Be(code);
        return details;
    }
}
