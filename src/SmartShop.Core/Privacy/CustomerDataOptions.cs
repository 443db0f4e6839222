using System.ComponentModel.DataAnnotations;

namespace SmartShop.Core.Privacy;

/// <summary>How far the customer-data workflow (export and erase) scans the event lake and its dead letters.</summary>
public sealed class CustomerDataOptions
{
    public const string SectionName = "CustomerData";

    /// <summary>Days of lake and dead-letter hours scanned, back from now (by the blob's yyyy/MM/dd/HH folder).</summary>
    [Range(1, 36_500)]
    public int LakeScanDays { get; set; } = 400;

    /// <summary>Most blobs read per container (newest first); a scan that stops here says so in its report.</summary>
    [Range(1, 10_000_000)]
    public int MaxLakeBlobs { get; set; } = 100_000;

    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
