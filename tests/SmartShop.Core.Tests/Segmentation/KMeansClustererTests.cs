using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class KMeansClustererTests
{
    [Fact]
    public void RecoversSeparatedBlobsWithCentroidsAsMemberMeans()
    {
        var (data, truth) = SegmentationTestData.Blobs([[0, 0], [8, 0], [0, 8], [8, 8]], 40, 0.6, seed: 11);

        var result = KMeansClusterer.Fit(data, truth.Length, 2, 4, seed: 1);

        result.K.Should().Be(4);
        ClusteringMetrics.AdjustedRandIndex(result.Labels, truth).Should().Be(1);
        var members = Enumerable.Range(0, truth.Length).Where(i => result.Labels[i] == 0).ToList();
        result.Centroids[0].Should().BeApproximately(members.Average(i => data[i * 2]), 1e-9);
    }

    [Fact]
    public void SameSeedGivesTheSameClustering()
    {
        var (data, truth) = SegmentationTestData.Blobs([[0, 0], [3, 0], [0, 3]], 50, 1.2, seed: 2);

        var first = KMeansClusterer.Fit(data, truth.Length, 2, 3, seed: 9);
        var second = KMeansClusterer.Fit(data, truth.Length, 2, 3, seed: 9);

        second.Labels.Should().Equal(first.Labels);
        second.Inertia.Should().Be(first.Inertia);
    }

    [Fact]
    public void ClustersAreNumberedByDescendingSize()
    {
        var (big, _) = SegmentationTestData.Blobs([[0, 0]], 60, 0.5, seed: 3);
        var (small, _) = SegmentationTestData.Blobs([[20, 20]], 15, 0.5, seed: 4);
        double[] data = [.. small, .. big];

        var result = KMeansClusterer.Fit(data, 75, 2, 2, seed: 5);

        result.Labels.Count(l => l == 0).Should().Be(60);
        result.Labels.Count(l => l == 1).Should().Be(15);
    }
}
