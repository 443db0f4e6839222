namespace SmartShop.Core.Training;

/// <summary>How far a feature moved: PSI below the warning threshold is stable.</summary>
public enum DriftLevel
{
    Stable,
    Warning,
    Alert,
}

/// <summary>PSI thresholds: the industry rule of thumb is 0.1 (watch) and 0.2 (act).</summary>
public sealed record DriftThresholds(double Warning = 0.1, double Alert = 0.2)
{
    public DriftLevel LevelOf(double psi) => psi >= Alert ? DriftLevel.Alert : psi >= Warning ? DriftLevel.Warning : DriftLevel.Stable;
}

/// <summary>
/// One compared distribution. <see cref="Scope"/> is <c>customer</c> (a per-customer feature of the segmentation
/// table) or <c>event</c> (a distribution over the lake's events).
/// </summary>
public sealed record FeatureDrift(string Scope, string Feature, double Psi, DriftLevel Level, long ReferenceCount, long RecentCount);

/// <summary>The outcome of one drift check; <see cref="Features"/> is empty when there was nothing to compare.</summary>
public sealed record DriftReport(
    DateTimeOffset CheckedAt,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    string? ReferenceModelVersion,
    IReadOnlyList<FeatureDrift> Features,
    IReadOnlyList<string> Notes)
{
    public double MaxPsi => Features.Count == 0 ? 0 : Features.Max(f => f.Psi);

    public DriftLevel Level => Features.Count == 0 ? DriftLevel.Stable : Features.Max(f => f.Level);

    public IEnumerable<FeatureDrift> Drifted(DriftLevel atLeast) => Features.Where(f => f.Level >= atLeast);
}
