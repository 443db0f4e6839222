using System.Text.RegularExpressions;

namespace SmartShop.Core.Recommendations;

/// <summary>
/// TF-IDF over item titles and categories (cosine similarity): neighbours for items with no interaction history.
/// </summary>
internal static partial class ContentSimilarity
{
    [GeneratedRegex("[A-Za-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    public static Association[][] Neighbours(IReadOnlyList<string> titles, IReadOnlyList<string?> categories, int k)
    {
        var n = titles.Count;
        var docs = new Dictionary<string, float>[n];
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var tf = new Dictionary<string, float>(StringComparer.Ordinal);
            foreach (Match m in TokenPattern().Matches(titles[i] ?? ""))
            {
                var token = m.Value.ToUpperInvariant();
                if (token.Length > 1)
                {
                    tf[token] = tf.GetValueOrDefault(token) + 1;
                }
            }
            if (categories[i] is { Length: > 0 } category)
            {
                // The category counts as a strong extra term.
                tf["CAT:" + category.ToUpperInvariant()] = 2;
            }
            foreach (var term in tf.Keys)
            {
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
            }
            docs[i] = tf;
        }
        var postings = new Dictionary<string, List<(int Doc, float Weight)>>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var weights = docs[i].ToDictionary(kv => kv.Key, kv => kv.Value * MathF.Log((1f + n) / (1f + documentFrequency[kv.Key])) + 1e-6f, StringComparer.Ordinal);
            var norm = MathF.Sqrt(weights.Values.Sum(w => w * w));
            foreach (var (term, w) in weights)
            {
                (postings.TryGetValue(term, out var list) ? list : postings[term] = []).Add((i, w / norm));
            }
            docs[i] = weights.ToDictionary(kv => kv.Key, kv => kv.Value / norm, StringComparer.Ordinal);
        }
        var result = new Association[n][];
        Parallel.For(0, n, () => new float[n], (i, _, dots) =>
        {
            var touched = new List<int>();
            foreach (var (term, w) in docs[i])
            {
                var list = postings[term];
                // Terms shared by a large part of the catalogue carry little signal and cost quadratic time.
                if (list.Count > Math.Max(50, n / 5))
                {
                    continue;
                }
                foreach (var (doc, v) in list)
                {
                    if (doc == i)
                    {
                        continue;
                    }
                    if (dots[doc] == 0)
                    {
                        touched.Add(doc);
                    }
                    dots[doc] += w * v;
                }
            }
            result[i] = [.. touched.OrderByDescending(d => dots[d]).ThenBy(d => d).Take(k).Select(d => new Association(d, 0, 0, dots[d], 0))];
            foreach (var d in touched)
            {
                dots[d] = 0;
            }
            return dots;
        }, _ => { });
        return result;
    }
}
