using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Telemetry;

namespace SmartShop.Functions.Ingestion;

/// <summary>
/// Receives storefront clickstream batches from Event Hubs and runs them through the ingestion pipeline. A storage
/// failure is logged and rethrown so the retry policy redelivers the batch; the pipeline makes that redelivery safe.
/// </summary>
public sealed partial class ClickstreamFunction(ClickstreamIngestor ingestor, SmartShopTelemetry telemetry, ILogger<ClickstreamFunction> logger)
{
    [Function(nameof(IngestClickstream))]
    [ExponentialBackoffRetry(5, "00:00:04", "00:05:00")]
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

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information,
        Message = "Clickstream batch {BatchId}: {Received} received, {Accepted} stored, {Rejected} dead-lettered, {Duplicates} duplicates (stored: {AcceptedByType}; rejected: {RejectedByCode})")]
    private static partial void LogBatchIngested(ILogger logger, string batchId, int received, int accepted, int rejected, int duplicates, string acceptedByType, string rejectedByCode);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error,
        Message = "Clickstream batch {BatchId} of {EventCount} events failed on attempt {RetryCount}; the host will redeliver it")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string batchId, int eventCount, int retryCount);
}
