using SmartShop.Core.Experiments;

namespace SmartShop.Core.Tests.Experiments;

public sealed class ExperimentResultsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Experiment AB = new(
        "ab", [new("a", 1, Strategy: Experiment.PopularStrategy), new("b", 1, ModelVersion: "v2")], ["user"], Start, Start.AddDays(14), Experiment.Ctr, [Experiment.RevenuePerMille]);

    [Fact]
    public void AClearWinnerIsNamedWithItsIntervalAndTheDaysLeft()
    {
        var result = ExperimentResults.Analyse(AB, [new("a", 10_000, 500, 50, 1_000, 40_000), new("b", 10_000, 680, 55, 1_100, 44_000)], Start.AddDays(11));

        result.SampleRatioMismatch.Should().BeFalse();
        result.Variants[1].VersusControl[0].Difference.PValue.Should().BeLessThan(1e-6);
        result.Verdict.Should().Be("B beats a on CTR by 1.8 points, 95 % CI 1.15 to 2.45 points (p < 0.0001); keep running: 3 days left of the planned 14.");
    }

    [Fact]
    public void NoDifferenceYetIsSaidSo()
    {
        var result = ExperimentResults.Analyse(AB, [new("a", 2_000, 100, 10, 200, 8_000), new("b", 2_000, 104, 10, 200, 8_000)], Start.AddDays(2));

        result.Verdict.Should().StartWith("No significant difference between b and a on CTR yet (+0.2 points, 95 % CI").And.EndWith("keep running: 12 days left of the planned 14.");
    }

    [Fact]
    public void ALossOnAGuardrailIsNamedBesideAWin()
    {
        // b wins clicks but its impressions earn far less.
        var result = ExperimentResults.Analyse(AB, [new("a", 10_000, 500, 300, 30_000, 6_000_000), new("b", 10_000, 700, 100, 10_000, 2_000_000)], Start.AddDays(14));

        result.Verdict.Should().Contain("B beats a on CTR by 2.0 points").And.Contain("but it loses on revenue per 1,000 impressions by 2000.00").And.EndWith("finished after 14 days.");
    }

    [Fact]
    public void ASkewedSplitIsFlaggedBeforeAnyComparison()
    {
        var result = ExperimentResults.Analyse(AB, [new("a", 11_000, 550, 50, 1_000, 40_000), new("b", 9_000, 600, 55, 1_100, 44_000)], Start.AddDays(5));

        result.SampleRatioMismatch.Should().BeTrue();
        result.Verdict.Should().StartWith("Sample ratio mismatch (p < 0.0001): the variants did not get their planned shares");
    }

    [Fact]
    public void AnAAExperimentFindsADifferenceAboutOneTimeInTwenty()
    {
        // 400 seeded A/A experiments, 5,000 impressions per arm at a 5 % CTR: the test's false-positive rate is alpha.
        var random = new Random(20261204);
        var significant = 0;
        const int Runs = 400;
        for (var run = 0; run < Runs; run++)
        {
            var a = Binomial(random, 5_000, 0.05);
            var b = Binomial(random, 5_000, 0.05);
            if (ExperimentStatistics.RateDifference(a, 5_000, b, 5_000).PValue < ExperimentResults.Alpha)
            {
                significant++;
            }
        }

        (significant / (double)Runs).Should().BeInRange(0.02, 0.08);
    }

    [Fact]
    public void APlantedLiftOfOnePointIsFoundAtTwentyThousandImpressionsPerArm()
    {
        // 5 % against 6 %: the power of the test at this size is about 99 %.
        var random = new Random(7);
        var found = 0;
        for (var run = 0; run < 100; run++)
        {
            var a = Binomial(random, 20_000, 0.05);
            var b = Binomial(random, 20_000, 0.06);
            var difference = ExperimentStatistics.RateDifference(a, 20_000, b, 20_000);
            if (difference.PValue < ExperimentResults.Alpha && difference.Value > 0)
            {
                found++;
            }
        }

        found.Should().BeGreaterThanOrEqualTo(95);
    }

    private static int Binomial(Random random, int trials, double p)
    {
        var successes = 0;
        for (var i = 0; i < trials; i++)
        {
            if (random.NextDouble() < p)
            {
                successes++;
            }
        }
        return successes;
    }
}
