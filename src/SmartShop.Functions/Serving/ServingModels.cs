using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;

namespace SmartShop.Functions.Serving;

/// <summary>A loaded recommendations version; immutable, so a request keeps using the snapshot it read.</summary>
/// <param name="Trending">Per-segment trending built from the segmentation served when this snapshot was made (null without one).</param>
/// <param name="SegmentationVersion">The segmentation version <paramref name="Trending"/> came from.</param>
public sealed record ServedRecommender(string Version, Recommender Recommender, SegmentTrending? Trending, DateTimeOffset LoadedAt, string? SegmentationVersion = null)
{
    /// <summary>What a cached answer depends on besides its request: the model version and the catalogue laid over it.</summary>
    public string CacheVersion => Version + "+" + Recommender.Catalogue.Version;
}

/// <summary>A loaded segmentation version; immutable.</summary>
public sealed record ServedSegmentation(string Version, SavedSegmentation Saved, DateTimeOffset LoadedAt);

/// <summary>
/// The models serving requests right now. Each slot is one reference swapped atomically: a request reads a slot once
/// and finishes on that snapshot while a newer version replaces it.
/// </summary>
public sealed class ServingModels
{
    private ServedRecommender? _recommendations;
    private ServedSegmentation? _segmentation;
    private ServingExperiments _experiments = ServingExperiments.None;

    /// <summary>The running experiments and their variant models.</summary>
    public ServingExperiments Experiments => Volatile.Read(ref _experiments);

    public void Serve(ServingExperiments experiments)
    {
        ArgumentNullException.ThrowIfNull(experiments);
        Volatile.Write(ref _experiments, experiments);
    }

    /// <summary>The recommender being served, or null until one is loaded.</summary>
    public ServedRecommender? Recommendations => Volatile.Read(ref _recommendations);

    /// <summary>The segmentation being served, or null until one is loaded.</summary>
    public ServedSegmentation? Segmentation => Volatile.Read(ref _segmentation);

    /// <summary>Serves <paramref name="model"/> from now on; returns the snapshot it replaced.</summary>
    public ServedRecommender? Serve(ServedRecommender model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Interlocked.Exchange(ref _recommendations, model);
    }

    /// <summary>Serves <paramref name="model"/> from now on; returns the snapshot it replaced.</summary>
    public ServedSegmentation? Serve(ServedSegmentation model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Interlocked.Exchange(ref _segmentation, model);
    }
}
