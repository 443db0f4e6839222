using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StoredAnalysis = SmartShop.Core.Storage.SegmentationAnalysis;

namespace SmartShop.Functions.Segmentation;

/// <summary>
/// Large analyses waiting for <see cref="AnalysisWorker"/>: a bounded in-process channel (no queue service). An
/// analysis still pending when the process stops stays "pending" in the store; the client sees it never started.
/// </summary>
public sealed class AnalysisBacklog(AnalysesOptions options)
{
    private readonly Channel<StoredAnalysis> _channel = Channel.CreateBounded<StoredAnalysis>(
        new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>False when the queue is full (the caller answers 503).</summary>
    public bool TryEnqueue(StoredAnalysis pending) => _channel.Writer.TryWrite(pending);

    public IAsyncEnumerable<StoredAnalysis> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}

/// <summary>
/// Runs queued analyses one at a time (clustering is CPU-bound; the request path keeps the other core). The service is
/// resolved on first use, so a host with invalid settings fails on options validation, not on building storage clients.
/// </summary>
public sealed partial class AnalysisWorker(AnalysisBacklog backlog, Lazy<AnalysisService> service, ILogger<AnalysisWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var pending in backlog.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await service.Value.RunAsync(pending, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // RunAsync records failures itself; this is storage failing while recording one.
                    LogWorkerFailed(logger, e, pending.AnalysisId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 7105, Level = LogLevel.Error, Message = "Analysis {AnalysisId} could not be run or recorded")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, string analysisId);
}
