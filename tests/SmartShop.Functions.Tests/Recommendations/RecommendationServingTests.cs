using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using SmartShop.Core.Storage;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Serving;
using static SmartShop.Functions.Tests.Http.ApiHost;
using static SmartShop.Functions.Tests.Recommendations.ApiResults;

namespace SmartShop.Functions.Tests.Recommendations;

/// <summary>The routes before any model is loaded and across a hot swap (each test has a host and registry of its own).</summary>
public sealed class RecommendationServingTests : IDisposable
{
    private readonly ApiHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task EveryRouteIs503WithRetryAfterUntilAModelIsLoaded()
    {
        var functions = _host.Create<RecommendationFunctions>();
        var requests = new (Func<HttpRequestAndResult> Call, string Name)[]
        {
            (() => Call(Get("/api/v1/users/u/recommendations"), r => functions.GetUserRecommendations(r, "u", CancellationToken.None)), "user"),
            (() => Call(Get("/api/v1/items/A/similar"), r => Task.FromResult(functions.GetSimilarItems(r, "A", CancellationToken.None))), "similar"),
            (() => Call(Get("/api/v1/items/A/bought-together"), r => Task.FromResult(functions.GetBoughtTogether(r, "A", CancellationToken.None))), "together"),
            (() => Call(Post("/api/v1/cart/recommendations", """{"items":["A"]}"""), r => functions.PostCartRecommendations(r, CancellationToken.None)), "cart"),
            (() => Call(Get("/api/v1/trending"), r => Task.FromResult(functions.GetTrending(r, CancellationToken.None))), "trending"),
        };

        foreach (var (call, name) in requests)
        {
            var (request, result) = call();
            Problem(await result, 503, "model-not-loaded").Detail.Should().Contain("recommendations", name);
            request.HttpContext.Response.Headers.RetryAfter.ToString().Should().Be("30", name);
        }
    }

    [Fact]
    public async Task PerSegmentTrendingIs503UntilASegmentationIsLoaded()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();
        var request = Get("/api/v1/trending", "segment=1");

        Problem(_host.Create<RecommendationFunctions>().GetTrending(request, CancellationToken.None), 503, "model-not-loaded").Detail.Should().Contain("segmentation");
    }

    [Fact]
    public async Task AfterAHotSwapAnswersComeFromTheNewVersionAndTheCacheIsNotReused()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();
        var item = ServingTestModels.PopularItem;
        SimilarItems Similar() => Ok<SimilarItems>(_host.Create<RecommendationFunctions>().GetSimilarItems(Get($"/api/v1/items/{item}/similar"), item, CancellationToken.None));
        TrendingItems Trending() => Ok<TrendingItems>(_host.Create<RecommendationFunctions>().GetTrending(Get("/api/v1/trending"), CancellationToken.None));
        var similarBefore = Similar();
        var trendingBefore = Trending();
        Similar();

        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r2");
        await _host.Refresh.RefreshAsync();
        var similarAfter = Similar();
        var trendingAfter = Trending();
        var user = Ok<UserRecommendations>(await _host.Create<RecommendationFunctions>()
            .GetUserRecommendations(Get("/api/v1/users/u/recommendations"), ServingTestModels.KnownUsers[0], CancellationToken.None));

        similarBefore.ModelVersion.Should().Be("r1");
        trendingBefore.ModelVersion.Should().Be("r1");
        similarAfter.ModelVersion.Should().Be("r2");
        trendingAfter.ModelVersion.Should().Be("r2");
        user.ModelVersion.Should().Be("r2");
        similarAfter.Recommendations.Should().NotBeSameAs(similarBefore.Recommendations, "entries of r1 are not answers for r2");
        similarAfter.Recommendations.Should().BeEquivalentTo(similarBefore.Recommendations, "both versions hold the same trained model");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFailingOrSlowActivityStoreDoesNotFailTheAnswer(bool hangs)
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();
        var store = Substitute.For<IDocumentLogStore>();
        store.GetRecentActivityAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(call => FailAsync(hangs, call.Arg<CancellationToken>()));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var functions = ActivatorUtilities.CreateInstance<RecommendationFunctions>(_host.Services, store, clock);
        var user = ServingTestModels.KnownUsers[0];

        // Without the function's own timeout the hanging store would run into this request's cancellation and throw.
        using var request = new CancellationTokenSource();
        var answering = functions.GetUserRecommendations(Get($"/api/v1/users/{user}/recommendations"), user, request.Token);
        if (hangs)
        {
            await Task.Yield();
            answering.IsCompleted.Should().BeFalse("a slow store is waited for up to the timeout");
            clock.Advance(RecommendationFunctions.RecentActivityTimeout);
        }

        var response = Ok<UserRecommendations>(await answering);

        response.Recommendations.Should().HaveCount(10);
        await store.Received(1).GetRecentActivityAsync(user, Arg.Any<CancellationToken>());
        request.IsCancellationRequested.Should().BeFalse();
    }

    private static async Task<IReadOnlyList<UserActivity>> FailAsync(bool hang, CancellationToken cancellationToken)
    {
        if (hang)
        {
            await Task.Delay(TimeSpan.FromMinutes(10), cancellationToken);
        }

        throw new InvalidOperationException("storage down");
    }

    private sealed record HttpRequestAndResult(Microsoft.AspNetCore.Http.HttpRequest Request, Task<IActionResult> Result);

    private static HttpRequestAndResult Call(Microsoft.AspNetCore.Http.HttpRequest request, Func<Microsoft.AspNetCore.Http.HttpRequest, Task<IActionResult>> invoke) =>
        new(request, invoke(request));
}
