using System.Collections.Concurrent;

namespace SmartShop.Functions.Operations;

/// <summary>What each model slot is serving right now; written by the model loaders, read by the health endpoint.</summary>
public sealed class ModelStatusBoard(TimeProvider timeProvider)
{
    public const string Recommendations = "recommendations";
    public const string Segmentation = "segmentation";

    private readonly ConcurrentDictionary<string, LoadedModel> _loaded = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> Slots { get; } = [Recommendations, Segmentation];

    public void MarkLoaded(string slot, string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(slot);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        _loaded[slot] = new LoadedModel(slot, version, timeProvider.GetUtcNow());
    }

    public IReadOnlyList<ModelSlotStatus> Snapshot() =>
        Slots.Select(slot => _loaded.TryGetValue(slot, out var model)
                ? new ModelSlotStatus(slot, true, model.Version, model.LoadedAt)
                : new ModelSlotStatus(slot, false, null, null))
            .ToList();

    private sealed record LoadedModel(string Slot, string Version, DateTimeOffset LoadedAt);
}

public sealed record ModelSlotStatus(string Name, bool Loaded, string? Version, DateTimeOffset? LoadedAt);
