using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Recommendations;

namespace SmartShop.Functions.Tests.Recommendations;

public sealed class RecommendationCacheTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RecommendationCache _cache;

    public RecommendationCacheTests() =>
        _cache = new RecommendationCache(new SmartShopTelemetry(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

    public void Dispose()
    {
        _cache.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void TheSizeEstimateCoversWhatBuildingTheAnswerAllocated()
    {
        var key = Key(1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var items = Items(100, reasonLength: 200, seed: 1);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var estimate = RecommendationCache.EstimateBytes(key, items);

        estimate.Should().BeGreaterThanOrEqualTo(allocated, "the budget must not be exceeded in fact").And.BeLessThan(2 * allocated);
    }

    [Fact]
    public void LargeAnswersAreBoundedByBytesNotByCount()
    {
        // About 60 KB per answer: 2,000 of them would be 120 MB, twice the budget.
        for (var i = 0; i < 2_000; i++)
        {
            _cache.GetOrCreate(Key(i), () => Items(100, reasonLength: 250, seed: i)).Should().HaveCount(100);
        }

        _cache.EstimatedBytes.Should().BeLessThanOrEqualTo(RecommendationCache.MaxBytes);
        _cache.Count.Should().BeLessThan(2_000).And.BeGreaterThan(0);
    }

    [Fact]
    public void SmallAnswersAreKeptAndAnsweredFromTheCache()
    {
        var first = _cache.GetOrCreate(Key(7), () => Items(5, reasonLength: 20, seed: 7));
        var second = _cache.GetOrCreate(Key(7), () => Items(5, reasonLength: 20, seed: 99));

        second.Should().BeSameAs(first);
        _cache.EstimatedBytes.Should().Be(RecommendationCache.EstimateBytes(Key(7), first));
    }

    private static RecommendationCacheKey Key(int subject) => new("similar", "v1", null, $"item-{subject}", 100, null);

    // Strings by concatenation, not interpolation: interpolating an int in not-yet-optimized (tier-0) code boxes it,
    // garbage no entry keeps alive that made the measurement above depend on which test ran first (~190 bytes an item).
    private static RecommendationItem[] Items(int count, int reasonLength, int seed) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var name = string.Concat(seed.ToString(CultureInfo.InvariantCulture), "-", i.ToString(CultureInfo.InvariantCulture));
            return new RecommendationItem("item-" + name, i, [new string('r', reasonLength)], "Title of item " + name, "category", 1.5m,
                "GBP", "https://cdn.example/items/" + name + ".jpg", "https://shop.example/p/" + name);
        })];
}
