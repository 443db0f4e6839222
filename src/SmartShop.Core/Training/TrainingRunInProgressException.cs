namespace SmartShop.Core.Training;

/// <summary>
/// Another attempt at the same input holds a fresh "running" claim. Thrown rather than answered, so the trigger fails and
/// the host delivers the input again later: either the holder finishes (the retry is then a duplicate) or it died and
/// its claim goes stale after Training:StaleRunMinutes (the retry then takes the run over). An
/// <see cref="InvalidOperationException"/>: the CLI reports it as one line.
/// </summary>
public sealed class TrainingRunInProgressException(string runId, DateTimeOffset claimedAt, DateTimeOffset staleAt)
    : InvalidOperationException($"Training run {runId} on the same input is in progress (claimed {claimedAt:O}); retry later. The claim is taken over if it is still running at {staleAt:O}.")
{
    public string RunId { get; } = runId;

    /// <summary>When a retry takes the run over if its holder has not finished by then.</summary>
    public DateTimeOffset StaleAt { get; } = staleAt;
}
