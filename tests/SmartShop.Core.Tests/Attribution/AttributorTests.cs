using SmartShop.Core.Attribution;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Tests.Attribution;

public sealed class AttributorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly string Answer = new RecommendationContext(RecommendationEndpoints.User, "v7", "3 Big spenders", "home", "exp-1", "b").NewId();
    private static readonly string Other = new RecommendationContext(RecommendationEndpoints.Similar, "v7").NewId();

    [Fact]
    public void TheIdCarriesWhatServedTheAnswer()
    {
        Answer.Length.Should().BeLessThanOrEqualTo(RecommendationContext.MaxIdLength);
        ClickstreamEventValidator.IsValidId(Answer).Should().BeTrue("a storefront echoes it in events");
        RecommendationContext.Parse(Answer).Should().Be(new RecommendationContext(RecommendationEndpoints.User, "v7", "3-big-spenders", "home", "exp-1", "b"));
        RecommendationContext.Parse(Other).Should().Be(new RecommendationContext(RecommendationEndpoints.Similar, "v7"));
        RecommendationContext.Parse("0123456789abcdef0123456789abcdef").Should().BeNull("an id of another format names nothing");
        RecommendationContext.Parse("0123456789abcdef:x:v1").Should().BeNull("an unknown route code names nothing");
    }

    [Fact]
    public void AnIdTooLongForItsPartsLeavesOutTheLastOnesFirst()
    {
        var version = new string('v', 100);
        var id = new RecommendationContext(RecommendationEndpoints.User, version, "segment", "product-page", new string('e', 64), new string('n', 32)).NewId();

        id.Length.Should().BeLessThanOrEqualTo(RecommendationContext.MaxIdLength);
        RecommendationContext.Parse(id).Should().Be(new RecommendationContext(RecommendationEndpoints.User, version, "segment"),
            "experiment and variant go first (the storefront echoes them), then the placement");
    }

    [Fact]
    public void EventsNamingTheAnswerCountForItsRowAndTheEchoNeverOverridesTheId()
    {
        var day = DateOnly.FromDateTime(T0.UtcDateTime);
        var click = Event("c1", ClickstreamEventTypes.Click, "u1", "A", T0) with { RecommendationId = Answer, ExperimentId = "exp-x", Variant = "a" };
        var purchase = Event("p1", ClickstreamEventTypes.Purchase, "u1", "A", T0.AddHours(1)) with { RecommendationId = Answer, Revenue = 12.5m, TransactionId = "o-1" };

        var facts = Attributor.Facts([click, purchase], Activity(click), Attributor.DefaultWindow);

        var key = new RollupKey(day, RecommendationEndpoints.User, "v7", "home", "exp-1", "b", "3-big-spenders", RollupKey.UnitOf("u1"));
        facts.Should().BeEquivalentTo(
        [
            new AttributionFact("c1", FactKinds.Click, key),
            new AttributionFact("p1", FactKinds.Purchase, key, 12.5, facts[1].Order),
        ]);
        facts[1].Order.Should().NotBeNullOrEmpty().And.NotContain("o-1", "the order's id is not kept, only a hash to count it");
    }

    [Fact]
    public void APurchaseNamingNothingCountsForTheLatestClickOnTheItemWithinTheWindow()
    {
        var early = Event("c1", ClickstreamEventTypes.Click, "u1", "A", T0) with { RecommendationId = Other };
        var late = Event("c2", ClickstreamEventTypes.Click, "u1", "A", T0.AddHours(2)) with { RecommendationId = Answer };
        var elsewhere = Event("c3", ClickstreamEventTypes.Click, "u1", "B", T0.AddHours(3)) with { RecommendationId = Other };
        var bought = Event("p1", ClickstreamEventTypes.Purchase, "u1", "A", T0.AddHours(20)) with { Quantity = 3, Price = 2m };
        var tooLate = Event("p2", ClickstreamEventTypes.Purchase, "u1", "A", T0.AddHours(27));
        var otherShopper = Event("p3", ClickstreamEventTypes.Purchase, "u2", "A", T0.AddHours(3));
        var activity = Activity(early, late, elsewhere, bought, tooLate, otherShopper);

        var facts = Attributor.Facts([bought, tooLate, otherShopper], activity, Attributor.DefaultWindow);

        facts.Should().ContainSingle().Which.Should().BeEquivalentTo(new { EventId = "p1", Kind = FactKinds.Purchase, Revenue = 6.0 });
        facts[0].Key.Variant.Should().Be("b", "the latest click on the item was on the experiment's answer");
        Attributor.Facts([tooLate], activity, TimeSpan.FromHours(30)).Should().ContainSingle("a wider window reaches the later click");
    }

    [Fact]
    public void ANamedPurchaseLongerAfterItsClickThanTheWindowCountsForNothing()
    {
        var click = Event("c1", ClickstreamEventTypes.Click, "u1", "A", T0) with { RecommendationId = Answer };
        var purchase = Event("p1", ClickstreamEventTypes.Purchase, "u1", "A", T0.AddHours(25)) with { RecommendationId = Answer };
        var cartWithoutClick = Event("a1", ClickstreamEventTypes.AddToCart, "u2", "A", T0) with { RecommendationId = Answer };

        Attributor.Facts([purchase], Activity(click, purchase), Attributor.DefaultWindow).Should().BeEmpty();
        Attributor.Facts([cartWithoutClick], Activity(cartWithoutClick), Attributor.DefaultWindow).Should().ContainSingle()
            .Which.Kind.Should().Be(FactKinds.AddToCart, "an add-to-cart straight from the widget names its answer and has no click");
    }

    [Fact]
    public void AViewOfARecommendedItemIsAssistedOnlyAndSoIsThePurchaseItLeadsTo()
    {
        var view = Event("v1", ClickstreamEventTypes.View, "u1", "A", T0) with { RecommendationId = Answer };
        var purchase = Event("p1", ClickstreamEventTypes.Purchase, "u1", "A", T0.AddHours(5)) with { Revenue = 9m };
        var plainView = Event("v2", ClickstreamEventTypes.View, "u1", "B", T0);

        var facts = Attributor.Facts([view, purchase, plainView], Activity(view, purchase, plainView), Attributor.DefaultWindow);

        facts.Select(f => (f.EventId, f.Kind)).Should().Equal(("v1", FactKinds.AssistedView), ("p1", FactKinds.AssistedPurchase));
        var row = Rollup.Build(facts, []).Should().ContainSingle().Subject;
        row.Purchases.Should().Be(0, "assisted purchases are never attributed");
        (row.AssistedViews, row.AssistedPurchases, row.AssistedRevenue).Should().Be((1L, 1L, 9.0));
    }

    [Fact]
    public void ARollupCountsEachEventOnceAndAddsTheImpressionsOfEveryInstance()
    {
        var day = DateOnly.FromDateTime(T0.UtcDateTime);
        var key = new RollupKey(day, RecommendationEndpoints.User, "v7", Variant: "b", ExperimentId: "exp-1");
        var facts = new[]
        {
            new AttributionFact("c1", FactKinds.Click, key),
            new AttributionFact("c1", FactKinds.Click, key),
            new AttributionFact("p1", FactKinds.Purchase, key, 10, "o1"),
            new AttributionFact("p2", FactKinds.Purchase, key, 4, "o1"),
            new AttributionFact("a1", FactKinds.AddToCart, key),
        };

        var row = Rollup.Build(facts, [new ImpressionCount(key, 30), new ImpressionCount(key, 12)]).Should().ContainSingle().Subject;

        row.Should().BeEquivalentTo(new { Impressions = 42L, Clicks = 1L, AddToCarts = 1L, Purchases = 2L, Revenue = 14.0, RevenueSquares = 116.0, Orders = 1L });
    }

    private static ClickstreamEvent Event(string id, string type, string user, string item, DateTimeOffset at) => new(id, type, user, null, item, at);

    private static Dictionary<string, IReadOnlyList<UserActivity>> Activity(params ClickstreamEvent[] events) =>
        events.GroupBy(e => e.ActorId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<UserActivity>)g.Select(e => new UserActivity(e.ItemId, e.Type, e.Timestamp, Attributor.KeptRecommendationId(e))).ToList());
}
