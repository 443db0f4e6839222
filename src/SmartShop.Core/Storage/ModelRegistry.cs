using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace SmartShop.Core.Storage;

/// <summary>
/// Trained model versions in blob storage: <c>&lt;model&gt;/&lt;version&gt;/</c> holds a version's files (an opaque set
/// with a <c>manifest.json</c>), <c>&lt;model&gt;/active</c> is the pointer serving reads. The manifest is written last,
/// so a version exists only once all its files do; the pointer is one blob replaced in one request under an ETag
/// condition, so concurrent activations have exactly one winner and readers never see a partial pointer.
/// </summary>
public sealed partial class ModelRegistry
{
    public const string ManifestFileName = "manifest.json";
    private const string PointerName = "active";
    private const string CreatedAtMetadata = "createdat";

    private static readonly JsonSerializerOptions PointerJson = new(JsonSerializerDefaults.Web);

    private readonly BlobContainers _containers;
    private readonly TimeProvider _timeProvider;
    private readonly string _containerName;

    /// <param name="keepVersions">How many of the newest versions retention keeps (the active one and its previous one are always kept as well).</param>
    public ModelRegistry(BlobContainers containers, TimeProvider timeProvider, string containerName = BlobContainers.Models, int keepVersions = 5)
    {
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepVersions, 1);
        _containers = containers;
        _timeProvider = timeProvider;
        _containerName = containerName;
        KeepVersions = keepVersions;
    }

    public int KeepVersions { get; }

    /// <summary>Uploads every file under <paramref name="sourceDirectory"/> as a new, immutable version.</summary>
    /// <exception cref="InvalidOperationException">The version already exists.</exception>
    public async Task<ModelVersionInfo> UploadVersionAsync(string model, string version, string sourceDirectory, CancellationToken cancellationToken = default)
    {
        ValidateNames(model, version);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceDirectory);
        var manifestPath = Path.Combine(sourceDirectory, ManifestFileName);
        if (!File.Exists(manifestPath))
        {
            throw new ArgumentException($"Model directory '{sourceDirectory}' has no {ManifestFileName}.", nameof(sourceDirectory));
        }

        var (metrics, training) = ReadManifest(await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false), manifestPath);
        var createdAt = _timeProvider.GetUtcNow();
        var container = await _containers.GetAsync(_containerName, cancellationToken).ConfigureAwait(false);
        var prefix = VersionPrefix(model, version);
        var manifestBlob = container.GetBlobClient(prefix + ManifestFileName);
        if (await manifestBlob.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Model '{model}' version '{version}' already exists; versions are immutable.");
        }

        foreach (var file in Directory.EnumerateFiles(sourceDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(sourceDirectory, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative == ManifestFileName)
            {
                continue;
            }

            await container.GetBlobClient(prefix + relative).UploadAsync(file, overwrite: true, cancellationToken).ConfigureAwait(false);
        }

        // The manifest is the commit marker; If-None-Match * keeps a committed version from being re-committed. Version
        // names must be unique per training run: two runs racing on one name could still interleave their data files.
        try
        {
            await manifestBlob.UploadAsync(
                manifestPath,
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    Metadata = new Dictionary<string, string> { [CreatedAtMetadata] = createdAt.ToString("O", CultureInfo.InvariantCulture) },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (IsConditionFailure(e))
        {
            throw new InvalidOperationException($"Model '{model}' version '{version}' was uploaded concurrently by another writer.", e);
        }

        return new ModelVersionInfo(model, version, createdAt, metrics, training);
    }

    /// <summary>Downloads all files of a version into <paramref name="targetDirectory"/> (created if missing).</summary>
    /// <exception cref="KeyNotFoundException">The version does not exist.</exception>
    public async Task DownloadVersionAsync(string model, string version, string targetDirectory, CancellationToken cancellationToken = default)
    {
        ValidateNames(model, version);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetDirectory);
        var container = await _containers.GetAsync(_containerName, cancellationToken).ConfigureAwait(false);
        var prefix = VersionPrefix(model, version);
        if (!await container.GetBlobClient(prefix + ManifestFileName).ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new KeyNotFoundException($"Model '{model}' has no version '{version}'.");
        }

        var root = Path.GetFullPath(targetDirectory);
        Directory.CreateDirectory(root);
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
        {
            var target = Path.GetFullPath(Path.Combine(root, blob.Name[prefix.Length..]));
            if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Blob '{blob.Name}' would be written outside '{root}'.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await container.GetBlobClient(blob.Name).DownloadToAsync(target, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One file of a version (e.g. <c>users.json</c>) without downloading the rest; null when the version has no such
    /// file. <paramref name="fileName"/> is relative to the version folder.
    /// </summary>
    public async Task<BinaryData?> ReadVersionFileAsync(string model, string version, string fileName, CancellationToken cancellationToken = default)
    {
        ValidateNames(model, version);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        var container = await _containers.GetAsync(_containerName, cancellationToken).ConfigureAwait(false);
        try
        {
            var content = await container.GetBlobClient(VersionPrefix(model, version) + fileName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>All complete versions of a model, newest first, with the metrics from their manifests.</summary>
    public async Task<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string model, CancellationToken cancellationToken = default) =>
        (await ListManifestsAsync(model, cancellationToken).ConfigureAwait(false)).Select(m => m.Info).ToList();

    private async Task<List<StoredManifest>> ListManifestsAsync(string model, CancellationToken cancellationToken)
    {
        ValidateModel(model);
        var container = await _containers.GetAsync(_containerName, cancellationToken).ConfigureAwait(false);
        var versions = new List<StoredManifest>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = model + "/", Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
        {
            var parts = blob.Name.Split('/');
            if (parts.Length != 3 || parts[2] != ManifestFileName)
            {
                continue;
            }

            var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            var bytes = content.Content.ToArray();
            var (metrics, training) = ReadManifest(bytes, blob.Name);
            // The writer's clock (millisecond precision) orders versions; servers report creation times in whole seconds.
            var createdAt = blob.Metadata.TryGetValue(CreatedAtMetadata, out var stamp)
                ? DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                : blob.Properties.CreatedOn ?? DateTimeOffset.MinValue;
            versions.Add(new StoredManifest(new ModelVersionInfo(model, parts[1], createdAt, metrics, training), content.Details.ETag, bytes, content.Details.Metadata));
        }

        return versions.OrderByDescending(v => v.Info.CreatedAt).ThenByDescending(v => v.Info.Version, StringComparer.Ordinal).ToList();
    }

    /// <summary>The pointer currently serving reads, or null when nothing was ever activated.</summary>
    public async Task<ActiveModel?> GetActiveAsync(string model, CancellationToken cancellationToken = default)
    {
        ValidateModel(model);
        var container = await _containers.GetAsync(_containerName, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await container.GetBlobClient(PointerBlobName(model)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var pointer = response.Value.Content.ToObjectFromJson<PointerDocument>(PointerJson)
                ?? throw new InvalidDataException($"The active pointer of model '{model}' is empty.");
            return new ActiveModel(pointer.Version, pointer.PreviousVersion, pointer.ActivatedAt, response.Value.Details.ETag)
            {
                With = pointer.With ?? NoCompanions,
                PreviousWith = pointer.PreviousWith ?? NoCompanions,
            };
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// The active version of <paramref name="model"/> and of <paramref name="companion"/> as one consistent set: the
    /// companion version the model's pointer names (<see cref="ActiveModel.With"/>, written in the same request as the
    /// model's version) unless the companion's own pointer was moved after it (an activation of the companion alone).
    /// </summary>
    public async Task<(ActiveModel? Model, ActiveModel? Companion)> GetActiveSetAsync(string model, string companion, CancellationToken cancellationToken = default)
    {
        var primary = await GetActiveAsync(model, cancellationToken).ConfigureAwait(false);
        var own = await GetActiveAsync(companion, cancellationToken).ConfigureAwait(false);
        if (primary is not null && primary.With.TryGetValue(companion, out var linked) && (own is null || own.ActivatedAt <= primary.ActivatedAt))
        {
            // The companion's own pointer lags (not yet moved, or the mover crashed): the set named by the model wins,
            // a tie included (a clock that did not tick between the two writes).
            return (primary, new ActiveModel(linked, primary.PreviousWith.GetValueOrDefault(companion), primary.ActivatedAt, primary.ETag));
        }
        return (primary, own);
    }

    /// <summary>
    /// Points the model at <paramref name="version"/> if the pointer still has ETag <paramref name="expected"/>
    /// (null: the pointer must not exist yet). Returns false when another writer changed the pointer first.
    /// <paramref name="with"/> names versions of other models trained with this one (by model name); they are recorded
    /// in the same pointer write, so <see cref="GetActiveSetAsync"/> never sees half of a set.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The version (or a companion version) does not exist.</exception>
    public Task<bool> TryActivateAsync(string model, string version, ETag? expected, CancellationToken cancellationToken = default) =>
        TryActivateWithAsync(model, version, expected, NoCompanions, cancellationToken);

    /// <summary>
    /// An operator's activation of <paramref name="version"/>: when <paramref name="companion"/> has a version of the
    /// same name (a training run publishes its models under one version name), it is activated in the same write, so
    /// the served pair stays one run's.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The version does not exist.</exception>
    public async Task<bool> TryActivateRunAsync(string model, string version, ETag? expected, string companion, CancellationToken cancellationToken = default)
    {
        ValidateNames(companion, version);
        var container = await _containers.GetAsync(_containerName, cancellationToken).ConfigureAwait(false);
        var paired = await container.GetBlobClient(VersionPrefix(companion, version) + ManifestFileName).ExistsAsync(cancellationToken).ConfigureAwait(false);
        return await TryActivateWithAsync(model, version, expected, paired.Value ? new Dictionary<string, string> { [companion] = version } : NoCompanions, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="TryActivateAsync(string, string, ETag?, CancellationToken)"/>
    public async Task<bool> TryActivateWithAsync(string model, string version, ETag? expected, IReadOnlyDictionary<string, string> with, CancellationToken cancellationToken = default)
    {
        ValidateNames(model, version);
        ArgumentNullException.ThrowIfNull(with);
        var container = await _containers.GetAsync(_containerName, cancellationToken).ConfigureAwait(false);
        foreach (var (name, v) in with.Prepend(KeyValuePair.Create(model, version)))
        {
            ValidateNames(name, v);
            if (!await container.GetBlobClient(VersionPrefix(name, v) + ManifestFileName).ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new KeyNotFoundException($"Model '{name}' has no version '{v}' to activate.");
            }
        }

        var current = await GetActiveAsync(model, cancellationToken).ConfigureAwait(false);
        if (current?.ETag != expected)
        {
            return false;
        }

        var pointer = new PointerDocument(version, current?.Version, _timeProvider.GetUtcNow(), with.Count == 0 ? null : with, current?.With.Count > 0 ? current.With : null);
        var pointerBlob = container.GetBlobClient(PointerBlobName(model));
        ETag written;
        try
        {
            written = (await WritePointerAsync(pointerBlob, pointer, expected, cancellationToken).ConfigureAwait(false)).Value.ETag;
        }
        catch (RequestFailedException e) when (IsConditionFailure(e))
        {
            return false;
        }

        // Retention may have deleted the version between the check above and the pointer write; it reads the pointer
        // after each delete, so a version still missing now is gone for good: put the pointer back.
        if (!await container.GetBlobClient(VersionPrefix(model, version) + ManifestFileName).ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            await RevertPointerAsync(pointerBlob, current, written, cancellationToken).ConfigureAwait(false);
            throw new KeyNotFoundException($"Model '{model}' version '{version}' was deleted by retention while being activated.");
        }

        return true;
    }

    private static Task<Response<BlobContentInfo>> WritePointerAsync(BlobClient pointerBlob, PointerDocument pointer, ETag? expected, CancellationToken cancellationToken) =>
        pointerBlob.UploadAsync(
            BinaryData.FromObjectAsJson(pointer, PointerJson),
            new BlobUploadOptions
            {
                Conditions = expected is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            },
            cancellationToken);

    private static async Task RevertPointerAsync(BlobClient pointerBlob, ActiveModel? previous, ETag written, CancellationToken cancellationToken)
    {
        try
        {
            if (previous is null)
            {
                await pointerBlob.DeleteAsync(conditions: new BlobRequestConditions { IfMatch = written }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WritePointerAsync(pointerBlob, new PointerDocument(previous.Version, previous.PreviousVersion, previous.ActivatedAt, previous.With, previous.PreviousWith), written, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException e) when (IsConditionFailure(e) || e.Status == (int)HttpStatusCode.NotFound)
        {
            // Another writer moved the pointer on already: theirs stands.
        }
    }

    /// <summary>Activates <paramref name="version"/> over whatever is active now; false if another writer changed the pointer between read and write.</summary>
    public async Task<bool> TryActivateAsync(string model, string version, CancellationToken cancellationToken = default)
    {
        var current = await GetActiveAsync(model, cancellationToken).ConfigureAwait(false);
        return await TryActivateAsync(model, version, current?.ETag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Re-activates the version that was active before the current one.</summary>
    /// <exception cref="InvalidOperationException">Nothing to roll back to.</exception>
    public async Task<bool> TryRollBackAsync(string model, CancellationToken cancellationToken = default)
    {
        var current = await GetActiveAsync(model, cancellationToken).ConfigureAwait(false);
        if (current?.PreviousVersion is not { } previous)
        {
            throw new InvalidOperationException($"Model '{model}' has no previous version to roll back to.");
        }

        // The companions the previous version was activated with come back with it.
        return await TryActivateWithAsync(model, previous, current.ETag, current.PreviousWith, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes every version except the newest <see cref="KeepVersions"/>, the active one and the one before it (the
    /// rollback target); returns the deleted versions. Safe beside a concurrent activation: each manifest is deleted
    /// only if unchanged since listed (If-Match), and the pointer is read again after the delete; a version it names by
    /// then gets its manifest back and keeps its files. <see cref="TryActivateAsync(string, string, ETag?, CancellationToken)"/>
    /// checks the manifest after moving the pointer, so one of the two always sees the other.
    /// </summary>
    public Task<IReadOnlyList<string>> ApplyRetentionAsync(string model, CancellationToken cancellationToken = default) =>
        ApplyRetentionAsync(model, linkedFrom: null, cancellationToken);

    /// <inheritdoc cref="ApplyRetentionAsync(string, CancellationToken)"/>
    /// <param name="model">The model whose old versions are deleted.</param>
    /// <param name="linkedFrom">A model whose pointer names versions of this one (<see cref="ActiveModel.With"/>): those are kept
    /// too, and so are this model's versions named like the linked model's active and previous versions.</param>
    /// <param name="cancellationToken">Cancels the pass; what was deleted stays deleted, the rest stays whole.</param>
    public async Task<IReadOnlyList<string>> ApplyRetentionAsync(string model, string? linkedFrom, CancellationToken cancellationToken = default)
    {
        var manifests = await ListManifestsAsync(model, cancellationToken).ConfigureAwait(false);
        async Task<HashSet<string>> NamedAsync()
        {
            var named = new HashSet<string>(StringComparer.Ordinal);
            if (await GetActiveAsync(model, cancellationToken).ConfigureAwait(false) is { } own)
            {
                named.Add(own.Version);
                named.UnionWith(own.PreviousVersion is { } p ? [p] : []);
            }
            if (linkedFrom is not null && await GetActiveAsync(linkedFrom, cancellationToken).ConfigureAwait(false) is { } link)
            {
                named.UnionWith(new[] { link.With, link.PreviousWith }.SelectMany(w => w.TryGetValue(model, out var v) ? [v] : Array.Empty<string>()));
                // The run-mates of the linked model's active and rollback versions (same version name, see TryActivateRunAsync).
                named.Add(link.Version);
                named.UnionWith(link.PreviousVersion is { } lp ? [lp] : []);
            }
            return named;
        }

        var keep = await NamedAsync().ConfigureAwait(false);
        var doomed = manifests.Skip(KeepVersions).Where(m => !keep.Contains(m.Info.Version)).ToList();
        var container = await _containers.GetAsync(_containerName, cancellationToken).ConfigureAwait(false);
        var deleted = new List<string>();
        foreach (var manifest in doomed)
        {
            var version = manifest.Info.Version;
            var prefix = VersionPrefix(model, version);
            var manifestBlob = container.GetBlobClient(prefix + ManifestFileName);
            try
            {
                // Manifest first: the version disappears from listings at once, even if deleting its files is interrupted.
                await manifestBlob.DeleteAsync(conditions: new BlobRequestConditions { IfMatch = manifest.ETag }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.NotFound || IsConditionFailure(e))
            {
                continue;
            }

            if ((await NamedAsync().ConfigureAwait(false)).Contains(version))
            {
                await RestoreManifestAsync(manifestBlob, manifest, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
            {
                await container.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            deleted.Add(version);
        }

        return deleted;
    }

    private static async Task RestoreManifestAsync(BlobClient manifestBlob, StoredManifest manifest, CancellationToken cancellationToken)
    {
        try
        {
            await manifestBlob.UploadAsync(
                BinaryData.FromBytes(manifest.Content),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, Metadata = manifest.Metadata },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (IsConditionFailure(e))
        {
            // Restored by a concurrent retention pass already.
        }
    }

    private static string VersionPrefix(string model, string version) => $"{model}/{version}/";

    private static string PointerBlobName(string model) => $"{model}/{PointerName}";

    private static bool IsConditionFailure(RequestFailedException e) =>
        e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict;

    /// <summary>The manifest's "metrics" and "training" (run id, promotion decision, champion metrics, drift) properties, if any.</summary>
    private static (JsonElement? Metrics, JsonElement? Training) ReadManifest(byte[] manifest, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(manifest);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"Manifest '{source}' is not a JSON object.");
            }

            var root = document.RootElement;
            return (root.TryGetProperty("metrics", out var metrics) ? metrics.Clone() : null,
                root.TryGetProperty("training", out var training) ? training.Clone() : null);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Manifest '{source}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Whether <paramref name="version"/> is a name a version can have (callers answer bad input before touching storage).</summary>
    public static bool IsValidVersionName(string? version) => version is not null && VersionPattern().IsMatch(version);

    private static void ValidateNames(string model, string version)
    {
        ValidateModel(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (!VersionPattern().IsMatch(version))
        {
            throw new ArgumentException($"Model version '{version}' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit.", nameof(version));
        }
    }

    private static void ValidateModel(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (!ModelPattern().IsMatch(model))
        {
            throw new ArgumentException($"Model name '{model}' must be 1-63 lower-case letters, digits or '-'.", nameof(model));
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\z")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z")]
    private static partial Regex ModelPattern();

    private sealed record StoredManifest(ModelVersionInfo Info, ETag ETag, byte[] Content, IDictionary<string, string> Metadata);

    private static readonly IReadOnlyDictionary<string, string> NoCompanions = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The pointer blob's JSON. Pointers written before companions existed have no "with"; they read as none.</summary>
    private sealed record PointerDocument(
        string Version, string? PreviousVersion, DateTimeOffset ActivatedAt,
        IReadOnlyDictionary<string, string>? With = null, IReadOnlyDictionary<string, string>? PreviousWith = null);
}

/// <summary>A stored model version; <see cref="Metrics"/> and <see cref="Training"/> are the manifest's properties of those names, if any.</summary>
public sealed record ModelVersionInfo(string Model, string Version, DateTimeOffset CreatedAt, JsonElement? Metrics, JsonElement? Training = null);

/// <summary>The active pointer as read, with the ETag to pass to the next conditional activation.</summary>
public sealed record ActiveModel(string Version, string? PreviousVersion, DateTimeOffset ActivatedAt, ETag ETag)
{
    /// <summary>Versions of other models (by model name) activated in the same pointer write as <see cref="Version"/>.</summary>
    public IReadOnlyDictionary<string, string> With { get; init; } = new Dictionary<string, string>();

    /// <summary>The <see cref="With"/> of <see cref="PreviousVersion"/>: what a rollback restores.</summary>
    public IReadOnlyDictionary<string, string> PreviousWith { get; init; } = new Dictionary<string, string>();
}
