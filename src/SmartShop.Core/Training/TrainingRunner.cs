using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Data;
using SmartShop.Core.Evaluation;
using SmartShop.Core.Experiments;
using SmartShop.Core.Privacy;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;

namespace SmartShop.Core.Training;

/// <summary>
/// One training run, from a file in the training-data container or from a window of the event lake: read, train the
/// recommender and the segmentation on everything before a temporal hold-out, score the challenger and the active
/// champion on that hold-out, publish the challenger as a new version and activate it only when its primary metric is
/// not worse than the champion's by more than the tolerance. Every run is recorded in the training-runs log; the same
/// input (by content hash) runs once. See docs/retraining.md.
/// </summary>
public sealed partial class TrainingRunner
{
    /// <summary>Blob metadata set on a processed training file: the run that handled it.</summary>
    public const string RunIdMetadata = "smartshoprunid";

    /// <summary>Blob metadata set on a processed training file: the run's decision (promoted, rejected, failed).</summary>
    public const string StatusMetadata = "smartshopstatus";

    /// <summary>Blob metadata on a refused file: why.</summary>
    public const string ReasonMetadata = "smartshopreason";

    public const string RunningStatus = "running";

    /// <summary>An infrastructure failure (storage unreachable, ...): the input may run again.</summary>
    public const string ErrorStatus = "error";

    private const string BlobTrigger = "blob";

    // Newest runs a sweep looks at: far more than can start within one stale window.
    private const int StaleSweepDepth = 100;

    // Attempts that died without an outcome (the process stopped mid-run) after which a file counts as bad data.
    private const int MaxWorkerStops = 2;
    private const string WorkerStopsKey = "workerStops";

    private readonly BlobContainers _containers;
    private readonly EventLakeReader _lake;
    private readonly ModelPublisher _publisher;
    private readonly IDocumentLogStore _runLog;
    private readonly SmartShopTelemetry _telemetry;
    private readonly TrainingOptions _options;
    private readonly TransactionCsvOptions _csv;
    private readonly TrainingRecipes _recipes;
    private readonly ErasedCustomers? _erasedCustomers;
    private readonly ExperimentStore? _experiments;
    private readonly TimeProvider _time;
    private readonly ILogger<TrainingRunner> _logger;

    public TrainingRunner(
        BlobContainers containers,
        ModelRegistry registry,
        IDocumentLogStore runLog,
        SmartShopTelemetry telemetry,
        TrainingOptions options,
        TimeProvider timeProvider,
        ILogger<TrainingRunner> logger,
        TrainingRecipes? recipes = null,
        ErasedCustomers? erasedCustomers = null,
        ExperimentStore? experiments = null)
    {
        _experiments = experiments;
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(runLog);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _containers = containers;
        _lake = new EventLakeReader(containers);
        _publisher = new ModelPublisher(registry);
        _runLog = runLog;
        _telemetry = telemetry;
        _options = options;
        _csv = options.Data.ToOptions();
        _recipes = recipes ?? new TrainingRecipes();
        _erasedCustomers = erasedCustomers;
        _time = timeProvider;
        _logger = logger;
    }

    public TrainingOptions Options => _options;

    /// <summary>
    /// Runs on <c>training-data/&lt;blobName&gt;</c>. A file whose content was already run returns that run's record
    /// (<see cref="TrainingRunReport.IsDuplicate"/>). Bad data returns a <see cref="TrainingDecision.Failed"/> report and moves
    /// the file to <see cref="BlobContainers.TrainingDataRejected"/>; a storage failure throws (the host retries).
    /// </summary>
    /// <exception cref="FileNotFoundException">The blob does not exist (any more).</exception>
    public async Task<TrainingRunReport> RunFromBlobAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        var started = _time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var container = await _containers.GetAsync(BlobContainers.TrainingData, cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlobClient(blobName);
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"Training file '{BlobContainers.TrainingData}/{blobName}' does not exist (already processed and moved, or deleted).", blobName, e);
        }

        // A file this runner already finished carries its run id (an overwrite clears metadata): no download needed.
        if (properties.Metadata.TryGetValue(RunIdMetadata, out var processedBy)
            && await _runLog.GetTrainingRunAsync(_options.RecommendationsModel, processedBy, cancellationToken).ConfigureAwait(false) is { Status: not (RunningStatus or ErrorStatus) } processed)
        {
            return Duplicate(processed);
        }

        var input = new RunInput(BlobTrigger, blobName, properties.ETag.ToString(), null);
        if (properties.ContentLength > _options.MaxInputBytes)
        {
            // Too large to download: the run id comes from the blob's identity, and the file is tagged where it is.
            var sizeRun = new RunContext(RunIdFor("upload", Sha256Hex($"{blobName}\n{properties.ETag}")), started, input);
            var reason = string.Create(CultureInfo.InvariantCulture, $"The training file is {properties.ContentLength:N0} bytes, over the limit of {_options.MaxInputBytes:N0} (Training:MaxInputBytes).");
            var claimed = await ClaimAsync(sizeRun, cancellationToken).ConfigureAwait(false);
            if (claimed is not null)
            {
                return claimed;
            }
            await TrainingFileBlobs.TagAsync(blob, properties.ETag, sizeRun.RunId, "failed", reason, cancellationToken).ConfigureAwait(false);
            return await FailAsync(sizeRun, reason, null, cancellationToken).ConfigureAwait(false);
        }

        using var scratch = new ScratchDirectory("training");
        var path = Path.Combine(scratch.Path, "input");
        var hash = await TrainingFileBlobs.DownloadAsync(blob, properties.ETag, path, cancellationToken).ConfigureAwait(false);
        var run = new RunContext(RunIdFor("upload", hash), started, input with { Hash = hash }, clock);
        Lap(run, "download");
        var duplicate = await ClaimAsync(run, cancellationToken).ConfigureAwait(false);
        if (duplicate is not null)
        {
            // The same content under another name: mark it too, so a poller does not download it again.
            await TrainingFileBlobs.TagAsync(blob, properties.ETag, duplicate.RunId, duplicate.Decision.ToString().ToLowerInvariant(), null, cancellationToken).ConfigureAwait(false);
            return duplicate;
        }

        try
        {
            if (run.WorkerStops >= MaxWorkerStops)
            {
                // The worker died on this file every time (the process, not the run, ran out of memory): bad data.
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"The worker stopped {run.WorkerStops} times while training this file (most likely out of memory): it is too large for this instance."));
            }
            var kind = TrainingInputReader.Detect(path, _csv);
            run.Kind = kind;
            var data = TrainingInputReader.Read(path, kind, _csv, cancellationToken);
            Lap(run, "read");
            if (kind == TrainingInputKind.Catalogue)
            {
                var catalogueReport = await StoreCatalogueAsync(run, path, data.Catalogue!, cancellationToken).ConfigureAwait(false);
                await TrainingFileBlobs.TagAsync(blob, properties.ETag, run.RunId, "promoted", null, cancellationToken).ConfigureAwait(false);
                return catalogueReport;
            }
            if (_options.IncludeLakeInUploads)
            {
                var lake = await ReadLakeAsync(_options.LakeWindow, cancellationToken).ConfigureAwait(false);
                data.Events.AddRange(lake.Events);
                run.Summary["lakeEvents"] = Invariant(lake.Events.Count);
            }

            var report = await TrainAndDecideAsync(run, data, cancellationToken).ConfigureAwait(false);
            await TrainingFileBlobs.TagAsync(blob, properties.ETag, run.RunId, report.Decision.ToString().ToLowerInvariant(), null, cancellationToken).ConfigureAwait(false);
            return report;
        }
        catch (Exception e) when (e is InvalidDataException or OutOfMemoryException or InsufficientMemoryException)
        {
            // Out of memory on one file is that file's fault: retrying it would fail the same way, forever.
            var reason = e is InvalidDataException ? e.Message : "The training file needs more memory than this instance has: split it or raise the plan's memory.";
            // Recorded first: the run is final even if moving the file fails (a later trigger then finds the record).
            var failed = await FailAsync(run, reason, null, cancellationToken).ConfigureAwait(false);
            await TrainingFileBlobs.MoveToRejectedAsync(_containers, blob, properties.ETag, path, run.RunId, reason, cancellationToken).ConfigureAwait(false);
            LogQuarantined(_logger, blob.Name, BlobContainers.TrainingDataRejected);
            return failed;
        }
        catch (Exception e)
        {
            // Cancellation (a host timeout) counts as well: a stuck "running" record would block the retry.
            await RecordErrorAsync(run, e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs on the clickstream lake's last <paramref name="window"/> (scheduled or drift-triggered retrain). The run id
    /// comes from the lake blobs' names and ETags, so an unchanged lake runs once.
    /// </summary>
    public async Task<TrainingRunReport> RunFromEventLakeAsync(TimeSpan window, string trigger, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        var started = _time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var lake = await ReadLakeAsync(window, cancellationToken).ConfigureAwait(false);
        var run = new RunContext(RunIdFor("lake", lake.Hash), started, new RunInput(trigger, null, null, lake.Hash), clock) { Kind = TrainingInputKind.EventLake };
        Lap(run, "read");
        var duplicate = await ClaimAsync(run, cancellationToken).ConfigureAwait(false);
        if (duplicate is not null)
        {
            return duplicate;
        }

        run.Summary["lakeBlobs"] = Invariant(lake.Blobs);
        run.Summary["windowDays"] = Invariant(window.TotalDays);
        try
        {
            if (lake.Events.Count == 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The event lake has no valid events in the last {window.TotalDays:0.##} days ({lake.Blobs} blobs read): nothing to train on."));
            }
            return await TrainAndDecideAsync(run, new TrainingData(TrainingInputKind.EventLake, lake.Events, null, null, lake.Quality), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            return await FailAsync(run, e.Message, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Cancellation (a host timeout) counts as well: a stuck "running" record would block the retry.
            await RecordErrorAsync(run, e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Finishes what dead workers left: every run still "running" past Training:StaleRunMinutes is taken over. A file's
    /// run is run again on its file (a file gone since is recorded as failed); a lake run is recorded as an error, so
    /// the next scheduled run on the same lake takes it over. Covers inputs whose redeliveries all came while the
    /// claim was fresh (the host gives up after its retries). Returns the reports of the runs it ran again.
    /// </summary>
    public async Task<IReadOnlyList<TrainingRunReport>> SweepStaleRunsAsync(CancellationToken cancellationToken = default)
    {
        var reports = new List<TrainingRunReport>();
        var staleBefore = _time.GetUtcNow() - TimeSpan.FromMinutes(_options.StaleRunMinutes);
        var runs = await _runLog.ListTrainingRunsAsync(_options.RecommendationsModel, StaleSweepDepth, cancellationToken).ConfigureAwait(false);
        foreach (var stale in runs.Where(r => r.Status == RunningStatus && r.StartedAt < staleBefore))
        {
            LogStaleRunTakenOver(_logger, stale.RunId, stale.StartedAt);
            if (stale.InputBlob is { } blob)
            {
                try
                {
                    reports.Add(await RunFromBlobAsync(blob, cancellationToken).ConfigureAwait(false));
                    continue;
                }
                catch (FileNotFoundException)
                {
                    // Deleted since: nothing left to train; the record must not stay running.
                }
            }
            var status = stale.InputBlob is null ? ErrorStatus : TrainingDecision.Failed.ToString().ToLowerInvariant();
            await _runLog.UpsertTrainingRunAsync(stale with
            {
                Status = status,
                CompletedAt = _time.GetUtcNow(),
                Message = stale.InputBlob is null ? "The worker stopped during the run; the next run on this lake window takes it over." : "The worker stopped during the run and the file no longer exists.",
            }, cancellationToken).ConfigureAwait(false);
        }
        return reports;
    }

    /// <summary>The promotion rule: promote unless the champion is usable, comparable and better by more than the tolerance.</summary>
    internal static (bool Promote, string Message) Decide(
        string primaryMetric, double tolerance, int minHoldoutUsers,
        IReadOnlyDictionary<string, double> challenger, string? championVersion, IReadOnlyDictionary<string, double>? champion)
    {
        var truth = primaryMetric[(primaryMetric.IndexOf('/', StringComparison.Ordinal) + 1)..];
        var users = (int)challenger.GetValueOrDefault("users/" + truth);
        var value = challenger.GetValueOrDefault(primaryMetric);
        if (championVersion is null)
        {
            return (true, string.Create(CultureInfo.InvariantCulture, $"No active model: the first version is activated ({primaryMetric} {value:F4} on {users} hold-out users)."));
        }
        if (champion is null)
        {
            return (true, $"The active version {championVersion} could not be evaluated: it is replaced.");
        }
        if (users < minHoldoutUsers)
        {
            return (false, string.Create(CultureInfo.InvariantCulture, $"Only {users} hold-out users (fewer than {minHoldoutUsers}): too few to trust a comparison; {championVersion} stays active."));
        }
        var championValue = champion.GetValueOrDefault(primaryMetric);
        var comparison = string.Create(CultureInfo.InvariantCulture, $"{primaryMetric} {value:F4} vs {championVersion} {championValue:F4} (tolerance {tolerance})");
        return value >= championValue - tolerance
            ? (true, $"Promoted: {comparison}.")
            : (false, $"Rejected, worse than the champion: {comparison}.");
    }

    private async Task<TrainingRunReport> TrainAndDecideAsync(RunContext run, TrainingData data, CancellationToken cancellationToken)
    {
        using var activity = SmartShopTelemetry.ActivitySource.StartActivity("TrainingRun");
        activity?.SetTag("smartshop.run_id", run.RunId);
        activity?.SetTag("smartshop.trigger", run.Input.Trigger);
        data = await ExcludeErasedAsync(run, data, cancellationToken).ConfigureAwait(false);
        var events = data.Events;
        var last = events.Max(e => e.Timestamp);
        var first = events.Min(e => e.Timestamp);
        var cutoff = last - _options.Holdout;
        var catalogue = await LoadCatalogueAsync(run, data, cutoff, cancellationToken).ConfigureAwait(false);
        (data, catalogue) = ExcludeNonProducts(run, data, catalogue);
        events = data.Events;
        var trainEvents = events.Where(e => e.Timestamp < cutoff).ToList();
        FillSummary(run, data, first, last, cutoff, trainEvents.Count);
        if (trainEvents.Count == 0)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"All {events.Count:N0} interactions fall within the {_options.HoldoutDays}-day hold-out ({first:yyyy-MM-dd} to {last:yyyy-MM-dd}): a run needs history before {cutoff:yyyy-MM-dd}."));
        }

        // The champion is whatever is active when training starts: two runs racing both compare against it, and the
        // pointer's ETag lets only one of them activate.
        var recommendationsModel = _options.RecommendationsModel;
        var active = await _publisher.Registry.GetActiveAsync(recommendationsModel, cancellationToken).ConfigureAwait(false);
        var split = HoldoutSplit.FromPurchases(events, cutoff);
        var challenger = new RecommenderTrainer(_recipes.Recommender).Train(trainEvents, catalogue, cancellationToken: cancellationToken);
        Lap(run, "train");
        var challengerMetrics = HoldoutMetrics.Score(new Recommender(challenger), split, cancellationToken);
        foreach (var (name, value) in challenger.Info.Parameters)
        {
            run.Parameters["recommender." + name] = value;
        }

        var champion = await EvaluateChampionAsync(recommendationsModel, active, split, cancellationToken).ConfigureAwait(false);
        Lap(run, "evaluate");
        var (promote, message) = Decide(_options.PrimaryMetric, _options.Tolerance, _options.MinHoldoutUsers, challengerMetrics, champion.Active?.Version, champion.Metrics);

        var segmentation = TrainSegmentation(data, cutoff, run, cancellationToken);
        Lap(run, "segment");
        var drift = segmentation is null
            ? new DriftComparison(null, [], null)
            : await DriftReference.CompareWithActiveAsync(_publisher.Registry, _options.SegmentationModel, segmentation.Features, new DriftThresholds(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var provenance = new TrainingProvenance(
            run.RunId, run.Input.Trigger, promote ? "promoted" : "rejected", challengerMetrics, champion.Metrics, champion.Active?.Version,
            run.Input.Blob, run.Input.Hash, cutoff, drift.Scores);
        var version = VersionName(run);
        await _publisher.PublishRecommendationsAsync(recommendationsModel, version, challenger, provenance, cancellationToken).ConfigureAwait(false);
        string? segmentationVersion = null;
        if (segmentation is not null)
        {
            segmentationVersion = version;
            await _publisher.PublishSegmentationAsync(_options.SegmentationModel, version, segmentation.Model, segmentation.Features, segmentation.Metrics, provenance, cancellationToken).ConfigureAwait(false);
        }

        var decision = promote ? TrainingDecision.Promoted : TrainingDecision.Rejected;
        if (promote && _options.CanaryShare > 0 && _experiments is not null && champion.Active is { } current)
        {
            var canary = CanaryExperiment(run.RunId, current.Version, version);
            if (await _experiments.TryCreateAsync(canary, cancellationToken).ConfigureAwait(false) is not null)
            {
                decision = TrainingDecision.Canary;
                message = string.Create(CultureInfo.InvariantCulture,
                    $"{message} Serving {_options.CanaryShare:P0} of the user route as canary experiment '{canary.Id}' until it wins or loses on CTR (at most {_options.CanaryDays} days).");
            }
            else
            {
                run.Problems.Add($"Canary experiment '{canary.Id}' exists already; the challenger was promoted instead.");
            }
        }
        if (decision == TrainingDecision.Promoted)
        {
            // One write activates the run's set: the recommendations pointer names the segmentation version too, and
            // serving reads the pair from it (ModelRegistry.GetActiveSetAsync). Its ETag makes this run's winner the
            // only one; the segmentation pointer follows for readers of that model alone, and a crash before it is harmless.
            var with = segmentationVersion is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [_options.SegmentationModel] = segmentationVersion };
            if (await _publisher.Registry.TryActivateWithAsync(recommendationsModel, version, champion.Active?.ETag, with, cancellationToken).ConfigureAwait(false))
            {
                if (segmentationVersion is not null && !await _publisher.Registry.TryActivateAsync(_options.SegmentationModel, segmentationVersion, cancellationToken).ConfigureAwait(false))
                {
                    run.Problems.Add($"The segmentation pointer changed while activating {segmentationVersion}; it was left as it is.");
                }
                await _publisher.Registry.ApplyRetentionAsync(recommendationsModel, cancellationToken).ConfigureAwait(false);
                if (segmentationVersion is not null)
                {
                    await _publisher.Registry.ApplyRetentionAsync(_options.SegmentationModel, linkedFrom: recommendationsModel, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                decision = TrainingDecision.Rejected;
                message = $"Superseded: another run activated a new version while this one trained ({message})";
            }
        }

        Lap(run, "publish");
        if (champion.Problem is not null)
        {
            run.Problems.Add(champion.Problem);
        }
        var report = Report(run, decision, message) with
        {
            RecommendationsVersion = version,
            SegmentationVersion = segmentationVersion,
            ChampionVersion = champion.Active?.Version,
            ChallengerMetrics = challengerMetrics,
            ChampionMetrics = champion.Metrics,
            SegmentationMetrics = segmentation?.Metrics ?? new Dictionary<string, double>(),
            Drift = drift.Features,
        };
        await _runLog.UpsertTrainingRunAsync(ToRecord(report, recommendationsModel, version, challengerMetrics), cancellationToken).ConfigureAwait(false);
        if (segmentation is not null)
        {
            await _runLog.UpsertTrainingRunAsync(ToRecord(report, _options.SegmentationModel, segmentationVersion, segmentation.Metrics), cancellationToken).ConfigureAwait(false);
        }

        var decisionName = decision.ToString().ToLowerInvariant();
        _telemetry.RecordTraining(recommendationsModel, decisionName, run.Clock.Elapsed, challengerMetrics);
        _telemetry.RecordTrainingRun(recommendationsModel, decisionName);
        if (decision == TrainingDecision.Canary)
        {
            activity?.AddEvent(new ActivityEvent("CanaryStarted", tags: new ActivityTagsCollection { [SmartShopTelemetry.Tags.ModelVersion] = version }));
            LogCanaryStarted(_logger, recommendationsModel, version, run.RunId, message);
        }
        else if (decision == TrainingDecision.Promoted)
        {
            _telemetry.RecordModelPromoted(recommendationsModel, version);
            activity?.AddEvent(new ActivityEvent("ModelPromoted", tags: new ActivityTagsCollection { [SmartShopTelemetry.Tags.ModelVersion] = version }));
            LogModelPromoted(_logger, recommendationsModel, version, run.RunId, message);
        }
        else
        {
            _telemetry.RecordModelRejected(recommendationsModel, message.StartsWith("Superseded", StringComparison.Ordinal) ? "superseded" : "worse");
            activity?.AddEvent(new ActivityEvent("ModelRejected", tags: new ActivityTagsCollection { [SmartShopTelemetry.Tags.ModelVersion] = version }));
            LogModelRejected(_logger, recommendationsModel, version, run.RunId, message);
        }
        return report;
    }

    /// <summary>
    /// Drops the events and transaction rows of erased customers (docs/privacy.md) and counts them in the run summary
    /// (<c>erasedInteractionsDropped</c>, <c>erasedTransactionRowsDropped</c>, <c>erasedCustomersDropped</c>); ids never
    /// reach the summary or the log.
    /// </summary>
    private async Task<TrainingData> ExcludeErasedAsync(RunContext run, TrainingData data, CancellationToken cancellationToken)
    {
        if (_erasedCustomers is null)
        {
            return data;
        }

        var erased = await _erasedCustomers.LoadAsync(cancellationToken).ConfigureAwait(false);
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        var events = data.Events.Where(e => !Erased(e.UserId)).ToList();
        var transactions = data.Transactions?.Where(t => t.CustomerId is null || !Erased(t.CustomerId)).ToList();
        var interactions = data.Events.Count - events.Count;
        var transactionRows = (data.Transactions?.Count ?? 0) - (transactions?.Count ?? 0);
        var rows = interactions + transactionRows;
        run.Summary["erasedInteractionsDropped"] = Invariant(interactions);
        run.Summary["erasedTransactionRowsDropped"] = Invariant(transactionRows);
        run.Summary["erasedCustomersDropped"] = Invariant(dropped.Count);
        if (rows > 0 && events.Count == 0)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Every interaction belongs to an erased customer ({rows:N0} rows dropped): nothing to train on."));
        }

        return rows == 0 ? data : data with { Events = events, Transactions = transactions };

        bool Erased(string customerId)
        {
            if (erased.Contains(customerId))
            {
                dropped.Add(customerId);
                return true;
            }

            return false;
        }
    }

    private SegmentationResult? TrainSegmentation(TrainingData data, DateTime cutoff, RunContext run, CancellationToken cancellationToken)
    {
        if (data.Transactions is null)
        {
            run.Summary["segmentation"] = "skipped: the input has no transactions";
            return null;
        }
        try
        {
            var features = TransactionFeatureBuilder.Build(data.Transactions, new TransactionFeatureOptions { TrainBefore = cutoff });
            var result = SegmentationEngine.Run(features.Features, _recipes.Segmentation with { Source = run.Input.Blob ?? "event-lake" }, features.Summary, cancellationToken);
            var validation = SegmentationEngine.ValidateOnHoldout(result.Analysis, features.HoldoutSpend, cutoff, features.Summary.HoldoutRows);
            var m = result.Analysis.Metrics;
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal)
            {
                ["k"] = m.K,
                ["customers"] = features.Features.Count,
                ["anomalies"] = m.Anomalies,
            };
            void Add(string name, double? value)
            {
                if (value is { } v && double.IsFinite(v))
                {
                    metrics[name] = Math.Round(v, 6);
                }
            }
            Add("silhouette", m.Silhouette);
            Add("daviesBouldin", m.DaviesBouldin);
            Add("calinskiHarabasz", m.CalinskiHarabasz);
            Add("stabilityAri", m.StabilityAdjustedRandIndex);
            Add("holdoutSpearman", validation.Spearman);
            return new SegmentationResult(result.Model, features.Features, metrics);
        }
        catch (InvalidDataException e)
        {
            // Segments need enough distinct customers; a file that cannot be segmented can still train recommendations.
            run.Problems.Add($"Segmentation skipped: {e.Message}");
            return null;
        }
    }

    /// <summary>Items the catalogue marks <c>isProduct: false</c> (fees, vouchers) are neither trained on nor segmented on.</summary>
    private static (TrainingData Data, Catalogue Catalogue) ExcludeNonProducts(RunContext run, TrainingData data, Catalogue catalogue)
    {
        var nonProducts = catalogue.Items.Where(i => !i.IsProduct).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        if (nonProducts.Count == 0)
        {
            return (data, catalogue);
        }
        var events = data.Events.Where(e => !nonProducts.Contains(e.ItemId)).ToList();
        run.Summary["nonProductInteractions"] = Invariant(data.Events.Count - events.Count);
        return (data with { Events = events, Transactions = data.Transactions?.Where(t => !nonProducts.Contains(t.StockCode)).ToList() },
            new Catalogue(catalogue.Items.Where(i => i.IsProduct)));
    }

    private async Task<Catalogue> LoadCatalogueAsync(RunContext run, TrainingData data, DateTime cutoff, CancellationToken cancellationToken)
    {
        var derived = data.Transactions is null ? [] : Catalogue.FromTransactions(data.Transactions.Where(t => t.InvoiceDate < cutoff)).Items;
        var registry = _publisher.Registry;
        if (await registry.GetActiveAsync(_options.CatalogueModel, cancellationToken).ConfigureAwait(false) is not { } active)
        {
            return new Catalogue(derived);
        }
        using var directory = new ScratchDirectory("catalogue");
        try
        {
            await registry.DownloadVersionAsync(_options.CatalogueModel, active.Version, directory.Path, cancellationToken).ConfigureAwait(false);
            var uploaded = Catalogue.Load(Path.Combine(directory.Path, ModelPublisher.CatalogueFileName));
            // The uploaded catalogue's titles, categories, prices and stock win over what transactions suggest.
            return new Catalogue(derived.Concat(uploaded.Items));
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or IOException)
        {
            // A damaged stored catalogue is not the upload's fault: train without it and say so.
            run.Problems.Add($"The active catalogue {active.Version} could not be read ({e.Message}); item data comes from the transactions.");
            return new Catalogue(derived);
        }
    }

    private async Task<ChampionEvaluation> EvaluateChampionAsync(string model, ActiveModel? active, HoldoutSplit split, CancellationToken cancellationToken)
    {
        if (active is null)
        {
            return new ChampionEvaluation(null, null, null);
        }
        try
        {
            using var directory = new ScratchDirectory("champion");
            await _publisher.Registry.DownloadVersionAsync(model, active.Version, directory.Path, cancellationToken).ConfigureAwait(false);
            var champion = ModelBundle.Load(directory.Path);
            return new ChampionEvaluation(active, HoldoutMetrics.Score(new Recommender(champion), split, cancellationToken), null);
        }
        catch (Exception e) when (e is ModelBundleException or InvalidDataException or KeyNotFoundException)
        {
            LogChampionUnusable(_logger, model, active.Version, e.Message);
            return new ChampionEvaluation(active, null, $"The active version {active.Version} could not be loaded for comparison: {e.Message}");
        }
    }

    private async Task<TrainingRunReport> StoreCatalogueAsync(RunContext run, string path, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var version = VersionName(run);
        var provenance = new TrainingProvenance(run.RunId, run.Input.Trigger, "promoted", new Dictionary<string, double>(), null, null, run.Input.Blob, run.Input.Hash, null);
        await _publisher.PublishCatalogueAsync(_options.CatalogueModel, version, path, catalogue.Items.Count, provenance, cancellationToken).ConfigureAwait(false);
        if (await _publisher.Registry.TryActivateAsync(_options.CatalogueModel, version, cancellationToken).ConfigureAwait(false))
        {
            await _publisher.Registry.ApplyRetentionAsync(_options.CatalogueModel, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            run.Problems.Add($"Another catalogue was activated at the same moment; {version} is stored but not active.");
        }
        run.Summary["catalogueItems"] = Invariant(catalogue.Items.Count);
        run.Parameters["catalogueVersion"] = version;
        var report = Report(run, TrainingDecision.Promoted, $"Catalogue of {catalogue.Items.Count:N0} products stored as {_options.CatalogueModel} {version}; it applies from the next training run (no model was trained).") with
        {
            CatalogueVersion = version,
        };
        await _runLog.UpsertTrainingRunAsync(ToRecord(report, _options.RecommendationsModel, null, new Dictionary<string, double>()), cancellationToken).ConfigureAwait(false);
        _telemetry.RecordTrainingRun(_options.CatalogueModel, "promoted");
        return report;
    }

    /// <summary>
    /// Creates the run's record; returns null when this caller owns the run, else the finished earlier run's report.
    /// </summary>
    /// <exception cref="TrainingRunInProgressException">A fresh claim holds the run: the trigger must be retried later.</exception>
    private async Task<TrainingRunReport?> ClaimAsync(RunContext run, CancellationToken cancellationToken)
    {
        var model = _options.RecommendationsModel;
        var running = ToRecord(Report(run, TrainingDecision.Failed, "Training in progress.") with { CompletedAt = null }, model, null, new Dictionary<string, double>()) with { Status = RunningStatus };
        if (await _runLog.TryCreateTrainingRunAsync(running, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var existing = await _runLog.GetTrainingRunAsync(model, run.RunId, cancellationToken).ConfigureAwait(false);
        if (existing is { Status: RunningStatus })
        {
            var staleAt = existing.StartedAt + TimeSpan.FromMinutes(_options.StaleRunMinutes);
            if (_time.GetUtcNow() <= staleAt)
            {
                // Success here would acknowledge an input that a crashed holder may never train.
                LogRunInProgress(_logger, existing.RunId, staleAt);
                throw new TrainingRunInProgressException(existing.RunId, existing.StartedAt, staleAt);
            }
            LogStaleRunTakenOver(_logger, existing.RunId, existing.StartedAt);
            // A stale claim means the worker died mid-run; counted, so a file that kills it is given up (see RunFromBlobAsync).
            run.WorkerStops = (existing.DataSummary?.GetValueOrDefault(WorkerStopsKey) is { } stops && int.TryParse(stops, CultureInfo.InvariantCulture, out var n) ? n : 0) + 1;
            run.Summary[WorkerStopsKey] = Invariant(run.WorkerStops);
            running = ToRecord(Report(run, TrainingDecision.Failed, "Training in progress.") with { CompletedAt = null }, model, null, new Dictionary<string, double>()) with { Status = RunningStatus };
        }
        if (existing is null)
        {
            // Deleted between the two reads: claim it afresh (a concurrent claimer loses the create).
            return await ClaimAsync(run, cancellationToken).ConfigureAwait(false);
        }
        if (existing is { Status: RunningStatus or ErrorStatus })
        {
            // The earlier attempt died or hit a storage failure: this one takes over, but only if the record is still the
            // one it read, so of two redeliveries finding the same stale claim exactly one trains the input. The loser
            // reads again and finds the winner's fresh claim (retry later) or its finished run (duplicate).
            return await _runLog.TryReplaceTrainingRunAsync(running, existing.ETag!, cancellationToken).ConfigureAwait(false)
                ? null
                : await ClaimAsync(run, cancellationToken).ConfigureAwait(false);
        }

        return Duplicate(existing);
    }

    private TrainingRunReport Duplicate(TrainingRun existing)
    {
        LogDuplicate(_logger, existing.RunId, existing.Status);
        _telemetry.RecordTrainingRun(_options.RecommendationsModel, "duplicate");
        return FromRecord(existing) with { IsDuplicate = true };
    }

    private async Task<TrainingRunReport> FailAsync(RunContext run, string reason, Exception? exception, CancellationToken cancellationToken)
    {
        var report = Report(run, TrainingDecision.Failed, "Training failed: " + reason) with { Error = reason };
        await _runLog.UpsertTrainingRunAsync(ToRecord(report, _options.RecommendationsModel, null, new Dictionary<string, double>()), cancellationToken).ConfigureAwait(false);
        _telemetry.RecordTrainingRun(_options.RecommendationsModel, "failed");
        Activity.Current?.AddEvent(new ActivityEvent("TrainingFailed", tags: new ActivityTagsCollection { [SmartShopTelemetry.Tags.Reason] = "bad-data" }));
        LogTrainingFailed(_logger, exception, run.RunId, run.Input.Blob ?? "event lake", reason);
        return report;
    }

    private async Task RecordErrorAsync(RunContext run, Exception exception)
    {
        var report = Report(run, TrainingDecision.Failed, "Training stopped by an infrastructure error; the input may run again.") with { Error = exception.Message };
        _telemetry.RecordTrainingRun(_options.RecommendationsModel, "failed");
        Activity.Current?.AddEvent(new ActivityEvent("TrainingFailed", tags: new ActivityTagsCollection { [SmartShopTelemetry.Tags.Reason] = "error" }));
        LogTrainingFailed(_logger, exception, run.RunId, run.Input.Blob ?? "event lake", exception.Message);
        try
        {
            await _runLog.UpsertTrainingRunAsync(ToRecord(report, _options.RecommendationsModel, null, new Dictionary<string, double>()) with { Status = ErrorStatus }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RequestFailedException or Microsoft.Azure.Cosmos.CosmosException or HttpRequestException)
        {
            // The log store may be what failed; the original exception is the one to surface.
        }
    }

    private void FillSummary(RunContext run, TrainingData data, DateTime first, DateTime last, DateTime cutoff, int trainInteractions)
    {
        var s = run.Summary;
        s["kind"] = data.Kind.ToString();
        s["rowsRead"] = Invariant(data.Quality.RowsRead);
        s["rowsAccepted"] = Invariant(data.Quality.RowsAccepted);
        s["rowsMalformed"] = Invariant(data.Quality.RowsMalformed);
        s["rowsDropped"] = Invariant(data.Quality.RowsDropped);
        if (data.Quality.RowsDropped > 0)
        {
            s["dropped"] = string.Join("; ", data.Quality.DropLines());
        }
        if (data.Quality.FirstMalformed.Count > 0)
        {
            s["firstMalformed"] = string.Join("; ", data.Quality.FirstMalformed.Select(r => Invariant(r.LineNumber) + ": " + r.Reason));
        }
        s["interactions"] = Invariant(data.Events.Count);
        s["trainInteractions"] = Invariant(trainInteractions);
        s["users"] = Invariant(data.Events.Select(e => e.UserId).Distinct(StringComparer.Ordinal).Count());
        s["items"] = Invariant(data.Events.Select(e => e.ItemId).Distinct(StringComparer.Ordinal).Count());
        s["from"] = first.ToString("O", CultureInfo.InvariantCulture);
        s["to"] = last.ToString("O", CultureInfo.InvariantCulture);
        s["holdoutCutoff"] = cutoff.ToString("O", CultureInfo.InvariantCulture);
        var p = run.Parameters;
        p["primaryMetric"] = _options.PrimaryMetric;
        p["tolerance"] = Invariant(_options.Tolerance);
        p["holdoutDays"] = Invariant(_options.HoldoutDays);
        p["minHoldoutUsers"] = Invariant(_options.MinHoldoutUsers);
    }

    private TrainingRunReport Report(RunContext run, TrainingDecision decision, string message) => new()
    {
        RunId = run.RunId,
        Trigger = run.Input.Trigger,
        Decision = decision,
        Message = message,
        StartedAt = run.StartedAt,
        CompletedAt = _time.GetUtcNow(),
        InputKind = run.Kind,
        InputBlob = run.Input.Blob,
        InputETag = run.Input.ETag,
        InputHash = run.Input.Hash,
        DataSummary = new SortedDictionary<string, string>(run.Summary, StringComparer.Ordinal),
        Parameters = new SortedDictionary<string, string>(run.Parameters, StringComparer.Ordinal),
        Error = run.Problems.Count == 0 ? null : string.Join(" ", run.Problems),
    };

    private static TrainingRun ToRecord(TrainingRunReport report, string model, string? version, IReadOnlyDictionary<string, double> metrics) =>
        new(model, report.RunId, report.StartedAt, report.CompletedAt, report.Decision.ToString().ToLowerInvariant(), version, metrics, report.Message)
        {
            Trigger = report.Trigger,
            InputBlob = report.InputBlob,
            InputETag = report.InputETag,
            InputHash = report.InputHash,
            DataSummary = report.DataSummary,
            Parameters = report.Parameters,
            ChampionVersion = report.ChampionVersion,
            ChampionMetrics = report.ChampionMetrics,
            Error = report.Error,
        };

    private static TrainingRunReport FromRecord(TrainingRun run) => new()
    {
        RunId = run.RunId,
        Trigger = run.Trigger ?? "unknown",
        Decision = Enum.TryParse<TrainingDecision>(run.Status, ignoreCase: true, out var decision) ? decision : TrainingDecision.Failed,
        Message = run.Message ?? run.Status,
        StartedAt = run.StartedAt,
        CompletedAt = run.CompletedAt,
        InputBlob = run.InputBlob,
        InputETag = run.InputETag,
        InputHash = run.InputHash,
        RecommendationsVersion = run.ModelVersion,
        ChampionVersion = run.ChampionVersion,
        ChallengerMetrics = run.Metrics,
        ChampionMetrics = run.ChampionMetrics,
        DataSummary = run.DataSummary ?? new Dictionary<string, string>(),
        Parameters = run.Parameters ?? new Dictionary<string, string>(),
        Error = run.Error,
    };

    /// <summary>Seconds spent in a stage (since the previous lap), in the data summary as seconds.&lt;stage&gt;.</summary>
    private static void Lap(RunContext run, string stage)
    {
        var total = run.Clock.Elapsed.TotalSeconds;
        run.Summary["seconds." + stage] = Invariant(Math.Round(total - run.LappedSeconds, 2));
        run.LappedSeconds = total;
    }

    /// <summary>The lake's interactions whose timestamp lies in (now − <paramref name="window"/>, now], each event once.</summary>
    private async Task<LakeWindow> ReadLakeAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var from = now - window;
        var lake = await _lake.ReadAsync(from, now, cancellationToken).ConfigureAwait(false);
        var events = lake.Events.Where(e => e.Timestamp >= from).Select(InteractionSources.FromClickstream).ToList();
        return new LakeWindow(events, lake.Quality, lake.Blobs, lake.Hash);
    }

    private static string RunIdFor(string source, string hash) => $"{source}-{hash[..32]}";

    private static string VersionName(RunContext run) =>
        string.Create(CultureInfo.InvariantCulture, $"{run.StartedAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{run.RunId[(run.RunId.IndexOf('-', StringComparison.Ordinal) + 1)..][..12]}");

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>
    /// The attribute Application Insights (Azure Monitor exporter) turns into a customEvents row, which the alert rules
    /// and the workbook query. A source-generated logger cannot name a placeholder with dots; LoggerMessage.Define can.
    /// </summary>
    public const string CustomEventAttribute = "microsoft.custom_event.name";

    // The attribute's name is fixed by the exporter, not PascalCase.
#pragma warning disable CA1727
    private static readonly Action<ILogger, string, string, string, string, string, Exception?> ModelPromotedEvent =
        LoggerMessage.Define<string, string, string, string, string>(LogLevel.Information, new EventId(8101, "ModelPromoted"),
            "{" + CustomEventAttribute + "}: {Model} {Version} activated by run {RunId}. {Reason}");

    private static readonly Action<ILogger, string, string, string, string, string, Exception?> ModelRejectedEvent =
        LoggerMessage.Define<string, string, string, string, string>(LogLevel.Information, new EventId(8102, "ModelRejected"),
            "{" + CustomEventAttribute + "}: {Model} {Version} of run {RunId} kept as a candidate. {Reason}");

    private static readonly Action<ILogger, string, string, string, string, string, Exception?> CanaryStartedEvent =
        LoggerMessage.Define<string, string, string, string, string>(LogLevel.Information, new EventId(8104, "CanaryStarted"),
            "{" + CustomEventAttribute + "}: {Model} {Version} of run {RunId} serves a canary. {Reason}");

    private static readonly Action<ILogger, string, string, string, string, Exception?> TrainingFailedEvent =
        LoggerMessage.Define<string, string, string, string>(LogLevel.Error, new EventId(8103, "TrainingFailed"),
            "{" + CustomEventAttribute + "}: run {RunId} on {Input}: {Reason}");
#pragma warning restore CA1727

    private static void LogModelPromoted(ILogger logger, string model, string version, string runId, string reason) =>
        ModelPromotedEvent(logger, "ModelPromoted", model, version, runId, reason, null);

    private static void LogCanaryStarted(ILogger logger, string model, string version, string runId, string reason) =>
        CanaryStartedEvent(logger, "CanaryStarted", model, version, runId, reason, null);

    /// <summary>The canary a run starts: the champion first (the control), the challenger with its share of the user route.</summary>
    private Experiment CanaryExperiment(string runId, string championVersion, string challengerVersion)
    {
        var label = new string(runId.ToLowerInvariant().Select(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '-').ToArray());
        var id = ("canary-" + label)[..Math.Min(64, 7 + label.Length)].TrimEnd('-');
        var now = _time.GetUtcNow();
        return new Experiment(id,
            [new ExperimentVariant("active", 1 - _options.CanaryShare, ModelVersion: championVersion), new ExperimentVariant("challenger", _options.CanaryShare, ModelVersion: challengerVersion)],
            [Attribution.RecommendationEndpoints.User], now, now.AddDays(_options.CanaryDays), Experiment.Ctr, [Experiment.RevenuePerMille])
        {
            Canary = new CanaryPolicy(_options.CanaryTolerance, _options.CanaryMinImpressions),
        };
    }

    private static void LogModelRejected(ILogger logger, string model, string version, string runId, string reason) =>
        ModelRejectedEvent(logger, "ModelRejected", model, version, runId, reason, null);

    private static void LogTrainingFailed(ILogger logger, Exception? exception, string runId, string input, string reason) =>
        TrainingFailedEvent(logger, "TrainingFailed", runId, input, reason, exception);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Information, Message = "Run {RunId} already exists ({Status}): duplicate input, nothing trained")]
    private static partial void LogDuplicate(ILogger logger, string runId, string status);

    [LoggerMessage(EventId = 8105, Level = LogLevel.Warning, Message = "The active {Model} version {Version} could not be loaded for comparison: {Reason}")]
    private static partial void LogChampionUnusable(ILogger logger, string model, string version, string reason);

    [LoggerMessage(EventId = 8106, Level = LogLevel.Warning, Message = "Refused training file {BlobName} moved to {Container}")]
    private static partial void LogQuarantined(ILogger logger, string blobName, string container);

    [LoggerMessage(EventId = 8107, Level = LogLevel.Information, Message = "Run {RunId} is in progress elsewhere; the trigger is retried (the claim goes stale at {StaleAt})")]
    private static partial void LogRunInProgress(ILogger logger, string runId, DateTimeOffset staleAt);

    [LoggerMessage(EventId = 8108, Level = LogLevel.Warning, Message = "Run {RunId} claimed at {ClaimedAt} never finished: this attempt takes it over")]
    private static partial void LogStaleRunTakenOver(ILogger logger, string runId, DateTimeOffset claimedAt);

    private sealed record RunInput(string Trigger, string? Blob, string? ETag, string? Hash);

    private sealed class RunContext(string runId, DateTimeOffset startedAt, RunInput input, Stopwatch? clock = null)
    {
        public string RunId { get; } = runId;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public RunInput Input { get; } = input;

        public TrainingInputKind? Kind { get; set; }

        public Dictionary<string, string> Summary { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);

        public List<string> Problems { get; } = [];

        public double LappedSeconds { get; set; }

        /// <summary>How many earlier attempts on this input died without recording an outcome.</summary>
        public int WorkerStops { get; set; }

        /// <summary>Started with the run: stage timings and the duration metric.</summary>
        public Stopwatch Clock { get; } = clock ?? Stopwatch.StartNew();
    }

    private sealed record ChampionEvaluation(ActiveModel? Active, IReadOnlyDictionary<string, double>? Metrics, string? Problem);

    private sealed record SegmentationResult(SegmentationModel Model, CustomerFeatureTable Features, IReadOnlyDictionary<string, double> Metrics);

}

/// <summary>A window of the event lake, read for a training run: its interactions and a hash of the blobs it came from.</summary>
internal sealed record LakeWindow(List<InteractionEvent> Events, DataQualityReport Quality, int Blobs, string Hash);
