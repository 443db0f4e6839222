using SmartShop.Core.Experiments;

namespace SmartShop.Core.Tests.Experiments;

public sealed class CanaryJudgeTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Experiment Canary = new(
        "canary", [new("active", 9, ModelVersion: "v1"), new("challenger", 1, ModelVersion: "v2")], ["users/recommendations"], Start, null, Experiment.Ctr, [Experiment.RevenuePerMille])
    {
        Canary = new CanaryPolicy(Tolerance: 0.005, MinImpressions: 1_000),
    };

    private static CanaryDecision Decide(VariantCounts control, VariantCounts challenger) =>
        CanaryJudge.Decide(Canary, ExperimentResults.Analyse(Canary, [control, challenger], Start.AddDays(3))).Decision;

    [Fact]
    public void AChallengerThatWinsWithoutLosingAGuardrailIsPromoted() =>
        Decide(new("active", 9_000, 450, 90, 9_000, 900_000), new("challenger", 1_000, 80, 10, 1_000, 100_000)).Should().Be(CanaryDecision.Promote);

    [Fact]
    public void AChallengerThatLosesByMoreThanTheToleranceIsRolledBack() =>
        Decide(new("active", 9_000, 540, 90, 9_000, 900_000), new("challenger", 1_000, 20, 10, 1_000, 100_000)).Should().Be(CanaryDecision.RollBack);

    [Fact]
    public void AWinOnClicksThatLosesRevenueIsRolledBack() =>
        Decide(new("active", 9_000, 450, 900, 90_000, 9_000_000), new("challenger", 1_000, 80, 5, 500, 50_000)).Should().Be(CanaryDecision.RollBack);

    [Fact]
    public void NoDecisionBeforeEnoughImpressionsOrWithoutADifference()
    {
        Decide(new("active", 9_000, 450, 90, 9_000, 900_000), new("challenger", 999, 200, 10, 1_000, 100_000)).Should().Be(CanaryDecision.Continue);
        Decide(new("active", 9_000, 450, 90, 9_000, 900_000), new("challenger", 1_000, 51, 10, 1_000, 100_000)).Should().Be(CanaryDecision.Continue);
    }

    [Fact]
    public void ABrokenSplitDecidesNothing() =>
        Decide(new("active", 5_000, 250, 50, 5_000, 500_000), new("challenger", 5_000, 900, 50, 5_000, 500_000)).Should().Be(CanaryDecision.Continue, "9:1 was planned, 1:1 arrived");

    [Fact]
    public void ACanaryIsTwoModelVersions()
    {
        (Canary with { Variants = [new("active", 9, Strategy: "popular"), new("challenger", 1, ModelVersion: "v2")] }).Problems(["users/recommendations"])
            .Should().Contain(p => p.StartsWith("A canary has two model-version variants", StringComparison.Ordinal));
        Canary.Problems(["users/recommendations"]).Should().BeEmpty();
    }
}
