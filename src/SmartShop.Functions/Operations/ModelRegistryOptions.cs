using System.ComponentModel.DataAnnotations;

namespace SmartShop.Functions.Operations;

/// <summary>Where trained model versions live and how often the app looks for a newly activated one.</summary>
public sealed class ModelRegistryOptions
{
    public const string SectionName = "ModelRegistry";

    /// <summary>Blob container holding models/&lt;version&gt;/ folders and the active pointer.</summary>
    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "ModelRegistry:ContainerName must be a valid blob container name.")]
    public string ContainerName { get; set; } = "models";

    /// <summary>Seconds between checks of the active pointer for a new version.</summary>
    [Range(5, 86_400)]
    public int PollIntervalSeconds { get; set; } = 60;

    /// <summary>Newest versions kept per model by retention; the active version is kept as well.</summary>
    [Range(1, 1000)]
    public int KeepVersions { get; set; } = 5;
}
