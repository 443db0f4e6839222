using SmartShop.Core.Experiments;

namespace SmartShop.Core.Tests.Experiments;

/// <summary>
/// Known answers: each expected value was computed independently from the closed forms (Python's math.erfc and
/// math.exp: Φ(z) = erfc(−z/√2)/2, the chi-square survival function is erfc(√(x/2)) for 1 degree of freedom and
/// e^(−x/2) for 2), or is the published Wilson interval of 20 in 100.
/// </summary>
public sealed class ExperimentStatisticsTests
{
    [Fact]
    public void TheWilsonIntervalOfTwentyInAHundredIsThePublishedOne()
    {
        var rate = ExperimentStatistics.Rate(20, 100);

        rate.Rate.Should().Be(0.2);
        rate.CiLow.Should().BeApproximately(0.133367, 1e-6);
        rate.CiHigh.Should().BeApproximately(0.288829, 1e-6);
    }

    [Fact]
    public void TheWilsonIntervalStaysInsideZeroToOne()
    {
        ExperimentStatistics.Rate(0, 10).Should().Match<RateEstimate>(r => r.CiLow >= 0 && r.CiLow < 1e-12 && r.CiHigh > 0 && r.CiHigh < 0.35);
        ExperimentStatistics.Rate(10, 10).Should().Match<RateEstimate>(r => r.CiHigh <= 1 && r.CiHigh > 1 - 1e-12 && r.CiLow > 0.65);
        ExperimentStatistics.Rate(0, 0).Should().Match<RateEstimate>(r => r.CiLow == 0 && r.CiHigh == 1);
    }

    [Fact]
    public void TwoProportionsTwentyAndTwentyFivePercentOfAThousand()
    {
        var difference = ExperimentStatistics.RateDifference(200, 1000, 250, 1000);

        difference.Value.Should().BeApproximately(0.05, 1e-12);
        difference.PValue.Should().BeApproximately(0.0074196, 1e-6, "pooled z = 2.6774");
        difference.CiLow.Should().BeApproximately(0.0134636, 1e-6);
        difference.CiHigh.Should().BeApproximately(0.0865364, 1e-6);
    }

    [Fact]
    public void EqualRatesHaveNoDifference()
    {
        var difference = ExperimentStatistics.RateDifference(30, 600, 30, 600);

        difference.Value.Should().Be(0);
        difference.PValue.Should().BeApproximately(1, 1e-12);
        difference.CiLow.Should().BeNegative();
        difference.CiHigh.Should().BePositive();
    }

    [Fact]
    public void MeanRevenuePerImpressionByWelch()
    {
        // Control: 1,000 impressions, revenue sum 500, sum of squares 2,500; treatment: 700 and 3,100.
        var difference = ExperimentStatistics.MeanDifference(1000, 500, 2500, 1000, 700, 3100);

        difference.Value.Should().BeApproximately(0.2, 1e-12);
        difference.CiLow.Should().BeApproximately(0.0632953, 1e-6);
        difference.CiHigh.Should().BeApproximately(0.3367047, 1e-6);
        difference.PValue.Should().BeApproximately(0.0041380, 1e-6);
    }

    [Fact]
    public void SampleRatioMismatchByChiSquare()
    {
        ExperimentStatistics.SampleRatioPValue([5100, 4900], [1, 1]).Should().BeApproximately(0.0455003, 1e-6, "chi-square 4 on 1 degree of freedom");
        ExperimentStatistics.SampleRatioPValue([3400, 3300, 3300], [1, 1, 1]).Should().BeApproximately(0.3678794, 1e-6, "chi-square 2 on 2 degrees of freedom");
        ExperimentStatistics.SampleRatioPValue([9000, 1000], [9, 1]).Should().BeApproximately(1, 1e-9, "exactly the planned 90/10");
        ExperimentStatistics.SampleRatioPValue([5500, 4500], [1, 1]).Should().BeLessThan(1e-20, "a broken split");
    }
}
