using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Tests.Recommendations.Als;

public sealed class FactorKernelsTests
{
    [Theory]
    [InlineData(64, true)]
    [InlineData(64, false)]
    [InlineData(13, true)]
    [InlineData(40, false)]
    public void AccumulateProjectionsMatchesADoublePrecisionReference(int k, bool residual)
    {
        var random = new Random(k);
        var other = Enumerable.Range(0, 50 * k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var v = Enumerable.Range(0, k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        int[] columns = [0, 3, 7, 8, 20, 33, 41, 42, 49, 11, 12];
        var weights = columns.Select(c => 1f + (c % 4)).ToArray();
        var accumulator = Enumerable.Range(0, k).Select(i => i * 0.01f).ToArray();
        var expected = accumulator.Select(a => (double)a).ToArray();
        const float Alpha = 1.5f;
        for (var j = 0; j < columns.Length; j++)
        {
            double d = 0;
            for (var f = 0; f < k; f++)
            {
                d += other[(columns[j] * k) + f] * (double)v[f];
            }

            double w = Alpha * weights[j];
            var coefficient = residual ? 1 + w - (w * d) : w * d;
            for (var f = 0; f < k; f++)
            {
                expected[f] += coefficient * other[(columns[j] * k) + f];
            }
        }

        FactorKernels.AccumulateProjections(columns, weights, other, v, accumulator, Alpha, residual);

        for (var f = 0; f < k; f++)
        {
            accumulator[f].Should().BeApproximately((float)expected[f], 1e-4f);
        }
    }
}
