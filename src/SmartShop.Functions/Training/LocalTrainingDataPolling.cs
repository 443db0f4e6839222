using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartShop.Core.Training;

namespace SmartShop.Functions.Training;

/// <summary>
/// The local path to retraining (Training:LocalBlobPolling=true): Azurite sends no Event Grid events, so the
/// blob trigger never fires under <c>func start</c>. Every Training:LocalPollIntervalSeconds this lists the
/// training-data container and runs training on each new or changed blob, one at a time.
/// </summary>
public sealed class LocalTrainingDataPolling(
    TrainingDataPoller poller,
    TrainingRunner runner,
    IOptions<TrainingTriggerOptions> options,
    TimeProvider timeProvider,
    ILogger<LocalTrainingDataPolling> logger) : BackgroundService
{
    public const string Trigger = "local-poll";

    /// <summary>One look at the container: trains on what is new and returns the reports (tests call it directly).</summary>
    public async Task<IReadOnlyList<TrainingRunReport>> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        var reports = new List<TrainingRunReport>();
        foreach (var name in await poller.FindNewBlobsAsync(cancellationToken).ConfigureAwait(false))
        {
            TrainingRunReport report;
            try
            {
                report = await runner.RunFromBlobAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (TrainingRunInProgressException)
            {
                // Another worker holds the run; the blob stays unmarked, so a later poll retries (or takes a stale claim over).
                continue;
            }
            TrainingTriggerLog.RunFinished(logger, Trigger, report);
            reports.Add(report);
        }

        return reports;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.LocalPollIntervalSeconds;
        TrainingTriggerLog.PollingStarted(logger, interval);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(interval), timeProvider);
        do
        {
            try
            {
                await PollOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Azurite not up yet, or a transient storage error: the next tick tries again.
                TrainingTriggerLog.PollFailed(logger, ex, interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
