using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class ClusteringMetricsTests
{
    [Fact]
    public void AdjustedRandIndexMatchesTheReferenceValues()
    {
        // Reference values from scikit-learn's documentation of adjusted_rand_score.
        ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]).Should().BeApproximately(1.0, 1e-12);
        ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1]).Should().BeApproximately(0.5714285714, 1e-9);
        ClusteringMetrics.AdjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3]).Should().BeApproximately(0.0, 1e-12);
    }

    [Fact]
    public void SilhouetteOfAHandComputedExample()
    {
        // Points 0, 1 (cluster 0) and 4, 6 (cluster 1) on a line.
        double[] data = [0, 1, 4, 6];
        int[] labels = [0, 0, 1, 1];
        var condensed = ClusteringMetrics.PairwiseDistances(data, 1, [0, 1, 2, 3]);

        var silhouette = ClusteringMetrics.Silhouette(condensed, 4, labels, 2);

        // a/b per point: (1, 5) (1, 4) (2, 3.5) (2, 5.5) → 0.8, 0.75, 0.428571, 0.636364.
        var expected = (0.8 + 0.75 + (1.5 / 3.5) + (3.5 / 5.5)) / 4;
        silhouette.Should().BeApproximately(expected, 1e-6);
    }

    [Fact]
    public void SilhouetteIsUndefinedForOneClusterOrOnePointPerCluster()
    {
        var condensed = ClusteringMetrics.PairwiseDistances([0, 1, 2], 1, [0, 1, 2]);
        ClusteringMetrics.Silhouette(condensed, 3, [0, 0, 0], 1).Should().BeNull();
        ClusteringMetrics.Silhouette(condensed, 3, [0, 1, 2], 3).Should().BeNull();
    }

    [Fact]
    public void DaviesBouldinAndCalinskiHarabaszOfAHandComputedExample()
    {
        double[] data = [0, 2, 10, 12];
        var clusters = ClusterGeometry.FromLabels(data, 4, 1, [0, 0, 1, 1]);

        // Scatter 1 per cluster, centroid distance 10 → DB = 0.2. Between SS = 2·25·2 = 100, within SS = 4 → CH = 100/1 / (4/2) = 50.
        ClusteringMetrics.DaviesBouldin(data, 4, 1, clusters).Should().BeApproximately(0.2, 1e-12);
        ClusteringMetrics.CalinskiHarabasz(data, 4, 1, clusters).Should().BeApproximately(50, 1e-9);
        clusters.Inertia.Should().BeApproximately(4, 1e-12);
    }

    [Fact]
    public void SpearmanUsesAverageRanksForTies()
    {
        ClusteringMetrics.Spearman([1, 2, 3, 4], [10, 20, 30, 40]).Should().BeApproximately(1, 1e-12);
        ClusteringMetrics.Spearman([1, 2, 3, 4], [40, 30, 20, 10]).Should().BeApproximately(-1, 1e-12);
        ClusteringMetrics.AverageRanks([5, 1, 5, 3]).Should().Equal(3.5, 1, 3.5, 2);
        ClusteringMetrics.Spearman([1, 1, 1], [1, 2, 3]).Should().BeNull();
    }

    [Fact]
    public void ElbowIsTheKFarthestBelowTheChord()
    {
        KCandidate[] candidates =
        [
            new(2, 100, null, null, null),
            new(3, 40, null, null, null),
            new(4, 30, null, null, null),
            new(5, 25, null, null, null),
        ];

        ClusteringMetrics.ElbowK(candidates).Should().Be(3);
        ClusteringMetrics.ElbowK(candidates[..2]).Should().BeNull();
    }
}
