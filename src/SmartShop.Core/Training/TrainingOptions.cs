using System.ComponentModel.DataAnnotations;
using SmartShop.Core.Data;
using SmartShop.Core.Evaluation;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Training;

/// <summary>How a training run reads its input, evaluates the challenger and decides on promotion (section "Training").</summary>
public sealed class TrainingOptions
{
    public const string SectionName = "Training";

    private const string ModelNamePattern = "^[a-z0-9][a-z0-9-]{0,62}$";

    /// <summary>The metric that decides promotion: <c>&lt;ndcg|recall|precision|hitrate&gt;@10/&lt;all|new&gt;</c>.</summary>
    [Required]
    [RegularExpression(HoldoutMetrics.PrimaryMetricPattern, ErrorMessage = "Training:PrimaryMetric must be <ndcg|recall|precision|hitrate>@10/<all|new>, e.g. ndcg@10/all.")]
    public string PrimaryMetric { get; set; } = "ndcg@10/all";

    /// <summary>The challenger is promoted unless its primary metric is below the champion's by more than this (absolute).</summary>
    [Range(0.0, 1.0)]
    public double Tolerance { get; set; } = 0.005;

    /// <summary>The last this many days of the input are the hold-out; the models are trained on what comes before.</summary>
    [Range(1, 365)]
    public int HoldoutDays { get; set; } = 30;

    /// <summary>Fewer evaluated hold-out users than this: no comparison is trusted (a first model is still published and activated).</summary>
    [Range(1, 1_000_000)]
    public int MinHoldoutUsers { get; set; } = 20;

    /// <summary>
    /// Above 0, a challenger that passes the offline gate against an active champion is not activated at once: it
    /// serves this share of the user route as a canary experiment, promoted or rolled back on the storefront's clicks.
    /// </summary>
    [Range(0.0, 0.5)]
    public double CanaryShare { get; set; }

    /// <summary>Answers each side of a canary needs before it is judged.</summary>
    [Range(1, 10_000_000)]
    public int CanaryMinImpressions { get; set; } = 1_000;

    /// <summary>How much worse on CTR (absolute, 0.005 = half a point) a canary may be before it is rolled back.</summary>
    [Range(0.0, 1.0)]
    public double CanaryTolerance { get; set; } = 0.005;

    /// <summary>Days a canary runs at most; undecided by then, the champion stays.</summary>
    [Range(1, 90)]
    public int CanaryDays { get; set; } = 14;

    /// <summary>Largest training file accepted, in bytes (as stored, i.e. compressed for .gz).</summary>
    [Range(1L, long.MaxValue)]
    public long MaxInputBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Days of the event lake a scheduled retrain reads (and an upload adds when <see cref="IncludeLakeInUploads"/>).</summary>
    [Range(1, 3650)]
    public int LakeWindowDays { get; set; } = 30;

    /// <summary>Also train an uploaded file's run on the last <see cref="LakeWindowDays"/> of the event lake.</summary>
    public bool IncludeLakeInUploads { get; set; }

    /// <summary>A run record left "running" longer than this (a crashed worker) no longer blocks a rerun of the same input.</summary>
    [Range(1, 1440)]
    public int StaleRunMinutes { get; set; } = 60;

    /// <summary>Registry model names; change them only to keep several shops (or tests) apart in one container.</summary>
    [Required]
    [RegularExpression(ModelNamePattern)]
    public string RecommendationsModel { get; set; } = "recommendations";

    [Required]
    [RegularExpression(ModelNamePattern)]
    public string SegmentationModel { get; set; } = "segmentation";

    [Required]
    [RegularExpression(ModelNamePattern)]
    public string CatalogueModel { get; set; } = "catalogue";

    /// <summary>How uploaded transaction files are read (section "Training:Data"; docs/data.md).</summary>
    public TransactionReadSettings Data { get; set; } = new();

    public TimeSpan Holdout => TimeSpan.FromDays(HoldoutDays);

    public TimeSpan LakeWindow => TimeSpan.FromDays(LakeWindowDays);

    /// <summary>Checks what data annotations check, for callers outside the options pipeline (CLI, tests).</summary>
    public void Validate()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            throw new ArgumentException(string.Join(" ", results.Select(r => r.ErrorMessage)));
        }
        try
        {
            _ = Data.ToOptions();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Training:Data: {e.Message}", e);
        }
    }
}

/// <summary>The model recipes a run trains with (code-level settings, not bound from configuration).</summary>
public sealed record TrainingRecipes
{
    public RecommenderOptions Recommender { get; init; } = new();

    public SegmentationOptions Segmentation { get; init; } = new();
}
