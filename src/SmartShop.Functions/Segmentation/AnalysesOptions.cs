using System.ComponentModel.DataAnnotations;

namespace SmartShop.Functions.Segmentation;

/// <summary>Limits of <c>POST /api/v1/segmentation/analyses</c> and its background runs.</summary>
public sealed class AnalysesOptions
{
    public const string SectionName = "Analyses";

    /// <summary>Largest accepted upload (or referenced blob) in bytes.</summary>
    [Range(typeof(long), "1024", "1073741824")]
    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Inputs larger than this run from the analyses queue (202 + status URL); smaller ones answer 201 at once.</summary>
    [Range(typeof(long), "0", "1073741824")]
    public long BackgroundThresholdBytes { get; set; } = 2L * 1024 * 1024;
}
