namespace SmartShop.Core.Recommendations;

/// <summary>
/// An item–item collaborative model that scores every item from a user's history. EASE and item-kNN implement it;
/// another generator (for example ALS item factors) plugs into candidate generation the same way.
/// </summary>
internal interface IItemSimilarity
{
    int ItemCount { get; }

    /// <summary>Overwrites <paramref name="scores"/> with the model's score of every item for this history.</summary>
    void Score(ReadOnlySpan<(int Item, float Value)> history, Span<float> scores);

    /// <summary>The <paramref name="k"/> items most similar to <paramref name="item"/> (weight in Confidence).</summary>
    Association[] TopNeighbours(int item, int k);

    /// <summary>How much having <paramref name="from"/> in a history adds to <paramref name="to"/>'s score.</summary>
    float Similarity(int from, int to);
}

/// <summary>
/// Item-kNN with cosine similarity over users (the fallback when the catalogue is too large for EASE's dense inverse):
/// each item keeps its strongest neighbours, a history scores as the sum of its items' neighbour similarities.
/// </summary>
internal sealed class ItemKnnModel : IItemSimilarity
{
    private readonly Association[][] _neighbours;

    private ItemKnnModel(Association[][] neighbours) => _neighbours = neighbours;

    public int ItemCount => _neighbours.Length;

    public static ItemKnnModel Fit(IReadOnlyList<(int Item, float Value)[]> userRows, int itemCount, int neighbours, int maxDegreeOfParallelism)
    {
        var usersOfItem = new List<int>[itemCount];
        var norms = new double[itemCount];
        for (var u = 0; u < userRows.Count; u++)
        {
            foreach (var (i, v) in userRows[u])
            {
                (usersOfItem[i] ??= []).Add(u);
                norms[i] += v * v;
            }
        }
        var result = new Association[itemCount][];
        Parallel.For(0, itemCount, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, () => new float[itemCount], (a, _, dots) =>
        {
            if (usersOfItem[a] is not { } users)
            {
                result[a] = [];
                return dots;
            }
            var touched = new List<int>();
            foreach (var u in users)
            {
                var row = userRows[u];
                var va = row.First(x => x.Item == a).Value;
                foreach (var (b, vb) in row)
                {
                    if (b == a)
                    {
                        continue;
                    }
                    if (dots[b] == 0)
                    {
                        touched.Add(b);
                    }
                    dots[b] += va * vb;
                }
            }
            var heap = new PriorityQueue<int, float>(neighbours + 1);
            foreach (var b in touched)
            {
                heap.Enqueue(b, (float)(dots[b] / Math.Sqrt(norms[a] * norms[b])));
                if (heap.Count > neighbours)
                {
                    heap.Dequeue();
                }
            }
            var list = new Association[heap.Count];
            for (var r = list.Length - 1; r >= 0; r--)
            {
                heap.TryDequeue(out var b, out var similarity);
                list[r] = new Association(b, 0, 0, similarity, 0);
            }
            foreach (var b in touched)
            {
                dots[b] = 0;
            }
            result[a] = list;
            return dots;
        }, _ => { });
        return new ItemKnnModel(result);
    }

    public void Score(ReadOnlySpan<(int Item, float Value)> history, Span<float> scores)
    {
        scores[..ItemCount].Clear();
        foreach (var (item, value) in history)
        {
            foreach (var n in _neighbours[item])
            {
                scores[n.Item] += value * n.Confidence;
            }
        }
    }

    public Association[] TopNeighbours(int item, int k) => [.. _neighbours[item].Take(k)];

    public float Similarity(int from, int to)
    {
        foreach (var n in _neighbours[from])
        {
            if (n.Item == to)
            {
                return n.Confidence;
            }
        }
        return 0;
    }
}
