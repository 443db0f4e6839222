using System.Globalization;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartShop.Core.Experiments;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SmartShop.Core.Training;
using SmartShop.Functions.Operations;

namespace SmartShop.Functions.Serving;

/// <summary>
/// Keeps <see cref="ServingModels"/> on the registry's active versions: loads them once this instance serves HTTP
/// (<see cref="ServingDemand"/>; until then, and while loading, the routes answer 503 model-not-loaded), then polls the
/// active pointers every <see cref="ModelRegistryOptions.PollIntervalSeconds"/>. A changed pointer (new ETag) is downloaded,
/// loaded and swapped in; a version that fails to load is logged and skipped, and the previous model keeps serving.
/// On the same poll it reads the catalogue (the active uploaded catalogue version, then the changes the admin routes
/// stored in <see cref="CatalogueStore"/>, each only when its ETag moved) and lays it over the served recommender, so a
/// catalogue change reaches every instance within one poll interval, without a retrain.
/// </summary>
public sealed partial class ModelRefreshService : BackgroundService
{
    private readonly ModelRegistry _registry;
    private readonly ServingModels _serving;
    private readonly ModelStatusBoard _status;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ModelRefreshService> _logger;
    private readonly ServingDemand _demand;
    private readonly TimeSpan _pollInterval;
    // One refresh at a time: the poll loop and callers of RefreshAsync (tests, retraining) never race on a swap.
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    // The pointer ETag last acted on per model, loaded or rejected, so a bad version is not downloaded on every poll.
    private readonly Dictionary<string, ETag> _seen = new(StringComparer.Ordinal);
    private readonly CatalogueStore _catalogueStore;
    private readonly ExperimentStore? _experiments;
    private readonly string _catalogueModel;
    // The catalogue laid over every recommender served: the uploaded catalogue (version and items) plus the stored changes.
    private string? _baseCatalogueVersion;
    private IReadOnlyList<CatalogueItem> _baseCatalogue = [];
    private CatalogueChanges? _catalogueChanges;
    private CatalogueOverlay _catalogue = CatalogueOverlay.Empty;
    private DateTimeOffset _catalogueReadAt = DateTimeOffset.MinValue;

    /// <summary>
    /// Bytes this instance can still allocate (the GC's limit, i.e. the container's memory, minus the heap in use).
    /// A swap holds the served model and the new one at once, so a version that would not fit is refused up front
    /// instead of taking the instance down with an out-of-memory. Settable for tests.
    /// </summary>
    internal Func<long> AvailableMemoryBytes { get; set; } = () => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - GC.GetTotalMemory(forceFullCollection: false);

    /// <summary>How often the catalogue changes are read in full even when their change marker has not moved.</summary>
    public static readonly TimeSpan CatalogueFullReadInterval = TimeSpan.FromMinutes(10);

    public ModelRefreshService(
        ModelRegistry registry,
        ServingModels serving,
        ModelStatusBoard status,
        ServingDemand demand,
        IOptions<ModelRegistryOptions> options,
        CatalogueStore catalogueStore,
        IOptions<TrainingOptions> training,
        TimeProvider timeProvider,
        ILogger<ModelRefreshService> logger,
        ExperimentStore? experiments = null)
    {
        _experiments = experiments;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(training);
        _catalogueStore = catalogueStore;
        _catalogueModel = training.Value.CatalogueModel;
        _demand = demand;
        _registry = registry;
        _serving = serving;
        _status = status;
        _timeProvider = timeProvider;
        _logger = logger;
        _pollInterval = TimeSpan.FromSeconds(options.Value.PollIntervalSeconds);
    }

    /// <summary>Checks both active pointers now and swaps in any changed version; returns what happened per model.</summary>
    public async Task<IReadOnlyList<ModelRefreshOutcome>> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One read of the pair: a training run activates both in one pointer write, so they come from the same run.
            var (activeRecommendations, activeSegmentation) = await _registry.GetActiveSetAsync(ModelStatusBoard.Recommendations, ModelStatusBoard.Segmentation, cancellationToken).ConfigureAwait(false);
            // The catalogue first, so a recommender loaded on this poll is served with it from its first request.
            var catalogueChanged = await RefreshCatalogueAsync(cancellationToken).ConfigureAwait(false);
            var segmentation = await RefreshSlotAsync(ModelStatusBoard.Segmentation, activeSegmentation, LoadSegmentationAsync, cancellationToken).ConfigureAwait(false);
            var recommendations = await RefreshSlotAsync(ModelStatusBoard.Recommendations, activeRecommendations, LoadRecommenderAsync, cancellationToken).ConfigureAwait(false);
            // A new segmentation changes "popular in your segment" of the recommender already served.
            if (segmentation.Status == ModelRefreshStatus.Loaded && recommendations.Status != ModelRefreshStatus.Loaded
                && _serving.Recommendations is { } current)
            {
                _serving.Serve(WithSegments(current.Version, current.Recommender.Model, current.LoadedAt));
            }
            else if (catalogueChanged && recommendations.Status != ModelRefreshStatus.Loaded && _serving.Recommendations is { } served)
            {
                var recommender = served.Recommender.WithCatalogue(_catalogue);
                recommender.PrepareNewItems();
                _serving.Serve(served with { Recommender = recommender });
            }

            await RefreshExperimentsAsync(cancellationToken).ConfigureAwait(false);
            return [recommendations, segmentation];
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>
    /// Reads the running experiments and keeps each variant's model version loaded beside the active one (a version
    /// already loaded is kept, one no longer named is dropped). A version that fails to load or would not fit is
    /// logged and left out: its variant then routes nowhere (<see cref="ServingExperiments"/>).
    /// </summary>
    private async Task RefreshExperimentsAsync(CancellationToken cancellationToken)
    {
        if (_experiments is null || _serving.Recommendations is not { } active)
        {
            return;
        }
        var now = _timeProvider.GetUtcNow();
        var running = (await _experiments.ListAsync(cancellationToken).ConfigureAwait(false)).Where(e => e.IsRunning(now)).ToList();
        var current = _serving.Experiments.VariantModels;
        var models = new Dictionary<string, ServedRecommender>(StringComparer.Ordinal);
        foreach (var version in running.SelectMany(e => e.Variants).Select(v => v.ModelVersion).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (version == active.Version)
            {
                continue;
            }
            if (current.TryGetValue(version, out var loaded))
            {
                // Kept; the catalogue laid over it follows the one the active model is served with.
                if (loaded.Recommender.Catalogue.Version != active.Recommender.Catalogue.Version)
                {
                    var recommender = loaded.Recommender.WithCatalogue(_catalogue);
                    recommender.PrepareNewItems();
                    loaded = loaded with { Recommender = recommender };
                }
                models[version] = loaded;
                continue;
            }
            var directory = Path.Combine(Path.GetTempPath(), "smartshop-serving", "variant-" + Guid.NewGuid().ToString("N"));
            try
            {
                await _registry.DownloadVersionAsync(ModelStatusBoard.Recommendations, version, directory, cancellationToken).ConfigureAwait(false);
                EnsureItFits(version, directory);
                models[version] = WithSegments(version, ModelBundle.Load(directory), now);
                LogLoaded(_logger, "experiment variant", version);
            }
            catch (Exception e) when (IsBadVersion(e))
            {
                LogLoadFailed(_logger, e, "experiment variant", version, active.Version);
            }
            finally
            {
                TryDelete(directory);
            }
        }
        _serving.Serve(new ServingExperiments(running, models));
    }

    public override void Dispose()
    {
        _refreshing.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _demand.Requested.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Storage unreachable or similar: the models already loaded keep serving; try again next poll.
                LogPollFailed(_logger, e);
            }

            try
            {
                await Task.Delay(_pollInterval, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<ModelRefreshOutcome> RefreshSlotAsync(
        string model, ActiveModel? active, Func<string, string, CancellationToken, Task> load, CancellationToken cancellationToken)
    {
        if (active is null)
        {
            return new ModelRefreshOutcome(model, ModelRefreshStatus.NothingActive, null, null);
        }

        if (_seen.TryGetValue(model, out var seen) && seen == active.ETag || ServedVersion(model) == active.Version)
        {
            _seen[model] = active.ETag;
            return new ModelRefreshOutcome(model, ModelRefreshStatus.Unchanged, active.Version, null);
        }

        var directory = Path.Combine(Path.GetTempPath(), "smartshop-serving", model + "-" + Guid.NewGuid().ToString("N"));
        try
        {
            await _registry.DownloadVersionAsync(model, active.Version, directory, cancellationToken).ConfigureAwait(false);
            EnsureItFits(active.Version, directory);
            await load(active.Version, directory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBadVersion(e))
        {
            // The version itself is unusable: remember its pointer so it is not fetched again until the pointer moves.
            _seen[model] = active.ETag;
            LogLoadFailed(_logger, e, model, active.Version, ServedVersion(model) ?? "none");
            return new ModelRefreshOutcome(model, ModelRefreshStatus.Failed, active.Version, e.Message);
        }
        finally
        {
            TryDelete(directory);
        }

        _seen[model] = active.ETag;
        _status.MarkLoaded(model, active.Version);
        LogLoaded(_logger, model, active.Version);
        return new ModelRefreshOutcome(model, ModelRefreshStatus.Loaded, active.Version, null);
    }

    private Task LoadRecommenderAsync(string version, string directory, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var model = ModelBundle.Load(directory);
        _serving.Serve(WithSegments(version, model, _timeProvider.GetUtcNow()));
        return Task.CompletedTask;
    }

    private async Task LoadSegmentationAsync(string version, string directory, CancellationToken cancellationToken)
    {
        var saved = await SegmentationModelStore.LoadAsync(directory, cancellationToken).ConfigureAwait(false);
        _serving.Serve(new ServedSegmentation(version, saved, _timeProvider.GetUtcNow()));
    }

    /// <summary>A recommender for <paramref name="model"/> with per-segment trending from the segmentation served now (if any).</summary>
    private ServedRecommender WithSegments(string version, RecommenderModel model, DateTimeOffset loadedAt)
    {
        var segmentation = _serving.Segmentation;
        var trending = segmentation is null ? null : BuildSegmentTrending(model, segmentation.Saved);
        var recommender = new Recommender(model, segments: trending, catalogue: _catalogue);
        recommender.PrepareNewItems();
        return new ServedRecommender(version, recommender, trending, loadedAt, trending is null ? null : segmentation!.Version);
    }

    /// <summary>The catalogue laid over the served recommender now (empty until the first refresh reads it).</summary>
    public CatalogueOverlay Catalogue => Volatile.Read(ref _catalogue);

    /// <summary>
    /// Reads the uploaded catalogue's active version and the stored catalogue changes, each only when it moved; true
    /// when the overlay changed. Unreadable storage or a bad catalogue file keeps the overlay already served.
    /// </summary>
    private async Task<bool> RefreshCatalogueAsync(CancellationToken cancellationToken)
    {
        var changed = false;
        ActiveModel? active = null;
        try
        {
            active = await _registry.GetActiveAsync(_catalogueModel, cancellationToken).ConfigureAwait(false);
            if (active?.Version != _baseCatalogueVersion)
            {
                _baseCatalogue = active is null ? [] : await LoadBaseCatalogueAsync(active.Version, cancellationToken).ConfigureAwait(false);
                _baseCatalogueVersion = active?.Version;
                changed = true;
            }
        }
        catch (Exception e) when (IsBadVersion(e) || e is FileNotFoundException)
        {
            // The file itself is unusable: remember its version so it is not downloaded on every poll; the previous items stay.
            _baseCatalogueVersion = active?.Version;
            LogCatalogueFailed(_logger, e, "the uploaded catalogue");
        }
        catch (RequestFailedException e)
        {
            LogCatalogueFailed(_logger, e, "the uploaded catalogue");
        }

        try
        {
            // Now and then everything is read whatever the marker says: a write whose marker update was lost (the writer
            // failed between the two) is then served within CatalogueFullReadInterval instead of at the next change.
            var now = _timeProvider.GetUtcNow();
            var full = now - _catalogueReadAt >= CatalogueFullReadInterval;
            if (await _catalogueStore.ReadIfChangedAsync(full ? null : _catalogueChanges?.Version, cancellationToken).ConfigureAwait(false) is { } changes)
            {
                _catalogueReadAt = now;
                changed = !full || _catalogueChanges is null || !SameRecords(_catalogueChanges, changes);
                _catalogueChanges = changes;
            }
        }
        catch (RequestFailedException e)
        {
            LogCatalogueFailed(_logger, e, "the catalogue changes");
        }

        if (changed)
        {
            var version = (_baseCatalogueVersion ?? "none") + "+" + (_catalogueChanges?.Version ?? CatalogueStore.EmptyVersion);
            Volatile.Write(ref _catalogue, CatalogueOverlay.Create(version, _baseCatalogue, _catalogueChanges?.Records ?? []));
            LogCatalogueApplied(_logger, _catalogue.Version, _catalogue.Count);
        }

        return changed;
    }

    private static bool SameRecords(CatalogueChanges before, CatalogueChanges after) =>
        before.Version == after.Version && before.Records.Count == after.Records.Count
        && before.Records.Zip(after.Records).All(p => p.First.Id == p.Second.Id && p.First.ChangedAt == p.Second.ChangedAt);

    private async Task<IReadOnlyList<CatalogueItem>> LoadBaseCatalogueAsync(string version, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "smartshop-serving", "catalogue-" + Guid.NewGuid().ToString("N"));
        try
        {
            await _registry.DownloadVersionAsync(_catalogueModel, version, directory, cancellationToken).ConfigureAwait(false);
            return [.. Core.Recommendations.Catalogue.Load(Path.Combine(directory, ModelPublisher.CatalogueFileName)).Items];
        }
        finally
        {
            TryDelete(directory);
        }
    }

    /// <summary>Each known customer's segment, named "&lt;id&gt; &lt;persona&gt;" as the demo and the reasons show it.</summary>
    internal static SegmentTrending? BuildSegmentTrending(RecommenderModel model, SavedSegmentation segmentation)
    {
        var known = segmentation.KnownCustomers;
        if (known.Count == 0)
        {
            return null;
        }

        var segments = segmentation.Model.Segments;
        var segmentOfUser = new Dictionary<string, string>(known.Count, StringComparer.Ordinal);
        for (var row = 0; row < known.Count; row++)
        {
            var segment = segments[segmentation.Predictor.Predict(known.Row(row))];
            segmentOfUser[known.CustomerIds[row]] = string.Create(CultureInfo.InvariantCulture, $"{segment.Id} {segment.Persona}");
        }

        return SegmentTrending.Build(model, segmentOfUser);
    }

    private string? ServedVersion(string model) => model == ModelStatusBoard.Recommendations
        ? _serving.Recommendations?.Version
        : _serving.Segmentation?.Version;

    // Loaded arrays are the size of their files; JSON (ids, titles) roughly doubles as strings: 1.5 x the files covers both.
    private void EnsureItFits(string version, string directory)
    {
        var needed = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) * 3 / 2;
        var available = AvailableMemoryBytes();
        if (needed > available)
        {
            throw new ModelBundleException(string.Create(CultureInfo.InvariantCulture,
                $"Version {version} needs about {needed / 1048576.0:F0} MiB to load beside the model serving now, and this instance has {Math.Max(0, available) / 1048576.0:F0} MiB free; the served version stays. Give the plan more memory (instanceMemoryMB) or train a smaller model."));
        }
    }

    private static bool IsBadVersion(Exception e) =>
        e is ModelBundleException or InvalidDataException or JsonException or KeyNotFoundException or ArgumentException or FormatException;

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException e)
        {
            LogCleanupFailed(_logger, e, directory);
        }
        catch (UnauthorizedAccessException e)
        {
            LogCleanupFailed(_logger, e, directory);
        }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Serving {Model} version {Version}")]
    private static partial void LogLoaded(ILogger logger, string model, string version);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "{Model} version {Version} could not be loaded; still serving {ServedVersion}")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string model, string version, string servedVersion);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Checking the model registry failed; the loaded models keep serving")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Information, Message = "Serving catalogue {CatalogueVersion} ({Entries} entries laid over the model)")]
    private static partial void LogCatalogueApplied(ILogger logger, string catalogueVersion, int entries);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Warning, Message = "Reading {Part} failed; the catalogue already served stays")]
    private static partial void LogCatalogueFailed(ILogger logger, Exception exception, string part);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "Could not delete the model download directory {Directory}")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string directory);
}

public enum ModelRefreshStatus
{
    /// <summary>The registry has no active pointer for the model.</summary>
    NothingActive,
    /// <summary>The active version is the one already served (or already rejected).</summary>
    Unchanged,
    Loaded,
    /// <summary>The active version could not be loaded; the previous one keeps serving.</summary>
    Failed,
}

/// <summary>What one refresh did for one model.</summary>
public sealed record ModelRefreshOutcome(string Model, ModelRefreshStatus Status, string? ActiveVersion, string? Error);
