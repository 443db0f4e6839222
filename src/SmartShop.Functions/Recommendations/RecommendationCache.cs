using Microsoft.Extensions.Caching.Memory;
using SmartShop.Core.Telemetry;

namespace SmartShop.Functions.Recommendations;

/// <summary>
/// Answers of the anonymous routes (similar, bought-together, trending), bounded by their estimated size in bytes
/// (<see cref="MaxBytes"/>), not by a count: an entry of k = 100 items with long reasons weighs a hundred times one of a
/// single item, so a count bound let 20,000 entries reach about 200 MB. Every key carries the model version it was
/// computed on, so a swapped-in model is never answered from the old one's entries; those leave by eviction or expiry.
/// </summary>
public sealed class RecommendationCache(SmartShopTelemetry telemetry) : IDisposable
{
    /// <summary>The budget of all entries together; an answer that does not fit is served but not kept.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    // Object header and method table pointer of a .NET object on a 64-bit runtime, and a reference.
    private const int ObjectOverhead = 16;
    private const int Reference = 8;
    private const int ItemFields = 7 * Reference + 16 + 4 + 4 * 8;

    private static readonly TimeSpan Sliding = TimeSpan.FromHours(1);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxBytes, CompactionPercentage = 0.25, TrackStatistics = true });

    /// <summary>Entries held now (for tests and diagnostics).</summary>
    public int Count => _cache.Count;

    /// <summary>The estimated bytes the entries hold now.</summary>
    public long EstimatedBytes => _cache.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    public IReadOnlyList<T> GetOrCreate<T>(RecommendationCacheKey key, Func<IReadOnlyList<T>> create)
        where T : IRecommendedItem
    {
        ArgumentNullException.ThrowIfNull(create);
        if (_cache.TryGetValue(key, out IReadOnlyList<T>? cached) && cached is not null)
        {
            telemetry.RecordCacheLookup(key.Route, hit: true);
            return cached;
        }

        telemetry.RecordCacheLookup(key.Route, hit: false);
        var value = create();
        _cache.Set(key, value, new MemoryCacheEntryOptions { Size = EstimateBytes(key, value), SlidingExpiration = Sliding });
        return value;
    }

    /// <summary>
    /// An upper estimate of what the entry keeps alive: its key, the list, each item and every string it refers to
    /// (strings shared with the model, such as titles, are counted too, which errs on the safe side).
    /// </summary>
    public static long EstimateBytes<T>(RecommendationCacheKey key, IReadOnlyList<T> items)
        where T : IRecommendedItem
    {
        ArgumentNullException.ThrowIfNull(items);
        var bytes = 128L + Text(key.Route) + Text(key.ModelVersion) + Text(key.SegmentationVersion) + Text(key.Subject) + Text(key.Filter)
            + ObjectOverhead + 8 + (long)Reference * items.Count;
        foreach (var item in items)
        {
            // The item's object: seven references, the score, the price (a decimal) and a bought-together item's four
            // nullable statistics; then its strings, and the reasons as an array plus the read-only list around it.
            bytes += ObjectOverhead + ItemFields + Text(item.ItemId) + Text(item.Title) + Text(item.Category)
                + Text(item.Currency) + Text(item.ImageUrl) + Text(item.ProductUrl)
                + 2 * (ObjectOverhead + 8) + (long)Reference * item.Reasons.Count + item.Reasons.Sum(Text);
        }

        return bytes;
    }

    private static long Text(string? text) => text is null ? 0 : ObjectOverhead + 8 + 2L * text.Length;

    public void Dispose() => _cache.Dispose();
}

/// <summary>
/// What an anonymous answer depends on: the route, the model versions (with the catalogue version laid over the model), the subject (the model's item id, null for an item
/// the model does not know; or the segment), k and the category filter.
/// </summary>
public readonly record struct RecommendationCacheKey(string Route, string ModelVersion, string? SegmentationVersion, string? Subject, int K, string? Filter);
