using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace SmartShop.Functions.Ingestion;

/// <summary>Receives storefront clickstream batches from Event Hubs.</summary>
public sealed partial class ClickstreamFunction(ILogger<ClickstreamFunction> logger)
{
    [Function(nameof(IngestClickstream))]
    [ExponentialBackoffRetry(5, "00:00:04", "00:05:00")]
    public Task IngestClickstream(
        [EventHubTrigger("%ClickstreamHubName%", Connection = "EventHubConnection", ConsumerGroup = "%ClickstreamConsumerGroup%")]
        string[] events,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        cancellationToken.ThrowIfCancellationRequested();
        // Validation, the event lake and user state arrive with the ingestion issue (#7).
        LogBatchReceived(logger, events.Length);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Clickstream batch of {EventCount} events received")]
    private static partial void LogBatchReceived(ILogger logger, int eventCount);
}
