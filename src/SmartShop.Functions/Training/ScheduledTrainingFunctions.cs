using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartShop.Core.Training;

namespace SmartShop.Functions.Training;

/// <summary>
/// Timer-driven training work: a scheduled retrain from the event lake (%TrainingSchedule%, weekly by default) and a
/// drift check (%DriftCheckSchedule%, daily by default) that retrains when it raises an alert and
/// Training:RetrainOnDrift is on. Both first sweep runs left "running" by a dead worker
/// (<see cref="TrainingRunner.SweepStaleRunsAsync"/>). Schedules are NCRONTAB with seconds, in UTC.
/// </summary>
public sealed partial class ScheduledTrainingFunctions(
    TrainingRunner runner,
    DriftMonitor driftMonitor,
    IOptions<TrainingOptions> trainingOptions,
    IOptions<TrainingTriggerOptions> triggerOptions,
    ILogger<ScheduledTrainingFunctions> logger)
{
    public const string ScheduleTrigger = "schedule";
    public const string DriftTrigger = "drift";

    [Function(nameof(ScheduledRetrain))]
    public async Task<TrainingRunReport> ScheduledRetrain([TimerTrigger("%TrainingSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await runner.SweepStaleRunsAsync(cancellationToken).ConfigureAwait(false);
        var report = await runner.RunFromEventLakeAsync(trainingOptions.Value.LakeWindow, ScheduleTrigger, cancellationToken).ConfigureAwait(false);
        TrainingTriggerLog.RunFinished(logger, ScheduleTrigger, report);
        return report;
    }

    [Function(nameof(CheckDrift))]
    public async Task<DriftCheckOutcome> CheckDrift([TimerTrigger("%DriftCheckSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        // Daily: runs whose worker died and whose redeliveries were used up get trained now.
        await runner.SweepStaleRunsAsync(cancellationToken).ConfigureAwait(false);
        var options = triggerOptions.Value;
        var drift = await driftMonitor.CheckAsync(
            TimeSpan.FromDays(options.DriftWindowDays),
            new DriftThresholds(options.DriftWarningPsi, options.DriftAlertPsi),
            trainingOptions.Value.SegmentationModel,
            cancellationToken).ConfigureAwait(false);
        if (drift.Level < DriftLevel.Alert || !options.RetrainOnDrift)
        {
            return new DriftCheckOutcome(drift, null);
        }

        TrainingTriggerLog.RetrainingOnDrift(logger, drift.Drifted(DriftLevel.Alert).Count());
        var run = await runner.RunFromEventLakeAsync(trainingOptions.Value.LakeWindow, DriftTrigger, cancellationToken).ConfigureAwait(false);
        TrainingTriggerLog.RunFinished(logger, DriftTrigger, run);
        return new DriftCheckOutcome(drift, run);
    }
}

/// <summary>What a drift check found and the retrain it started, if any.</summary>
public sealed record DriftCheckOutcome(DriftReport Drift, TrainingRunReport? Retrain);
