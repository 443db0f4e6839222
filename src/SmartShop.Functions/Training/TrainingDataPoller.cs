using Azure;
using SmartShop.Core.Storage;

namespace SmartShop.Functions.Training;

/// <summary>
/// Finds training-data blobs that are new or changed since the last look (by name and ETag). Used by the local
/// polling path where no Event Grid events arrive; the training run itself dedupes by content hash, so seeing a
/// blob the blob trigger also handled (or one that was there before a restart) costs a hash, not a second run.
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
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            present.Add(blob.Name);
            var etag = blob.Properties.ETag ?? default;
            if (!_seen.TryGetValue(blob.Name, out var known) || known != etag)
            {
                _seen[blob.Name] = etag;
                found.Add((blob.Name, blob.Properties.LastModified));
            }
        }

        // Forget deleted (or moved-away rejected) blobs so a re-upload under the same name is seen again.
        foreach (var gone in _seen.Keys.Where(name => !present.Contains(name)).ToList())
        {
            _seen.Remove(gone);
        }

        return found.OrderBy(b => b.Modified).ThenBy(b => b.Name, StringComparer.Ordinal).Select(b => b.Name).ToList();
    }
}
