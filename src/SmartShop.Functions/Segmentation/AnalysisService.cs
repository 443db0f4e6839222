using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SegmentationResult = SmartShop.Core.Segmentation.SegmentationAnalysis;
using StoredAnalysis = SmartShop.Core.Storage.SegmentationAnalysis;

namespace SmartShop.Functions.Segmentation;

/// <summary>
/// The outcome of running an analysis: succeeded, or failed with a message fit for the client. <c>Result</c> is the
/// stored result of a succeeded run, so a synchronous caller answers with it without reading it back.
/// <c>InputWasTooLarge</c>: the invalid input was over a size limit (413, not 400). <c>NeedsBackground</c>: a
/// synchronous run found more input than <see cref="AnalysesOptions.SynchronousInputBytes"/> and stopped; the record is
/// pending again, for the queue.
/// </summary>
public sealed record AnalysisOutcome(StoredAnalysis Record, bool InputWasInvalid, SegmentationResult? Result = null)
{
    public bool InputWasTooLarge { get; init; }

    public bool NeedsBackground { get; init; }
}

/// <summary>
/// Segmentation analyses: the record (status + summary) in the document log store, the input in the <c>uploads</c>
/// container (or a referenced blob), the full result as <c>analyses/&lt;id&gt;.json</c>.
/// </summary>
public sealed partial class AnalysisService(
    BlobContainers containers,
    IDocumentLogStore store,
    AnalysesOptions options,
    TimeProvider timeProvider,
    ILogger<AnalysisService> logger)
{
    // Error texts go into the record and problem details: bounded whatever a reader put in them.
    private const int MaxErrorLength = 1_000;

    /// <summary>Uploads are stored under this prefix of the uploads container; only these are deleted with their analysis.</summary>
    public const string UploadPrefix = "analyses/";

    /// <summary>Containers a JSON request may point into: data drop zones, never models or logs.</summary>
    public static IReadOnlyList<string> ReadableContainers { get; } = [BlobContainers.Uploads, BlobContainers.TrainingData];

    private static readonly JsonSerializerOptions ResultJson = new(SegmentationModelStore.JsonOptions) { WriteIndented = false };
    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web);

    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>Ids are 32 lower-case hex digits; anything else cannot name an analysis.</summary>
    public static bool IsWellFormedId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    /// <summary>Streams <paramref name="content"/> into the uploads container; returns the blob name ("uploads/…") and its size.</summary>
    /// <exception cref="UploadTooLargeException">More than <paramref name="maxBytes"/> bytes arrived.</exception>
    public async Task<(string BlobName, long Bytes)> StoreUploadAsync(string analysisId, Stream content, long maxBytes, CancellationToken cancellationToken = default)
    {
        var upload = UploadOf(analysisId);
        var blob = await BlobAsync(upload, cancellationToken).ConfigureAwait(false);
        await using var limited = new CountingStream(content, total => { if (total > maxBytes) throw new UploadTooLargeException(maxBytes); }, leaveOpen: true);
        try
        {
            await blob.UploadAsync(limited, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        catch (UploadTooLargeException)
        {
            await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            throw;
        }

        return (upload.ToString(), limited.BytesRead);
    }

    /// <summary>
    /// A blob a request names as its input: a drop zone (<see cref="ReadableContainers"/>) outside the names this API
    /// issues for uploads, which belong to their analyses. <paramref name="error"/> never quotes the name.
    /// </summary>
    public static bool TryParseInput(string? blobName, [NotNullWhen(true)] out BlobReference? reference, [NotNullWhen(false)] out string? error)
    {
        if (!BlobReference.TryParse(blobName, ReadableContainers, out reference, out error))
        {
            return false;
        }

        if (reference.Container == BlobContainers.Uploads && reference.Name.StartsWith(UploadPrefix, StringComparison.Ordinal))
        {
            (reference, error) = (null, $"Names under {BlobContainers.Uploads}/{UploadPrefix} are the uploads of analyses; upload a file or name another blob.");
            return false;
        }

        return true;
    }

    /// <summary>The size of a referenced blob, or null when it does not exist.</summary>
    public async Task<long?> GetBlobSizeAsync(BlobReference blobName, CancellationToken cancellationToken = default)
    {
        var client = await BlobAsync(blobName, cancellationToken).ConfigureAwait(false);
        try
        {
            return (await client.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.BadRequest)
        {
            // 400: a name the service cannot hold, so no such blob either.
            return null;
        }
    }

    public async Task<StoredAnalysis> CreatePendingAsync(string analysisId, string sourceBlobName, AnalysisSummary summary, CancellationToken cancellationToken = default)
    {
        var record = new StoredAnalysis(analysisId, timeProvider.GetUtcNow(), AnalysisStatus.Pending, sourceBlobName, Serialize(summary), null);
        await store.UpsertAnalysisAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>
    /// Runs a pending analysis to succeeded or failed. Invalid input (CSV, columns, k) fails the analysis with the reader's
    /// message; anything else fails it with a generic message (details in the log only). A <paramref name="synchronous"/>
    /// run reads at most <see cref="AnalysesOptions.SynchronousInputBytes"/> decompressed bytes: past that it stops, the
    /// record is pending again and the outcome says it needs the background queue.
    /// </summary>
    public async Task<AnalysisOutcome> RunAsync(StoredAnalysis pending, bool synchronous = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var summary = TryReadSummary(pending) ?? throw new InvalidOperationException($"Analysis '{pending.AnalysisId}' has no parameters to run with.");
        if (await store.GetAnalysisAsync(pending.AnalysisId, cancellationToken).ConfigureAwait(false) is null)
        {
            // Deleted while it waited in the queue: running it would bring the record back.
            LogSkippedDeleted(logger, pending.AnalysisId);
            return new AnalysisOutcome(pending, false);
        }

        var running = pending with { Status = AnalysisStatus.Running };
        await store.UpsertAnalysisAsync(running, cancellationToken).ConfigureAwait(false);
        LogRunning(logger, pending.AnalysisId, summary.Source, summary.InputBytes);
        try
        {
            var budget = synchronous ? Math.Min(options.SynchronousInputBytes, options.MaxInputBytes) : options.MaxInputBytes;
            SegmentationResult result;
            try
            {
                result = await SegmentAsync(pending.SourceBlobName!, summary, new InputLimits { MaxBytes = budget }, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e) when (budget < options.MaxInputBytes && InputLimits.LimitOf(e) == InputLimits.SizeLimit)
            {
                // More than a request should wait for, and only reading told: the queue runs it with the full limit.
                await store.UpsertAnalysisAsync(pending, cancellationToken).ConfigureAwait(false);
                return new AnalysisOutcome(pending, false) { NeedsBackground = true };
            }

            var results = await containers.GetAsync(BlobContainers.Analyses, cancellationToken).ConfigureAwait(false);
            await results.GetBlobClient(ResultBlobName(pending.AnalysisId))
                .UploadAsync(BinaryData.FromObjectAsJson(result, ResultJson), overwrite: true, cancellationToken).ConfigureAwait(false);
            var done = running with
            {
                Status = AnalysisStatus.Succeeded,
                ResultJson = Serialize(summary with { K = result.Metrics.K, Customers = result.Input.Customers, Silhouette = result.Metrics.Silhouette, CompletedAt = timeProvider.GetUtcNow() }),
            };
            var kept = await FinishAsync(done, cancellationToken).ConfigureAwait(false);
            return new AnalysisOutcome(done, false, kept ? result : null);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FileNotFoundException)
        {
            var error = e.Message.Length > MaxErrorLength ? string.Concat(e.Message.AsSpan(0, MaxErrorLength - 1), "…") : e.Message;
            LogInvalidInput(logger, pending.AnalysisId, error);
            var failed = running with { Status = AnalysisStatus.Failed, Error = error, ResultJson = Serialize(summary with { CompletedAt = timeProvider.GetUtcNow() }) };
            await FinishAsync(failed, cancellationToken).ConfigureAwait(false);
            return new AnalysisOutcome(failed, true) { InputWasTooLarge = InputLimits.LimitOf(e) is not null };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRunFailed(logger, e, pending.AnalysisId);
            var failed = running with { Status = AnalysisStatus.Failed, Error = "The analysis failed unexpectedly; the service log has the details.", ResultJson = Serialize(summary with { CompletedAt = timeProvider.GetUtcNow() }) };
            await FinishAsync(failed, cancellationToken).ConfigureAwait(false);
            return new AnalysisOutcome(failed, false);
        }
    }

    /// <summary>
    /// Runs the analysis a queue message names. Deliveries are at least once: a finished or deleted analysis is left
    /// as it is, and one that an interrupted run left pending or running is run again from its input.
    /// </summary>
    public async Task RunQueuedAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        if (!IsWellFormedId(analysisId))
        {
            // Not a message this API wrote: retrying cannot help, so it is dropped rather than poisoned.
            LogMalformedMessage(logger);
            return;
        }

        var record = await store.GetAnalysisAsync(analysisId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            LogSkippedDeleted(logger, analysisId);
            return;
        }

        if (record.Status is AnalysisStatus.Succeeded or AnalysisStatus.Failed)
        {
            LogAlreadyFinished(logger, analysisId, record.Status);
            return;
        }

        await RunAsync(record, synchronous: false, cancellationToken).ConfigureAwait(false);
    }

    public Task<StoredAnalysis?> GetAsync(string analysisId, CancellationToken cancellationToken = default) =>
        store.GetAnalysisAsync(analysisId, cancellationToken);

    public Task<AnalysisPage> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
        store.ListAnalysesAsync(pageSize, continuationToken, cancellationToken);

    /// <summary>The full result of a succeeded analysis, or null when its blob is missing.</summary>
    public async Task<SegmentationResult?> ReadResultAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        var results = await containers.GetAsync(BlobContainers.Analyses, cancellationToken).ConfigureAwait(false);
        try
        {
            var content = await results.GetBlobClient(ResultBlobName(analysisId)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToObjectFromJson<SegmentationResult>(ResultJson);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes the record, the result and an uploaded input (a referenced blob is the client's and stays); false when unknown.</summary>
    public async Task<bool> DeleteAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        var record = await store.GetAnalysisAsync(analysisId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return false;
        }

        // The record goes first: a background run that finishes later sees it gone and does not bring it back.
        await store.DeleteAnalysisAsync(analysisId, cancellationToken).ConfigureAwait(false);
        var results = await containers.GetAsync(BlobContainers.Analyses, cancellationToken).ConfigureAwait(false);
        await results.GetBlobClient(ResultBlobName(analysisId)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await DeleteUploadAsync(record, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Forgets an analysis that was never accepted (bad input in a synchronous run, a full queue).</summary>
    public async Task DiscardAsync(StoredAnalysis record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await store.DeleteAnalysisAsync(record.AnalysisId, cancellationToken).ConfigureAwait(false);
        await DeleteUploadAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the upload this API stored for <paramref name="analysisId"/>, if any. The name is derived from the id,
    /// never taken from a request or a record, so nothing else can be deleted through an analysis.
    /// </summary>
    public async Task DiscardUploadAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        if (IsWellFormedId(analysisId))
        {
            await (await BlobAsync(UploadOf(analysisId), cancellationToken).ConfigureAwait(false))
                .DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The record's summary, or null for a record this API did not write (the log store is shared).</summary>
    public static AnalysisSummary? TryReadSummary(StoredAnalysis record)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            var summary = record.ResultJson is null ? null : JsonSerializer.Deserialize<AnalysisSummary>(record.ResultJson, SummaryJson);
            return summary?.Parameters is null || summary.Source is null ? null : summary;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string ResultBlobName(string analysisId) => $"{analysisId}.json";

    private async Task<SegmentationResult> SegmentAsync(string sourceBlobName, AnalysisSummary summary, InputLimits limits, CancellationToken cancellationToken)
    {
        // The record's source is checked again: records written by older versions were not validated on the way in.
        if (!BlobReference.TryParse(sourceBlobName, ReadableContainers, out var source, out var error))
        {
            throw new InvalidDataException($"The analysis input cannot be read: {error}");
        }

        var blob = await BlobAsync(source, cancellationToken).ConfigureAwait(false);
        Stream content;
        try
        {
            content = await blob.OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"The input blob '{source}' no longer exists.", e);
        }

        await using (content.ConfigureAwait(false))
        {
            // CPU-bound from here on (parsing and clustering): off the request's synchronization context.
            return await Task.Run(
                () =>
                {
                    using var reader = Core.Data.InputFile.OpenText(content, summary.Parameters.Encoding, limits);
                    var inputOptions = summary.Parameters.ToInputOptions();
                    var input = SegmentationInputReader.Read(reader, inputOptions with { Csv = inputOptions.Csv with { Limits = limits } }, cancellationToken);
                    var analysis = SegmentationEngine.Run(input.Table, summary.Parameters.ToSegmentationOptions(summary.Source), input.Transactions?.Summary, cancellationToken).Analysis;
                    // The rows the reader dropped, one line per reason, travel with the result (the CLI prints them).
                    return input.Quality is { RowsDropped: > 0 } quality
                        ? analysis with { Notes = [.. analysis.Notes, .. quality.DropLines().Select(line => "input: " + line)] }
                        : analysis;
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stores the finished record; false when the analysis was deleted meanwhile (its result blob is dropped too).</summary>
    private async Task<bool> FinishAsync(StoredAnalysis finished, CancellationToken cancellationToken)
    {
        // Deleted while running: leave it deleted (and drop the result just written).
        if (await store.GetAnalysisAsync(finished.AnalysisId, cancellationToken).ConfigureAwait(false) is null)
        {
            var results = await containers.GetAsync(BlobContainers.Analyses, cancellationToken).ConfigureAwait(false);
            await results.GetBlobClient(ResultBlobName(finished.AnalysisId)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return false;
        }

        await store.UpsertAnalysisAsync(finished, cancellationToken).ConfigureAwait(false);
        LogFinished(logger, finished.AnalysisId, finished.Status);
        return true;
    }

    private Task DeleteUploadAsync(StoredAnalysis record, CancellationToken cancellationToken) =>
        DiscardUploadAsync(record.AnalysisId, cancellationToken);

    private static BlobReference UploadOf(string analysisId) =>
        IsWellFormedId(analysisId)
            ? BlobReference.Of(BlobContainers.Uploads, $"{UploadPrefix}{analysisId}.csv")
            : throw new ArgumentException("Not an analysis id.", nameof(analysisId));

    /// <summary>
    /// The client of a parsed reference. The strict alphabet of <see cref="BlobReference"/> keeps URI normalisation
    /// from moving the name; the address is checked once more so that no future relaxation can widen it silently.
    /// </summary>
    private async Task<BlobClient> BlobAsync(BlobReference reference, CancellationToken cancellationToken)
    {
        var client = (await containers.GetAsync(reference.Container, cancellationToken).ConfigureAwait(false)).GetBlobClient(reference.Name);
        return client.Uri.AbsolutePath.EndsWith($"/{reference.Container}/{reference.Name}", StringComparison.Ordinal)
            ? client
            : throw new InvalidOperationException("A blob reference resolved outside its container.");
    }

    private static string Serialize(AnalysisSummary summary) => JsonSerializer.Serialize(summary, SummaryJson);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Analysis {AnalysisId} running on {Source} ({InputBytes} bytes)")]
    private static partial void LogRunning(ILogger logger, string analysisId, string source, long inputBytes);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Analysis {AnalysisId} finished: {Status}")]
    private static partial void LogFinished(ILogger logger, string analysisId, string status);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Analysis {AnalysisId} input is invalid: {Reason}")]
    private static partial void LogInvalidInput(ILogger logger, string analysisId, string reason);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Information, Message = "Analysis {AnalysisId} was deleted before it ran")]
    private static partial void LogSkippedDeleted(ILogger logger, string analysisId);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Information, Message = "Analysis {AnalysisId} was delivered again after it finished ({Status}); nothing to do")]
    private static partial void LogAlreadyFinished(ILogger logger, string analysisId, string status);

    [LoggerMessage(EventId = 7108, Level = LogLevel.Warning, Message = "A queued analysis message does not name an analysis id; dropped")]
    private static partial void LogMalformedMessage(ILogger logger);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Error, Message = "Analysis {AnalysisId} failed unexpectedly")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string analysisId);
}

/// <summary>An upload exceeded its byte limit while streaming.</summary>
public sealed class UploadTooLargeException(long limit) : IOException($"The upload exceeds {limit} bytes.")
{
    public long Limit { get; } = limit;
}
