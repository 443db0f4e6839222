using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class HierarchicalClustererTests
{
    [Theory]
    [InlineData(Linkage.Ward)]
    [InlineData(Linkage.Complete)]
    [InlineData(Linkage.Average)]
    [InlineData(Linkage.Single)]
    public void NearestNeighbourChainMatchesTheNaiveAlgorithm(Linkage linkage)
    {
        var random = new Random(3);
        const int n = 40;
        const int d = 3;
        var data = Enumerable.Range(0, n * d).Select(_ => random.NextDouble() * 10).ToArray();

        var tree = HierarchicalClusterer.BuildTree(data, n, d, linkage);

        var expected = NaiveHeights(data, n, d, linkage);
        tree.Merges.Should().HaveCount(n - 1);
        tree.Merges.Select(m => m.Height).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-4);
        tree.Merges[^1].Size.Should().Be(n);
    }

    [Fact]
    public void CuttingTheWardTreeRecoversSeparatedBlobs()
    {
        var (data, truth) = SegmentationTestData.Blobs([[0, 0], [10, 0], [0, 10]], 30, 0.5, seed: 5);

        var tree = HierarchicalClusterer.BuildTree(data, truth.Length, 2, Linkage.Ward);

        ClusteringMetrics.AdjustedRandIndex(tree.Cut(3), truth).Should().Be(1);
        tree.Cut(1).Distinct().Should().ContainSingle();
        tree.Cut(truth.Length).Distinct().Should().HaveCount(truth.Length);
    }

    [Fact]
    public void MergeIdsFollowTheSciPyConvention()
    {
        double[] data = [0, 1, 10];

        var tree = HierarchicalClusterer.BuildTree(data, 3, 1, Linkage.Single);

        tree.Merges[0].Should().Be(new DendrogramMerge(0, 1, 1, 2));
        tree.Merges[1].Should().Be(new DendrogramMerge(2, 3, 9, 3));
    }

    /// <summary>O(n³) textbook agglomeration on cluster member lists, for reference heights.</summary>
    private static List<double> NaiveHeights(double[] data, int n, int d, Linkage linkage)
    {
        var clusters = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToList();
        var heights = new List<double>();
        double Point(int a, int b) => Math.Sqrt(ClusterGeometry.SquaredDistance(data.AsSpan(a * d, d), data.AsSpan(b * d, d)));
        double Between(List<int> a, List<int> b)
        {
            var pairs = a.SelectMany(x => b.Select(y => Point(x, y))).ToList();
            if (linkage != Linkage.Ward)
            {
                return linkage switch
                {
                    Linkage.Single => pairs.Min(),
                    Linkage.Complete => pairs.Max(),
                    _ => pairs.Average(),
                };
            }

            // Ward distance: sqrt(2·|A||B|/(|A|+|B|))·‖mean A − mean B‖.
            var meanA = Enumerable.Range(0, d).Select(f => a.Average(i => data[(i * d) + f])).ToArray();
            var meanB = Enumerable.Range(0, d).Select(f => b.Average(i => data[(i * d) + f])).ToArray();
            return Math.Sqrt(2.0 * a.Count * b.Count / (a.Count + b.Count)) * Math.Sqrt(ClusterGeometry.SquaredDistance(meanA, meanB));
        }

        while (clusters.Count > 1)
        {
            var (bi, bj, best) = (0, 1, double.MaxValue);
            for (var i = 0; i < clusters.Count; i++)
            {
                for (var j = i + 1; j < clusters.Count; j++)
                {
                    var dist = Between(clusters[i], clusters[j]);
                    if (dist < best)
                    {
                        (bi, bj, best) = (i, j, dist);
                    }
                }
            }

            heights.Add(best);
            clusters[bi].AddRange(clusters[bj]);
            clusters.RemoveAt(bj);
        }

        heights.Sort();
        return heights;
    }
}
