using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SmartShop.Core.Experiments;

/// <summary>
/// One arm of an experiment: a model version from the registry, or a built-in strategy (<c>popular</c>: the most
/// bought items, the usual control). <see cref="Weight"/> is its share of traffic relative to the others.
/// </summary>
public sealed record ExperimentVariant(string Name, double Weight, string? ModelVersion = null, string? Strategy = null);

/// <summary>
/// An online experiment between recommendation strategies. The first variant is the control every other one is
/// compared with. Runs from <see cref="StartsAt"/> until <see cref="StopsAt"/> or until it is stopped.
/// </summary>
public sealed record Experiment(
    string Id,
    IReadOnlyList<ExperimentVariant> Variants,
    IReadOnlyList<string> Endpoints,
    DateTimeOffset StartsAt,
    DateTimeOffset? StopsAt,
    string PrimaryMetric,
    IReadOnlyList<string> Guardrails)
{
    public const string PopularStrategy = "popular";

    /// <summary>Click-through rate: clicks per impression.</summary>
    public const string Ctr = "ctr";

    /// <summary>Purchases of a recommended item per impression.</summary>
    public const string Conversion = "conversion";

    /// <summary>Attributed revenue per 1,000 impressions.</summary>
    public const string RevenuePerMille = "revenue-per-mille";

    public static IReadOnlyList<string> Metrics { get; } = [Ctr, Conversion, RevenuePerMille];

    public static IReadOnlyList<string> Strategies { get; } = [PopularStrategy];

    /// <summary>Set: a canary, promoted or rolled back by its results (<see cref="CanaryService"/>).</summary>
    public CanaryPolicy? Canary { get; init; }

    /// <summary>When it was stopped by hand (null: it runs to <see cref="StopsAt"/>).</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>The stored record's version as read; not stored itself.</summary>
    public string? ETag { get; init; }

    public ExperimentVariant Control => Variants[0];

    /// <summary>When it ends: the earlier of its planned stop and a manual stop (null: it runs until stopped).</summary>
    public DateTimeOffset? EndsAt => StoppedAt is { } stopped && (StopsAt is not { } stops || stopped < stops) ? stopped : StopsAt;

    public bool IsRunning(DateTimeOffset now) => now >= StartsAt && (EndsAt is not { } end || now < end);

    /// <summary>The end of what has happened so far: <see cref="EndsAt"/>, or <paramref name="now"/> while it runs.</summary>
    public DateTimeOffset EndedOrNow(DateTimeOffset now) => EndsAt is { } end && end < now ? end : now;

    /// <summary>Every problem with the definition, one sentence each (empty: valid).</summary>
    public IReadOnlyList<string> Problems(IReadOnlyCollection<string> knownEndpoints)
    {
        ArgumentNullException.ThrowIfNull(knownEndpoints);
        var problems = new List<string>();
        if (!IsValidId(Id))
        {
            problems.Add("The id is 1-64 lower-case letters, digits or '-'.");
        }
        if (Variants is not { Count: >= 2 and <= 10 })
        {
            problems.Add("An experiment has 2 to 10 variants; the first is the control.");
        }
        else
        {
            foreach (var variant in Variants)
            {
                if (!IsValidId(variant.Name) || variant.Name.Length > 32)
                {
                    problems.Add("A variant name is 1-32 lower-case letters, digits or '-'.");
                }
                if (!double.IsFinite(variant.Weight) || variant.Weight <= 0)
                {
                    problems.Add($"Variant '{variant.Name}': the weight is a positive number.");
                }
                if ((variant.ModelVersion is null) == (variant.Strategy is null))
                {
                    problems.Add($"Variant '{variant.Name}': give either a model version or a strategy ({string.Join(", ", Strategies)}).");
                }
                else if (variant.Strategy is { } strategy && !Strategies.Contains(strategy))
                {
                    problems.Add($"Variant '{variant.Name}': unknown strategy '{strategy}' (known: {string.Join(", ", Strategies)}).");
                }
            }
            if (Variants.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count() != Variants.Count)
            {
                problems.Add("Variant names are unique.");
            }
        }
        if (Endpoints is not { Count: > 0 } || Endpoints.Any(e => !knownEndpoints.Contains(e)))
        {
            problems.Add($"Target one or more endpoints of: {string.Join(", ", knownEndpoints)}.");
        }
        if (!Metrics.Contains(PrimaryMetric))
        {
            problems.Add($"The primary metric is one of {string.Join(", ", Metrics)}.");
        }
        if (Guardrails is null || Guardrails.Any(g => !Metrics.Contains(g) || g == PrimaryMetric))
        {
            problems.Add($"Guardrails are other metrics of {string.Join(", ", Metrics)}.");
        }
        if (Canary is { } canary && (Variants is not { Count: 2 } || Variants.Any(v => v.ModelVersion is null) || !double.IsFinite(canary.Tolerance) || canary.Tolerance < 0 || canary.MinImpressions < 1))
        {
            problems.Add("A canary has two model-version variants (the active one first, then the challenger), a tolerance of 0 or more and at least 1 impression to wait for.");
        }
        if (StopsAt is { } end && end <= StartsAt)
        {
            problems.Add("The experiment stops after it starts.");
        }
        return problems;
    }

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>
    /// The variant a user or session sees: a hash of (experiment id, unit id) picks a point in [0, 1), which falls in
    /// one variant's share of the weights. No state, the same answer on every instance and every request, and
    /// independent between experiments (the id is part of the hash).
    /// </summary>
    public ExperimentVariant Assign(string unitId)
    {
        ArgumentNullException.ThrowIfNull(unitId);
        var point = Bucket(Id, unitId);
        var total = Variants.Sum(v => v.Weight);
        var cumulative = 0.0;
        foreach (var variant in Variants)
        {
            cumulative += variant.Weight / total;
            if (point < cumulative)
            {
                return variant;
            }
        }
        return Variants[^1];
    }

    /// <summary>A uniform point in [0, 1) from SHA-256 of "experiment id \n unit id" (its first 53 bits).</summary>
    public static double Bucket(string experimentId, string unitId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(experimentId + "\n" + unitId), hash);
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }
}
