using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SmartShop.Core.Storage;

/// <summary>Turns ids from outside (user ids, run ids) into Table keys / Cosmos ids, which forbid '/', '\', '#' and '?'.</summary>
internal static class StorageKeys
{
    public static string Escape(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        if (value.Length > 255)
        {
            throw new ArgumentException($"Id '{value[..32]}...' is longer than 255 characters.", nameof(value));
        }

        return Uri.EscapeDataString(value);
    }

    /// <summary>A stable hash bucket of an id (two hex digits): spreads ids over a few partitions.</summary>
    public static string Bucket(string id, int buckets)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        return (hash[0] % buckets).ToString("x2", CultureInfo.InvariantCulture);
    }

    /// <summary>Validates what every store needs before a write, so both implementations reject the same input.</summary>
    public static void Validate(SegmentationAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        Escape(analysis.AnalysisId);
        ArgumentException.ThrowIfNullOrWhiteSpace(analysis.Status);
        if (analysis.ResultJson?.Length > SegmentationAnalysis.MaxResultJsonLength)
        {
            throw new ArgumentException(
                $"Analysis '{analysis.AnalysisId}' result is {analysis.ResultJson.Length} characters; at most {SegmentationAnalysis.MaxResultJsonLength} are stored. Put large results in a blob and store its name.",
                nameof(analysis));
        }
    }

    /// <summary>
    /// Keyset paging shared by both stores: newest first by (created time, id); the token names the last item
    /// returned, so analyses added or deleted between pages neither repeat nor shift the next page.
    /// </summary>
    public static AnalysisPage PageAnalyses(IEnumerable<SegmentationAnalysis> analyses, int limit, string? continuationToken)
    {
        ArgumentNullException.ThrowIfNull(analyses);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var after = continuationToken is null ? ((long Ticks, string Id)?)null : ReadAnalysisToken(continuationToken);
        var ordered = analyses
            .OrderByDescending(a => a.CreatedAt.UtcTicks)
            .ThenByDescending(a => a.AnalysisId, StringComparer.Ordinal)
            .Where(a => after is not { } key || IsAfter(a, key.Ticks, key.Id));
        var page = ordered.Take(limit + 1).ToList();
        if (page.Count <= limit)
        {
            return new AnalysisPage(page, null);
        }

        var last = page[limit - 1];
        var token = string.Create(CultureInfo.InvariantCulture, $"{last.CreatedAt.UtcTicks}|{last.AnalysisId}");
        return new AnalysisPage(page[..limit], Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token)));
    }

    private static bool IsAfter(SegmentationAnalysis analysis, long ticks, string id) =>
        analysis.CreatedAt.UtcTicks < ticks
        || (analysis.CreatedAt.UtcTicks == ticks && string.CompareOrdinal(analysis.AnalysisId, id) < 0);

    private static (long Ticks, string Id) ReadAnalysisToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && bar < text.Length - 1)
            {
                return (ticks, text[(bar + 1)..]);
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException("The continuation token is not one this list issued; start again without it.", nameof(token));
    }

    public static IReadOnlyList<UserActivity> MergeRecent(IEnumerable<UserActivity> existing, IEnumerable<UserActivity> added, int limit) =>
        existing.Concat(added)
            .Distinct()
            .OrderByDescending(a => a.Timestamp)
            .ThenBy(a => a.ItemId, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
}
