using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SmartShop.Core.Training;
using SegmentationResult = SmartShop.Core.Segmentation.SegmentationAnalysis;

namespace SmartShop.Core.Privacy;

/// <summary>
/// Data-subject requests for one customer, shared by the admin routes and the CLI: <see cref="ExportAsync"/> gathers
/// everything the product holds about the customer into one document, <see cref="EraseAsync"/> deletes or rewrites it
/// and records the erasure, which suppresses what cannot be rewritten in place (loaded and stored model versions) until
/// the next training run drops the customer. What is kept where, and for how long: docs/privacy.md. Logs carry counts,
/// never the id.
/// </summary>
public sealed partial class CustomerDataService
{
    /// <summary>What replaces an erased customer's id among the leaves of a stored merge tree (the tree keeps its shape).</summary>
    public const string ErasedLeaf = "(erased)";

    /// <summary>Uploads of analyses (<c>uploads/analyses/&lt;id&gt;.csv</c>), as the analyses API stores them.</summary>
    public const string AnalysisUploadPrefix = "analyses/";

    private static readonly JsonSerializerOptions ResultJson = new(SegmentationModelStore.JsonOptions) { WriteIndented = false };

    private readonly IDocumentLogStore _store;
    private readonly BlobContainers _containers;
    private readonly ModelRegistry _registry;
    private readonly ErasedCustomers _erased;
    private readonly CustomerLakeLines _lake;
    private readonly FailedBatchStore _failedBatches;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CustomerDataService> _logger;
    private readonly string _recommendationsModel;
    private readonly string _segmentationModel;

    public CustomerDataService(
        IDocumentLogStore store,
        BlobContainers containers,
        ModelRegistry registry,
        ErasedCustomers erased,
        CustomerDataOptions options,
        TimeProvider timeProvider,
        ILogger<CustomerDataService> logger,
        string recommendationsModel = "recommendations",
        string segmentationModel = "segmentation",
        FailedBatchStore? failedBatches = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(erased);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _store = store;
        _containers = containers;
        _registry = registry;
        _erased = erased;
        _lake = new CustomerLakeLines(containers, options, timeProvider);
        _failedBatches = failedBatches ?? new FailedBatchStore(containers, timeProvider);
        _timeProvider = timeProvider;
        _logger = logger;
        _recommendationsModel = recommendationsModel;
        _segmentationModel = segmentationModel;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="customerId"/> is an id of the product's alphabet.</summary>
    public static void Validate(string? customerId)
    {
        if (customerId is null || !ClickstreamEventValidator.IsValidId(customerId))
        {
            throw new ArgumentException($"The customer id must be {ClickstreamEventValidator.IdRule}.", nameof(customerId));
        }
    }

    /// <summary>Everything held about the customer, in one document.</summary>
    /// <exception cref="ArgumentException">The id is not a valid id.</exception>
    public async Task<CustomerDataExport> ExportAsync(string customerId, CancellationToken cancellationToken = default)
    {
        Validate(customerId);
        var activity = _store.GetRecentActivityAsync(customerId, cancellationToken);
        var predictions = _store.ListAllPredictionsAsync(customerId, cancellationToken);
        var erasure = _erased.GetAsync(customerId, cancellationToken);
        var lake = _lake.FindAsync(BlobContainers.Events, line => CustomerLakeLines.IsEventOf(line, customerId), cancellationToken);
        var deadLetters = _lake.FindAsync(BlobContainers.EventsRejected, line => CustomerLakeLines.IsDeadLetterOf(line, customerId), cancellationToken);
        var analyses = FindAnalysesAsync(customerId, cancellationToken);
        var models = ActiveModelsAsync(customerId, cancellationToken);
        var failed = _failedBatches.FindAsync(payload => CustomerLakeLines.IsPayloadOf(payload, customerId), cancellationToken);
        await Task.WhenAll(activity, predictions, erasure, lake, deadLetters, analyses, models, failed).ConfigureAwait(false);

        var (lakeMatches, lakeRead, lakeTruncated) = await lake.ConfigureAwait(false);
        var (deadMatches, deadRead, deadTruncated) = await deadLetters.ConfigureAwait(false);
        var (analysisMatches, analysesRead) = await analyses.ConfigureAwait(false);
        var (segmentation, recommendations) = await models.ConfigureAwait(false);
        var export = new CustomerDataExport(
            customerId,
            _timeProvider.GetUtcNow(),
            await erasure.ConfigureAwait(false),
            await activity.ConfigureAwait(false),
            await predictions.ConfigureAwait(false),
            // An event the lake holds in two blobs (a retried batch) is listed once; erasure removes every copy.
            EventLakeReader.OncePerEvent(lakeMatches.SelectMany(m => m.Lines.Select(line => new LakeEventLine($"{BlobContainers.Events}/{m.Name}", ParseLine(line)))), EventIdOf).ToList(),
            deadMatches.SelectMany(m => m.Lines.Select(line => CustomerLakeLines.DeadLetter(line, $"{BlobContainers.EventsRejected}/{m.Name}")!)).ToList(),
            analysisMatches.Select(a => a.Data).ToList(),
            segmentation,
            recommendations,
            new LakeScan(_lake.ScanFrom, lakeRead, deadRead, lakeTruncated || deadTruncated, analysesRead))
        {
            FailedBatchEvents = await failed.ConfigureAwait(false),
        };
        LogExported(_logger, export.RecentActivity.Count, export.Predictions.Count, export.LakeEvents.Count, export.DeadLetters.Count, export.Analyses.Count, lakeRead + deadRead);
        return export;
    }

    /// <summary>
    /// Deletes the customer's recent activity and prediction entries, rewrites the lake and dead-letter blobs and the
    /// stored analysis results without the customer, deletes the uploads of those analyses, and records the erasure
    /// (which suppresses the customer in served models and drops it from the next training run). Idempotent.
    /// </summary>
    /// <exception cref="ArgumentException">The id is not a valid id.</exception>
    public async Task<CustomerDataErasure> EraseAsync(string customerId, CancellationToken cancellationToken = default)
    {
        Validate(customerId);
        var erasedAt = _timeProvider.GetUtcNow();
        // Recorded first: from here on serving suppresses the customer and training drops it, even if a later step fails.
        await _erased.RecordAsync(customerId, erasedAt, cancellationToken).ConfigureAwait(false);

        var activity = _store.DeleteRecentActivityAsync(customerId, cancellationToken);
        var predictions = _store.DeletePredictionsAsync(customerId, cancellationToken);
        var lake = RemoveLinesAsync(BlobContainers.Events, line => CustomerLakeLines.IsEventOf(line, customerId), cancellationToken);
        var deadLetters = RemoveLinesAsync(BlobContainers.EventsRejected, line => CustomerLakeLines.IsDeadLetterOf(line, customerId), cancellationToken);
        var analyses = EraseFromAnalysesAsync(customerId, cancellationToken);
        var models = ActiveModelsAsync(customerId, cancellationToken);
        var failed = _failedBatches.RemoveAsync(payload => CustomerLakeLines.IsPayloadOf(payload, customerId), cancellationToken);
        await Task.WhenAll(activity, predictions, lake, deadLetters, analyses, models, failed).ConfigureAwait(false);

        var lakeResult = await lake.ConfigureAwait(false);
        var deadResult = await deadLetters.ConfigureAwait(false);
        var (rewritten, uploadsDeleted, analysesRead) = await analyses.ConfigureAwait(false);
        var (segmentation, recommendations) = await models.ConfigureAwait(false);
        var report = new CustomerDataErasure(
            erasedAt,
            await activity.ConfigureAwait(false),
            await predictions.ConfigureAwait(false),
            lakeResult.Lines,
            lakeResult.Rewritten,
            lakeResult.Deleted,
            deadResult.Lines,
            rewritten,
            uploadsDeleted,
            recommendations?.KnownUser == true,
            segmentation is not null,
            new LakeScan(_lake.ScanFrom, lakeResult.Read, deadResult.Read, lakeResult.Truncated || deadResult.Truncated, analysesRead))
        {
            FailedBatchEventsDeleted = await failed.ConfigureAwait(false),
        };
        LogErased(_logger, report.PredictionsDeleted, report.LakeLinesDeleted, report.LakeBlobsRewritten + report.LakeBlobsDeleted, report.DeadLettersDeleted, report.AnalysesRewritten);
        return report;
    }

    private async Task<(int Lines, int Rewritten, int Deleted, int Read, bool Truncated)> RemoveLinesAsync(string container, Func<string, bool> names, CancellationToken cancellationToken)
    {
        var (matches, read, truncated) = await _lake.FindAsync(container, names, cancellationToken).ConfigureAwait(false);
        int lines = 0, rewritten = 0, deleted = 0;
        foreach (var match in matches)
        {
            var removal = await _lake.RemoveAsync(container, match, names, cancellationToken).ConfigureAwait(false);
            lines += removal.LinesRemoved;
            rewritten += removal.Rewritten ? 1 : 0;
            deleted += removal.Deleted ? 1 : 0;
        }

        return (lines, rewritten, deleted, read, truncated);
    }

    /// <summary>The stored analysis results (<c>analyses/&lt;id&gt;.json</c>) that hold the customer, with their ETags.</summary>
    private async Task<(List<(string Blob, SegmentationResult Result, ETag ETag, AnalysisAssignmentData Data)> Matches, int Read)> FindAnalysesAsync(string customerId, CancellationToken cancellationToken)
    {
        var container = await _containers.GetAsync(BlobContainers.Analyses, cancellationToken).ConfigureAwait(false);
        var matches = new List<(string, SegmentationResult, ETag, AnalysisAssignmentData)>();
        var read = 0;
        await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (await ReadAnalysisAsync(item.Name, cancellationToken).ConfigureAwait(false) is not { } stored)
            {
                continue;
            }

            read++;
            if (DataOf(stored.Blob, stored.Result, customerId) is { } data)
            {
                matches.Add((stored.Blob, stored.Result, stored.ETag, data));
            }
        }

        return (matches, read);
    }

    private async Task<(string Blob, SegmentationResult Result, ETag ETag)?> ReadAnalysisAsync(string blobName, CancellationToken cancellationToken)
    {
        var container = await _containers.GetAsync(BlobContainers.Analyses, cancellationToken).ConfigureAwait(false);
        try
        {
            var content = await container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var result = content.Value.Content.ToObjectFromJson<SegmentationResult>(ResultJson);
            return result is null ? null : (blobName, result, content.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (JsonException)
        {
            // Not a result this product wrote: nothing of the customer to find in it.
            return null;
        }
    }

    private static AnalysisAssignmentData? DataOf(string blobName, SegmentationResult result, string customerId)
    {
        var assignment = result.Assignments?.FirstOrDefault(a => a.CustomerId == customerId);
        var inProjection = result.Projection?.Any(p => p.CustomerId == customerId) == true;
        var inTree = result.Hierarchy?.LeafCustomerIds.Contains(customerId, StringComparer.Ordinal) == true;
        return assignment is null && !inProjection && !inTree
            ? null
            : new AnalysisAssignmentData(AnalysisId(blobName), result.CreatedUtc, assignment, inProjection, inTree);
    }

    private static string AnalysisId(string blobName) => blobName.EndsWith(".json", StringComparison.Ordinal) ? blobName[..^5] : blobName;

    /// <summary>Rewrites each result without the customer (If-Match; re-read on 412) and deletes the analysis's upload.</summary>
    private async Task<(int Rewritten, int UploadsDeleted, int Read)> EraseFromAnalysesAsync(string customerId, CancellationToken cancellationToken)
    {
        var (matches, read) = await FindAnalysesAsync(customerId, cancellationToken).ConfigureAwait(false);
        var container = await _containers.GetAsync(BlobContainers.Analyses, cancellationToken).ConfigureAwait(false);
        var uploads = await _containers.GetAsync(BlobContainers.Uploads, cancellationToken).ConfigureAwait(false);
        int rewritten = 0, uploadsDeleted = 0;
        foreach (var match in matches)
        {
            (string Blob, SegmentationResult Result, ETag ETag)? current = (match.Blob, match.Result, match.ETag);
            for (var attempt = 1; current is { } stored && DataOf(stored.Blob, stored.Result, customerId) is not null; attempt++)
            {
                try
                {
                    await container.GetBlobClient(stored.Blob).UploadAsync(
                        BinaryData.FromObjectAsJson(Without(stored.Result, customerId), ResultJson),
                        new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = stored.ETag } },
                        cancellationToken).ConfigureAwait(false);
                    await CustomerLakeLines.DeletePreviousVersionsAsync(container, stored.Blob, cancellationToken).ConfigureAwait(false);
                    rewritten++;
                    break;
                }
                catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.PreconditionFailed && attempt < 10)
                {
                    current = await ReadAnalysisAsync(stored.Blob, cancellationToken).ConfigureAwait(false);
                }
            }

            // The analysis's input held the customer's rows; the result no longer needs it. A blob the client named stays.
            var upload = uploads.GetBlobClient(AnalysisUploadPrefix + AnalysisId(match.Blob) + ".csv");
            if ((await upload.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value)
            {
                await CustomerLakeLines.DeletePreviousVersionsAsync(uploads, upload.Name, cancellationToken).ConfigureAwait(false);
                uploadsDeleted++;
            }
        }

        return (rewritten, uploadsDeleted, read);
    }

    private static SegmentationResult Without(SegmentationResult result, string customerId) => result with
    {
        Assignments = result.Assignments.Where(a => a.CustomerId != customerId).ToList(),
        Projection = result.Projection.Where(p => p.CustomerId != customerId).ToList(),
        Hierarchy = result.Hierarchy is { } tree
            ? tree with { LeafCustomerIds = tree.LeafCustomerIds.Select(id => id == customerId ? ErasedLeaf : id).ToList() }
            : null,
    };

    /// <summary>The customer in the active segmentation (features and segment) and recommendations (a known user?) versions.</summary>
    private async Task<(ActiveSegmentationData? Segmentation, ActiveRecommendationsData? Recommendations)> ActiveModelsAsync(string customerId, CancellationToken cancellationToken)
    {
        var (recommendations, segmentation) = await _registry.GetActiveSetAsync(_recommendationsModel, _segmentationModel, cancellationToken).ConfigureAwait(false);
        var erased = await _erased.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is not null;
        ActiveRecommendationsData? recommendationsData = null;
        if (recommendations is not null
            && await _registry.ReadVersionFileAsync(_recommendationsModel, recommendations.Version, ModelBundle.UsersFileName, cancellationToken).ConfigureAwait(false) is { } users)
        {
            var ids = users.ToObjectFromJson<string[]>() ?? [];
            recommendationsData = new ActiveRecommendationsData(recommendations.Version, ids.Contains(customerId, StringComparer.Ordinal), erased);
        }

        return (segmentation is null ? null : await SegmentOfAsync(segmentation.Version, customerId, erased, cancellationToken).ConfigureAwait(false), recommendationsData);
    }

    private async Task<ActiveSegmentationData?> SegmentOfAsync(string version, string customerId, bool erased, CancellationToken cancellationToken)
    {
        var features = await _registry.ReadVersionFileAsync(_segmentationModel, version, SegmentationModelStore.CustomerFeaturesFileName, cancellationToken).ConfigureAwait(false);
        var modelJson = await _registry.ReadVersionFileAsync(_segmentationModel, version, SegmentationModelStore.ModelFileName, cancellationToken).ConfigureAwait(false);
        if (features is null || modelJson is null)
        {
            return null;
        }

        using var stream = modelJson.ToStream();
        var model = await SegmentationModelStore.ReadModelAsync(stream, $"{_segmentationModel}/{version}", cancellationToken).ConfigureAwait(false);
        var known = SegmentationModelStore.ReadKnownCustomers(new StringReader(features.ToString()), model.FeatureNames);
        var row = known.IndexOfCustomer(customerId);
        if (row < 0)
        {
            return null;
        }

        var values = known.Row(row).ToArray();
        var predictor = new SegmentPredictor(model);
        var segment = predictor.Predict(values);
        var persona = model.Segments.FirstOrDefault(s => s.Id == segment)?.Persona ?? segment.ToString(CultureInfo.InvariantCulture);
        var named = known.FeatureNames.Select((name, i) => (name, i)).ToDictionary(f => f.name, f => values[f.i], StringComparer.Ordinal);
        return new ActiveSegmentationData(version, segment, persona, named, erased);
    }

    private static string? EventIdOf(LakeEventLine line) =>
        line.Event.ValueKind == JsonValueKind.Object && line.Event.TryGetProperty("eventId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    private static JsonElement ParseLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Customer data exported: {Activities} activities, {Predictions} predictions, {LakeLines} lake lines, {DeadLetters} dead letters, {Analyses} analyses ({BlobsRead} lake blobs read)")]
    private static partial void LogExported(ILogger logger, int activities, int predictions, int lakeLines, int deadLetters, int analyses, int blobsRead);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Customer data erased: {Predictions} predictions, {LakeLines} lake lines in {LakeBlobs} blobs, {DeadLetters} dead letters, {Analyses} analyses rewritten")]
    private static partial void LogErased(ILogger logger, int predictions, int lakeLines, int lakeBlobs, int deadLetters, int analyses);
}
