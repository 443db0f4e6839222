using System.Collections.Frozen;

namespace SmartShop.Core.Recommendations.Content;

/// <summary>
/// Splits product text into lower-case alphanumeric tokens of at least two characters (scikit-learn's default
/// token rule), dropping a small list of English stop words.
/// </summary>
public static class ContentTokenizer
{
    private static readonly FrozenSet<string> StopWords = FrozenSet.Create(
        StringComparer.Ordinal,
        "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "its", "of", "on", "or", "the", "to", "with");

    public static IReadOnlyList<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return tokens;
        }

        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isTokenChar = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (isTokenChar && start < 0)
            {
                start = i;
            }
            else if (!isTokenChar && start >= 0)
            {
                if (i - start >= 2)
                {
                    var token = text[start..i].ToLowerInvariant();
                    if (!StopWords.Contains(token))
                    {
                        tokens.Add(token);
                    }
                }

                start = -1;
            }
        }

        return tokens;
    }
}
