namespace SmartShop.Core.Segmentation;

public enum Linkage
{
    Ward,
    Complete,
    Average,
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Single linkage is the established name.")]
    Single,
}

/// <summary>
/// One merge of the dendrogram in SciPy's linkage convention: ids below the leaf count are leaves,
/// id leafCount + i is the cluster created by merge i. Height is the linkage distance (Euclidean; for Ward
/// the Ward distance as in SciPy).
/// </summary>
public sealed record DendrogramMerge(int Left, int Right, double Height, int Size);

public sealed record MergeTree(int LeafCount, IReadOnlyList<DendrogramMerge> Merges)
{
    /// <summary>Flat labels from undoing the last k − 1 merges; labels are numbered by first appearance.</summary>
    public int[] Cut(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, LeafCount);
        var parent = Enumerable.Range(0, LeafCount + Merges.Count).ToArray();
        for (var m = 0; m < LeafCount - k; m++)
        {
            var merge = Merges[m];
            parent[merge.Left] = LeafCount + m;
            parent[merge.Right] = LeafCount + m;
        }

        int Root(int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }

            return x;
        }

        var labelOfRoot = new Dictionary<int, int>();
        var labels = new int[LeafCount];
        for (var i = 0; i < LeafCount; i++)
        {
            var root = Root(i);
            if (!labelOfRoot.TryGetValue(root, out var label))
            {
                label = labelOfRoot.Count;
                labelOfRoot.Add(root, label);
            }

            labels[i] = label;
        }

        return labels;
    }
}

/// <summary>
/// Exact agglomerative clustering by the nearest-neighbour chain algorithm with Lance–Williams updates over a
/// condensed float distance matrix (n(n−1)/2 floats: 200 MB at 10,000 points; O(n²) time). All four linkages
/// are reducible, so the chain yields the same tree as the naive O(n³) algorithm.
/// </summary>
public static class HierarchicalClusterer
{
    public const int ExactLimit = 10_000;

    public static MergeTree BuildTree(double[] data, int n, int d, Linkage linkage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (n > ExactLimit)
        {
            throw new ArgumentException($"Exact hierarchical clustering is limited to {ExactLimit} points; sample first.", nameof(n));
        }

        // Ward works on squared distances (its Lance–Williams form); the others on Euclidean distances.
        var squared = linkage == Linkage.Ward;
        var dist = new float[(long)n * (n - 1) / 2];
        for (var i = 0; i < n; i++)
        {
            var rowI = data.AsSpan(i * d, d);
            var baseIndex = CondensedIndex(n, i, i + 1);
            for (var j = i + 1; j < n; j++)
            {
                var sq = ClusterGeometry.SquaredDistance(rowI, data.AsSpan(j * d, d));
                dist[baseIndex + (j - i - 1)] = (float)(squared ? sq : Math.Sqrt(sq));
            }
        }

        var size = new int[n];
        Array.Fill(size, 1);
        var active = new bool[n];
        Array.Fill(active, true);
        var activeList = new List<int>(Enumerable.Range(0, n));
        var raw = new List<(int A, int B, double Height)>(n - 1);
        var chain = new List<int>(n);

        while (raw.Count < n - 1)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (chain.Count == 0)
            {
                chain.Add(activeList[0]);
            }

            int x, y;
            while (true)
            {
                x = chain[^1];
                var previous = chain.Count >= 2 ? chain[^2] : -1;
                var best = previous;
                var bestDistance = previous >= 0 ? dist[CondensedIndex(n, Math.Min(x, previous), Math.Max(x, previous))] : float.MaxValue;
                foreach (var z in activeList)
                {
                    if (z == x)
                    {
                        continue;
                    }

                    var dz = dist[CondensedIndex(n, Math.Min(x, z), Math.Max(x, z))];
                    if (dz < bestDistance)
                    {
                        bestDistance = dz;
                        best = z;
                    }
                }

                if (best == previous)
                {
                    y = previous;
                    break;
                }

                chain.Add(best);
            }

            chain.RemoveRange(chain.Count - 2, 2);
            var a = Math.Min(x, y);
            var b = Math.Max(x, y);
            var dab = dist[CondensedIndex(n, a, b)];
            raw.Add((a, b, squared ? Math.Sqrt(Math.Max(0, dab)) : dab));

            // The merged cluster lives on at index b; a is retired.
            active[a] = false;
            activeList.Remove(a);
            var na = size[a];
            var nb = size[b];
            foreach (var k in activeList)
            {
                if (k == b)
                {
                    continue;
                }

                var dka = dist[CondensedIndex(n, Math.Min(k, a), Math.Max(k, a))];
                var kb = CondensedIndex(n, Math.Min(k, b), Math.Max(k, b));
                var dkb = dist[kb];
                dist[kb] = linkage switch
                {
                    Linkage.Single => Math.Min(dka, dkb),
                    Linkage.Complete => Math.Max(dka, dkb),
                    Linkage.Average => ((na * dka) + (nb * dkb)) / (na + nb),
                    _ => (float)((((na + size[k]) * (double)dka) + ((nb + size[k]) * (double)dkb) - (size[k] * (double)dab)) / (na + nb + size[k])),
                };
            }

            size[b] = na + nb;
        }

        return ToSciPyOrder(n, raw);
    }

    private static long CondensedIndex(int n, int i, int j) => ((long)n * i) - ((long)i * (i + 1) / 2) + (j - i - 1);

    /// <summary>Sorts merges by height (stable) and relabels them into the leaf/new-cluster id convention.</summary>
    private static MergeTree ToSciPyOrder(int n, List<(int A, int B, double Height)> raw)
    {
        var sorted = raw.Select((m, i) => (m, i)).OrderBy(p => p.m.Height).ThenBy(p => p.i).Select(p => p.m).ToList();
        var parent = Enumerable.Range(0, n).ToArray();
        var clusterId = Enumerable.Range(0, n).ToArray();
        var clusterSize = Enumerable.Repeat(1, n).ToArray();

        int Root(int v)
        {
            while (parent[v] != v)
            {
                parent[v] = parent[parent[v]];
                v = parent[v];
            }

            return v;
        }

        var merges = new List<DendrogramMerge>(sorted.Count);
        for (var m = 0; m < sorted.Count; m++)
        {
            var ra = Root(sorted[m].A);
            var rb = Root(sorted[m].B);
            var left = Math.Min(clusterId[ra], clusterId[rb]);
            var right = Math.Max(clusterId[ra], clusterId[rb]);
            var mergedSize = clusterSize[ra] + clusterSize[rb];
            merges.Add(new DendrogramMerge(left, right, sorted[m].Height, mergedSize));
            parent[ra] = rb;
            clusterId[rb] = n + m;
            clusterSize[rb] = mergedSize;
        }

        return new MergeTree(n, merges);
    }
}
