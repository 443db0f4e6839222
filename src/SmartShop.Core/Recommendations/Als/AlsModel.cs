using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SmartShop.Core.Recommendations.Als;

/// <summary>An item index with its score; higher is better.</summary>
public readonly record struct ScoredItem(int Item, float Score);

/// <summary>
/// Trained ALS factors: immutable and safe to share between request threads.
/// Users and items are dense indices [0, UserCount) and [0, ItemCount); mapping ids to indices is the caller's.
/// </summary>
public sealed class AlsModel
{
    private const uint Magic = 0x4D534C41; // "ALSM" read as little-endian bytes
    private const int FormatVersion = 1;
    private const int HeaderBytes = 28;
    private const int MaxExcludedForLinearScan = 16;
    private const int ScoreBlockItems = 1024;

    private readonly float[] _userFactors;
    private readonly float[] _itemFactors;
    private readonly Lazy<double[]> _itemGram;
    private readonly Lazy<float[]> _itemNorms;

    /// <summary>Wraps factor arrays (row-major, <paramref name="factors"/> floats per row); the arrays are not copied.</summary>
    public AlsModel(int userCount, int itemCount, int factors, float regularization, float alpha, float[] userFactors, float[] itemFactors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(factors, 1);
        ArgumentNullException.ThrowIfNull(userFactors);
        ArgumentNullException.ThrowIfNull(itemFactors);
        if (userFactors.LongLength != (long)userCount * factors || itemFactors.LongLength != (long)itemCount * factors)
        {
            throw new ArgumentException(
                $"Factor arrays must hold {userCount}×{factors} and {itemCount}×{factors} floats; got {userFactors.LongLength} and {itemFactors.LongLength}.");
        }

        UserCount = userCount;
        ItemCount = itemCount;
        Factors = factors;
        Regularization = regularization;
        Alpha = alpha;
        _userFactors = userFactors;
        _itemFactors = itemFactors;
        _itemGram = new Lazy<double[]>(ComputeItemGram, LazyThreadSafetyMode.ExecutionAndPublication);
        _itemNorms = new Lazy<float[]>(ComputeItemNorms, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int Factors { get; }

    /// <summary>λ the model was trained with; fold-in uses the same.</summary>
    public float Regularization { get; }

    /// <summary>α the model was trained with; fold-in uses the same.</summary>
    public float Alpha { get; }

    public ReadOnlySpan<float> UserVector(int user)
    {
        CheckUser(user);
        return _userFactors.AsSpan(user * Factors, Factors);
    }

    public ReadOnlySpan<float> ItemVector(int item)
    {
        CheckItem(item);
        return _itemFactors.AsSpan(item * Factors, Factors);
    }

    /// <summary>x_u·y_i, bit-identical to the score <see cref="TopK"/> reports for the pair.</summary>
    public float Score(int user, int item) => Score(UserVector(user), item);

    /// <summary>
    /// v·y_i for a user vector from <see cref="FoldInUser"/> (or <see cref="UserVector"/>), bit-identical to
    /// the score <see cref="TopKForVector"/> reports — e.g. to add the ALS score as a ranking feature of
    /// candidates that other generators proposed.
    /// </summary>
    public float Score(ReadOnlySpan<float> userVector, int item)
    {
        if (userVector.Length != Factors)
        {
            throw new ArgumentException($"The vector has {userVector.Length} components; the model has {Factors} factors.", nameof(userVector));
        }

        Span<float> score = stackalloc float[1];
        FactorKernels.ScoreRows(ItemVector(item), userVector, score);
        return score[0];
    }

    /// <summary>The <paramref name="k"/> best items for a known user, best first, skipping <paramref name="excludedItems"/>.</summary>
    public ScoredItem[] TopK(int user, int k, ReadOnlySpan<int> excludedItems = default) =>
        TopKForVector(UserVector(user), k, excludedItems);

    /// <summary>
    /// The <paramref name="k"/> items with the largest dot product with <paramref name="userVector"/>, best first
    /// (ties: lower item index first). One SIMD pass over the item factors with a size-k heap.
    /// </summary>
    public ScoredItem[] TopKForVector(ReadOnlySpan<float> userVector, int k, ReadOnlySpan<int> excludedItems = default)
    {
        if (userVector.Length != Factors)
        {
            throw new ArgumentException($"The vector has {userVector.Length} components; the model has {Factors} factors.", nameof(userVector));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var excluded = excludedItems.Length > MaxExcludedForLinearScan ? new HashSet<int>(excludedItems.ToArray()) : null;
        var heap = new TopKHeap(Math.Min(k, ItemCount));
        Span<float> scores = stackalloc float[ScoreBlockItems];
        for (var start = 0; start < ItemCount; start += ScoreBlockItems)
        {
            var block = scores[..Math.Min(ScoreBlockItems, ItemCount - start)];
            FactorKernels.ScoreRows(_itemFactors.AsSpan(start * Factors, block.Length * Factors), userVector, block);
            for (var j = 0; j < block.Length; j++)
            {
                if (heap.Accepts(block[j]) && !IsExcluded(start + j, excludedItems, excluded))
                {
                    heap.Add(start + j, block[j]);
                }
            }
        }

        return heap.ToSortedArray();
    }

    /// <summary>
    /// "Fold-in": the exact least-squares user vector for a user outside the training data, from a few
    /// (item, weight) interactions, holding the item factors fixed — the same problem ALS solves per user.
    /// Duplicate items have their weights summed.
    /// </summary>
    public float[] FoldInUser(ReadOnlySpan<int> items, ReadOnlySpan<float> weights)
    {
        if (items.Length != weights.Length)
        {
            throw new ArgumentException($"{items.Length} items but {weights.Length} weights.", nameof(weights));
        }

        var sortedItems = items.ToArray();
        var sortedWeights = weights.ToArray();
        for (var j = 0; j < sortedItems.Length; j++)
        {
            CheckItem(sortedItems[j]);
            if (!(sortedWeights[j] > 0) || !float.IsFinite(sortedWeights[j]))
            {
                throw new ArgumentOutOfRangeException(nameof(weights), sortedWeights[j], "Weights must be finite and > 0.");
            }
        }

        Array.Sort(sortedItems, sortedWeights);
        var unique = 0;
        for (var j = 0; j < sortedItems.Length; j++)
        {
            if (unique > 0 && sortedItems[unique - 1] == sortedItems[j])
            {
                sortedWeights[unique - 1] += sortedWeights[j];
            }
            else
            {
                sortedItems[unique] = sortedItems[j];
                sortedWeights[unique] = sortedWeights[j];
                unique++;
            }
        }

        var vector = new float[Factors];
        var scratch = new double[(Factors * Factors) + Factors];
        RowSolvers.Cholesky(sortedItems.AsSpan(0, unique), sortedWeights.AsSpan(0, unique), _itemFactors, _itemGram.Value, Alpha, vector, scratch);
        return vector;
    }

    /// <summary>
    /// Fold-in followed by <see cref="TopKForVector"/>; the given items are excluded from the result.
    /// No items means no evidence: the result is empty (fall back to popularity or trending).
    /// </summary>
    public ScoredItem[] RecommendForNewUser(ReadOnlySpan<int> items, ReadOnlySpan<float> weights, int k)
    {
        var vector = FoldInUser(items, weights);
        return items.IsEmpty ? [] : TopKForVector(vector, k, items);
    }

    /// <summary>Items whose factor vectors have the highest cosine similarity with <paramref name="item"/>'s (itself excluded).</summary>
    public ScoredItem[] SimilarItems(int item, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var query = ItemVector(item);
        var norms = _itemNorms.Value;
        var heap = new TopKHeap(Math.Min(k, Math.Max(ItemCount - 1, 0)));
        if (norms[item] == 0)
        {
            return [];
        }

        for (var other = 0; other < ItemCount; other++)
        {
            if (other == item || norms[other] == 0)
            {
                continue;
            }

            var cosine = FactorKernels.Dot(_itemFactors.AsSpan(other * Factors, Factors), query) / (norms[other] * norms[item]);
            if (heap.Accepts(cosine))
            {
                heap.Add(other, cosine);
            }
        }

        return heap.ToSortedArray();
    }

    /// <summary>
    /// Writes a 28-byte little-endian header ("ALSM", format version, users, items, factors, λ, α) followed by
    /// the user then item factors as little-endian float32, row-major.
    /// </summary>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], UserCount);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], ItemCount);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], Factors);
        BinaryPrimitives.WriteSingleLittleEndian(header[20..], Regularization);
        BinaryPrimitives.WriteSingleLittleEndian(header[24..], Alpha);
        stream.Write(header);
        WriteFloats(stream, _userFactors);
        WriteFloats(stream, _itemFactors);
    }

    /// <summary>Reads what <see cref="Write"/> wrote; throws <see cref="InvalidDataException"/> on a truncated or corrupt stream.</summary>
    public static AlsModel Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[HeaderBytes];
        var got = stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false);
        if (got < HeaderBytes)
        {
            throw new InvalidDataException($"ALS factors are truncated: the header needs {HeaderBytes} bytes, the stream has {got}.");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            throw new InvalidDataException("Not an ALS factor file: the magic bytes \"ALSM\" are missing.");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"ALS factor format version {version} is not supported (expected {FormatVersion}).");
        }

        var users = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        var items = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        var factors = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        var regularization = BinaryPrimitives.ReadSingleLittleEndian(header[20..]);
        var alpha = BinaryPrimitives.ReadSingleLittleEndian(header[24..]);
        if (users < 0 || items < 0 || factors is < 1 or > 1024 || (long)users * factors > Array.MaxLength || (long)items * factors > Array.MaxLength)
        {
            throw new InvalidDataException($"ALS factor header is corrupt: {users} users, {items} items, {factors} factors.");
        }

        if (!float.IsFinite(regularization) || regularization < 0 || !float.IsFinite(alpha) || alpha <= 0)
        {
            throw new InvalidDataException($"ALS factor header is corrupt: regularization {regularization}, alpha {alpha}.");
        }

        var payloadBytes = ((long)users + items) * factors * sizeof(float);
        if (stream.CanSeek && stream.Length - stream.Position < payloadBytes)
        {
            throw new InvalidDataException(
                $"ALS factors are truncated: {users}+{items} rows × {factors} factors need {payloadBytes} bytes after the header, the stream has {stream.Length - stream.Position}.");
        }

        var userFactors = ReadFloats(stream, users * factors, "user");
        var itemFactors = ReadFloats(stream, items * factors, "item");
        return new AlsModel(users, items, factors, regularization, alpha, userFactors, itemFactors);
    }

    private static void WriteFloats(Stream stream, float[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }

        var buffer = new byte[sizeof(float) * 1024];
        for (var start = 0; start < values.Length; start += 1024)
        {
            var count = Math.Min(1024, values.Length - start);
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), values[start + i]);
            }

            stream.Write(buffer, 0, count * sizeof(float));
        }
    }

    private static float[] ReadFloats(Stream stream, int count, string what)
    {
        var values = new float[count];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        var got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (got < bytes.Length)
        {
            throw new InvalidDataException($"ALS factors are truncated: the {what} factors need {bytes.Length} bytes, the stream has {got}.");
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!BitConverter.IsLittleEndian)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float)));
            }

            if (!float.IsFinite(values[i]))
            {
                throw new InvalidDataException($"ALS factors are corrupt: {what} factor #{i} is {values[i]}.");
            }
        }

        return values;
    }

    private static bool IsExcluded(int item, ReadOnlySpan<int> excludedItems, HashSet<int>? excluded) =>
        excluded?.Contains(item) ?? excludedItems.Contains(item);

    private double[] ComputeItemGram()
    {
        var k = Factors;
        var gram = new double[k * k];
        var row = new double[k];
        for (var item = 0; item < ItemCount; item++)
        {
            var y = _itemFactors.AsSpan(item * k, k);
            for (var a = 0; a < k; a++)
            {
                row[a] = y[a];
            }

            for (var a = 0; a < k; a++)
            {
                var ya = row[a];
                var gramRow = gram.AsSpan(a * k, k);
                for (var b = 0; b <= a; b++)
                {
                    gramRow[b] += ya * row[b];
                }
            }
        }

        for (var a = 0; a < k; a++)
        {
            gram[(a * k) + a] += Regularization;
        }

        return gram;
    }

    private float[] ComputeItemNorms()
    {
        var norms = new float[ItemCount];
        for (var item = 0; item < ItemCount; item++)
        {
            var y = _itemFactors.AsSpan(item * Factors, Factors);
            norms[item] = MathF.Sqrt(FactorKernels.Dot(y, y));
        }

        return norms;
    }

    private void CheckUser(int user)
    {
        if ((uint)user >= (uint)UserCount)
        {
            throw new ArgumentOutOfRangeException(nameof(user), user, $"User index must be in [0, {UserCount}).");
        }
    }

    private void CheckItem(int item)
    {
        if ((uint)item >= (uint)ItemCount)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"Item index must be in [0, {ItemCount}).");
        }
    }
}
