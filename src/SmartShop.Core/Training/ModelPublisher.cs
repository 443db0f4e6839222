using System.Text.Json;
using System.Text.Json.Nodes;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Reporting;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Training;

/// <summary>
/// Where a published version came from; written as the "training" section of its manifest.json. <see cref="Drift"/>:
/// PSI by customer feature between this run's training table and the champion segmentation's (null: not compared).
/// </summary>
public sealed record TrainingProvenance(
    string RunId,
    string Trigger,
    string Decision,
    IReadOnlyDictionary<string, double> ChallengerMetrics,
    IReadOnlyDictionary<string, double>? ChampionMetrics,
    string? ChampionVersion,
    string? InputBlob,
    string? InputHash,
    DateTime? HoldoutCutoff,
    IReadOnlyDictionary<string, double>? Drift = null);

/// <summary>
/// Publishes trained models as new, immutable registry versions: recommendations (a <see cref="ModelBundle"/>),
/// segmentation (<see cref="SegmentationModelStore"/> files plus a manifest) and catalogues. Every manifest carries a
/// "training" section (<see cref="TrainingProvenance"/>). Publishing never activates; the caller decides.
/// </summary>
public sealed class ModelPublisher(ModelRegistry registry)
{
    public const string SegmentationFormat = "smartshop-segmentation";
    public const string CatalogueFormat = "smartshop-catalogue";
    public const string CatalogueFileName = "catalogue.csv";
    public const string TrainingSection = "training";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public ModelRegistry Registry { get; } = registry ?? throw new ArgumentNullException(nameof(registry));

    public async Task<ModelVersionInfo> PublishRecommendationsAsync(
        string model, string version, RecommenderModel recommender, TrainingProvenance training, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        ArgumentNullException.ThrowIfNull(training);
        using var directory = new ScratchDirectory("bundle");
        ModelBundle.Save(recommender, directory.Path);
        var manifestPath = System.IO.Path.Combine(directory.Path, ModelRegistry.ManifestFileName);
        var manifest = JsonNode.Parse(await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false))!.AsObject();
        await WriteManifestAsync(manifestPath, manifest, training, cancellationToken).ConfigureAwait(false);
        await WriteReportAsync(directory.Path, cancellationToken).ConfigureAwait(false);
        return await Registry.UploadVersionAsync(model, version, directory.Path, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ModelVersionInfo> PublishSegmentationAsync(
        string model, string version, SegmentationModel segmentation, CustomerFeatureTable knownCustomers, IReadOnlyDictionary<string, double> metrics,
        TrainingProvenance training, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        ArgumentNullException.ThrowIfNull(knownCustomers);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(training);
        using var directory = new ScratchDirectory("segmentation");
        await SegmentationModelStore.SaveAsync(directory.Path, segmentation, knownCustomers, cancellationToken).ConfigureAwait(false);
        var manifest = new JsonObject
        {
            ["format"] = SegmentationFormat,
            ["metrics"] = JsonSerializer.SerializeToNode(metrics, Json),
        };
        await WriteManifestAsync(System.IO.Path.Combine(directory.Path, ModelRegistry.ManifestFileName), manifest, training, cancellationToken).ConfigureAwait(false);
        await WriteReportAsync(directory.Path, cancellationToken).ConfigureAwait(false);
        return await Registry.UploadVersionAsync(model, version, directory.Path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes a validated catalogue CSV (as uploaded) as a version of the catalogue model.</summary>
    public async Task<ModelVersionInfo> PublishCatalogueAsync(
        string model, string version, string csvPath, int items, TrainingProvenance training, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(csvPath);
        ArgumentNullException.ThrowIfNull(training);
        using var directory = new ScratchDirectory("catalogue");
        File.Copy(csvPath, System.IO.Path.Combine(directory.Path, CatalogueFileName));
        var manifest = new JsonObject
        {
            ["format"] = CatalogueFormat,
            ["metrics"] = new JsonObject { ["items"] = items },
        };
        await WriteManifestAsync(System.IO.Path.Combine(directory.Path, ModelRegistry.ManifestFileName), manifest, training, cancellationToken).ConfigureAwait(false);
        return await Registry.UploadVersionAsync(model, version, directory.Path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The run's HTML report, stored in the version next to the model so an operator can open what was trained. A build
    /// without Node.js has no renderer; the model is still published, without the report.
    /// </summary>
    private static async Task WriteReportAsync(string versionDirectory, CancellationToken cancellationToken)
    {
        if (RunReport.IsAvailable)
        {
            await RunReport.WriteAsync(versionDirectory, System.IO.Path.Combine(versionDirectory, RunReport.ReportFileName), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The "training" section of a downloaded version's manifest, or null when it has none.</summary>
    public static TrainingProvenance? ReadProvenance(string versionDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(versionDirectory);
        var manifest = JsonNode.Parse(File.ReadAllBytes(System.IO.Path.Combine(versionDirectory, ModelRegistry.ManifestFileName)));
        return manifest?[TrainingSection]?.Deserialize<TrainingProvenance>(Json);
    }

    private static async Task WriteManifestAsync(string path, JsonObject manifest, TrainingProvenance training, CancellationToken cancellationToken)
    {
        manifest[TrainingSection] = JsonSerializer.SerializeToNode(training, Json);
        await File.WriteAllTextAsync(path, manifest.ToJsonString(Json), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A fresh directory under the temp path, deleted on dispose.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory(string purpose) =>
        Path = Directory.CreateTempSubdirectory($"smartshop-{purpose}-").FullName;

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; failing the run over it is not.
        }
    }
}
