using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Attribution;
using SmartShop.Core.Storage;

namespace SmartShop.Functions.Serving;

/// <summary>
/// Counts the answers this instance served per rollup row in memory (<see cref="ImpressionTally"/>: no storage call on
/// the request path) and writes the cumulative counts every <see cref="FlushInterval"/> and at shutdown.
/// </summary>
public sealed partial class ImpressionCounter(IDocumentLogStore store, TimeProvider timeProvider, ILogger<ImpressionCounter> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(30);

    private readonly ImpressionTally _tally = new(store);

    public void Count(RollupKey key) => _tally.Count(key);

    /// <summary>Writes the counts now (the loop does it every <see cref="FlushInterval"/>).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _tally.FlushAsync(cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFlushFailed(logger, e);
        }
    }

    public override void Dispose()
    {
        _tally.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(FlushInterval, timeProvider, stoppingToken).ConfigureAwait(false);
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Storage unreachable: the counts stay in memory and go out with the next flush.
                LogFlushFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "Impression counts could not be written; the next flush writes them")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
