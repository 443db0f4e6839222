using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Attribution;
using SmartShop.Core.Ingestion;
using SmartShop.Functions.Attribution;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Tests.Experiments;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Recommendations;
using SmartShop.Functions.Tests.Serving;

namespace SmartShop.Functions.Tests.Attribution;

/// <summary>
/// The loop closed outside experiments: answers served with a placement, the storefront's events naming them ingested
/// (twice), and the performance route's rollup rows.
/// </summary>
public sealed class PerformanceFunctionsTests : IAsyncLifetime
{
    private readonly ApiHost _host = new();

    public async Task InitializeAsync()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ServedAnswersAndTheEventsNamingThemAddUpPerPlacementOnceEvenWhenRedelivered()
    {
        // A placement of this test's own: the day's partition is shared with every other test.
        var placement = "p-" + Guid.NewGuid().ToString("N")[..10];
        var functions = _host.Create<RecommendationFunctions>();
        var users = ServingTestModels.KnownUsers.Take(6).ToList();
        var answers = new List<UserRecommendations>();
        foreach (var shopper in users)
        {
            answers.Add(ApiResults.Ok<UserRecommendations>(await functions.GetUserRecommendations(ApiHost.Get("/x", $"k=3&placement={placement}"), shopper, default)));
        }
        var similar = ApiResults.Ok<SimilarItems>(functions.GetSimilarItems(ApiHost.Get("/x", $"k=3&placement={placement}"), ServingTestModels.PopularItem, default));
        await _host.Services.GetRequiredService<ImpressionCounter>().FlushAsync();

        // Two clicks from the user route; one of them bought twice (one order) without naming the answer; a view of the similar items.
        var now = DateTimeOffset.UtcNow.AddMinutes(-20);
        string[] payloads =
        [
            StorefrontEvents.Json("c1", "click", answers[0].UserId, answers[0].Recommendations[0].ItemId, now, $""","recommendationId":"{answers[0].RecommendationId}","position":1"""),
            StorefrontEvents.Json("c2", "click", answers[1].UserId, answers[1].Recommendations[1].ItemId, now, $""","recommendationId":"{answers[1].RecommendationId}","position":2"""),
            StorefrontEvents.Json("p1", "purchase", answers[0].UserId, answers[0].Recommendations[0].ItemId, now.AddMinutes(5), ""","quantity":2,"price":3.5,"transactionId":"o1" """),
            StorefrontEvents.Json("v1", "view", "someone", similar.Recommendations[0].ItemId, now, $""","recommendationId":"{similar.RecommendationId}" """),
        ];
        payloads = payloads.Select(p => p.Replace("\"eventId\":\"", $"\"eventId\":\"{placement}-", StringComparison.Ordinal)).ToArray();
        var ingestor = _host.Services.GetRequiredService<ClickstreamIngestor>();
        await ingestor.IngestAsync(ClickstreamBatch.FromContent(payloads, "test"));
        await ingestor.IngestAsync(ClickstreamBatch.FromContent(payloads.Reverse().ToList(), "replay"));

        var view = ApiResults.Ok<PerformanceView>(await _host.Create<PerformanceFunctions>().GetPerformance(ApiHost.Get("/x"), default));

        var rows = view.Rows.Where(r => r.Key.Placement == placement).ToList();
        var user = rows.Should().ContainSingle(r => r.Key.Endpoint == RecommendationEndpoints.User).Subject;
        user.Should().BeEquivalentTo(new { Impressions = 6L, Clicks = 2L, Purchases = 1L, Revenue = 7.0, Orders = 1L, AssistedViews = 0L });
        user.Key.ModelVersion.Should().Be("r1");
        var item = rows.Should().ContainSingle(r => r.Key.Endpoint == RecommendationEndpoints.Similar).Subject;
        item.Should().BeEquivalentTo(new { Impressions = 1L, Clicks = 0L, AssistedViews = 1L });
        view.Totals.Impressions.Should().BeGreaterThanOrEqualTo(7);
    }

    [Theory]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=2026-12-05&to=2026-12-01", "from")]
    [InlineData("from=2026-01-01&to=2026-12-01", "from")]
    [InlineData("endpoint=nowhere", "endpoint")]
    [InlineData("placement=home", "placement")]
    public async Task ABadQueryIsAProblemNamingTheParameter(string query, string parameter)
    {
        var result = await _host.Create<PerformanceFunctions>().GetPerformance(ApiHost.Get("/x", query), default);

        System.Text.Json.JsonSerializer.Serialize(ApiResults.Problem(result, 400, "invalid-parameter")).Should().Contain(parameter);
    }

    [Fact]
    public void APlacementThatIsNotALabelIsRefused()
    {
        var result = _host.Create<RecommendationFunctions>().GetSimilarItems(ApiHost.Get("/x", "placement=Home Page"), ServingTestModels.PopularItem, default);

        ApiResults.Problem(result, 400, "invalid-parameter").Detail.Should().Contain("label");
    }
}
