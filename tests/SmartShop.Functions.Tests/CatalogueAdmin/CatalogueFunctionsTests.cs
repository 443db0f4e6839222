using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;
using SmartShop.Core.Training;
using SmartShop.Functions.CatalogueAdmin;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Serving;
using static SmartShop.Functions.Tests.Http.ApiHost;
using static SmartShop.Functions.Tests.Recommendations.ApiResults;

namespace SmartShop.Functions.Tests.CatalogueAdmin;

/// <summary>
/// The catalogue admin routes against Azurite, with recommender "r1" loaded: each test has a host, registry and
/// catalogue table of its own, and calls <see cref="Serving.ModelRefreshService.RefreshAsync"/> where an instance's poll would.
/// </summary>
public sealed class CatalogueFunctionsTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private readonly ApiHost _host = new();

    private CatalogueFunctions Catalogue => _host.Create<CatalogueFunctions>();

    private RecommendationFunctions Recommendations => _host.Create<RecommendationFunctions>();

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

    private static HttpRequest Put(string body, string? contentType = "application/json", string query = "")
    {
        var request = Post("/api/v1/catalogue/items", body, contentType, query);
        request.Method = HttpMethods.Put;
        return request;
    }

    private static string Json(params object[] items) => JsonSerializer.Serialize(items, CatalogueItemJson.Options);

    private static object NewItem(string id, string title, string? description = null, string? category = null) =>
        new { id, title, description, category, price = 4.5m, currency = "GBP", imageUrl = $"https://cdn.example/{id}.jpg", productUrl = $"https://shop.example/p/{id}" };

    private async Task<IActionResult> UpsertAsync(string body) => await Catalogue.UpsertCatalogueItems(Put(body), CancellationToken.None);

    private IReadOnlyList<RecommendationItem> Trending(int k = 100) =>
        Ok<TrendingItems>(Recommendations.GetTrending(Get("/api/v1/trending", string.Create(CultureInfo.InvariantCulture, $"k={k}")), CancellationToken.None)).Recommendations;

    private IReadOnlyList<RecommendationItem> Similar(string itemId, int k = 20) =>
        Ok<SimilarItems>(Recommendations.GetSimilarItems(Get($"/api/v1/items/{itemId}/similar", string.Create(CultureInfo.InvariantCulture, $"k={k}")), itemId, CancellationToken.None)).Recommendations;

    [Fact]
    public async Task AnUpsertedItemIsReadBackAsStored()
    {
        var result = Ok<CatalogueUpsertResult>(await UpsertAsync(Json(
            new { id = "MUG-red.1", title = "Red mug", description = "Glazed", category = "Home > Kitchen > Mugs", price = 4.5m, currency = "GBP", imageUrl = "https://cdn.example/m.jpg", productUrl = "https://shop.example/p/m", attributes = new Dictionary<string, string> { ["colour"] = "red" } },
            new { id = "VOUCHER-10", title = "Gift voucher", price = 10m, isProduct = false })));

        result.Upserted.Should().Be(2);
        result.ItemIds.Should().Equal("MUG-red.1", "VOUCHER-10");
        result.ServedWithinSeconds.Should().Be(_host.Services.GetRequiredService<IOptions<ModelRegistryOptions>>().Value.PollIntervalSeconds);
        var mug = Ok<CatalogueItemResource>(await Catalogue.GetCatalogueItem(Request("GET"), "MUG-red.1", CancellationToken.None));
        mug.Source.Should().Be(CatalogueItemResource.StoredSource);
        mug.Recommendable.Should().BeTrue();
        mug.ChangedAt.Should().NotBeNull();
        mug.Item.Should().BeEquivalentTo(new CatalogueItemJson
        {
            Id = "MUG-red.1", Title = "Red mug", Description = "Glazed", Category = "Home > Kitchen > Mugs", Price = 4.5m, Currency = "GBP",
            ImageUrl = "https://cdn.example/m.jpg", ProductUrl = "https://shop.example/p/m", InStock = true, IsProduct = true,
            Attributes = new Dictionary<string, string> { ["colour"] = "red" },
        });
        Ok<CatalogueItemResource>(await Catalogue.GetCatalogueItem(Request("GET"), "VOUCHER-10", CancellationToken.None)).Recommendable.Should().BeFalse();
        Problem(await Catalogue.GetCatalogueItem(Request("GET"), "mug-red.1", CancellationToken.None), 404, "item-not-found");
    }

    [Fact]
    public async Task AModelItemNeverChangedIsAnsweredFromTheServedFacts()
    {
        var item = ServingTestModels.PopularItem;

        var served = Ok<CatalogueItemResource>(await Catalogue.GetCatalogueItem(Request("GET"), item, CancellationToken.None));

        served.Source.Should().Be(CatalogueItemResource.ServedSource);
        served.Item.Id.Should().Be(item);
        served.Item.Title.Should().NotBeNullOrEmpty();
        Problem(await Catalogue.GetCatalogueItem(Request("GET"), "NEVER-HEARD-OF", CancellationToken.None), 404, "item-not-found");
    }

    [Fact]
    public async Task AnItemMarkedOutOfStockLeavesEveryAnswerAfterTheNextRefreshAndComesBackWhenRestocked()
    {
        var item = Trending(5)[0].ItemId;
        var anchor = _host.Serving.Recommendations!.Recommender.Model.Items.First(i => i != item && Similar(i).Any(r => r.ItemId == item));

        var marked = Ok<CatalogueItemResource>(await Catalogue.MarkCatalogueItemOutOfStock(Request("POST"), item, CancellationToken.None));

        marked.Item.InStock.Should().BeFalse();
        marked.Recommendable.Should().BeFalse();
        Trending().Select(r => r.ItemId).Should().Contain(item, "this instance has not polled yet");
        await _host.Refresh.RefreshAsync();
        Trending().Select(r => r.ItemId).Should().NotContain(item);
        Similar(anchor).Select(r => r.ItemId).Should().NotContain(item);
        Ok<CatalogueItemResource>(await Catalogue.GetCatalogueItem(Request("GET"), item, CancellationToken.None)).Item.InStock.Should().BeFalse();

        Ok<CatalogueItemResource>(await Catalogue.MarkCatalogueItemInStock(Request("POST"), item, CancellationToken.None)).Recommendable.Should().BeTrue();
        await _host.Refresh.RefreshAsync();
        Trending().Select(r => r.ItemId).Should().Contain(item);
    }

    [Fact]
    public async Task ADeletedItemIsUnknownAfterTheNextRefresh()
    {
        var item = Trending(5)[0].ItemId;

        (await Catalogue.DeleteCatalogueItem(Request("DELETE"), item, CancellationToken.None)).Should().BeOfType<NoContentResult>();
        await _host.Refresh.RefreshAsync();

        Trending().Select(r => r.ItemId).Should().NotContain(item);
        Similar(item).Should().OnlyContain(r => r.Reasons.Contains(RecommendationFunctions.UnknownItemReason), "a deleted item is answered like an unknown one");
        Problem(await Catalogue.GetCatalogueItem(Request("GET"), item, CancellationToken.None), 404, "item-not-found").Detail.Should().Contain("deleted");
        Problem(await Catalogue.DeleteCatalogueItem(Request("DELETE"), item, CancellationToken.None), 404, "item-not-found");
        Problem(await Catalogue.DeleteCatalogueItem(Request("DELETE"), "NEVER-HEARD-OF", CancellationToken.None), 404, "item-not-found");
        Problem(await Catalogue.MarkCatalogueItemOutOfStock(Request("POST"), "NEVER-HEARD-OF", CancellationToken.None), 404, "item-not-found");
    }

    [Fact]
    public async Task ANewItemGetsContentNeighboursAtTheNextRefreshWithoutARetrain()
    {
        var model = _host.Serving.Recommendations!.Recommender;
        var template = model.FindItem(ServingTestModels.PopularItem)!;
        Ok<CatalogueUpsertResult>(await UpsertAsync(Json(NewItem("NEW-1", template.Title, "new colour of a best seller", template.Category))));
        Similar("NEW-1").Should().OnlyContain(r => r.Reasons.Contains(RecommendationFunctions.UnknownItemReason), "not polled yet");

        await _host.Refresh.RefreshAsync();
        var similar = Similar("NEW-1", k: 5);

        similar.Should().HaveCount(5);
        similar.Should().OnlyContain(r => r.Reasons.SequenceEqual(new[] { "similar to " + template.Title }));
        similar.Select(r => r.ItemId).Should().Contain(ServingTestModels.PopularItem, "the item it was named after is its closest neighbour by title");
        var together = Ok<BoughtTogetherItems>(Recommendations.GetBoughtTogether(Get("/api/v1/items/NEW-1/bought-together"), "NEW-1", CancellationToken.None));
        together.Recommendations.Should().NotBeEmpty().And.OnlyContain(r => r.Reasons.Contains(RecommendationFunctions.NewItemReason) && r.Baskets == null);
    }

    [Fact]
    public async Task AnswersCarryTheCatalogueFactsAStorefrontRenders()
    {
        var item = Trending(1)[0];
        Ok<CatalogueUpsertResult>(await UpsertAsync(Json(new
        {
            id = item.ItemId, title = "Renamed", price = 12.5m, currency = "EUR", imageUrl = "https://cdn.example/x.jpg", productUrl = "https://shop.example/p/x",
        })));
        await _host.Refresh.RefreshAsync();

        var shown = Trending().Single(r => r.ItemId == item.ItemId);

        (shown.Title, shown.Price, shown.Currency, shown.ImageUrl, shown.ProductUrl).Should().Be(("Renamed", 12.5m, "EUR", "https://cdn.example/x.jpg", "https://shop.example/p/x"));
        var body = JsonSerializer.Serialize(shown, WebJson);
        body.Should().Contain("\"imageUrl\":\"https://cdn.example/x.jpg\"").And.Contain("\"productUrl\"").And.Contain("\"currency\":\"EUR\"");
    }

    [Fact]
    public async Task ChangesReachEveryInstanceThroughTheStoreAndTheirOwnPoll()
    {
        var registry = _host.Services.GetRequiredService<IOptions<ModelRegistryOptions>>().Value.ContainerName;
        using var other = new ApiHost(new() { ["ModelRegistry:ContainerName"] = registry },
            services => services.AddSingleton(sp => new CatalogueStore(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<TimeProvider>(), _host.CatalogueTable)));
        await other.Refresh.RefreshAsync();
        var item = Trending(5)[0].ItemId;
        TrendingItems OtherTrending() => Ok<TrendingItems>(other.Create<RecommendationFunctions>().GetTrending(Get("/api/v1/trending", "k=100"), CancellationToken.None));
        OtherTrending().Recommendations.Select(r => r.ItemId).Should().Contain(item);

        (await Catalogue.DeleteCatalogueItem(Request("DELETE"), item, CancellationToken.None)).Should().BeOfType<NoContentResult>();
        await other.Refresh.RefreshAsync();

        OtherTrending().Recommendations.Select(r => r.ItemId).Should().NotContain(item, "the other instance read the change from the store on its poll");
    }

    [Fact]
    public async Task AnUploadedCatalogueVersionIsLaidOverTheModelToo()
    {
        var top = Trending(2);
        var directory = Directory.CreateTempSubdirectory("smartshop-test-catalogue-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, ModelPublisher.CatalogueFileName),
                "id,title,category,price,in_stock,image_url,is_product\n"
                + $"{top[0].ItemId},Uploaded title,Home,3,true,https://cdn.example/u.jpg,true\n"
                + $"{top[1].ItemId},Postage,,1,true,,false\n");
            await File.WriteAllTextAsync(Path.Combine(directory, ModelRegistry.ManifestFileName), """{"format":"smartshop-catalogue","metrics":{"items":2}}""");
            await _host.Registry.UploadVersionAsync("catalogue", "c1", directory);
            (await _host.Registry.TryActivateAsync("catalogue", "c1")).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        await _host.Refresh.RefreshAsync();
        var trending = Trending();

        trending.Single(r => r.ItemId == top[0].ItemId).Should().Match<RecommendationItem>(r => r.Title == "Uploaded title" && r.ImageUrl == "https://cdn.example/u.jpg");
        trending.Select(r => r.ItemId).Should().NotContain(top[1].ItemId, "non-merchandise is never recommended");
    }

    public static TheoryData<string, string?, int, string, string?> BadUpserts => new()
    {
        { Json(NewItem("A", "Mug")), "text/csv", 415, "unsupported-media-type", null },
        { "[{\"id\":\"A\",", "application/json", 400, "malformed-body", null },
        { "{\"id\":\"A\",\"title\":\"Mug\",\"price\":1}", "application/json", 400, "malformed-body", null },
        { "[{\"id\":\"A\",\"title\":\"Mug\",\"price\":1,\"colour\":\"red\"}]", "application/json", 400, "malformed-body", null },
        { "[{\"id\":\"A\",\"title\":\"Mug\",\"price\":\"cheap\"}]", "application/json", 400, "malformed-body", null },
        { "[]", "application/json", 400, "invalid-parameter", "items" },
        { "null", "application/json", 400, "invalid-parameter", "items" },
        { "[null]", "application/json", 400, "invalid-parameter", "items[0]" },
        { "[{\"id\":\"A\",\"title\":\"Mug\"}]", "application/json", 400, "invalid-parameter", "items[0]" },
        { "[{\"id\":\"A\",\"title\":\"Mug\",\"price\":1},{\"id\":\"a b\",\"title\":\"Mug\",\"price\":1}]", "application/json", 400, "invalid-parameter", "items[1]" },
        { "[{\"id\":\"A\",\"title\":\"Mug\",\"price\":1},{\"id\":\"A\",\"title\":\"Mug\",\"price\":2}]", "application/json", 400, "invalid-parameter", "items[1]" },
        { "[{\"id\":\"A\",\"title\":\"Mug\",\"price\":1,\"imageUrl\":\"javascript:alert(1)\"}]", "application/json", 400, "invalid-parameter", "items[0]" },
        { "[{\"id\":\"A\",\"title\":\"Mug\",\"price\":1,\"currency\":\"gbp\"}]", "application/json", 400, "invalid-parameter", "items[0]" },
        { "[{\"id\":\"A\",\"title\":\"Mug\",\"price\":-1}]", "application/json", 400, "invalid-parameter", "items[0]" },
        { $"[{{\"id\":\"{new string('x', 129)}\",\"title\":\"Mug\",\"price\":1}}]", "application/json", 400, "invalid-parameter", "items[0]" },
        { $"[{{\"id\":\"A\",\"title\":\"{new string('t', CatalogueItemRules.MaxTitleLength + 1)}\",\"price\":1}}]", "application/json", 400, "invalid-parameter", "items[0]" },
        { Json(new { id = "A", title = "Mug", price = 1, attributes = Enumerable.Range(0, 33).ToDictionary(i => $"k{i}", i => "v") }), "application/json", 400, "invalid-parameter", "items[0]" },
        { Json([.. Enumerable.Range(0, CatalogueFunctions.MaxBatchItems + 1).Select(i => (object)new { id = $"I{i}", title = "Mug", price = 1 })]), "application/json", 400, "invalid-parameter", "items" },
    };

    [Theory]
    [MemberData(nameof(BadUpserts))]
    public async Task BadUpsertsAreProblemsWithStableCodesAndStoreNothing(string body, string? contentType, int status, string code, string? parameter)
    {
        var result = await Catalogue.UpsertCatalogueItems(Put(body, contentType), CancellationToken.None);

        var problem = Problem(result, status, code);
        if (parameter is not null)
        {
            problem.Extensions["parameter"].Should().Be(parameter);
        }

        (await _host.Services.GetRequiredService<CatalogueStore>().ReadIfChangedAsync(null))!.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task BodiesAndIdsAreBounded()
    {
        var huge = "[" + string.Join(',', Enumerable.Range(0, 300).Select(i => Json(new { id = $"I{i}", title = "Mug", price = 1, description = new string('d', 4_000) })[1..^1])) + "]";
        Encoding.UTF8.GetByteCount(huge).Should().BeGreaterThan(CatalogueFunctions.MaxBodyBytes);

        Problem(await UpsertAsync(huge), 413, "body-too-large");
        Problem(await Catalogue.UpsertCatalogueItems(Put(Json(NewItem("A", "Mug")), query: "dryRun=true"), CancellationToken.None), 400, "invalid-parameter");
        Problem(await Catalogue.GetCatalogueItem(Request("GET"), new string('x', 129), CancellationToken.None), 400, "invalid-parameter");
        Problem(await Catalogue.GetCatalogueItem(Request("GET"), "a/b", CancellationToken.None), 400, "invalid-parameter");
        Problem(await Catalogue.DeleteCatalogueItem(Request("DELETE"), "", CancellationToken.None), 400, "invalid-parameter");
        Problem(await Catalogue.MarkCatalogueItemOutOfStock(Request("POST"), "é", CancellationToken.None), 400, "invalid-parameter");
        Ok<CatalogueUpsertResult>(await UpsertAsync(Json([.. Enumerable.Range(0, CatalogueFunctions.MaxBatchItems).Select(i => NewItem($"I{i}", "Mug"))])))
            .Upserted.Should().Be(CatalogueFunctions.MaxBatchItems, "the largest batch allowed is stored");
    }
}
