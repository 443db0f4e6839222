using Azure;
using Azure.Storage.Blobs.Models;
using SmartShop.Core.Storage;
using SmartShop.Core.Training;

namespace SmartShop.Functions.Training;

/// <summary>
/// Finds training-data blobs that are new or changed since the last look (by name and ETag) and that no run has
/// marked as done (the runner tags a processed file with its run id and decision; an upload over it clears the tags).
/// Used by the local polling path where no Event Grid events arrive; the runner also dedupes by content hash, so a
/// blob the blob trigger handled at the same moment costs a hash, not a second run.
/// One polling loop calls it; it is not meant for concurrent callers.
/// </summary>
public sealed class TrainingDataPoller(BlobContainers containers)
{
    private readonly Dictionary<string, ETag> _seen = new(StringComparer.Ordinal);

    /// <summary>Blob names (oldest first) that appeared or changed since the previous call.</summary>
    public async Task<IReadOnlyList<string>> FindNewBlobsAsync(CancellationToken cancellationToken = default)
    {
        var container = await containers.GetAsync(BlobContainers.TrainingData, cancellationToken).ConfigureAwait(false);
        var found = new List<(string Name, DateTimeOffset? Modified)>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
        {
            present.Add(blob.Name);
            var etag = blob.Properties.ETag ?? default;
            if ((!_seen.TryGetValue(blob.Name, out var known) || known != etag) && !IsDone(blob))
            {
                found.Add((blob.Name, blob.Properties.LastModified));
            }

            _seen[blob.Name] = etag;
        }

        // Forget deleted (or moved-away rejected) blobs so a re-upload under the same name is seen again.
        foreach (var gone in _seen.Keys.Where(name => !present.Contains(name)).ToList())
        {
            _seen.Remove(gone);
        }

        return found.OrderBy(b => b.Modified).ThenBy(b => b.Name, StringComparer.Ordinal).Select(b => b.Name).ToList();
    }

    // An infrastructure error leaves the input free to run again.
    private static bool IsDone(BlobItem blob) =>
        blob.Metadata is { } metadata
        && metadata.ContainsKey(TrainingRunner.RunIdMetadata)
        && !(metadata.TryGetValue(TrainingRunner.StatusMetadata, out var status) && status == TrainingRunner.ErrorStatus);
}
