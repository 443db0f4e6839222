using SmartShop.Core.Ingestion;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

public sealed class DriftAnalysisTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DriftThresholds Thresholds = new();

    private static ClickstreamEvent Event(int n, string type, string user, string item, decimal? price = null, string? order = null) =>
        new($"e{n}", type, user, $"s-{user}", item, Noon.AddMinutes(n), Quantity: price is null ? null : 1, Price: price, TransactionId: order);

    private static CustomerFeatureTable Table(string feature, IEnumerable<double> values)
    {
        var list = values.ToArray();
        return new CustomerFeatureTable(list.Select((_, i) => $"{i + 1}").ToList(), [feature], list);
    }

    [Theory]
    [InlineData(0.05, DriftLevel.Stable)]
    [InlineData(0.1, DriftLevel.Warning)]
    [InlineData(0.19, DriftLevel.Warning)]
    [InlineData(0.2, DriftLevel.Alert)]
    public void ThresholdsAreInclusive(double psi, DriftLevel expected)
    {
        Thresholds.LevelOf(psi).Should().Be(expected);
    }

    [Fact]
    public void CustomerFeaturesShiftedByOneDecileRaiseAnAlert()
    {
        var reference = Table(CustomerFeatureNames.AddToCartRate, Enumerable.Range(1, 100).Select(i => i / 100.0));
        var recent = Table(CustomerFeatureNames.AddToCartRate, Enumerable.Range(11, 100).Select(i => i / 100.0));

        var drift = DriftAnalysis.CompareCustomers(reference, recent, Thresholds).Should().ContainSingle().Subject;

        // Same shape as the hand-computed 1..10 → 2..11 case, at 100 customers per side.
        drift.Psi.Should().BeApproximately(0.7593994704263101, 1e-12);
        drift.Level.Should().Be(DriftLevel.Alert);
        drift.Scope.Should().Be(DriftAnalysis.CustomerScope);
    }

    [Fact]
    public void BasketValueIsComparedAmongBuyersOnly()
    {
        var reference = Table(CustomerFeatureNames.AverageBasketValue, Enumerable.Range(1, 50).Select(i => (double)i));
        var recent = Table(CustomerFeatureNames.AverageBasketValue, Enumerable.Range(1, 50).Select(i => (double)i).Concat(Enumerable.Repeat(0.0, 200)));

        var drift = DriftAnalysis.CompareCustomers(reference, recent, Thresholds).Should().ContainSingle().Subject;

        drift.Psi.Should().Be(0);
        drift.RecentCount.Should().Be(50);
    }

    [Fact]
    public void FeaturesWithTooFewCustomersOrMissingOnOneSideAreSkipped()
    {
        var reference = Table(CustomerFeatureNames.AddToCartRate, Enumerable.Range(1, 100).Select(i => i / 100.0));
        var small = Table(CustomerFeatureNames.AddToCartRate, Enumerable.Range(1, DriftAnalysis.MinimumSample - 1).Select(i => i / 100.0));
        var other = Table(CustomerFeatureNames.Monetary, Enumerable.Range(1, 100).Select(i => (double)i));

        DriftAnalysis.CompareCustomers(reference, small, Thresholds).Should().BeEmpty();
        DriftAnalysis.CompareCustomers(reference, other, Thresholds).Should().BeEmpty();
    }

    [Fact]
    public void WindowFeaturesFollowTheSegmentationDefinitions()
    {
        ClickstreamEvent[] events =
        [
            Event(1, ClickstreamEventTypes.View, "7", "a"),
            Event(2, ClickstreamEventTypes.View, "7", "b"),
            Event(3, ClickstreamEventTypes.View, "7", "c"),
            Event(4, ClickstreamEventTypes.View, "7", "d"),
            Event(5, ClickstreamEventTypes.AddToCart, "7", "a"),
            Event(6, ClickstreamEventTypes.Purchase, "7", "a", 10m, "o1"),
            Event(7, ClickstreamEventTypes.Purchase, "7", "b", 20m, "o1"),
            Event(8, ClickstreamEventTypes.Purchase, "7", "c", 30m, "o2"),
            Event(9, ClickstreamEventTypes.View, "12", "a"),
            new("anon", ClickstreamEventTypes.View, null, "s-anon", "a", Noon),
        ];

        var table = DriftAnalysis.WindowCustomerFeatures(events);

        table.FeatureNames.Should().Equal(DriftAnalysis.WindowComparableFeatures);
        table.CustomerIds.Should().Equal("12", "7"); // ordinal: ids are strings
        table.Row(1).ToArray().Should().Equal(30, 0.25, 0.75);
        table.Row(0).ToArray().Should().Equal(0, 0, 0);
    }

    [Fact]
    public void ItemDecilesRankItemsByReferencePopularity()
    {
        var reference = Enumerable.Range(0, 20).SelectMany(item => Enumerable.Range(0, 20 - item).Select(k => Event(k, ClickstreamEventTypes.View, "1", $"i{item:00}"))).ToList();

        var deciles = DriftAnalysis.ItemDeciles(reference);

        deciles["i00"].Should().Be("d01");
        deciles["i01"].Should().Be("d01");
        deciles["i02"].Should().Be("d02");
        deciles["i19"].Should().Be("d10");
    }

    [Fact]
    public void EventDistributionsAreStableForTheSameMixAndDriftWhenNewItemsTakeOver()
    {
        var reference = Enumerable.Range(0, 100).Select(i => Event(i, i % 4 == 0 ? ClickstreamEventTypes.AddToCart : ClickstreamEventTypes.View, "1", $"i{i % 10}")).ToList();
        var newItems = Enumerable.Range(0, 100).Select(i => Event(i, i % 4 == 0 ? ClickstreamEventTypes.AddToCart : ClickstreamEventTypes.View, "1", $"n{i % 10}")).ToList();

        var same = DriftAnalysis.CompareEvents(reference, reference, Thresholds);
        var shifted = DriftAnalysis.CompareEvents(reference, newItems, Thresholds);

        same.Select(d => d.Psi).Should().Equal(0, 0);
        shifted.Single(d => d.Feature == DriftAnalysis.EventTypeMix).Psi.Should().Be(0);
        var popularity = shifted.Single(d => d.Feature == DriftAnalysis.ItemPopularityDeciles);
        popularity.Level.Should().Be(DriftLevel.Alert);
        // Ten deciles at 0.1 each become ε, and "new" goes from ε to 1.
        var expected = (10 * ((1e-4 - 0.1) * Math.Log(1e-4 / 0.1))) + ((1 - 1e-4) * Math.Log(1 / 1e-4));
        popularity.Psi.Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void ReportLevelIsTheWorstFeature()
    {
        var report = new DriftReport(Noon, Noon.AddDays(-7), Noon, "v1",
            [new FeatureDrift("event", "a", 0.05, DriftLevel.Stable, 100, 100), new FeatureDrift("event", "b", 0.15, DriftLevel.Warning, 100, 100)], []);

        report.Level.Should().Be(DriftLevel.Warning);
        report.MaxPsi.Should().Be(0.15);
        report.Drifted(DriftLevel.Warning).Select(f => f.Feature).Should().Equal("b");
    }
}
