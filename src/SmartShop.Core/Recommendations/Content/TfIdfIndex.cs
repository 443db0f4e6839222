using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Recommendations.Content;

/// <summary>A product's text for content similarity.</summary>
public sealed record ContentItem(string ItemId, string Title, string? Category = null);

/// <summary>A neighbour by content, with its cosine similarity in (0, 1].</summary>
public readonly record struct ContentNeighbour(string ItemId, float Similarity);

public sealed record TfIdfOptions
{
    /// <summary>
    /// Term-frequency weight of each category token. Category tokens live in their own namespace
    /// ("category:home" never matches the title word "home").
    /// </summary>
    public float CategoryWeight { get; init; } = 1f;
}

/// <summary>
/// TF-IDF vectors over item titles and categories with cosine nearest neighbours, for items without
/// interaction history and for text queries. tf = raw count, idf = ln((1 + N) / (1 + df)) + 1, vectors L2-normalised.
/// Immutable after <see cref="Build"/>; safe to query from many threads.
/// </summary>
public sealed class TfIdfIndex
{
    private const string CategoryPrefix = "category:";

    private readonly string[] _itemIds;
    private readonly Dictionary<string, int> _itemIndex;
    private readonly Dictionary<string, int> _termIndex;
    private readonly double[] _idf;
    private readonly float _categoryWeight;

    // Document vectors (CSR by item) and the inverted index (CSR by term), both holding normalised weights.
    private readonly int[] _docOffsets;
    private readonly int[] _docTerms;
    private readonly float[] _docWeights;
    private readonly int[] _postingOffsets;
    private readonly int[] _postingDocs;
    private readonly float[] _postingWeights;

    private TfIdfIndex(IReadOnlyList<ContentItem> items, TfIdfOptions options)
    {
        _categoryWeight = options.CategoryWeight;
        _itemIds = new string[items.Count];
        _itemIndex = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        _termIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var termCounts = new List<Dictionary<int, float>>(items.Count);
        var documentFrequency = new List<int>();
        for (var d = 0; d < items.Count; d++)
        {
            var item = items[d] ?? throw new ArgumentException($"Item #{d} is null.", nameof(items));
            if (!_itemIndex.TryAdd(item.ItemId, d))
            {
                throw new ArgumentException($"Item id '{item.ItemId}' appears more than once.", nameof(items));
            }

            _itemIds[d] = item.ItemId;
            var counts = new Dictionary<int, float>();
            foreach (var (term, weight) in WeightedTerms(item.Title, item.Category))
            {
                if (!_termIndex.TryGetValue(term, out var id))
                {
                    id = _termIndex.Count;
                    _termIndex.Add(term, id);
                    documentFrequency.Add(0);
                }

                if (!counts.TryAdd(id, weight))
                {
                    counts[id] += weight;
                }
                else
                {
                    documentFrequency[id]++;
                }
            }

            termCounts.Add(counts);
        }

        _idf = documentFrequency.Select(df => Math.Log((1.0 + items.Count) / (1.0 + df)) + 1.0).ToArray();

        _docOffsets = new int[items.Count + 1];
        var nonZeros = termCounts.Sum(c => c.Count);
        _docTerms = new int[nonZeros];
        _docWeights = new float[nonZeros];
        var postingCounts = new int[_termIndex.Count + 1];
        var position = 0;
        for (var d = 0; d < items.Count; d++)
        {
            var entries = termCounts[d].OrderBy(e => e.Key).ToArray();
            var norm = Math.Sqrt(entries.Sum(e => Square(e.Value * _idf[e.Key])));
            foreach (var (term, count) in entries)
            {
                _docTerms[position] = term;
                _docWeights[position] = (float)(count * _idf[term] / norm);
                postingCounts[term + 1]++;
                position++;
            }

            _docOffsets[d + 1] = position;
        }

        for (var t = 0; t < _termIndex.Count; t++)
        {
            postingCounts[t + 1] += postingCounts[t];
        }

        _postingOffsets = postingCounts;
        var next = postingCounts[..^1];
        _postingDocs = new int[nonZeros];
        _postingWeights = new float[nonZeros];
        for (var d = 0; d < items.Count; d++)
        {
            for (var j = _docOffsets[d]; j < _docOffsets[d + 1]; j++)
            {
                var slot = next[_docTerms[j]]++;
                _postingDocs[slot] = d;
                _postingWeights[slot] = _docWeights[j];
            }
        }
    }

    public int Count => _itemIds.Length;

    public int VocabularySize => _termIndex.Count;

    public IReadOnlyList<string> ItemIds => _itemIds;

    /// <summary>Builds the index; item ids must be unique.</summary>
    public static TfIdfIndex Build(IEnumerable<ContentItem> items, TfIdfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        options ??= new TfIdfOptions();
        if (!float.IsFinite(options.CategoryWeight) || options.CategoryWeight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CategoryWeight, "CategoryWeight must be a finite number ≥ 0.");
        }

        return new TfIdfIndex(items.ToList(), options);
    }

    public bool Contains(string itemId) => _itemIndex.ContainsKey(itemId);

    /// <summary>The normalised TF-IDF weights of an item's terms (category terms prefixed "category:").</summary>
    public IReadOnlyDictionary<string, float> TermWeights(string itemId)
    {
        var d = IndexOf(itemId);
        var terms = _termIndex.ToDictionary(e => e.Value, e => e.Key);
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        for (var j = _docOffsets[d]; j < _docOffsets[d + 1]; j++)
        {
            weights[terms[_docTerms[j]]] = _docWeights[j];
        }

        return weights;
    }

    /// <summary>The <paramref name="k"/> items most similar to a catalogue item (itself excluded; only similarity &gt; 0).</summary>
    public IReadOnlyList<ContentNeighbour> SimilarItems(string itemId, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var d = IndexOf(itemId);
        return Nearest(_docTerms.AsSpan(_docOffsets[d], _docOffsets[d + 1] - _docOffsets[d]),
            _docWeights.AsSpan(_docOffsets[d], _docOffsets[d + 1] - _docOffsets[d]), k, exclude: d);
    }

    /// <summary>
    /// The <paramref name="k"/> items most similar to free text (e.g. a new product's title and category).
    /// Terms the index has never seen carry no weight.
    /// </summary>
    public IReadOnlyList<ContentNeighbour> SimilarToText(string title, int k, string? category = null)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var counts = new SortedDictionary<int, float>();
        foreach (var (term, weight) in WeightedTerms(title, category))
        {
            if (_termIndex.TryGetValue(term, out var id))
            {
                counts[id] = counts.GetValueOrDefault(id) + weight;
            }
        }

        var terms = counts.Keys.ToArray();
        var weights = counts.Select(e => (float)(e.Value * _idf[e.Key])).ToArray();
        var norm = MathF.Sqrt(weights.Sum(w => w * w));
        for (var j = 0; j < weights.Length; j++)
        {
            weights[j] /= norm;
        }

        return Nearest(terms, weights, k, exclude: -1);
    }

    private IReadOnlyList<ContentNeighbour> Nearest(ReadOnlySpan<int> terms, ReadOnlySpan<float> weights, int k, int exclude)
    {
        var scores = new float[Count];
        var touched = new List<int>();
        for (var j = 0; j < terms.Length; j++)
        {
            for (var p = _postingOffsets[terms[j]]; p < _postingOffsets[terms[j] + 1]; p++)
            {
                var doc = _postingDocs[p];
                if (scores[doc] == 0)
                {
                    touched.Add(doc);
                }

                scores[doc] += weights[j] * _postingWeights[p];
            }
        }

        // Candidates in increasing index order so equal similarities keep the earlier catalogue item.
        touched.Sort();
        var heap = new TopKHeap(Math.Min(k, touched.Count));
        foreach (var doc in touched)
        {
            if (doc != exclude && scores[doc] > 0 && heap.Accepts(scores[doc]))
            {
                heap.Add(doc, scores[doc]);
            }
        }

        return [.. heap.ToSortedArray().Select(s => new ContentNeighbour(_itemIds[s.Item], Math.Min(s.Score, 1f)))];
    }

    private IEnumerable<(string Term, float Weight)> WeightedTerms(string? title, string? category)
    {
        foreach (var token in ContentTokenizer.Tokenize(title))
        {
            yield return (token, 1f);
        }

        if (_categoryWeight > 0)
        {
            foreach (var token in ContentTokenizer.Tokenize(category))
            {
                yield return (CategoryPrefix + token, _categoryWeight);
            }
        }
    }

    private int IndexOf(string itemId)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        return _itemIndex.TryGetValue(itemId, out var d)
            ? d
            : throw new KeyNotFoundException($"Item '{itemId}' is not in the content index.");
    }

    private static double Square(double value) => value * value;
}
