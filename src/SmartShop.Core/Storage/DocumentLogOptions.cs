using System.ComponentModel.DataAnnotations;

namespace SmartShop.Core.Storage;

/// <summary>Retention of the document logs and how request paths feed them (where they live: <see cref="CosmosOptions"/>).</summary>
public sealed class DocumentLogOptions
{
    public const string SectionName = "DocumentLogs";

    /// <summary>Days a prediction log entry is kept (Cosmos container TTL; both stores hide older entries on read).</summary>
    [Range(1, 3650)]
    public int PredictionTtlDays { get; set; } = 30;

    /// <summary>How many recent activities are kept per user.</summary>
    [Range(1, 1000)]
    public int RecentActivityLimit { get; set; } = 50;

    /// <summary>Entries the in-memory write queue holds before new ones are dropped (and counted).</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Most entries written per background flush.</summary>
    [Range(1, 10_000)]
    public int FlushBatchSize { get; set; } = 100;

    /// <summary>How long the flusher waits for a batch to fill before writing what it has.</summary>
    [Range(0, 60_000)]
    public int FlushIntervalMilliseconds { get; set; } = 500;

    public TimeSpan PredictionTtl => TimeSpan.FromDays(PredictionTtlDays);
}
