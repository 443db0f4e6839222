namespace SmartShop.Core.Training;

/// <summary>What a run decided. Its lower-case name is the run record's status.</summary>
public enum TrainingDecision
{
    /// <summary>The challenger was published and activated.</summary>
    Promoted,

    /// <summary>The challenger was published as a candidate but not activated (worse than the champion, or another run won the pointer).</summary>
    Rejected,

    /// <summary>The input could not be trained on; nothing was published or activated.</summary>
    Failed,

    /// <summary>
    /// The challenger passed the offline gate and serves a share of the user route as a canary experiment, which
    /// promotes or rolls it back on the storefront's results (<see cref="TrainingOptions.CanaryShare"/>).
    /// </summary>
    Canary,
}

/// <summary>The kind of file a run was given, detected from its content.</summary>
public enum TrainingInputKind
{
    /// <summary>Transactions in the Online Retail schema (CSV, optionally gzip).</summary>
    Transactions,

    /// <summary>Clickstream events, schema v2 (v1 events included), one JSON document per line.</summary>
    ClickstreamJsonLines,

    /// <summary>RetailRocket events.csv (timestamp,visitorid,event,itemid,transactionid).</summary>
    RetailRocketEvents,

    /// <summary>A product catalogue (id,title,category,price,in_stock): stored for later runs, trains nothing.</summary>
    Catalogue,

    /// <summary>A window of the event lake (scheduled retrain).</summary>
    EventLake,
}

/// <summary>
/// The outcome of one training run, as recorded in the training-runs log. <see cref="IsDuplicate"/> is true when the
/// same input had already been run: the report is then the first run's record and nothing was trained.
/// </summary>
public sealed record TrainingRunReport
{
    public required string RunId { get; init; }

    public required string Trigger { get; init; }

    public required TrainingDecision Decision { get; init; }

    /// <summary>Why the run decided what it did (or why it failed), in one sentence.</summary>
    public required string Message { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public bool IsDuplicate { get; init; }

    public TrainingInputKind? InputKind { get; init; }

    public string? InputBlob { get; init; }

    public string? InputETag { get; init; }

    public string? InputHash { get; init; }

    /// <summary>The recommendations version this run published (null when it failed or trained none).</summary>
    public string? RecommendationsVersion { get; init; }

    /// <summary>The segmentation version this run published (null without transactions).</summary>
    public string? SegmentationVersion { get; init; }

    /// <summary>The catalogue version a catalogue upload published.</summary>
    public string? CatalogueVersion { get; init; }

    public string? ChampionVersion { get; init; }

    public IReadOnlyDictionary<string, double> ChallengerMetrics { get; init; } = new Dictionary<string, double>();

    public IReadOnlyDictionary<string, double>? ChampionMetrics { get; init; }

    public IReadOnlyDictionary<string, double> SegmentationMetrics { get; init; } = new Dictionary<string, double>();

    public IReadOnlyDictionary<string, string> DataSummary { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>How far this run's customer features moved from the active segmentation's training table (PSI per feature).</summary>
    public IReadOnlyList<FeatureDrift> Drift { get; init; } = [];

    /// <summary>The failure, or a problem that did not stop the run (e.g. the champion's bundle was corrupt).</summary>
    public string? Error { get; init; }
}
