using SmartShop.Core.Segmentation;
using N = SmartShop.Core.Segmentation.CustomerFeatureNames;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class PersonaAndRfmTests
{
    [Theory]
    [InlineData(-1.0, 1.0, 1.0, 0.0, "Champions")]
    [InlineData(1.0, 0.5, 0.8, 0.5, "At risk")]
    [InlineData(-0.3, -0.6, -0.4, -1.0, "New")]
    [InlineData(1.2, -0.6, -0.6, 0.5, "Hibernating")]
    [InlineData(-0.2, 0.6, 0.1, 0.3, "Loyal")]
    [InlineData(0.2, -0.4, -0.5, 0.0, "About to sleep")]
    public void PersonaFollowsTheDocumentedRules(double recency, double frequency, double monetary, double tenure, string expected)
    {
        var centroid = new Dictionary<string, double>
        {
            [N.RecencyDays] = recency,
            [N.Frequency] = frequency,
            [N.Monetary] = monetary,
            [N.TenureDays] = tenure,
        };

        PersonaRules.Assign(centroid).Name.Should().Be(expected);
    }

    [Fact]
    public void WindowShoppersNeedClickstreamFeatures()
    {
        var browsing = new Dictionary<string, double> { [N.PageViews] = 1.5, [N.ViewToPurchaseRate] = -1, [N.Monetary] = -1 };

        PersonaRules.Assign(browsing).Name.Should().Be("Window shoppers");
        PersonaRules.Assign(new Dictionary<string, double> { [N.Monetary] = 0 }).Name.Should().Be("Average customers");
    }

    [Fact]
    public void SegmentsSharingAPersonaAreNamedByWhatDiffersAndGetTheirOwnStrategy()
    {
        var bulk = new Dictionary<string, double> { [N.RecencyDays] = -1, [N.Frequency] = 0.8, [N.Monetary] = 2, [N.AverageBasketValue] = 2.5 };
        var frequent = new Dictionary<string, double> { [N.RecencyDays] = -1, [N.Frequency] = 2.5, [N.Monetary] = 1.5, [N.AverageBasketValue] = 0.2 };

        var personas = PersonaRules.AssignAll([bulk, frequent]);

        personas.Select(p => p.Name).Should().Equal("Champions — bulk buyers", "Champions — small baskets");
        personas.Select(p => p.Strategy).Should().OnlyHaveUniqueItems().And.AllSatisfy(s => s.Should().StartWith(PersonaRules.Assign(bulk).Strategy));
    }

    [Fact]
    public void SegmentsThatDifferOnNoDescribedFeatureAreNumbered()
    {
        var hibernating = new Dictionary<string, double> { [N.RecencyDays] = 1, [N.Frequency] = -1, [N.Monetary] = -1 };

        var personas = PersonaRules.AssignAll([hibernating, hibernating]);

        personas.Select(p => p.Name).Should().Equal("Hibernating 1", "Hibernating 2");
        personas[0].Strategy.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void RfmQuintilesRankRecencyInverselyAndShareScoresOnTies()
    {
        double[] recency = [1, 10, 20, 30, 40, 50, 60, 70, 80, 90];
        double[] frequency = [10, 9, 8, 7, 6, 5, 4, 3, 1, 1];
        double[] monetary = [100, 90, 80, 70, 60, 50, 40, 30, 20, 10];

        var scores = RfmScoring.Score(recency, frequency, monetary);

        scores[0].Should().Be(new RfmScore(5, 5, 5, "Champions"));
        scores[9].Recency.Should().Be(1);
        scores[8].Frequency.Should().Be(scores[9].Frequency);
        scores[9].Segment.Should().Be("Hibernating");
        RfmScoring.SegmentName(1, 5).Should().Be("Can't lose them");
        RfmScoring.SegmentName(5, 1).Should().Be("New customers");
    }
}
