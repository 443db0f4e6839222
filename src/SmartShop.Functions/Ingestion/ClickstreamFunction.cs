using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;

namespace SmartShop.Functions.Ingestion;

/// <summary>
/// Receives storefront clickstream batches from Event Hubs and runs them through the ingestion pipeline. A storage
/// failure is logged and rethrown so the retry policy redelivers the batch; the pipeline makes that redelivery safe.
/// On the last attempt the host checkpoints past the batch whatever happens, so the batch is first kept in the
/// events-failed container (<see cref="FailedBatchStore"/>) for <c>smartshop replay --failed-batches</c>.
/// </summary>
public sealed partial class ClickstreamFunction(
    ClickstreamIngestor ingestor, FailedBatchStore failedBatches, SmartShopTelemetry telemetry, ILogger<ClickstreamFunction> logger)
{
    /// <summary>The retry policy's retries (the attribute below); the host's RetryContext says the same at run time.</summary>
    public const int MaxRetries = 5;

    [Function(nameof(IngestClickstream))]
    [ExponentialBackoffRetry(MaxRetries, "00:00:04", "00:05:00")]
    public async Task IngestClickstream(
        [EventHubTrigger("%ClickstreamHubName%", Connection = "EventHubConnection", ConsumerGroup = "%ClickstreamConsumerGroup%")]
        string[] events,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(context);
        var batch = EventHubsBindingData.ToBatch(events, context.BindingContext.BindingData);
        IngestionSummary summary;
        try
        {
            summary = await ingestor.IngestAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogBatchFailed(logger, exception, batch.Id.Value, events.Length, context.RetryContext?.RetryCount ?? 0);
            if (context.RetryContext is { } retry && retry.RetryCount >= retry.MaxRetryCount)
            {
                await KeepFailedBatchAsync(batch, exception, cancellationToken).ConfigureAwait(false);
            }

            throw;
        }

        IngestionMetrics.Record(telemetry, summary);
        if (logger.IsEnabled(LogLevel.Information))
        {
            var acceptedByType = IngestionMetrics.Describe(summary.AcceptedByType);
            var rejectedByCode = IngestionMetrics.Describe(summary.RejectedByCode);
            LogBatchIngested(logger, summary.BatchId, summary.Received, summary.Accepted, summary.Rejected, summary.Duplicates, acceptedByType, rejectedByCode);
        }
    }

    /// <summary>The last attempt failed: keep the raw batch for replay, or at least log where to rewind to.</summary>
    private async Task KeepFailedBatchAsync(ClickstreamBatch batch, Exception failure, CancellationToken cancellationToken)
    {
        var range = batch.EventHubsRange;
        try
        {
            var blob = await failedBatches.WriteAsync(batch, FailedBatchStore.Reason(failure), cancellationToken).ConfigureAwait(false);
            telemetry.RecordBatchFailed(SmartShopTelemetry.FailedBatchOutcomes.Kept);
            LogBatchKept(logger, batch.Id.Value, batch.Payloads.Count, blob);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            telemetry.RecordBatchFailed(SmartShopTelemetry.FailedBatchOutcomes.Lost);
            LogBatchLost(logger, exception, batch.Id.Value, range?.PartitionId ?? "unknown", range?.FirstSequenceNumber ?? -1, range?.LastSequenceNumber ?? -1, batch.Payloads.Count);
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information,
        Message = "Clickstream batch {BatchId}: {Received} received, {Accepted} stored, {Rejected} dead-lettered, {Duplicates} duplicates (stored: {AcceptedByType}; rejected: {RejectedByCode})")]
    private static partial void LogBatchIngested(ILogger logger, string batchId, int received, int accepted, int rejected, int duplicates, string acceptedByType, string rejectedByCode);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error,
        Message = "Clickstream batch {BatchId} of {EventCount} events failed on attempt {RetryCount}; the host will redeliver it")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string batchId, int eventCount, int retryCount);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning,
        Message = "Clickstream batch {BatchId} of {EventCount} events failed on its last attempt and is kept as events-failed/{BlobName}; run `smartshop replay --failed-batches` once storage is back")]
    private static partial void LogBatchKept(ILogger logger, string batchId, int eventCount, string blobName);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Critical,
        Message = "Clickstream batch {BatchId} of {EventCount} events failed on its last attempt and could not be kept either: rewind partition {PartitionId} to sequence numbers {FirstSequenceNumber}-{LastSequenceNumber} within the Event Hubs retention to recover it")]
    private static partial void LogBatchLost(ILogger logger, Exception exception, string batchId, string partitionId, long firstSequenceNumber, long lastSequenceNumber, int eventCount);
}
