using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Tests.Recommendations.Als;

public sealed class CsrMatrixTests
{
    [Fact]
    public void BuilderSortsRowsAndSumsDuplicates()
    {
        var matrix = new CsrMatrixBuilder(3, 4)
            .Add(2, 3, 1f).Add(0, 2, 1f).Add(0, 0, 2f).Add(0, 2, 0.5f).Add(2, 1, 4f)
            .Build();

        matrix.Rows.Should().Be(3);
        matrix.Columns.Should().Be(4);
        matrix.NonZeroCount.Should().Be(4);
        matrix.RowColumns(0).ToArray().Should().Equal(0, 2);
        matrix.RowValues(0).ToArray().Should().Equal(2f, 1.5f);
        matrix.RowLength(1).Should().Be(0);
        matrix.RowColumns(2).ToArray().Should().Equal(1, 3);
        matrix[2, 1].Should().Be(4f);
        matrix[1, 1].Should().Be(0f);
    }

    [Fact]
    public void TransposeSwapsRowsAndColumnsAndKeepsRowsSorted()
    {
        var matrix = new CsrMatrixBuilder(3, 2).Add(0, 1, 1f).Add(2, 1, 3f).Add(1, 0, 2f).Add(2, 0, 5f).Build();

        var transposed = matrix.Transpose();

        transposed.Rows.Should().Be(2);
        transposed.Columns.Should().Be(3);
        transposed.RowColumns(0).ToArray().Should().Equal(1, 2);
        transposed.RowValues(0).ToArray().Should().Equal(2f, 5f);
        transposed.RowColumns(1).ToArray().Should().Equal(0, 2);
        transposed.RowValues(1).ToArray().Should().Equal(1f, 3f);
        transposed.Transpose().RowColumns(2).ToArray().Should().Equal(0, 1);
    }

    [Fact]
    public void BuilderRejectsOutOfRangeAndNonFiniteInput()
    {
        var builder = new CsrMatrixBuilder(2, 2);

        FluentActions.Invoking(() => builder.Add(2, 0, 1f)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("row");
        FluentActions.Invoking(() => builder.Add(0, -1, 1f)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("column");
        FluentActions.Invoking(() => builder.Add(0, 0, float.NaN)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("weight");
    }

    [Fact]
    public void ConstructorRejectsInconsistentArrays()
    {
        FluentActions.Invoking(() => new CsrMatrix(2, 3, [0, 1], [0], [1f]))
            .Should().Throw<ArgumentException>().WithMessage("*needs 3*");
        FluentActions.Invoking(() => new CsrMatrix(1, 3, [0, 2], [2, 1], [1f, 1f]))
            .Should().Throw<ArgumentException>().WithMessage("*strictly increasing*");
        FluentActions.Invoking(() => new CsrMatrix(1, 3, [0, 1], [3], [1f]))
            .Should().Throw<ArgumentException>().WithMessage("*out of range*");
        FluentActions.Invoking(() => new CsrMatrix(1, 3, [0, 2], [0, 1], [1f]))
            .Should().Throw<ArgumentException>().WithMessage("*differ in length*");
    }
}
