using System.ComponentModel.DataAnnotations;

namespace SmartShop.Core.Storage;

/// <summary>Where the document logs live and how request paths feed them.</summary>
public sealed class DocumentLogOptions
{
    public const string SectionName = "DocumentLogs";

    /// <summary>Cosmos DB account endpoint; when empty the logs go to Table storage in AzureWebJobsStorage.</summary>
    public string? CosmosEndpoint { get; set; }

    /// <summary>Account key, for the local emulator only; in Azure leave empty to use the managed identity.</summary>
    public string? CosmosKey { get; set; }

    [Required]
    public string CosmosDatabase { get; set; } = "smartshop";

    /// <summary>Create the Cosmos database and containers on first use (needs control-plane rights; false when infra creates them).</summary>
    public bool CreateCosmosResources { get; set; } = true;

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

    public bool UsesCosmos => !string.IsNullOrWhiteSpace(CosmosEndpoint);
}
