using System.ComponentModel.DataAnnotations;

namespace SmartShop.Functions.Training;

/// <summary>
/// What starts a training run besides the blob trigger: the local polling path (Azurite has no Event Grid) and the
/// drift check. Shares the "Training" section with the run's own options (Core's TrainingOptions).
/// The timer schedules are flat settings (TrainingSchedule, DriftCheckSchedule) because the host resolves a
/// %Name% binding expression by the plain setting name.
/// </summary>
public sealed class TrainingTriggerOptions : IValidatableObject
{
    public const string SectionName = "Training";

    /// <summary>List the training-data container every <see cref="LocalPollIntervalSeconds"/> and train on new blobs (local runs only).</summary>
    public bool LocalBlobPolling { get; set; }

    [Range(1, 3600)]
    public int LocalPollIntervalSeconds { get; set; } = 10;

    /// <summary>Start a retrain from the event lake when a drift check raises an alert.</summary>
    public bool RetrainOnDrift { get; set; }

    /// <summary>Length of the recent window a drift check compares (and of the window before it, for event distributions).</summary>
    [Range(1, 90)]
    public int DriftWindowDays { get; set; } = 7;

    [Range(0.001, 10.0)]
    public double DriftWarningPsi { get; set; } = 0.1;

    [Range(0.001, 10.0)]
    public double DriftAlertPsi { get; set; } = 0.2;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DriftAlertPsi < DriftWarningPsi)
        {
            yield return new ValidationResult("Training:DriftAlertPsi must not be below Training:DriftWarningPsi.", [nameof(DriftAlertPsi)]);
        }
    }
}
