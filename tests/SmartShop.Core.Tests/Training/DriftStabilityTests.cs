using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

public sealed class DriftStabilityTests
{
    private static readonly double[] OneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    [Fact]
    public void IdenticalSamplesHaveZeroPsi()
    {
        DriftStability.Numeric(OneToTen, OneToTen).Should().Be(0);
    }

    [Fact]
    public void ShiftingByOneBinGivesTheHandComputedPsi()
    {
        // Reference deciles of 1..10 are 1..9: each bin holds 0.1. Shifted by one, the first bin is empty (ε = 1e-4)
        // and the last holds 10 and 11 (0.2): PSI = (1e-4 − 0.1)·ln(1e-4/0.1) + (0.2 − 0.1)·ln 2.
        double[] shifted = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

        DriftStability.Numeric(OneToTen, shifted).Should().BeApproximately(0.7593994704263101, 1e-12);
    }

    [Fact]
    public void PsiDoesNotDependOnSampleSizeOnlyOnShares()
    {
        var twice = OneToTen.Concat(OneToTen).ToArray();

        DriftStability.Numeric(OneToTen, twice).Should().Be(0);
    }

    [Fact]
    public void QuantileEdgesAreNearestRankDecilesWithoutRepeats()
    {
        DriftStability.QuantileEdges(OneToTen).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9);
        DriftStability.QuantileEdges([0, 0, 0, 0, 0, 0, 0, 0, 1, 2]).Should().Equal(0, 1);
    }

    [Fact]
    public void BinsHoldValuesUpToTheirUpperEdgeAndTheLastBinTheRest()
    {
        DriftStability.BinCounts([-5, 0, 0.5, 1, 1.5, 99, double.NaN], [0, 1]).Should().Equal(2, 2, 2);
    }

    [Fact]
    public void CategoricalPsiMatchesTheHandComputedValue()
    {
        // (0.5 − 0.8)·ln(0.5/0.8) + (0.5 − 0.2)·ln(0.5/0.2)
        var reference = new Dictionary<string, long> { ["view"] = 80, ["addtocart"] = 20 };
        var recent = new Dictionary<string, long> { ["view"] = 50, ["addtocart"] = 50 };

        DriftStability.Categorical(reference, recent).Should().BeApproximately(0.41588830833596724, 1e-12);
    }

    [Fact]
    public void ACategoryOnlyOneSideHasCountsWithEpsilon()
    {
        var reference = new Dictionary<string, long> { ["view"] = 10 };
        var recent = new Dictionary<string, long> { ["view"] = 5, ["purchase"] = 5 };
        var expected = ((0.5 - 1.0) * Math.Log(0.5 / 1.0)) + ((0.5 - 1e-4) * Math.Log(0.5 / 1e-4));

        DriftStability.Categorical(reference, recent).Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void EmptySamplesAreRefusedWithAClearMessage()
    {
        var act = () => DriftStability.FromCounts([0, 0], [1, 2]);

        act.Should().Throw<ArgumentException>().WithMessage("*at least one value*");
        var noFinite = () => DriftStability.QuantileEdges([double.NaN]);
        noFinite.Should().Throw<ArgumentException>().WithMessage("*no finite values*");
    }
}
