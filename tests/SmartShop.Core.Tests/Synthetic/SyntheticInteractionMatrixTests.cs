using SmartShop.Core.Synthetic;

namespace SmartShop.Core.Tests.Synthetic;

public sealed class SyntheticInteractionMatrixTests
{
    [Fact]
    public void SameArgumentsGiveTheSameMatrixAndAnotherSeedADifferentOne()
    {
        var a = SyntheticInteractionMatrix.PowerLaw(2_000, 500, 40_000, seed: 3);
        var b = SyntheticInteractionMatrix.PowerLaw(2_000, 500, 40_000, seed: 3);
        var c = SyntheticInteractionMatrix.PowerLaw(2_000, 500, 40_000, seed: 4);

        b.RowOffsets.ToArray().Should().Equal(a.RowOffsets.ToArray());
        b.ColumnIndices.ToArray().Should().Equal(a.ColumnIndices.ToArray());
        b.Values.ToArray().Should().Equal(a.Values.ToArray());
        c.ColumnIndices.ToArray().Should().NotEqual(a.ColumnIndices.ToArray());
    }

    [Fact]
    public void HitsTheTargetSizeWithPowerLawPopularity()
    {
        var matrix = SyntheticInteractionMatrix.PowerLaw(5_000, 1_000, 100_000, popularityExponent: 0.9, seed: 1);

        matrix.NonZeroCount.Should().BeInRange(95_000, 105_000);
        matrix.Values.ToArray().Should().OnlyContain(v => v >= 1 && v <= 5);
        var popularity = matrix.Transpose();
        var head = Enumerable.Range(0, 10).Sum(popularity.RowLength);
        var tail = Enumerable.Range(990, 10).Sum(popularity.RowLength);
        head.Should().BeGreaterThan(10 * tail, "item 0 is the most popular under a Zipf law");
        // Constructing through the validating constructor proves rows are sorted, unique and in range.
        FluentActions.Invoking(() => new SmartShop.Core.Recommendations.Als.CsrMatrix(
            matrix.Rows, matrix.Columns, matrix.RowOffsets.ToArray(), matrix.ColumnIndices.ToArray(), matrix.Values.ToArray()))
            .Should().NotThrow();
    }

    [Fact]
    public void RejectsImpossibleTargets() =>
        FluentActions.Invoking(() => SyntheticInteractionMatrix.PowerLaw(10, 10, 60))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("targetNonZeros");
}
