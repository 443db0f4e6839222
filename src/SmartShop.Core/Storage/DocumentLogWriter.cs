using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Telemetry;

namespace SmartShop.Core.Storage;

/// <summary>
/// Takes prediction and activity log entries from request paths without waiting on storage: entries go into a
/// bounded in-memory queue (full → dropped and counted) and a background loop writes them in batches. Stopping
/// the host flushes whatever is still queued.
/// </summary>
public sealed class DocumentLogWriter : BackgroundService
{
    public const string PredictionsLog = "predictions";
    public const string ActivityLog = "user-activity";

    private readonly Lazy<IDocumentLogStore> _store;
    private readonly DocumentLogOptions _options;
    private readonly SmartShopTelemetry _telemetry;
    private readonly ILogger<DocumentLogWriter> _logger;
    private readonly Channel<PendingEntry> _queue;
    private long _dropped;

    /// <param name="store">Created on the first flush, so a host starts (and validates its settings) before any storage client exists.</param>
    public DocumentLogWriter(Lazy<IDocumentLogStore> store, DocumentLogOptions options, SmartShopTelemetry telemetry, ILogger<DocumentLogWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _options = options;
        _telemetry = telemetry;
        _logger = logger;
        // FullMode.Wait makes TryWrite report a full queue (false) instead of silently discarding, so drops can be counted.
        _queue = Channel.CreateBounded<PendingEntry>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            // StopAsync may read the rest while a slow loop iteration is still finishing.
            SingleReader = false,
        });
    }

    /// <summary>Entries dropped since start (queue full or a failed write).</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Queues a prediction; false when it was dropped because the queue is full.</summary>
    public bool TryLogPrediction(PredictionLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return TryQueue(new PendingEntry(entry, null, null), PredictionsLog);
    }

    /// <summary>Queues a user activity; false when it was dropped because the queue is full.</summary>
    public bool TryLogActivity(string userId, UserActivity activity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentNullException.ThrowIfNull(activity);
        return TryQueue(new PendingEntry(null, userId, activity), ActivityLog);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Completing the queue lets the loop drain what is left and end; base.StopAsync then waits for it.
        StorageLog.Stopping(_logger, _queue.Reader.Count);
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // The loop never runs when the host stops right after starting (ExecuteAsync is cancelled before it begins):
        // write whatever is still queued here.
        var batch = new List<PendingEntry>(_options.FlushBatchSize);
        for (Drain(_queue.Reader, batch); batch.Count > 0; Drain(_queue.Reader, batch))
        {
            await FlushAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingEntry>(_options.FlushBatchSize);
        var reader = _queue.Reader;
        // Not cancelled by stoppingToken: the loop ends when StopAsync completes the queue and it is empty.
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            Drain(reader, batch);
            if (batch.Count < _options.FlushBatchSize && _options.FlushIntervalMilliseconds > 0 && !stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(_options.FlushIntervalMilliseconds, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Shutting down: write now.
                }

                Drain(reader, batch);
            }

            await FlushAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private void Drain(ChannelReader<PendingEntry> reader, List<PendingEntry> batch)
    {
        while (batch.Count < _options.FlushBatchSize && reader.TryRead(out var entry))
        {
            batch.Add(entry);
        }
    }

    private bool TryQueue(PendingEntry entry, string log)
    {
        if (_queue.Writer.TryWrite(entry))
        {
            return true;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        _telemetry.RecordLogDropped(log, "queue_full");
        if (dropped == 1 || dropped % 1000 == 0)
        {
            StorageLog.QueueFull(_logger, _options.QueueCapacity, log);
        }

        return false;
    }

    private async Task FlushAsync(List<PendingEntry> batch)
    {
        // The final flush must not be cancelled by shutdown, so no token flows into the store here.
        var predictions = batch.Where(e => e.Prediction is not null).Select(e => e.Prediction!).ToList();
        if (predictions.Count > 0)
        {
            try
            {
                await _store.Value.WritePredictionsAsync(predictions, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                CountFailure(e, predictions.Count, PredictionsLog);
            }
        }

        foreach (var user in batch.Where(e => e.UserId is not null).GroupBy(e => e.UserId!, StringComparer.Ordinal))
        {
            var activities = user.Select(e => e.Activity!).ToList();
            try
            {
                await _store.Value.AppendActivityAsync(user.Key, activities, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                CountFailure(e, activities.Count, ActivityLog);
            }
        }
    }

    private void CountFailure(Exception exception, int count, string log)
    {
        Interlocked.Add(ref _dropped, count);
        _telemetry.RecordLogDropped(log, "write_failed", count);
        StorageLog.FlushFailed(_logger, exception, count, log);
    }

    private sealed record PendingEntry(PredictionLogEntry? Prediction, string? UserId, UserActivity? Activity);
}
