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

    public static IReadOnlyList<UserActivity> MergeRecent(IEnumerable<UserActivity> existing, IEnumerable<UserActivity> added, int limit) =>
        existing.Concat(added)
            .Distinct()
            .OrderByDescending(a => a.Timestamp)
            .ThenBy(a => a.ItemId, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
}
