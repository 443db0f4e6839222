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

    /// <summary>
    /// Decompressed bytes a request's run reads before it moves to the queue (202): a small gzip may hold a large table,
    /// and only reading it tells.
    /// </summary>
    [Range(typeof(long), "0", "4294967296")]
    public long SynchronousInputBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Decompressed bytes any run reads; past it the analysis fails with input-too-large.</summary>
    [Range(typeof(long), "1024", "17179869184")]
    public long MaxInputBytes { get; set; } = 1L << 30;
}
