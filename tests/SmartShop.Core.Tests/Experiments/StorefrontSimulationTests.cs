using SmartShop.Core.Experiments;
using SmartShop.Core.Experiments.Simulation;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;

namespace SmartShop.Core.Tests.Experiments;

/// <summary>
/// The closed loop proven with simulated shoppers whose tastes are known: what the pipeline attributes equals what the
/// simulation caused, a replay changes nothing, the personalised model is found better than the popular control, an
/// A/A experiment is a false positive about 5 % of the time, and a broken split is flagged.
/// </summary>
public sealed class StorefrontSimulationTests : IClassFixture<StorefrontSimulationTests.Shop>
{
    private readonly Shop _shop;

    public StorefrontSimulationTests(Shop shop) => _shop = shop;

    [Fact]
    public async Task TheAttributedCountsEqualTheSimulationsTruthAndAReplayChangesNothing()
    {
        var options = new SimulationOptions { Customers = Shop.Customers, Days = 7, Seed = 5 };

        var outcome = await StorefrontSimulation.RunAsync(_shop.Value, options, new TableDocumentLogStore(StorageEmulators.TableService(), new DocumentLogOptions(), TimeProvider.System),
            new BlobContainers(StorageEmulators.BlobService()), StorageEmulators.TableService());

        var counted = outcome.Results.Results.Variants.Select(v => new VariantTruth(v.Variant, v.Impressions, v.Clicks, v.Purchases, Math.Round(v.Revenue, 2)));
        counted.Should().BeEquivalentTo(outcome.Traffic.Truth, o => o.Excluding(t => t.Units).WithStrictOrdering());
        outcome.Traffic.Truth.Sum(t => t.Purchases).Should().BeGreaterThan(20, "enough purchases to exercise both attribution paths");
        outcome.ReplayChangedAnything.Should().BeFalse();
        outcome.AfterReplay.Results.Should().BeEquivalentTo(outcome.Results.Results);
        outcome.Results.Daily.Select(d => d.Day).Distinct().Should().HaveCount(7);
    }

    [Fact]
    public void ThePersonalisedModelIsFoundBetterThanThePopularControl()
    {
        var options = new SimulationOptions { Customers = Shop.Customers, Days = 14, Seed = 6 };

        var result = Analyse(options, StorefrontSimulation.Simulate(_shop.Value, options, Definition(options, "detect"), options.Seed, "detect"));

        var ctr = result.Variants[1].VersusControl.Single(c => c.Metric == Experiment.Ctr).Difference;
        ctr.PValue.Should().BeLessThan(0.05);
        ctr.Value.Should().BeGreaterThan(0, "shoppers click what matches their tastes, and the model learnt them");
        result.SampleRatioMismatch.Should().BeFalse();
    }

    [Fact]
    public void AnAaExperimentIsAFalsePositiveAboutOneTimeInTwenty()
    {
        var options = new SimulationOptions { Customers = Shop.Customers, Days = 14, Seed = 7, Variants = SimulationOptions.ParseVariants("a=model,b=model") };

        var rate = StorefrontSimulation.AaFalsePositiveRate(_shop.Value, options, runs: 200);

        rate.Should().BeInRange(0.02, 0.08);
    }

    [Fact]
    public void ASkewedSplitIsFlaggedBySampleRatioCheck()
    {
        var options = new SimulationOptions { Customers = Shop.Customers, Days = 14, Seed = 8, Skew = 0.1, Variants = SimulationOptions.ParseVariants("a=model,b=model") };

        var skewed = Analyse(options, StorefrontSimulation.Simulate(_shop.Value, options, Definition(options, "skew"), options.Seed, "skew"));
        var even = Analyse(options with { Skew = 0 }, StorefrontSimulation.Simulate(_shop.Value, options with { Skew = 0 }, Definition(options, "skew"), options.Seed, "skew"));

        skewed.SampleRatioMismatch.Should().BeTrue();
        skewed.Verdict.Should().StartWith("Sample ratio mismatch", "a broken split is said before any winner");
        even.SampleRatioMismatch.Should().BeFalse();
    }

    [Theory]
    [InlineData("active=popular@9,challenger=model@1", CanaryDecision.Promote)]
    [InlineData("active=model@9,challenger=popular@1", CanaryDecision.RollBack)]
    public void ASimulatedCanaryPromotesABetterChallengerAndRollsBackAWorseOne(string variants, CanaryDecision expected)
    {
        var options = new SimulationOptions { Customers = Shop.Customers, Days = 14, Seed = 9, Variants = SimulationOptions.ParseVariants(variants) };
        var canary = Definition(options, "canary") with { Canary = new CanaryPolicy(Tolerance: 0.005, MinImpressions: 50) };

        var (decision, reason) = CanaryJudge.Decide(canary, Analyse(options, StorefrontSimulation.Simulate(_shop.Value, options, canary, options.Seed, "canary")));

        decision.Should().Be(expected, reason);
    }

    [Theory]
    [InlineData("control=popular", "2 to 10 variants")]
    [InlineData("control=popular,b=ease", "popular or model")]
    [InlineData("control=popular,b", "name=strategy")]
    [InlineData("control=popular,B=model", "variant name")]
    public void ABadExperimentIsExplained(string text, string expected)
    {
        var act = () => new SimulationOptions { Variants = SimulationOptions.ParseVariants(text) }.Validate();

        act.Should().Throw<ArgumentException>().WithMessage($"*{expected}*");
    }

    private static Experiment Definition(SimulationOptions options, string id) =>
        new(id, options.Variants.Select(v => new ExperimentVariant(v.Name, v.Weight, ModelVersion: "simulated-" + v.Strategy)).ToList(),
            [SmartShop.Core.Attribution.RecommendationEndpoints.User], StorefrontSimulation.Start, StorefrontSimulation.Start.AddDays(options.Days), Experiment.Ctr, []);

    private static ExperimentResult Analyse(SimulationOptions options, SimulatedTraffic traffic) =>
        ExperimentResults.Analyse(traffic.Experiment,
            traffic.Truth.Select(t => new VariantCounts(t.Variant, t.Impressions, t.Clicks, t.Purchases, t.Revenue, 0) { Units = t.Units }).ToList(),
            StorefrontSimulation.Start.AddDays(options.Days + 1));

    /// <summary>A shop small enough for the suite: trained once for the class.</summary>
    public sealed class Shop
    {
        public const int Customers = 300;

        public SimulatedShop Value { get; } = SimulatedShop.Create(Customers, seed: 5);
    }
}
