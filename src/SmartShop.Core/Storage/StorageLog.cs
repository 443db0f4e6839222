using Microsoft.Extensions.Logging;

namespace SmartShop.Core.Storage;

internal static partial class StorageLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Writing {Count} {Log} log entries failed; they are dropped")]
    public static partial void FlushFailed(ILogger logger, Exception exception, int count, string log);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "The document log queue is full ({Capacity} entries): {Log} entry dropped")]
    public static partial void QueueFull(ILogger logger, int capacity, string log);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Document log writer stopping: flushing {Count} queued entries")]
    public static partial void Stopping(ILogger logger, int count);
}
