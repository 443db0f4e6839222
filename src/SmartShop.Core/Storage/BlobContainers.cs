using Azure.Storage.Blobs;

namespace SmartShop.Core.Storage;

/// <summary>
/// The app's blob containers, named in this one place, each created on first use.
/// Thread-safe; register one instance per <see cref="BlobServiceClient"/>.
/// </summary>
public sealed class BlobContainers(BlobServiceClient serviceClient)
{
    /// <summary>Drop zone for transaction CSVs that trigger retraining.</summary>
    public const string TrainingData = "training-data";

    /// <summary>Training files a run refused (bad data, too large), moved here so they never retrigger; metadata says why.</summary>
    public const string TrainingDataRejected = "training-data-rejected";

    /// <summary>Model registry: &lt;model&gt;/&lt;version&gt;/ folders, &lt;model&gt;/active pointers and experiments/&lt;id&gt;.json.</summary>
    public const string Models = "models";

    /// <summary>Clickstream lake: JSON Lines under yyyy/MM/dd/HH/.</summary>
    public const string Events = "events";

    /// <summary>Dead letters: rejected events with their reason, same layout as <see cref="Events"/>.</summary>
    public const string EventsRejected = "events-rejected";

    /// <summary>
    /// Event Hubs batches whose last delivery attempt failed (storage down): the payloads exactly as received, the
    /// partition and sequence range and the reason, as <c>&lt;partition&gt;/&lt;batch id&gt;.json</c>, until
    /// <c>smartshop replay --failed-batches</c> stores them.
    /// </summary>
    public const string EventsFailed = "events-failed";

    /// <summary>CSV uploads for segmentation analyses.</summary>
    public const string Uploads = "uploads";

    /// <summary>Segmentation analysis results: &lt;analysis id&gt;.json (metrics, segments, assignments, merge tree).</summary>
    public const string Analyses = "analyses";

    public static IReadOnlyList<string> All { get; } = [TrainingData, TrainingDataRejected, Models, Events, EventsRejected, EventsFailed, Uploads, Analyses];

    private readonly CreatedOnFirstUse<BlobContainerClient> _created = new();

    public BlobServiceClient ServiceClient { get; } = serviceClient ?? throw new ArgumentNullException(nameof(serviceClient));

    /// <summary>The container client, after making sure the container exists (checked once per process).</summary>
    public Task<BlobContainerClient> GetAsync(string containerName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        return _created.GetAsync(containerName, CreateAsync, cancellationToken);
    }

    private async Task<BlobContainerClient> CreateAsync(string containerName)
    {
        var container = ServiceClient.GetBlobContainerClient(containerName);
        await container.CreateIfNotExistsAsync().ConfigureAwait(false);
        return container;
    }
}
