using Microsoft.Extensions.Caching.Memory;
using SmartShop.Core.Telemetry;

namespace SmartShop.Functions.Recommendations;

/// <summary>
/// Answers of the anonymous routes (similar, bought-together, trending), bounded to <see cref="MaxEntries"/>. Every key
/// carries the model version it was computed on, so a swapped-in model is never answered from the old one's entries;
/// those are no longer asked for and leave by eviction or expiry.
/// </summary>
public sealed class RecommendationCache(SmartShopTelemetry telemetry) : IDisposable
{
    public const int MaxEntries = 20_000;

    private static readonly MemoryCacheEntryOptions EntryOptions = new() { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) };

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries, CompactionPercentage = 0.25 });

    /// <summary>Entries held now (for tests and diagnostics).</summary>
    public int Count => _cache.Count;

    public T GetOrCreate<T>(RecommendationCacheKey key, Func<T> create)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(create);
        if (_cache.TryGetValue(key, out T? cached) && cached is not null)
        {
            telemetry.RecordCacheLookup(key.Route, hit: true);
            return cached;
        }

        telemetry.RecordCacheLookup(key.Route, hit: false);
        var value = create();
        _cache.Set(key, value, EntryOptions);
        return value;
    }

    public void Dispose() => _cache.Dispose();
}

/// <summary>
/// What an anonymous answer depends on: the route, the model versions, the subject (the model's item id, null for an item
/// the model does not know; or the segment), k and the category filter.
/// </summary>
public readonly record struct RecommendationCacheKey(string Route, string ModelVersion, string? SegmentationVersion, string? Subject, int K, string? Filter);
