using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using SmartShop.Core.Storage;

namespace SmartShop.Functions.Segmentation;

/// <summary>
/// Large analyses wait in the Storage queue <see cref="QueueName"/> (in <c>AzureWebJobsStorage</c>) for
/// <see cref="AnalysisQueueFunction"/>. A message only carries the analysis id; the record holds the rest. A run that a
/// scale-in, a restart or a crash interrupts is delivered again, so an accepted analysis is never silently dropped.
/// </summary>
public sealed class QueuedAnalyses(QueueServiceClient queues)
{
    public const string QueueName = "segmentation-analyses";

    private readonly CreatedOnFirstUse<QueueClient> _created = new();

    public async Task EnqueueAsync(string analysisId, CancellationToken cancellationToken = default)
    {
        var queue = await _created.GetAsync(QueueName, CreateAsync, cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync(analysisId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<QueueClient> CreateAsync(string name)
    {
        var queue = queues.GetQueueClient(name);
        await queue.CreateIfNotExistsAsync().ConfigureAwait(false);
        return queue;
    }
}

/// <summary>
/// Runs one queued analysis per message (host.json: one message at a time per instance, since clustering is CPU-bound).
/// A storage failure propagates, so the message becomes visible again and is retried; after the host's
/// <c>maxDequeueCount</c> it moves to <c>segmentation-analyses-poison</c> and the analysis stays <c>pending</c>.
/// </summary>
public sealed class AnalysisQueueFunction(AnalysisService service)
{
    [Function(nameof(RunQueuedAnalysis))]
    public Task RunQueuedAnalysis(
        [QueueTrigger(QueuedAnalyses.QueueName, Connection = "AzureWebJobsStorage")] string analysisId,
        CancellationToken cancellationToken) =>
        service.RunQueuedAsync(analysisId, cancellationToken);
}
