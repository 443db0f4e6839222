namespace SmartShop.Core.Ingestion;

/// <summary>
/// Paces a stream to at most <c>eventsPerSecond</c> by the running total since the start (0 = unpaced): after n events
/// it waits until n / rate seconds have passed, so batch sizes and slow sends average out.
/// </summary>
public sealed class EventRatePacer(double eventsPerSecond, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly long _started = (timeProvider ?? TimeProvider.System).GetTimestamp();

    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    public Task WaitAsync(long eventsSoFar, CancellationToken cancellationToken = default)
    {
        if (eventsPerSecond <= 0)
        {
            return Task.CompletedTask;
        }
        var due = TimeSpan.FromSeconds(eventsSoFar / eventsPerSecond) - Elapsed;
        return due > TimeSpan.Zero ? Task.Delay(due, _time, cancellationToken) : Task.CompletedTask;
    }
}
