using System.Security.Cryptography;

namespace SmartShop.Core.Attribution;

/// <summary>The recommendation routes, by the name rollups and experiments use and the one-letter code ids carry.</summary>
public static class RecommendationEndpoints
{
    public const string User = "users/recommendations";
    public const string Similar = "items/similar";
    public const string BoughtTogether = "items/bought-together";
    public const string Cart = "cart/recommendations";
    public const string Trending = "trending";

    public static IReadOnlyList<string> All { get; } = [User, Similar, BoughtTogether, Cart, Trending];

    internal static string Code(string endpoint) => endpoint switch
    {
        User => "u",
        Similar => "s",
        BoughtTogether => "b",
        Cart => "c",
        Trending => "t",
        _ => throw new ArgumentException($"Unknown endpoint '{endpoint}'.", nameof(endpoint)),
    };

    internal static string? FromCode(string code) => code switch
    {
        "u" => User,
        "s" => Similar,
        "b" => BoughtTogether,
        "c" => Cart,
        "t" => Trending,
        _ => null,
    };
}

/// <summary>
/// What served an answer: the route, the model version, where the storefront showed it, the customer's segment and
/// the experiment variant. It travels inside the answer's <c>recommendationId</c>, so an event that names the id can be
/// attributed when it is ingested without looking the answer up (no storage round trip per event). The id is
/// <c>{16 random hex}:{route code}:{model}:{segment}:{placement}:{experiment}:{variant}</c> (empty parts allowed),
/// at most 128 characters of the event id alphabet; when the parts do not fit, the last ones are left out (the
/// storefront echoes experiment, variant and placement in its events anyway).
/// </summary>
public sealed record RecommendationContext(string Endpoint, string ModelVersion, string? Segment = null, string? Placement = null, string? ExperimentId = null, string? Variant = null)
{
    public const int MaxIdLength = 128;
    private const char Separator = ':';
    private const int Parts = 7;

    /// <summary>Longest placement, experiment or variant label.</summary>
    public const int MaxLabelLength = 64;

    /// <summary>Whether <paramref name="value"/> is a label (placement, experiment id, variant): lower-case letters, digits, '-' or '_'.</summary>
    public static bool IsLabel(string value, int maxLength = MaxLabelLength) =>
        value is { Length: > 0 } && value.Length <= maxLength && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    /// <summary>A segment's name as a rollup label: "3 Big spenders" → "3-big-spenders" (at most 32 characters).</summary>
    public static string? SegmentLabel(string? segment)
    {
        if (segment is null)
        {
            return null;
        }
        var label = new string(segment.ToLowerInvariant().Select(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '-').ToArray());
        label = string.Join('-', label.Split('-', StringSplitOptions.RemoveEmptyEntries));
        return label.Length == 0 ? null : label[..Math.Min(label.Length, 32)].TrimEnd('-');
    }

    /// <summary>A new id for an answer served in this context.</summary>
    public string NewId() => Issue().Id;

    /// <summary>
    /// A new id for an answer served in this context, and the context the id carries (what <see cref="Parse"/> reads
    /// back from it: the segment as a label, parts left out when they did not fit), without parsing it again.
    /// </summary>
    public (string Id, RecommendationContext Carried) Issue()
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        var parts = new[] { Convert.ToHexStringLower(random), RecommendationEndpoints.Code(Endpoint), Part(ModelVersion), Part(SegmentLabel(Segment)), Part(Placement), Part(ExperimentId), Part(Variant) };
        // Experiment and variant go together; then placement, segment and model, as the length requires.
        var kept = Parts;
        while (Length(parts, kept) > MaxIdLength)
        {
            kept -= kept == Parts ? 2 : 1;
        }
        while (kept > 2 && parts[kept - 1].Length == 0)
        {
            kept--;
        }
        return (string.Join(Separator, parts, 0, kept), FromParts(Endpoint, parts, kept));
    }

    /// <summary>The context an id of <see cref="NewId"/> carries; null for any other id (another format, or tampered).</summary>
    public static RecommendationContext? Parse(string? recommendationId)
    {
        if (recommendationId is not { Length: > 0 and <= MaxIdLength })
        {
            return null;
        }
        var parts = recommendationId.Split(Separator);
        if (parts.Length is < 2 or > Parts || parts[0].Length != 16 || RecommendationEndpoints.FromCode(parts[1]) is not { } endpoint)
        {
            return null;
        }
        return FromParts(endpoint, parts, parts.Length);
    }

    private static RecommendationContext FromParts(string endpoint, string[] parts, int count)
    {
        string? At(int i) => i < count && parts[i].Length > 0 ? parts[i] : null;
        return new RecommendationContext(endpoint, At(2) ?? string.Empty, At(3), At(4), At(5), At(6));
    }

    // A part must not hold the separator nor leave the id alphabet (segment names are free text): such a part is left empty.
    private static string Part(string? value) =>
        value is { Length: > 0 } && Ingestion.ClickstreamEventValidator.IsValidId(value) && !value.Contains(Separator, StringComparison.Ordinal) ? value : string.Empty;

    private static int Length(string[] parts, int count) => parts.Take(count).Sum(p => p.Length) + count - 1;
}
