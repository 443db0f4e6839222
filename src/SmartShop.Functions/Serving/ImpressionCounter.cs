using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Experiments;

namespace SmartShop.Functions.Serving;

/// <summary>
/// Counts the answers this instance served per experiment, variant and UTC day in memory (no storage call on the
/// request path) and writes the cumulative counts every <see cref="FlushInterval"/> and at shutdown, one blob per
/// experiment, day and instance (<see cref="ExperimentStore.WriteImpressionsAsync"/>): a write that fails is made good
/// by the next, and writing the same counts twice changes nothing.
/// </summary>
public sealed partial class ImpressionCounter(ExperimentStore store, TimeProvider timeProvider, ILogger<ImpressionCounter> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(30);

    // One id per process: the counts of two instances (or of a restart) are separate blobs that add up.
    private readonly string _instanceId = "i-" + Guid.NewGuid().ToString("N")[..16];
    private readonly ConcurrentDictionary<(string Experiment, DateOnly Day, string Variant), long> _counts = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    // What the last successful write of each count said (touched under _flushing only).
    private readonly Dictionary<(string Experiment, DateOnly Day, string Variant), long> _written = [];

    public void Count(string experimentId, string variant, DateTimeOffset at) =>
        _counts.AddOrUpdate((experimentId, DateOnly.FromDateTime(at.UtcDateTime), variant), 1, (_, n) => n + 1);

    /// <summary>Writes the counts now (the loop does it every <see cref="FlushInterval"/>).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var counts = _counts.ToArray();
            // Only the (experiment, day) blobs whose counts moved since they were written: past days stop costing writes.
            foreach (var group in counts.GroupBy(c => (c.Key.Experiment, c.Key.Day)).Where(g => g.Any(c => _written.GetValueOrDefault(c.Key) != c.Value)))
            {
                var byVariant = group.ToDictionary(c => c.Key.Variant, c => c.Value, StringComparer.Ordinal);
                await store.WriteImpressionsAsync(group.Key.Experiment, group.Key.Day, _instanceId, byVariant, cancellationToken).ConfigureAwait(false);
                foreach (var (key, value) in group)
                {
                    _written[key] = value;
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

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
        _flushing.Dispose();
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

    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "Experiment impression counts could not be written; the next flush writes them")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
