namespace SmartShop.Core.Ingestion;

/// <summary>Limits applied to every incoming event; the defaults are the documented contract.</summary>
public sealed record ClickstreamValidationOptions
{
    /// <summary>Largest accepted event body in UTF-8 bytes.</summary>
    public int MaxEventBytes { get; init; } = 64 * 1024;

    /// <summary>How far ahead of the receiver's clock a timestamp may be (clock skew).</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Events older than this are rejected as stale.</summary>
    public TimeSpan MaxEventAge { get; init; } = TimeSpan.FromDays(30);

    public int MaxQuantity { get; init; } = 10_000;
    public decimal MaxPrice { get; init; } = 1_000_000m;
    public int MaxCategoryLength { get; init; } = 128;

    /// <summary>Event types accepted besides <see cref="ClickstreamEventTypes.Known"/>.</summary>
    public IReadOnlyCollection<string> AdditionalTypes { get; init; } = [];
}
