using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>
/// The ingestion pipeline wired to the real Azurite (and optionally the Cosmos emulator), with a clock the test
/// sets and an optional fault that fails one chosen storage write.
/// </summary>
internal sealed class IngestionHarness
{
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    public IngestionHarness(HttpPipelinePolicy? fault = null, IDocumentLogStore? activityStore = null, StorageRequestCounter? counter = null)
    {
        Clock = new ManualTimeProvider(Now);
        var blobOptions = new BlobClientOptions();
        var tableOptions = new TableClientOptions();
        foreach (var options in new ClientOptions[] { blobOptions, tableOptions })
        {
            // An injected failure must surface at once, as a real outage would after the SDK's retries.
            options.Retry.MaxRetries = fault is null ? 1 : 0;
            options.Retry.Delay = TimeSpan.FromMilliseconds(100);
            if (fault is not null)
            {
                options.AddPolicy(fault, HttpPipelinePosition.PerRetry);
            }

            if (counter is not null)
            {
                options.AddPolicy(counter, HttpPipelinePosition.PerRetry);
            }
        }

        Blobs = new BlobContainers(new BlobServiceClient(StorageEmulators.StorageConnectionString, blobOptions));
        var tables = new TableServiceClient(StorageEmulators.StorageConnectionString, tableOptions);
        ActivityStore = activityStore ?? new TableDocumentLogStore(tables, new DocumentLogOptions { RecentActivityLimit = 50 }, Clock);
        Validator = new ClickstreamEventValidator(new ClickstreamValidationOptions(), Clock);
        Ingestor = new ClickstreamIngestor(Validator, new EventLakeWriter(Blobs), ActivityStore, new ProcessedEventLedger(tables), Clock);
    }

    public ManualTimeProvider Clock { get; }

    public BlobContainers Blobs { get; }

    public IDocumentLogStore ActivityStore { get; }

    public ClickstreamEventValidator Validator { get; }

    public ClickstreamIngestor Ingestor { get; }

    /// <summary>A partition id no parallel test shares.</summary>
    public static string UniquePartition() => Guid.NewGuid().ToString("N")[..12];

    public static string Event(string eventId, string userId, string itemId, string type = "view", int minutesAgo = 1) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"eventId":"{{eventId}}","type":"{{type}}","userId":"{{userId}}","itemId":"{{itemId}}","timestamp":"{{Now.AddMinutes(-minutesAgo):yyyy-MM-ddTHH:mm:ssZ}}"}""");

    /// <summary>A batch of consecutive sequence numbers from <paramref name="firstSequenceNumber"/> on, one per payload.</summary>
    public static ClickstreamBatch EventHubsBatch(string partition, long firstSequenceNumber, params string[] payloads) =>
        ClickstreamBatch.FromEventHubs(payloads, partition, firstSequenceNumber, firstSequenceNumber + Math.Max(payloads.Length, 1) - 1, payloads.Select(_ => Now.AddSeconds(-2)).ToList());

    /// <summary>Every line stored in the lake for an Event Hubs partition (all its batches).</summary>
    public Task<List<string>> LakeLinesAsync(string partition) => LinesAsync(BlobContainers.Events, partition);

    public Task<List<string>> DeadLetterLinesAsync(string partition) => LinesAsync(BlobContainers.EventsRejected, partition);

    /// <summary>
    /// The ids of the events the lake holds, as its one reader counts them (an event in two blobs counts once), for
    /// the event ids that start with <paramref name="idPrefix"/> in the lake days around <paramref name="day"/> (default: <see cref="Now"/>).
    /// </summary>
    public async Task<List<string>> LakeEventIdsAsync(string idPrefix, DateTimeOffset? day = null)
    {
        var lake = await new EventLakeReader(Blobs).ReadAsync(day ?? Now, day ?? Now);
        return lake.Events.Select(e => e.EventId).Where(id => id.StartsWith(idPrefix, StringComparison.Ordinal)).ToList();
    }

    private async Task<List<string>> LinesAsync(string containerName, string partition)
    {
        var container = await Blobs.GetAsync(containerName);
        var prefix = EventLakeWriter.BlobName(EventBatchId.FromEventHubs(partition, 0, 0), Now.AddSeconds(-2));
        prefix = prefix[..(prefix.IndexOf("-s", StringComparison.Ordinal) + 1)];
        var lines = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }))
        {
            var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            lines.AddRange(content.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return lines;
    }
}

/// <summary>Fails the <see cref="FailOnWrite"/>-th storage write (PUT, POST, MERGE, PATCH, DELETE) once, as an outage would; counts every write.</summary>
internal sealed class WriteFault(int failOnWrite) : HttpPipelineSynchronousPolicy
{
    private int _writes;

    public int FailOnWrite { get; } = failOnWrite;

    public int Writes => Volatile.Read(ref _writes);

    public bool HasFailed { get; private set; }

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Request.Method == RequestMethod.Get || message.Request.Method == RequestMethod.Head)
        {
            return;
        }

        if (Interlocked.Increment(ref _writes) == FailOnWrite)
        {
            HasFailed = true;
            throw new RequestFailedException(503, $"Injected storage failure on write {FailOnWrite}.");
        }
    }
}

/// <summary>
/// Fails every storage write (not GET/HEAD) that <see cref="FailWhen"/> matches, as an outage of that resource would,
/// until it is disarmed; counts the failures. Thread-safe.
/// </summary>
internal sealed class StorageFault : HttpPipelineSynchronousPolicy
{
    private Func<StorageWrite, bool>? _fails;
    private int _failures;

    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Arms the fault (null disarms it).</summary>
    public void FailWhen(Func<StorageWrite, bool>? fails) => Volatile.Write(ref _fails, fails);

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Request.Method == RequestMethod.Get || message.Request.Method == RequestMethod.Head || Volatile.Read(ref _fails) is not { } fails)
        {
            return;
        }

        if (fails(StorageWrite.Of(message)))
        {
            Interlocked.Increment(ref _failures);
            throw new RequestFailedException(503, $"Injected storage failure: {message.Request.Method} {message.Request.Uri.Path}.");
        }
    }
}

/// <summary>What a storage write goes to, as a fault sees it.</summary>
internal enum StorageTarget
{
    Other,
    LakeBlob,
    DeadLetterBlob,
    FailedBatchBlob,
    ClaimTransaction,
    BatchRecord,
    Activity,
}

/// <summary>A storage write: the method, the unescaped path and what it writes to (an entity group transaction by the table its body names).</summary>
internal readonly record struct StorageWrite(string Method, string Path, StorageTarget Target)
{
    public static StorageWrite Of(HttpMessage message)
    {
        var path = Uri.UnescapeDataString(message.Request.Uri.Path);
        var text = path;
        if (path.EndsWith("/$batch", StringComparison.Ordinal) && message.Request.Content is { } content)
        {
            using var body = new MemoryStream();
            content.WriteTo(body, CancellationToken.None);
            text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        }

        var target = text switch
        {
            _ when path.Contains($"/{BlobContainers.EventsRejected}/", StringComparison.Ordinal) => StorageTarget.DeadLetterBlob,
            _ when path.Contains($"/{BlobContainers.EventsFailed}/", StringComparison.Ordinal) => StorageTarget.FailedBatchBlob,
            _ when path.Contains($"/{BlobContainers.Events}/", StringComparison.Ordinal) => StorageTarget.LakeBlob,
            _ when text.Contains(ProcessedEventLedger.BatchesTable, StringComparison.Ordinal) => StorageTarget.BatchRecord,
            _ when text.Contains(ProcessedEventLedger.EventsTable, StringComparison.Ordinal) => StorageTarget.ClaimTransaction,
            _ when text.Contains(TableDocumentLogStore.RecentActivityTable, StringComparison.Ordinal) => StorageTarget.Activity,
            _ => StorageTarget.Other,
        };
        return new StorageWrite(message.Request.Method.Method, path, target);
    }
}

/// <summary>Counts the storage requests sent (every attempt), by method: the cost the pipeline pays per batch.</summary>
internal sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<string, int> _byMethod = new(StringComparer.Ordinal);

    public int Total => _byMethod.Values.Sum();

    public IReadOnlyDictionary<string, int> ByMethod => _byMethod;

    public void Reset() => _byMethod.Clear();

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _byMethod.AddOrUpdate(message.Request.Method.Method, 1, (_, count) => count + 1);
    }
}
