using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class FeaturePreprocessorTests
{
    [Fact]
    public void SkewedFeaturesGetLog1pAndAllFeaturesAreZScaled()
    {
        var random = new Random(1);
        var rows = Enumerable.Range(0, 500).SelectMany(_ => new[] { Math.Exp(random.NextDouble() * 8), random.NextDouble() }).ToArray();
        var table = SegmentationTestData.Table(rows, 2, "monetary", "uniform");

        var pre = FeaturePreprocessor.Fit(table);
        var z = pre.TransformAllToZ(table);

        pre.Features[0].Log1p.Should().BeTrue();
        pre.Features[1].Log1p.Should().BeFalse();
        for (var f = 0; f < 2; f++)
        {
            var column = Enumerable.Range(0, 500).Select(i => z[(i * 2) + f]).ToArray();
            column.Average().Should().BeApproximately(0, 1e-9);
            Math.Sqrt(column.Average(v => v * v)).Should().BeApproximately(1, 1e-9);
        }

        pre.ZToOriginal(0, z[0]).Should().BeApproximately(table[0, 0], 1e-6 * table[0, 0]);
    }

    [Fact]
    public void NegativeValuesOfASkewedFeatureUseTheSignedLog()
    {
        FeaturePreprocessor.SignedLog1p(-Math.E + 1).Should().BeApproximately(-1, 1e-12);
        FeaturePreprocessor.InverseSignedLog1p(FeaturePreprocessor.SignedLog1p(-250)).Should().BeApproximately(-250, 1e-9);
    }

    [Fact]
    public void ConstantFeaturesAreMarkedAndScoreZero()
    {
        var table = SegmentationTestData.Table([5, 1, 5, 2, 5, 3], 2, "constant", "varying");

        var pre = FeaturePreprocessor.Fit(table);
        var z = pre.TransformAllToZ(table);

        pre.Features[0].IsConstant.Should().BeTrue();
        new[] { z[0], z[2], z[4] }.Should().AllSatisfy(v => v.Should().Be(0));
    }

    [Fact]
    public void PcaFindsTheDominantDirectionAndKeepsOrthonormalLoadings()
    {
        var random = new Random(4);
        var rows = Enumerable.Range(0, 400).SelectMany(_ =>
        {
            var t = random.NextDouble() * 10;
            return new[] { t, t + (0.01 * random.NextDouble()), random.NextDouble() };
        }).ToArray();
        var table = SegmentationTestData.Table(rows, 3, "a", "b", "c");

        var pre = FeaturePreprocessor.Fit(table, new PreprocessingOptions { PcaComponents = 2 });

        var pca = pre.Pca!;
        pca.ExplainedVarianceRatio[0].Should().BeGreaterThan(0.6);
        Math.Abs(pca.Loadings[0]).Should().BeApproximately(Math.Sqrt(0.5), 0.01);
        Math.Abs(pca.Loadings[1]).Should().BeApproximately(Math.Sqrt(0.5), 0.01);
        var dot = (pca.Loadings[0] * pca.Loadings[3]) + (pca.Loadings[1] * pca.Loadings[4]) + (pca.Loadings[2] * pca.Loadings[5]);
        dot.Should().BeApproximately(0, 1e-9);
        pre.ModelDimension.Should().Be(2);
    }

    [Fact]
    public void SymmetricEigenDecompositionReconstructsTheMatrix()
    {
        double[] matrix = [4, 1, 2, 1, 3, 0.5, 2, 0.5, 5];

        var (values, vectors) = PrincipalComponents.SymmetricEigen(matrix, 3);

        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var sum = Enumerable.Range(0, 3).Sum(k => vectors[(i * 3) + k] * values[k] * vectors[(j * 3) + k]);
                sum.Should().BeApproximately(matrix[(i * 3) + j], 1e-9);
            }
        }
    }
}
