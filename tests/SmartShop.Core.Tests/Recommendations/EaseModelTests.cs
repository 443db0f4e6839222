using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Tests.Recommendations;

public sealed class EaseModelTests
{
    [Fact]
    public void TwoItemModelMatchesTheHandComputedSolution()
    {
        // X = [[1,1],[1,0]], λ = 1: G + λI = [[3,1],[1,2]], P = 1/5·[[2,−1],[−1,3]];
        // B[0,1] = −P01/P11 = 1/3, B[1,0] = −P10/P00 = 1/2, zero diagonal.
        (int, float)[][] rows = [[(0, 1f), (1, 1f)], [(0, 1f)]];

        var ease = EaseModel.Fit(rows, 2, lambda: 1, maxDegreeOfParallelism: 1);

        ease.Similarity(0, 1).Should().BeApproximately(1f / 3, 1e-6f);
        ease.Similarity(1, 0).Should().BeApproximately(1f / 2, 1e-6f);
        ease.Similarity(0, 0).Should().Be(0);
        var scores = new float[2];
        ease.Score([(1, 1f)], scores);
        scores[0].Should().BeApproximately(0.5f, 1e-6f);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(150)]
    public void SweepInverseTimesMatrixIsIdentity(int n)
    {
        var random = new Random(n);
        var stride = SymmetricInverse.PaddedStride(n);
        var a = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                a[i, j] = a[j, i] = random.NextDouble() - 0.5;
            }
            a[i, i] += n;
        }
        var m = new float[n * stride];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i * stride + j] = (float)a[i, j];
            }
        }

        SymmetricInverse.InvertInPlace(m, n, stride, maxDegreeOfParallelism: 2);

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var l = 0; l < n; l++)
                {
                    sum += a[i, l] * m[l * stride + j];
                }
                sum.Should().BeApproximately(i == j ? 1 : 0, 1e-4);
            }
        }
    }

    [Fact]
    public void NonPositiveDefiniteMatrixFailsClearly()
    {
        var m = new float[] { 1, 2, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0 };
        var act = () => SymmetricInverse.InvertInPlace(m, 2, 8, 1);
        act.Should().Throw<InvalidOperationException>().WithMessage("*not positive definite*");
    }
}
