using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Tests.Recommendations;

/// <summary>The current catalogue laid over a trained model, without retraining it.</summary>
public sealed class CatalogueOverlayTests
{
    private static readonly RecommenderModel Model = SyntheticShop.Train();
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 6, 0, 0, TimeSpan.Zero);

    private static Recommender With(params CatalogueRecord[] records) =>
        new Recommender(Model).WithCatalogue(CatalogueOverlay.Create("v1", null, records));

    private static CatalogueRecord Stored(CatalogueItem item) => new(item.Id, item, Now);

    private static CatalogueRecord Deleted(string id) => new(id, null, Now);

    private static IEnumerable<string> EveryAnswer(Recommender recommender) =>
        recommender.Trending(new TrendingRequest { K = 30 })
            .Concat(Model.Users.Take(20).SelectMany(u => recommender.RecommendForUser(new UserRecommendationRequest { UserId = u, K = 20 })))
            .Concat(Model.Items.Take(10).SelectMany(i => recommender.SimilarItems(new ItemRequest { ItemId = i, K = 20 })))
            .Concat(recommender.CompleteCart(new CartRequest { CartItems = [Model.Items[0], Model.Items[1]], K = 20 }))
            .Select(r => r.ItemId);

    [Fact]
    public void DeletedOutOfStockAndNonProductItemsAreNeverRecommended()
    {
        var plain = new Recommender(Model);
        var shown = EveryAnswer(plain).GroupBy(id => id).OrderByDescending(g => g.Count()).Select(g => g.Key).Take(3).ToList();
        shown.Should().HaveCount(3);
        var facts = shown.Select(id => plain.FindItem(id)!).ToList();

        var recommender = With(
            Deleted(shown[0]),
            Stored(facts[1] with { InStock = false }),
            Stored(facts[2] with { IsProduct = false, Title = "Postage" }));

        EveryAnswer(recommender).Should().NotContain(shown).And.NotBeEmpty();
        recommender.FindItem(shown[0]).Should().BeNull("a deleted item is unknown");
        recommender.FindItem(shown[1])!.InStock.Should().BeFalse();
        recommender.FindItem(shown[2])!.Title.Should().Be("Postage");
    }

    [Fact]
    public void ChangedFactsOfAModelItemAreServedWithoutARetrain()
    {
        var item = Model.Items[0];
        var recommender = With(Stored(new CatalogueItem(item, "Renamed", "C9", 99m, true) { ImageUrl = "https://cdn.example/a.jpg", Currency = "EUR" }));

        var facts = recommender.FindItem(item)!;

        (facts.Title, facts.Category, facts.Price, facts.ImageUrl, facts.Currency).Should().Be(("Renamed", "C9", 99m, "https://cdn.example/a.jpg", "EUR"));
        recommender.Trending(new TrendingRequest { K = 30, Filters = new RecommendationFilters { Categories = new HashSet<string> { "C9" } } })
            .Select(r => r.ItemId).Should().Equal([item], "filters see the current category");
    }

    [Fact]
    public void ANewItemGetsContentNeighboursAtOnce()
    {
        var added = new CatalogueItem("NEW-RED-1", "Red ceramic bowl", "C0", 5m, true) { Description = "A red ceramic bowl for the kitchen" };
        var recommender = With(Stored(added));

        var similar = recommender.SimilarItems(new ItemRequest { ItemId = "NEW-RED-1", K = 5 });

        recommender.IsModelItem("NEW-RED-1").Should().BeFalse();
        recommender.FindItem("NEW-RED-1").Should().Be(added);
        similar.Should().HaveCount(5);
        similar.Should().OnlyContain(r => Model.Items.Contains(r.ItemId) && r.Reason == "similar to Red ceramic bowl");
        similar.Select(r => recommender.FindItem(r.ItemId)!.Title).Should().OnlyContain(t => t.Contains("RED CERAMIC", StringComparison.Ordinal));
        recommender.FrequentlyBoughtTogether(new ItemRequest { ItemId = "NEW-RED-1", K = 5 }).Should().BeEmpty("nobody bought it yet");
    }

    [Fact]
    public void ANewItemsNeighboursSkipItemsThatMayNotBeRecommended()
    {
        var plain = new Recommender(Model);
        var added = new CatalogueItem("NEW-RED-2", "Red ceramic bowl", "C0", 5m, true);
        var before = plain.WithCatalogue(CatalogueOverlay.Create("v1", null, [Stored(added)])).SimilarItems(new ItemRequest { ItemId = added.Id, K = 3 });
        var best = before[0].ItemId;

        var after = With(Stored(added), Deleted(best)).SimilarItems(new ItemRequest { ItemId = added.Id, K = 3 });

        after.Select(r => r.ItemId).Should().NotContain(best).And.HaveCount(3);
    }

    [Fact]
    public void StoredRecordsWinOverTheUploadedCatalogue()
    {
        var uploaded = new[] { new CatalogueItem("A", "Uploaded", null, 1, true), new CatalogueItem("B", "Kept", null, 1, true) };

        var overlay = CatalogueOverlay.Create("v2", uploaded, [Stored(new CatalogueItem("A", "Changed", null, 2, false)), Deleted("B")]);

        overlay.TryGet("A", out var a).Should().BeTrue();
        a!.Title.Should().Be("Changed");
        overlay.TryGet("B", out var b).Should().BeTrue();
        b.Should().BeNull();
        overlay.Items.Select(i => i.Id).Should().Equal("A");
    }
}
