using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;

namespace SmartShop.Core.Training;

/// <summary>
/// Checks the recent window of the event lake for drift (<see cref="DriftAnalysis"/>): customer features against the
/// active segmentation model's training table, event distributions against the window before. Every score is
/// recorded as <c>smartshop.drift.score</c>; PSI ≥ warning is logged as a warning; PSI ≥ alert is logged, counted
/// (<c>smartshop.drift.alerts</c>) and added to the check's span as a <see cref="DriftAlertEvent"/> event.
/// </summary>
public sealed partial class DriftMonitor(BlobContainers containers, ModelRegistry registry, SmartShopTelemetry telemetry, TimeProvider timeProvider, ILogger<DriftMonitor> logger)
{
    public const string DriftAlertEvent = "DriftAlert";

    /// <summary>Telemetry model tag of the customer features (the segmentation model's inputs).</summary>
    public const string SegmentationModel = "segmentation";

    /// <summary>Telemetry model tag of the event distributions (they feed the recommender).</summary>
    public const string RecommendationsModel = "recommendations";

    // Lake partitions are by ingestion time; events ingested up to this long after they happened are still found.
    private static readonly TimeSpan IngestionSlack = TimeSpan.FromDays(1);

    private readonly EventLakeReader _lake = new(containers);

    /// <param name="segmentationModel">Registry name of the segmentation model whose training table is the customer reference.</param>
    public async Task<DriftReport> CheckAsync(TimeSpan window, DriftThresholds thresholds, string segmentationModel = SegmentationModel, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentException.ThrowIfNullOrWhiteSpace(segmentationModel);
        using var activity = SmartShopTelemetry.ActivitySource.StartActivity("DriftCheck");
        var now = timeProvider.GetUtcNow();
        var start = now - window;
        var previousStart = start - window;
        var notes = new List<string>();

        var events = await ReadLakeAsync(previousStart, now, cancellationToken).ConfigureAwait(false);
        var previous = events.Where(e => e.Timestamp < start).ToList();
        var recent = events.Where(e => e.Timestamp >= start).ToList();
        var features = new List<FeatureDrift>(DriftAnalysis.CompareEvents(previous, recent, thresholds));
        if (features.Count == 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"Event distributions not compared: {previous.Count} events in the previous window and {recent.Count} in the recent one (at least {DriftAnalysis.MinimumSample} each needed)."));
        }

        var customers = await DriftReference.CompareWithActiveAsync(
            registry, segmentationModel, DriftAnalysis.WindowCustomerFeatures(recent), thresholds, DriftAnalysis.WindowComparableFeatures, cancellationToken).ConfigureAwait(false);
        features.AddRange(customers.Features);
        if (customers.Problem is not null)
        {
            LogReferenceUnusable(logger, customers.Problem);
            notes.Add(customers.Problem);
        }
        else if (customers.Features.Count == 0)
        {
            notes.Add($"Customer features not compared: the reference and the recent window share no window-comparable feature with at least {DriftAnalysis.MinimumSample} customers on both sides.");
        }

        var report = new DriftReport(now, start, now, customers.ReferenceVersion, features, notes);
        Publish(report, activity);
        return report;
    }

    /// <summary>Accepted lake events (each once) whose timestamp lies in [from, to).</summary>
    private async Task<List<ClickstreamEvent>> ReadLakeAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var lake = await _lake.ReadAsync(from - IngestionSlack, to, cancellationToken).ConfigureAwait(false);
        return lake.Events.Where(e => e.Timestamp >= from && e.Timestamp < to).ToList();
    }

    private void Publish(DriftReport report, Activity? activity)
    {
        foreach (var drift in report.Features)
        {
            var model = drift.Scope == DriftAnalysis.CustomerScope ? SegmentationModel : RecommendationsModel;
            telemetry.RecordDriftScore(model, drift.Feature, drift.Psi);
            switch (drift.Level)
            {
                case DriftLevel.Alert:
                    telemetry.RecordDriftAlert(model, drift.Feature);
                    activity?.AddEvent(new ActivityEvent(DriftAlertEvent, tags: new ActivityTagsCollection
                    {
                        [SmartShopTelemetry.Tags.Model] = model,
                        [SmartShopTelemetry.Tags.Feature] = drift.Feature,
                        ["psi"] = drift.Psi,
                    }));
                    LogDriftAlert(logger, drift.Scope, drift.Feature, drift.Psi);
                    break;
                case DriftLevel.Warning:
                    LogDriftWarning(logger, drift.Scope, drift.Feature, drift.Psi);
                    break;
            }
        }

        LogChecked(logger, report.Features.Count, report.MaxPsi, report.Level);
    }

    [LoggerMessage(EventId = 8201, Level = LogLevel.Warning, Message = "Drift warning: {Scope} feature {Feature} has PSI {Psi:F3}")]
    private static partial void LogDriftWarning(ILogger logger, string scope, string feature, double psi);

    [LoggerMessage(EventId = 8202, EventName = DriftAlertEvent, Level = LogLevel.Warning, Message = "DriftAlert: {Scope} feature {Feature} has PSI {Psi:F3}")]
    private static partial void LogDriftAlert(ILogger logger, string scope, string feature, double psi);

    [LoggerMessage(EventId = 8203, Level = LogLevel.Information, Message = "Drift check compared {Count} distributions; largest PSI {MaxPsi:F3} ({Level})")]
    private static partial void LogChecked(ILogger logger, int count, double maxPsi, DriftLevel level);

    [LoggerMessage(EventId = 8204, Level = LogLevel.Information, Message = "Drift check: {Problem}")]
    private static partial void LogReferenceUnusable(ILogger logger, string problem);
}
