using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Tests.Recommendations;

public sealed class SegmentTrendingTests
{
    private static readonly RecommenderModel Model = SyntheticShop.Train();

    // In the synthetic shop user u buys only items of category u % 3 (item i is in category i % 3).
    private static readonly Dictionary<string, string> SegmentOfUser =
        Enumerable.Range(0, 60).ToDictionary(u => $"U{u}", u => $"c{u % 3}");

    private static int Category(string itemId) => int.Parse(itemId[1..], System.Globalization.CultureInfo.InvariantCulture) % 3;

    [Fact]
    public void EachSegmentTrendsWithWhatItsOwnCustomersBuy()
    {
        var segments = SegmentTrending.Build(Model, SegmentOfUser);
        var recommender = new Recommender(Model, segments: segments);

        segments.Segments.Should().Equal("c0", "c1", "c2");
        foreach (var segment in new[] { 0, 1, 2 })
        {
            var items = recommender.Trending(new TrendingRequest { Segment = $"c{segment}", K = 5 });

            items.Should().HaveCount(5);
            items.Should().OnlyContain(i => Category(i.ItemId) == segment && i.Reason == $"popular in your segment (c{segment})");
        }
    }

    [Fact]
    public void GlobalTrendingIsUnchangedWithoutASegment()
    {
        var withSegments = new Recommender(Model, segments: SegmentTrending.Build(Model, SegmentOfUser));
        var plain = new Recommender(Model);

        withSegments.Trending(new TrendingRequest { K = 5 }).Should().Equal(plain.Trending(new TrendingRequest { K = 5 }));
    }

    [Fact]
    public void UnknownOrUnavailableSegmentsAreClearErrors()
    {
        var withSegments = new Recommender(Model, segments: SegmentTrending.Build(Model, SegmentOfUser));

        var unknown = () => withSegments.Trending(new TrendingRequest { Segment = "c9" });
        var noSegmentation = () => new Recommender(Model).Trending(new TrendingRequest { Segment = "c1" });
        var tooLong = () => withSegments.Trending(new TrendingRequest { Segment = new string('x', 200) });

        unknown.Should().Throw<KeyNotFoundException>().WithMessage("*'c9' is not known; known segments: c0, c1, c2*");
        noSegmentation.Should().Throw<InvalidOperationException>().WithMessage("*needs a segmentation*");
        tooLong.Should().Throw<ArgumentException>().WithMessage("*1-128 characters*");
    }
}
