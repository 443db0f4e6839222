using System.Numerics.Tensors;

namespace SmartShop.Core.Recommendations;

/// <summary>
/// EASE (Steck 2019): item–item weights B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹, zero diagonal.
/// A user's scores are the sum of B's rows for the items in their history.
/// </summary>
internal sealed class EaseModel : IItemSimilarity
{
    private EaseModel(int itemCount, int stride, float[] weights)
    {
        ItemCount = itemCount;
        Stride = stride;
        Weights = weights;
    }

    public int ItemCount { get; }
    public int Stride { get; }
    /// <summary>Row-major B, <see cref="ItemCount"/> rows of <see cref="Stride"/> floats.</summary>
    public float[] Weights { get; }

    public ReadOnlySpan<float> Row(int item) => Weights.AsSpan(item * Stride, ItemCount);

    public float Similarity(int from, int to) => Weights[from * Stride + to];

    /// <summary>Fits B from user rows given as (item, value) lists.</summary>
    public static EaseModel Fit(IReadOnlyList<(int Item, float Value)[]> userRows, int itemCount, double lambda, int maxDegreeOfParallelism, CancellationToken cancellationToken = default)
    {
        if (lambda <= 0 || !double.IsFinite(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "EASE regularisation must be > 0.");
        }
        var stride = SymmetricInverse.PaddedStride(itemCount);
        var gram = new float[(long)itemCount * stride];
        // Gram = XᵀX accumulated per user (rows are short: a few dozen items), then + λI.
        foreach (var row in userRows)
        {
            foreach (var (i, vi) in row)
            {
                var offset = i * stride;
                foreach (var (j, vj) in row)
                {
                    gram[offset + j] += vi * vj;
                }
            }
        }
        for (var i = 0; i < itemCount; i++)
        {
            gram[i * stride + i] += (float)lambda;
        }
        SymmetricInverse.InvertInPlace(gram, itemCount, stride, maxDegreeOfParallelism, cancellationToken);
        var p = gram;
        var inverseDiagonal = new float[itemCount];
        for (var j = 0; j < itemCount; j++)
        {
            inverseDiagonal[j] = 1f / p[j * stride + j];
        }
        // B[i, j] = −P[i, j] / P[j, j]; B[j, j] = 0.
        for (var i = 0; i < itemCount; i++)
        {
            var row = p.AsSpan(i * stride, itemCount);
            TensorPrimitives.Multiply(row, inverseDiagonal, row);
            TensorPrimitives.Negate(row, row);
            row[i] = 0;
        }
        return new EaseModel(itemCount, stride, p);
    }

    public static EaseModel FromWeights(int itemCount, float[] weights)
    {
        var stride = SymmetricInverse.PaddedStride(itemCount);
        if (weights.Length != (long)itemCount * stride)
        {
            throw new ArgumentException("EASE weight array has the wrong size.", nameof(weights));
        }
        return new EaseModel(itemCount, stride, weights);
    }

    public Association[] TopNeighbours(int item, int k)
    {
        var row = Row(item);
        var heap = new PriorityQueue<int, float>(k + 1);
        for (var j = 0; j < row.Length; j++)
        {
            if (row[j] <= 0)
            {
                continue;
            }
            heap.Enqueue(j, row[j]);
            if (heap.Count > k)
            {
                heap.Dequeue();
            }
        }
        var result = new Association[heap.Count];
        for (var r = result.Length - 1; r >= 0; r--)
        {
            var j = heap.Dequeue();
            result[r] = new Association(j, 0, 0, row[j], 0);
        }
        return result;
    }

    /// <summary>scores = Σ value · B[item, :].</summary>
    public void Score(ReadOnlySpan<(int Item, float Value)> history, Span<float> scores)
    {
        scores[..ItemCount].Clear();
        foreach (var (item, value) in history)
        {
            TensorPrimitives.MultiplyAdd(Row(item), value, scores[..ItemCount], scores[..ItemCount]);
        }
    }
}
