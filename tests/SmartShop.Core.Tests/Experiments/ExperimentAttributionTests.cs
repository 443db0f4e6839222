using SmartShop.Core.Experiments;
using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Tests.Experiments;

public sealed class ExperimentAttributionTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Experiment AB = new("ab", [new("a", 1, Strategy: "popular"), new("b", 1, ModelVersion: "v2")], ["users/recommendations"], Start, Start.AddDays(14), Experiment.Ctr, []);

    private static ClickstreamEvent E(string id, string type, string user, string item, double hours, string? variant = null, decimal? revenue = null, int? quantity = null, decimal? price = null, string? experiment = "ab") =>
        new(id, type, user, null, item, Start.AddHours(hours), quantity, price, TransactionId: "t-" + id)
        {
            ExperimentId = variant is null ? null : experiment,
            Variant = variant,
            Revenue = revenue,
        };

    [Fact]
    public void EventsCountForTheVariantTheyNameAndPurchasesFollowTheirClickWithinTheWindow()
    {
        ClickstreamEvent[] events =
        [
            E("c1", "click", "u1", "i1", 1, "a"),
            E("k1", "addtocart", "u1", "i1", 1.1, "a"),
            E("p1", "purchase", "u1", "i1", 2, quantity: 2, price: 5),             // 1 h after its click: a, revenue 10
            E("c2", "click", "u2", "i2", 1, "b"),
            E("p2", "purchase", "u2", "i2", 26, quantity: 1, price: 7),            // 25 h after its click: outside 24 h
            E("p3", "purchase", "u3", "i3", 3, "b", revenue: 40),                  // names its variant
            E("p4", "purchase", "u4", "i4", 3, quantity: 1, price: 9),             // no click, no variant: not attributed
            E("c5", "click", "u5", "i5", 1, "z"),                                  // a variant the experiment does not have
            E("c6", "click", "u6", "i6", 1, "a", experiment: "other"),             // another experiment
            E("c7", "click", "u7", "i7", -1, "a"),                                 // before the start
        ];

        var counts = ExperimentAttribution.Count(AB, events, new Dictionary<string, long> { ["a"] = 100, ["b"] = 90 }, ExperimentAttribution.DefaultWindow, Start.AddDays(3));

        counts.Should().BeEquivalentTo(new[]
        {
            new VariantCounts("a", 100, 1, 1, 10, 100) { AddToCarts = 1, Orders = 1 },
            new VariantCounts("b", 90, 1, 1, 40, 1600) { AddToCarts = 0, Orders = 1 },
        });
    }

    [Fact]
    public void APurchaseNamingTheAnswerFollowsThatClickNotAnotherOnTheSameItem()
    {
        ClickstreamEvent[] events =
        [
            E("c1", "click", "u1", "i1", 1, "a") with { RecommendationId = "r-1" },
            E("c2", "click", "u1", "i1", 2, "b") with { RecommendationId = "r-2" },
            E("p1", "purchase", "u1", "i1", 3, quantity: 1, price: 4) with { RecommendationId = "r-1" },
        ];

        var counts = ExperimentAttribution.Count(AB, events, new Dictionary<string, long>(), ExperimentAttribution.DefaultWindow, Start.AddDays(1));

        counts.Select(c => c.Purchases).Should().Equal(1, 0);
        ExperimentAttribution.Count(AB, [events[0], events[2] with { RecommendationId = "r-elsewhere" }], new Dictionary<string, long>(), ExperimentAttribution.DefaultWindow, Start.AddDays(1))
            .Sum(c => c.Purchases).Should().Be(0, "a purchase naming another answer is not this experiment's");
    }

    [Fact]
    public void ALongerWindowAttributesTheLatePurchaseAndNothingAfterTheEndCounts()
    {
        ClickstreamEvent[] events = [E("c2", "click", "u2", "i2", 1, "b"), E("p2", "purchase", "u2", "i2", 26, quantity: 1, price: 7), E("c8", "click", "u8", "i8", 24 * 15, "b")];

        var counts = ExperimentAttribution.Count(AB, events, new Dictionary<string, long>(), TimeSpan.FromHours(48), Start.AddDays(30));

        counts.Single(c => c.Variant == "b").Should().Match<VariantCounts>(c => c.Purchases == 1 && c.Revenue == 7 && c.Clicks == 1, "the click after the planned stop does not count");
    }
}
