using System.ComponentModel.DataAnnotations;
using SmartShop.Core.Ingestion;

namespace SmartShop.Functions.Ingestion;

/// <summary>Limits of clickstream ingestion (Event Hubs and <c>POST /api/v1/events</c>).</summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>Events older than this many days are dead-lettered as stale.</summary>
    [Range(1, 36_500)]
    public int MaxEventAgeDays { get; set; } = 30;

    /// <summary>Most events one HTTP request may carry.</summary>
    [Range(1, 10_000)]
    public int MaxEventsPerRequest { get; set; } = 1_000;

    /// <summary>Largest accepted HTTP request body in bytes.</summary>
    [Range(1_024, 100 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>How long after a click on a recommended item an add-to-cart or purchase of it is attributed to the answer.</summary>
    [Range(1, 720)]
    public int AttributionWindowHours { get; set; } = 24;

    public ClickstreamValidationOptions ToValidationOptions() => new() { MaxEventAge = TimeSpan.FromDays(MaxEventAgeDays) };
}
