using System.Net;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Experiments;

/// <summary>
/// Experiment definitions as <c>experiments/&lt;id&gt;.json</c> in the model registry's container (their variants name its
/// versions), written under ETag conditions like the active pointer: a create never replaces an experiment, a stop
/// replaces exactly the version it read.
/// </summary>
public sealed class ExperimentStore(BlobContainers containers, string containerName = BlobContainers.Models)
{
    /// <summary>The folder of the registry container experiments live in (not a model name: models are never called so).</summary>
    public const string Prefix = "experiments/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Stores a new experiment; false when one with its id exists.</summary>
    public async Task<Experiment?> TryCreateAsync(Experiment experiment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var blob = await BlobAsync(experiment.Id, cancellationToken).ConfigureAwait(false);
        try
        {
            var written = await blob.UploadAsync(
                BinaryData.FromObjectAsJson(experiment with { ETag = null }, Json),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                cancellationToken).ConfigureAwait(false);
            return experiment with { ETag = written.Value.ETag.ToString() };
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    public async Task<Experiment?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!Experiment.IsValidId(id))
        {
            return null;
        }
        var blob = await BlobAsync(id, cancellationToken).ConfigureAwait(false);
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToObjectFromJson<Experiment>(Json)! with { ETag = content.Value.Details.ETag.ToString() };
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Every experiment, by id. Every registry poll and canary check lists them: a definition whose ETag has not moved
    /// since it was last read is not downloaded again.
    /// </summary>
    public async Task<IReadOnlyList<Experiment>> ListAsync(CancellationToken cancellationToken = default)
    {
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        var experiments = new List<Experiment>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix }, cancellationToken).ConfigureAwait(false))
        {
            if (!item.Name.EndsWith(".json", StringComparison.Ordinal))
            {
                continue;
            }
            if (!_read.TryGetValue(item.Name, out var experiment) || experiment.ETag != item.Properties.ETag?.ToString())
            {
                experiment = await GetAsync(item.Name[Prefix.Length..^5], cancellationToken).ConfigureAwait(false);
                if (experiment is null)
                {
                    _read.TryRemove(item.Name, out _);
                    continue;
                }
                _read[item.Name] = experiment;
            }
            experiments.Add(experiment);
        }
        return experiments.OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Experiment> _read = new(StringComparer.Ordinal);

    /// <summary>Replaces <paramref name="experiment"/> as read (its ETag); false when it changed since.</summary>
    public async Task<Experiment?> TryReplaceAsync(Experiment experiment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentException.ThrowIfNullOrEmpty(experiment.ETag);
        var blob = await BlobAsync(experiment.Id, cancellationToken).ConfigureAwait(false);
        try
        {
            var written = await blob.UploadAsync(
                BinaryData.FromObjectAsJson(experiment with { ETag = null }, Json),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(experiment.ETag) }, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                cancellationToken).ConfigureAwait(false);
            return experiment with { ETag = written.Value.ETag.ToString() };
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<Azure.Storage.Blobs.BlobClient> BlobAsync(string id, CancellationToken cancellationToken)
    {
        if (!Experiment.IsValidId(id))
        {
            throw new ArgumentException("An experiment id is 1-64 lower-case letters, digits or '-'.", nameof(id));
        }
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        return container.GetBlobClient(Prefix + id + ".json");
    }
}
