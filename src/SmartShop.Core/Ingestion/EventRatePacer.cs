using System.Diagnostics;

namespace SmartShop.Core.Ingestion;

/// <summary>
/// Paces a stream to at most <c>eventsPerSecond</c> by the running total since the start (0 = unpaced): after n events
/// it waits until n / rate seconds have passed, so batch sizes and slow sends average out.
/// </summary>
public sealed class EventRatePacer(double eventsPerSecond)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TimeSpan Elapsed => _clock.Elapsed;

    public Task WaitAsync(long eventsSoFar, CancellationToken cancellationToken = default)
    {
        if (eventsPerSecond <= 0)
        {
            return Task.CompletedTask;
        }
        var due = TimeSpan.FromSeconds(eventsSoFar / eventsPerSecond) - _clock.Elapsed;
        return due > TimeSpan.Zero ? Task.Delay(due, cancellationToken) : Task.CompletedTask;
    }
}
