using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Training;

/// <summary>A drift comparison against the active segmentation model, or why there was none.</summary>
public sealed record DriftComparison(string? ReferenceVersion, IReadOnlyList<FeatureDrift> Features, string? Problem)
{
    /// <summary>PSI by feature, for a manifest's "training" section; null when nothing was compared.</summary>
    public IReadOnlyDictionary<string, double>? Scores => Features.Count == 0 ? null : Features.ToDictionary(f => f.Feature, f => f.Psi, StringComparer.Ordinal);
}

/// <summary>
/// The customer-feature reference of drift checks: the training table the active segmentation version was fitted on
/// (<see cref="SavedSegmentation.KnownCustomers"/>). A training run compares its own new table with it, so every run
/// reports how far its training population moved from the champion's.
/// </summary>
public static class DriftReference
{
    /// <summary>
    /// Compares <paramref name="recent"/> with the active version's table on <paramref name="features"/> (all shared
    /// features when null). A missing or unreadable reference is not an error: the comparison says why it is empty.
    /// </summary>
    public static async Task<DriftComparison> CompareWithActiveAsync(
        ModelRegistry registry, string segmentationModel, CustomerFeatureTable recent, DriftThresholds thresholds,
        IEnumerable<string>? features = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(thresholds);
        var active = await registry.GetActiveAsync(segmentationModel, cancellationToken).ConfigureAwait(false);
        if (active is null)
        {
            return new DriftComparison(null, [], "Customer features not compared: no active segmentation model.");
        }

        using var directory = new ScratchDirectory("drift");
        try
        {
            await registry.DownloadVersionAsync(segmentationModel, active.Version, directory.Path, cancellationToken).ConfigureAwait(false);
            var saved = await SegmentationModelStore.LoadAsync(directory.Path, cancellationToken).ConfigureAwait(false);
            return new DriftComparison(active.Version, DriftAnalysis.CompareCustomers(saved.KnownCustomers, recent, thresholds, features), null);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            return new DriftComparison(active.Version, [], $"Customer features not compared: segmentation version {active.Version} could not be read ({ex.Message}).");
        }
    }
}
