using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;

namespace SmartShop.Core.Telemetry;

/// <summary>
/// The app's custom metrics (one <see cref="Meter"/>) and spans (one <see cref="ActivitySource"/>), both named
/// <see cref="SourceName"/>. Dimensions are low-cardinality names only: no user ids, item ids or free text.
/// </summary>
public sealed class SmartShopTelemetry : IDisposable
{
    public const string SourceName = "SmartShop";

    public static class Names
    {
        public const string RecommendationLatency = "smartshop.recommendation.latency";
        public const string CacheLookups = "smartshop.cache.lookups";
        public const string EventsAccepted = "smartshop.events.accepted";
        public const string EventsRejected = "smartshop.events.rejected";
        public const string IngestionLag = "smartshop.ingestion.lag";
        public const string IngestionFailedBatches = "smartshop.ingestion.failed_batches";
        public const string TrainingDuration = "smartshop.training.duration";
        public const string TrainingMetric = "smartshop.training.metric";
        public const string ModelPromoted = "smartshop.model.promoted";
        public const string ModelRejected = "smartshop.model.rejected";
        public const string TrainingRuns = "smartshop.training.runs";
        public const string DriftScore = "smartshop.drift.score";
        public const string DriftAlerts = "smartshop.drift.alerts";
        public const string LogDropped = "smartshop.log.dropped";
    }

    /// <summary>What became of a batch whose last delivery attempt failed (the <see cref="Tags.Outcome"/> of <see cref="Names.IngestionFailedBatches"/>).</summary>
    public static class FailedBatchOutcomes
    {
        /// <summary>Kept in the events-failed container for replay.</summary>
        public const string Kept = "kept";

        /// <summary>Not even kept: only the log line (EventId 7004) says which sequence range to rewind to.</summary>
        public const string Lost = "lost";
    }

    public static class Tags
    {
        public const string Endpoint = "endpoint";
        public const string Model = "model";
        public const string ModelVersion = "model.version";
        public const string Cache = "cache";
        public const string CacheResult = "cache.result";
        public const string Source = "source";
        public const string Reason = "reason";
        public const string Outcome = "outcome";
        public const string Decision = "decision";
        public const string Metric = "metric";
        public const string Feature = "feature";
        public const string Log = "log";
        public const string RequestId = "smartshop.request_id";
        public const string UserHash = "smartshop.user_hash";
    }

    /// <summary>Spans for the app's own work (training, ingestion, analysis); the worker exports it when telemetry is on.</summary>
    public static ActivitySource ActivitySource { get; } = new(SourceName);

    private readonly Meter _meter;
    private readonly Histogram<double> _recommendationLatency;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _eventsAccepted;
    private readonly Counter<long> _eventsRejected;
    private readonly Histogram<double> _ingestionLag;
    private readonly Counter<long> _ingestionFailedBatches;
    private readonly Histogram<double> _trainingDuration;
    private readonly Gauge<double> _trainingMetric;
    private readonly Counter<long> _modelPromoted;
    private readonly Counter<long> _modelRejected;
    private readonly Counter<long> _trainingRuns;
    private readonly Gauge<double> _driftScore;
    private readonly Counter<long> _driftAlerts;
    private readonly Counter<long> _logDropped;
    private readonly byte[]? _userHashKey;

    /// <param name="userIdHashKey">Key for <see cref="PseudonymizeUserId"/>; null leaves user ids out of telemetry entirely.</param>
    public SmartShopTelemetry(IMeterFactory meterFactory, string? userIdHashKey = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(SourceName);
        _userHashKey = string.IsNullOrEmpty(userIdHashKey) ? null : Encoding.UTF8.GetBytes(userIdHashKey);
        _recommendationLatency = _meter.CreateHistogram<double>(Names.RecommendationLatency, "ms", "Time to answer a recommendation request, by endpoint and model version served.");
        _cacheLookups = _meter.CreateCounter<long>(Names.CacheLookups, "{lookup}", "Cache lookups by cache and result (hit/miss); hit ratio = hits / all.");
        _eventsAccepted = _meter.CreateCounter<long>(Names.EventsAccepted, "{event}", "Events stored in the lake, by source.");
        _eventsRejected = _meter.CreateCounter<long>(Names.EventsRejected, "{event}", "Events dead-lettered, by reason.");
        _ingestionLag = _meter.CreateHistogram<double>(Names.IngestionLag, "s", "Time from an event's enqueue to its storage in the lake.");
        _ingestionFailedBatches = _meter.CreateCounter<long>(Names.IngestionFailedBatches, "{batch}", "Event Hubs batches whose last delivery attempt failed, by outcome (kept for replay, lost).");
        _trainingDuration = _meter.CreateHistogram<double>(Names.TrainingDuration, "s", "Training run duration, by model and outcome.");
        _trainingMetric = _meter.CreateGauge<double>(Names.TrainingMetric, description: "Evaluation metric of the latest training run, by model and metric name.");
        _modelPromoted = _meter.CreateCounter<long>(Names.ModelPromoted, "{model}", "Trained versions activated, by model.");
        _modelRejected = _meter.CreateCounter<long>(Names.ModelRejected, "{model}", "Trained versions not activated, by model and reason.");
        _trainingRuns = _meter.CreateCounter<long>(Names.TrainingRuns, "{run}", "Training runs by model and decision (promoted, rejected, failed, duplicate).");
        _driftScore = _meter.CreateGauge<double>(Names.DriftScore, description: "Latest drift score, by model and feature.");
        _driftAlerts = _meter.CreateCounter<long>(Names.DriftAlerts, "{feature}", "Features whose drift score reached the alert threshold, by model and feature.");
        _logDropped = _meter.CreateCounter<long>(Names.LogDropped, "{entry}", "Document log entries dropped, by log and reason.");
    }

    public void RecordRecommendation(string endpoint, string modelVersion, TimeSpan latency) =>
        _recommendationLatency.Record(latency.TotalMilliseconds, new(Tags.Endpoint, endpoint), new(Tags.ModelVersion, modelVersion));

    public void RecordCacheLookup(string cache, bool hit) =>
        _cacheLookups.Add(1, new(Tags.Cache, cache), new(Tags.CacheResult, hit ? "hit" : "miss"));

    public void RecordEventsAccepted(string source, int count) =>
        _eventsAccepted.Add(count, new KeyValuePair<string, object?>(Tags.Source, source));

    public void RecordEventsRejected(string reason, int count = 1) =>
        _eventsRejected.Add(count, new KeyValuePair<string, object?>(Tags.Reason, reason));

    public void RecordIngestionLag(TimeSpan lag) => _ingestionLag.Record(Math.Max(0, lag.TotalSeconds));

    /// <summary>A batch whose last delivery attempt failed: <see cref="FailedBatchOutcomes.Kept"/> or <see cref="FailedBatchOutcomes.Lost"/>.</summary>
    public void RecordBatchFailed(string outcome) =>
        _ingestionFailedBatches.Add(1, new KeyValuePair<string, object?>(Tags.Outcome, outcome));

    public void RecordTraining(string model, string outcome, TimeSpan duration, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _trainingDuration.Record(duration.TotalSeconds, new(Tags.Model, model), new(Tags.Outcome, outcome));
        foreach (var (name, value) in metrics)
        {
            _trainingMetric.Record(value, new(Tags.Model, model), new(Tags.Metric, name));
        }
    }

    public void RecordModelPromoted(string model, string version) =>
        _modelPromoted.Add(1, new(Tags.Model, model), new(Tags.ModelVersion, version));

    public void RecordModelRejected(string model, string reason) =>
        _modelRejected.Add(1, new(Tags.Model, model), new(Tags.Reason, reason));

    public void RecordTrainingRun(string model, string decision) =>
        _trainingRuns.Add(1, new(Tags.Model, model), new(Tags.Decision, decision));

    public void RecordDriftScore(string model, string feature, double score) =>
        _driftScore.Record(score, new(Tags.Model, model), new(Tags.Feature, feature));

    public void RecordDriftAlert(string model, string feature) =>
        _driftAlerts.Add(1, new(Tags.Model, model), new(Tags.Feature, feature));

    public void RecordLogDropped(string log, string reason, int count = 1) =>
        _logDropped.Add(count, new(Tags.Log, log), new(Tags.Reason, reason));

    /// <summary>
    /// A keyed hash of a user id for logs and spans (HMAC-SHA256, 16 hex characters), or null when no key is
    /// configured, in which case user ids stay out of telemetry altogether.
    /// </summary>
    public string? PseudonymizeUserId(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (_userHashKey is null)
        {
            return null;
        }

        var hash = HMACSHA256.HashData(_userHashKey, Encoding.UTF8.GetBytes(userId));
        return Convert.ToHexStringLower(hash, 0, 8);
    }

    public void Dispose() => _meter.Dispose();
}
