namespace SmartShop.Core.Recommendations;

/// <summary>
/// A gradient-boosted tree ensemble as flat arrays, evaluated without ML.NET: per node a feature index, a threshold
/// and two children (negative = ~leaf index). Go left when feature ≤ threshold, as LightGBM/ML.NET do.
/// </summary>
public sealed class TreeEnsembleScorer
{
    public TreeEnsembleScorer(int featureCount, int[] treeNodeStart, int[] treeLeafStart, int[] splitFeature, float[] splitThreshold, int[] leftChild, int[] rightChild, float[] leafValue, float bias)
    {
        ArgumentNullException.ThrowIfNull(treeNodeStart);
        ArgumentNullException.ThrowIfNull(treeLeafStart);
        if (treeNodeStart.Length != treeLeafStart.Length)
        {
            throw new ArgumentException("Tree offsets disagree.");
        }
        if (splitFeature.Length != splitThreshold.Length || splitFeature.Length != leftChild.Length || splitFeature.Length != rightChild.Length)
        {
            throw new ArgumentException("Node arrays have different lengths.");
        }
        foreach (var f in splitFeature)
        {
            if ((uint)f >= (uint)featureCount)
            {
                throw new ArgumentException($"A split uses feature {f}, outside 0..{featureCount - 1}.");
            }
        }
        FeatureCount = featureCount;
        TreeNodeStart = treeNodeStart;
        TreeLeafStart = treeLeafStart;
        SplitFeature = splitFeature;
        SplitThreshold = splitThreshold;
        LeftChild = leftChild;
        RightChild = rightChild;
        LeafValue = leafValue;
        Bias = bias;
        ValidateChildren();
    }

    public int FeatureCount { get; }
    public int TreeCount => TreeNodeStart.Length;
    public int[] TreeNodeStart { get; }
    public int[] TreeLeafStart { get; }
    public int[] SplitFeature { get; }
    public float[] SplitThreshold { get; }
    public int[] LeftChild { get; }
    public int[] RightChild { get; }
    public float[] LeafValue { get; }
    public float Bias { get; }

    private void ValidateChildren()
    {
        for (var t = 0; t < TreeCount; t++)
        {
            var nodeStart = TreeNodeStart[t];
            var nodeEnd = t + 1 < TreeCount ? TreeNodeStart[t + 1] : SplitFeature.Length;
            var leafStart = TreeLeafStart[t];
            var leafEnd = t + 1 < TreeCount ? TreeLeafStart[t + 1] : LeafValue.Length;
            for (var n = nodeStart; n < nodeEnd; n++)
            {
                foreach (var child in new[] { LeftChild[n], RightChild[n] })
                {
                    var ok = child >= 0 ? child > n - nodeStart && child < nodeEnd - nodeStart : ~child < leafEnd - leafStart;
                    if (!ok)
                    {
                        throw new ArgumentException($"Tree {t} has an invalid child reference {child}.");
                    }
                }
            }
        }
    }

    /// <summary>One ensemble whose score is the mean of the members' scores (trees concatenated, leaves scaled).</summary>
    public static TreeEnsembleScorer Average(IReadOnlyList<TreeEnsembleScorer> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0 || members.Any(m => m.FeatureCount != members[0].FeatureCount))
        {
            throw new ArgumentException("Members must be non-empty and share the feature count.", nameof(members));
        }
        var scale = 1f / members.Count;
        var nodeStart = new List<int>();
        var leafStart = new List<int>();
        var feature = new List<int>();
        var threshold = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var leaves = new List<float>();
        foreach (var m in members)
        {
            nodeStart.AddRange(m.TreeNodeStart.Select(s => s + feature.Count));
            leafStart.AddRange(m.TreeLeafStart.Select(s => s + leaves.Count));
            feature.AddRange(m.SplitFeature);
            threshold.AddRange(m.SplitThreshold);
            left.AddRange(m.LeftChild);
            right.AddRange(m.RightChild);
            leaves.AddRange(m.LeafValue.Select(v => v * scale));
        }
        return new TreeEnsembleScorer(members[0].FeatureCount, [.. nodeStart], [.. leafStart], [.. feature], [.. threshold], [.. left], [.. right], [.. leaves],
            members.Sum(m => m.Bias) * scale);
    }

    public float Score(ReadOnlySpan<float> features)
    {
        var sum = Bias;
        var trees = TreeNodeStart.Length;
        for (var t = 0; t < trees; t++)
        {
            var start = TreeNodeStart[t];
            if (start == (t + 1 < trees ? TreeNodeStart[t + 1] : SplitFeature.Length))
            {
                sum += LeafValue[TreeLeafStart[t]];
                continue;
            }
            var node = 0;
            while (node >= 0)
            {
                var n = start + node;
                node = features[SplitFeature[n]] <= SplitThreshold[n] ? LeftChild[n] : RightChild[n];
            }
            sum += LeafValue[TreeLeafStart[t] + ~node];
        }
        return sum;
    }
}
