using System.Globalization;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;

namespace SmartShop.Core.Experiments;

/// <summary>
/// Makes an experiment a canary: its second variant (a challenger model version) takes a share of traffic from the
/// first (the active version) and is promoted or rolled back by the results alone. <see cref="Tolerance"/> is how much
/// worse than the control, in the primary metric's units (a rate difference, or revenue per 1,000 impressions), the
/// challenger may be before it is rolled back; no decision is made before each variant has
/// <see cref="MinImpressions"/>.
/// </summary>
public sealed record CanaryPolicy(double Tolerance = 0.005, long MinImpressions = 1_000);

public enum CanaryDecision
{
    Continue,
    Promote,
    RollBack,
}

/// <summary>What the canary rule says about a canary experiment's results, and why.</summary>
public static class CanaryJudge
{
    public static (CanaryDecision Decision, string Reason) Decide(Experiment experiment, ExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(result);
        var policy = experiment.Canary ?? throw new ArgumentException($"Experiment '{experiment.Id}' is not a canary.", nameof(experiment));
        if (result.SampleRatioMismatch)
        {
            return (CanaryDecision.Continue, "Sample ratio mismatch: no decision until the split is fixed.");
        }
        if (result.Variants.Any(v => v.Impressions < policy.MinImpressions))
        {
            return (CanaryDecision.Continue, string.Create(CultureInfo.InvariantCulture, $"Fewer than {policy.MinImpressions:N0} impressions in a variant: too early to decide."));
        }
        var challenger = result.Variants[1];
        var primary = challenger.VersusControl.Single(c => c.Metric == experiment.PrimaryMetric).Difference;
        var guardrailLoss = challenger.VersusControl.FirstOrDefault(c => experiment.Guardrails.Contains(c.Metric) && c.Difference.PValue < ExperimentResults.Alpha && c.Difference.Value < 0);
        if (primary.PValue < ExperimentResults.Alpha && primary.Value < -policy.Tolerance)
        {
            return (CanaryDecision.RollBack, result.Verdict);
        }
        if (guardrailLoss is not null)
        {
            return (CanaryDecision.RollBack, $"It loses on the guardrail {guardrailLoss.Metric}. {result.Verdict}");
        }
        if (primary.PValue < ExperimentResults.Alpha && primary.Value > 0)
        {
            return (CanaryDecision.Promote, result.Verdict);
        }
        return (CanaryDecision.Continue, result.Verdict);
    }
}

/// <summary>
/// Judges every running canary: a challenger that wins on the primary metric without losing on a guardrail is
/// activated, one that loses by more than the tolerance is withdrawn; either way the experiment stops, and the decision
/// is a record in the training-runs log (run id <c>canary-&lt;experiment id&gt;</c>) and a training-run metric.
/// </summary>
public sealed partial class CanaryService(
    ExperimentStore store,
    ExperimentReport report,
    ModelRegistry registry,
    IDocumentLogStore runLog,
    SmartShopTelemetry telemetry,
    TimeProvider timeProvider,
    ILogger<CanaryService> logger,
    string recommendationsModel = "recommendations")
{
    public const string PromotedStatus = "canary-promoted";
    public const string RolledBackStatus = "canary-rolled-back";

    public async Task<IReadOnlyList<(string ExperimentId, CanaryDecision Decision, string Reason)>> JudgeAsync(CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var decisions = new List<(string, CanaryDecision, string)>();
        foreach (var experiment in (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Where(e => e.Canary is not null && e.IsRunning(now)))
        {
            var results = await report.BuildAsync(experiment, cancellationToken).ConfigureAwait(false);
            var (decision, reason) = CanaryJudge.Decide(experiment, results.Results);
            if (decision != CanaryDecision.Continue && await ApplyAsync(experiment, decision, reason, now, cancellationToken).ConfigureAwait(false))
            {
                decisions.Add((experiment.Id, decision, reason));
            }
        }
        return decisions;
    }

    private async Task<bool> ApplyAsync(Experiment experiment, CanaryDecision decision, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Stopped first, under its ETag: of two instances judging at once, one applies the decision.
        if (await store.TryReplaceAsync(experiment with { StoppedAt = now }, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }
        var challenger = experiment.Variants[1].ModelVersion!;
        if (decision == CanaryDecision.Promote)
        {
            await registry.TryActivateAsync(recommendationsModel, challenger, cancellationToken).ConfigureAwait(false);
        }
        var status = decision == CanaryDecision.Promote ? PromotedStatus : RolledBackStatus;
        await runLog.UpsertTrainingRunAsync(new TrainingRun(recommendationsModel, "canary-" + experiment.Id, experiment.StartsAt, now, status, challenger, new Dictionary<string, double>(), reason)
        {
            Trigger = "canary",
            ChampionVersion = experiment.Control.ModelVersion,
        }, cancellationToken).ConfigureAwait(false);
        telemetry.RecordTrainingRun(recommendationsModel, status);
        LogDecided(logger, experiment.Id, status, challenger);
        return true;
    }

    [LoggerMessage(EventId = 8201, Level = LogLevel.Information, Message = "Canary {ExperimentId}: {Status} for version {Version}")]
    private static partial void LogDecided(ILogger logger, string experimentId, string status, string version);
}
