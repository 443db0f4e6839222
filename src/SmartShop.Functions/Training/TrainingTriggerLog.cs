using Microsoft.Extensions.Logging;
using SmartShop.Core.Training;

namespace SmartShop.Functions.Training;

internal static partial class TrainingTriggerLog
{
    public static void RunFinished(ILogger logger, string trigger, TrainingRunReport report)
    {
        if (report.IsDuplicate)
        {
            Duplicate(logger, trigger, report.RunId, report.InputBlob);
        }
        else
        {
            Finished(logger, trigger, report.RunId, report.Decision, report.Message);
        }
    }

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Training run {RunId} ({Trigger}) finished: {Decision}: {Reason}")]
    private static partial void Finished(ILogger logger, string trigger, string runId, TrainingDecision decision, string reason);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "Training input {InputBlob} ({Trigger}) was already run as {RunId}; nothing trained")]
    private static partial void Duplicate(ILogger logger, string trigger, string runId, string? inputBlob);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Warning, Message = "Drift alert ({Count} distributions at PSI ≥ alert): retraining from the event lake")]
    public static partial void RetrainingOnDrift(ILogger logger, int count);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Error, Message = "Local training-data polling failed; trying again in {IntervalSeconds} s")]
    public static partial void PollFailed(ILogger logger, Exception exception, int intervalSeconds);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Information, Message = "Local training-data polling every {IntervalSeconds} s (Training:LocalBlobPolling); Event Grid is not needed")]
    public static partial void PollingStarted(ILogger logger, int intervalSeconds);
}
