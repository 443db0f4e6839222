using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace SmartShop.Core.Ingestion;

/// <summary>What a publishing run sent.</summary>
public sealed record PublishSummary(long Events, int Batches, TimeSpan Elapsed);

/// <summary>
/// Publishes raw clickstream payloads to an event hub as a storefront would: in size-limited batches of at most
/// <c>maxBatchEvents</c>, optionally paced to an events-per-second rate (for soak tests). The payloads are sent as
/// they are; validation happens on the receiving side, as in production.
/// </summary>
public sealed class ClickstreamEventHubsPublisher(EventHubProducerClient producer, TimeProvider? timeProvider = null)
{
    public async Task<PublishSummary> PublishAsync(
        IEnumerable<string> payloads, int maxBatchEvents, double eventsPerSecond, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchEvents, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(eventsPerSecond);

        var pacer = new EventRatePacer(eventsPerSecond, timeProvider);
        long sent = 0;
        var batches = 0;
        var batch = await producer.CreateBatchAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var payload in payloads)
            {
                var data = new EventData(BinaryData.FromString(payload)) { ContentType = "application/json" };
                if (batch.Count < maxBatchEvents && batch.TryAdd(data))
                {
                    continue;
                }
                if (batch.Count == 0)
                {
                    throw new InvalidDataException(
                        $"An event of {payload.Length:N0} characters is larger than the event hub accepts in one batch.");
                }
                await SendAsync(batch).ConfigureAwait(false);
                batch.Dispose();
                batch = await producer.CreateBatchAsync(cancellationToken).ConfigureAwait(false);
                if (!batch.TryAdd(data))
                {
                    throw new InvalidDataException(
                        $"An event of {payload.Length:N0} characters is larger than the event hub accepts in one batch.");
                }
            }
            if (batch.Count > 0)
            {
                await SendAsync(batch).ConfigureAwait(false);
            }
        }
        finally
        {
            batch.Dispose();
        }
        return new PublishSummary(sent, batches, pacer.Elapsed);

        async Task SendAsync(EventDataBatch full)
        {
            await producer.SendAsync(full, cancellationToken).ConfigureAwait(false);
            sent += full.Count;
            batches++;
            await pacer.WaitAsync(sent, cancellationToken).ConfigureAwait(false);
        }
    }
}
