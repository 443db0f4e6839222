using System.Text.Json;
using System.Text.Json.Nodes;
using SmartShop.Core.Attribution;
using SmartShop.Core.Storage;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Tests.Serving;
using static SmartShop.Functions.Tests.Http.ApiHost;
using static SmartShop.Functions.Tests.Recommendations.ApiResults;

namespace SmartShop.Functions.Tests.Recommendations;

/// <summary>Every recommendation route invoked directly against Azurite with a small model loaded from the registry.</summary>
public sealed class RecommendationFunctionsTests(LoadedRecommendationApi api) : IClassFixture<LoadedRecommendationApi>
{
    private static readonly string KnownUser = ServingTestModels.KnownUsers[0];
    private static readonly string PopularItem = ServingTestModels.PopularItem;

    // The host writes results with the web defaults (camelCase).
    private static readonly JsonSerializerOptions HostJson = new(JsonSerializerDefaults.Web);

    private Task<Microsoft.AspNetCore.Mvc.IActionResult> User(string userId, string query = "") =>
        api.Functions.GetUserRecommendations(Get($"/api/v1/users/{userId}/recommendations", query), userId, CancellationToken.None);

    [Fact]
    public async Task AKnownUserGetsKItemsWithReasonsTitlesAndPricesFromTheServedVersion()
    {
        var response = Ok<UserRecommendations>(await User(KnownUser, "k=5"));

        response.UserId.Should().Be(KnownUser);
        response.ModelVersion.Should().Be("r1");
        response.RecommendationId.Should().MatchRegex("^[0-9a-f]{16}:u:r1(:|$)", "the id carries the route and the model version that served it");
        RecommendationContext.Parse(response.RecommendationId)!.ModelVersion.Should().Be("r1");
        response.Recommendations.Should().HaveCount(5);
        response.Recommendations.Select(i => i.ItemId).Should().OnlyHaveUniqueItems();
        response.Recommendations.Should().OnlyContain(i => i.Reasons.Count == 1 && i.Title.Length > 0 && i.Price > 0);
        response.Recommendations.Should().NotContain(i => i.Reasons.Contains(RecommendationFunctions.UnknownUserReason));
    }

    [Fact]
    public async Task TheUserAnswerSerialisesToTheDocumentedJsonShape()
    {
        var response = Ok<UserRecommendations>(await User(KnownUser, "k=2"));

        var json = JsonNode.Parse(JsonSerializer.Serialize(response, HostJson))!.AsObject();

        json.Select(p => p.Key).Should().Equal("userId", "recommendationId", "modelVersion", "recommendations");
        json["recommendations"]!.AsArray()[0]!.AsObject().Select(p => p.Key).Should()
            .Equal("itemId", "score", "reasons", "title", "category", "price", "currency", "imageUrl", "productUrl");
    }

    [Fact]
    public async Task AnUnknownUserFallsBackToTrendingAndTheReasonsSaySo()
    {
        var response = Ok<UserRecommendations>(await User("new-" + Guid.NewGuid().ToString("N")));

        response.Recommendations.Should().HaveCount(10);
        response.Recommendations.Should().OnlyContain(i => i.Reasons.Count == 2 && i.Reasons[0] == "trending" && i.Reasons[1] == RecommendationFunctions.UnknownUserReason);
    }

    [Fact]
    public async Task FreshActivityChangesTheNextAnswerEvenForAUserTheModelNeverSaw()
    {
        var user = "visitor-" + Guid.NewGuid().ToString("N");
        var before = Ok<UserRecommendations>(await User(user, "k=5"));

        await api.Store.AppendActivityAsync(user, [new UserActivity(PopularItem, "view", DateTimeOffset.UtcNow)]);
        var after = Ok<UserRecommendations>(await User(user, "k=5"));

        after.Recommendations.Select(i => i.ItemId).Should().NotEqual(before.Recommendations.Select(i => i.ItemId));
        after.Recommendations.Select(i => i.ItemId).Should().NotContain(PopularItem);
        after.Recommendations.Should().Contain(i => i.Reasons[0].EndsWith("you viewed", StringComparison.Ordinal));
        after.Recommendations.Should().NotContain(i => i.Reasons.Contains(RecommendationFunctions.UnknownUserReason));
    }

    [Fact]
    public async Task ExcludedItemsAreLeftOutAndDiversityIsAccepted()
    {
        var first = Ok<UserRecommendations>(await User(KnownUser, "k=5")).Recommendations[0].ItemId;

        var response = Ok<UserRecommendations>(await User(KnownUser, $"k=5&exclude={first.ToLowerInvariant()}&diversity=0.5"));

        response.Recommendations.Should().HaveCount(5).And.NotContain(i => i.ItemId == first);
    }

    [Theory]
    [InlineData("k=0", "k")]
    [InlineData("k=101", "k")]
    [InlineData("k=ten", "k")]
    [InlineData("k=1&k=2", "k")]
    [InlineData("diversity=1.5", "diversity")]
    [InlineData("colour=red", "colour")]
    [InlineData("exclude=%01", "exclude")]
    public async Task InvalidQueryParametersAre400WithTheParameterNamed(string query, string parameter)
    {
        var problem = Problem(await User(KnownUser, query), 400, "invalid-parameter");

        problem.Extensions["parameter"].Should().Be(parameter);
    }

    [Theory]
    [InlineData("a\u0001b")]
    [InlineData("   ")]
    [InlineData("x129")]
    public async Task UnusableUserIdsAre400(string userId)
    {
        var id = userId == "x129" ? new string('x', 129) : userId;

        Problem(await User(id), 400, "invalid-parameter").Extensions["parameter"].Should().Be("userId");
    }

    [Fact]
    public async Task EveryAnswerIsLoggedAsAPredictionWithoutBlockingTheRequest()
    {
        var user = "logged-" + Guid.NewGuid().ToString("N");
        var response = Ok<UserRecommendations>(await User(user, "k=3"));

        IReadOnlyList<PredictionLogEntry> logged = [];
        for (var attempt = 0; attempt < 100 && logged.Count == 0; attempt++)
        {
            await Task.Delay(50);
            logged = await api.Store.GetRecentPredictionsAsync(user, 10);
        }

        logged.Should().ContainSingle().Which.LatencyMilliseconds.Should().BeGreaterThan(0);
        logged.Single().Should().BeEquivalentTo(new
        {
            UserId = user,
            PredictionId = response.RecommendationId,
            Endpoint = RecommendationFunctions.UserEndpoint,
            ModelVersion = "r1",
            ItemIds = response.Recommendations.Select(i => i.ItemId).ToList(),
        });
    }

    [Fact]
    public void SimilarItemsOfAKnownItemLeaveItOutAndSayWhy()
    {
        var response = Ok<SimilarItems>(api.Functions.GetSimilarItems(Get($"/api/v1/items/{PopularItem}/similar", "k=4"), PopularItem, CancellationToken.None));

        response.ModelVersion.Should().Be("r1");
        response.Recommendations.Should().HaveCount(4).And.NotContain(i => i.ItemId == PopularItem);
        response.Recommendations.Should().OnlyContain(i => i.Reasons.Single().StartsWith("similar to", StringComparison.Ordinal));
    }

    [Fact]
    public void SimilarItemsAreCachedPerItemAndK()
    {
        var item = ServingTestModels.Recommender.Items[^1];
        var before = api.Cache.Count;

        var first = Ok<SimilarItems>(api.Functions.GetSimilarItems(Get($"/api/v1/items/{item}/similar", "k=3"), item, CancellationToken.None));
        var second = Ok<SimilarItems>(api.Functions.GetSimilarItems(Get($"/api/v1/items/{item}/similar", "k=3"), item.ToLowerInvariant(), CancellationToken.None));

        api.Cache.Count.Should().Be(before + 1, "the second request, for the same item spelled differently, is answered from the cache");
        second.Recommendations.Should().BeSameAs(first.Recommendations);
        second.RecommendationId.Should().NotBe(first.RecommendationId);
    }

    [Fact]
    public void AnUnknownItemFallsBackToTrendingForSimilarAndBoughtTogether()
    {
        var similar = Ok<SimilarItems>(api.Functions.GetSimilarItems(Get("/api/v1/items/NOPE/similar"), "NOPE", CancellationToken.None));
        var together = Ok<BoughtTogetherItems>(api.Functions.GetBoughtTogether(Get("/api/v1/items/NOPE/bought-together"), "NOPE", CancellationToken.None));

        similar.Recommendations.Should().HaveCount(10).And.OnlyContain(i => i.Reasons.Contains(RecommendationFunctions.UnknownItemReason));
        together.Recommendations.Should().HaveCount(10).And.OnlyContain(i => i.Reasons.Contains(RecommendationFunctions.UnknownItemReason) && i.Lift == null);
    }

    [Fact]
    public void AllUnknownItemsShareOneCacheEntry()
    {
        Ok<SimilarItems>(api.Functions.GetSimilarItems(Get("/api/v1/items/x/similar", "k=7"), "UNKNOWN-" + Guid.NewGuid().ToString("N"), CancellationToken.None));
        var before = api.Cache.Count;

        var other = Ok<SimilarItems>(api.Functions.GetSimilarItems(Get("/api/v1/items/x/similar", "k=7"), "UNKNOWN-OTHER", CancellationToken.None));

        api.Cache.Count.Should().Be(before);
        other.ItemId.Should().Be("UNKNOWN-OTHER");
        other.Recommendations.Should().OnlyContain(i => i.Reasons.Contains(RecommendationFunctions.UnknownItemReason));
    }

    [Fact]
    public void BoughtTogetherCarriesSupportConfidenceAndLift()
    {
        var response = Ok<BoughtTogetherItems>(api.Functions.GetBoughtTogether(Get($"/api/v1/items/{PopularItem}/bought-together", "k=5"), PopularItem, CancellationToken.None));

        response.Recommendations.Should().NotBeEmpty().And.NotContain(i => i.ItemId == PopularItem);
        response.Recommendations.Should().OnlyContain(i => i.Baskets > 0 && i.Support > 0 && i.Confidence > 0 && i.Confidence <= 1 && i.Lift > 0
            && i.Score == i.Confidence && i.Reasons.Single().StartsWith("often bought with", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("k=0")]
    [InlineData("k=101")]
    [InlineData("category=x")]
    public void ItemRoutesRejectBadQueries(string query)
    {
        Problem(api.Functions.GetSimilarItems(Get($"/api/v1/items/{PopularItem}/similar", query), PopularItem, CancellationToken.None), 400, "invalid-parameter");
        Problem(api.Functions.GetBoughtTogether(Get($"/api/v1/items/{PopularItem}/bought-together", query), PopularItem, CancellationToken.None), 400, "invalid-parameter");
    }

    [Fact]
    public void ItemIdsWithControlCharactersOrOverTheLengthLimitAre400()
    {
        Problem(api.Functions.GetSimilarItems(Get("/api/v1/items/x/similar"), "a\nb", CancellationToken.None), 400, "invalid-parameter");
        Problem(api.Functions.GetBoughtTogether(Get("/api/v1/items/x/bought-together"), new string('9', 129), CancellationToken.None), 400, "invalid-parameter");
    }

    [Fact]
    public async Task ACartGetsComplementsWithoutItsOwnItems()
    {
        var response = Ok<CartRecommendations>(await Cart($$"""{"items":["{{PopularItem}}"],"userId":"{{KnownUser}}","k":4}"""));

        response.UserId.Should().Be(KnownUser);
        response.ModelVersion.Should().Be("r1");
        response.Recommendations.Should().HaveCount(4).And.NotContain(i => i.ItemId == PopularItem);
        response.Recommendations.Should().NotContain(i => i.Reasons.Contains(RecommendationFunctions.UnknownCartReason));
    }

    [Fact]
    public async Task ACartOfUnknownItemsFallsBackToTrendingAndSaysSo()
    {
        var response = Ok<CartRecommendations>(await Cart("""{"items":["NOPE-1","NOPE-2"]}"""));

        response.UserId.Should().BeNull();
        response.Recommendations.Should().HaveCount(10).And.OnlyContain(i => i.Reasons.Contains(RecommendationFunctions.UnknownCartReason));
    }

    [Theory]
    [InlineData("{not json", 400, "malformed-body")]
    [InlineData("null", 400, "malformed-body")]
    [InlineData("""{"items":["A"],"colour":"red"}""", 400, "malformed-body")]
    [InlineData("""{"items":["A"],"k":"ten"}""", 400, "malformed-body")]
    [InlineData("""{"items":"A"}""", 400, "malformed-body")]
    [InlineData("""{"items":[]}""", 400, "invalid-parameter")]
    [InlineData("""{"userId":"u"}""", 400, "invalid-parameter")]
    [InlineData("""{"items":["A"],"k":0}""", 400, "invalid-parameter")]
    [InlineData("""{"items":["A"],"k":101}""", 400, "invalid-parameter")]
    [InlineData("""{"items":["A",null]}""", 400, "invalid-parameter")]
    [InlineData("""{"items":["A"],"userId":"a\u0007b"}""", 400, "invalid-parameter")]
    public async Task BadCartBodiesAreProblems(string body, int status, string code) => Problem(await Cart(body), status, code);

    [Fact]
    public async Task ACartOverTheItemOrSizeLimitIsRefused()
    {
        var tooMany = "{\"items\":[" + string.Join(',', Enumerable.Range(0, RecommendationFunctions.MaxCartItems + 1).Select(i => $"\"I{i}\"")) + "]}";
        Problem(await Cart(tooMany), 400, "invalid-parameter").Extensions["parameter"].Should().Be("items");
        Problem(await Cart("{\"items\":[\"A\"]}" + new string(' ', RecommendationFunctions.MaxCartBodyBytes)), 413, "body-too-large");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task ACartThatIsNotJsonIs415(string? contentType) =>
        Problem(await Cart("""{"items":["A"]}""", contentType), 415, "unsupported-media-type");

    [Fact]
    public async Task ACartWithAQueryStringIs400() =>
        Problem(await api.Functions.PostCartRecommendations(Post("/api/v1/cart/recommendations", """{"items":["A"]}""", query: "k=3"), CancellationToken.None),
            400, "invalid-parameter");

    [Fact]
    public void TrendingIsGlobalOrPerSegment()
    {
        var global = Ok<TrendingItems>(api.Functions.GetTrending(Get("/api/v1/trending", "k=5"), CancellationToken.None));
        var segment = api.Served.Trending!.Segments[0];
        var inSegment = Ok<TrendingItems>(api.Functions.GetTrending(Get("/api/v1/trending", $"k=5&segment={Uri.EscapeDataString(segment)}"), CancellationToken.None));

        global.Segment.Should().BeNull();
        global.Recommendations.Should().HaveCount(5).And.OnlyContain(i => i.Reasons.Single() == "trending");
        inSegment.Segment.Should().Be(segment);
        inSegment.Recommendations.Should().NotBeEmpty().And.OnlyContain(i => i.Reasons.Single() == $"popular in your segment ({segment})");
    }

    [Theory]
    [InlineData("segment=no-such-segment", "segment")]
    [InlineData("k=0", "k")]
    [InlineData("user=1", "user")]
    public void BadTrendingQueriesAre400(string query, string parameter) =>
        Problem(api.Functions.GetTrending(Get("/api/v1/trending", query), CancellationToken.None), 400, "invalid-parameter")
            .Extensions["parameter"].Should().Be(parameter);

    private Task<Microsoft.AspNetCore.Mvc.IActionResult> Cart(string body, string? contentType = "application/json; charset=utf-8") =>
        api.Functions.PostCartRecommendations(Post("/api/v1/cart/recommendations", body, contentType), CancellationToken.None);
}
