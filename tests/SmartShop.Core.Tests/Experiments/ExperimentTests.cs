using SmartShop.Core.Experiments;
using SmartShop.Core.Tests.Storage;

namespace SmartShop.Core.Tests.Experiments;

public sealed class ExperimentTests
{
    private static readonly string[] Endpoints = ["user", "similar", "cart"];
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static Experiment Sample(string id = "home-ranking", params ExperimentVariant[] variants) => new(
        id,
        variants.Length > 0 ? variants : [new ExperimentVariant("control", 1, Strategy: Experiment.PopularStrategy), new ExperimentVariant("personal", 1, ModelVersion: "20261201-0300")],
        ["user"],
        Start,
        Start.AddDays(14),
        Experiment.Ctr,
        [Experiment.RevenuePerMille]);

    [Fact]
    public void AssignmentIsStickyAndFollowsTheWeights()
    {
        var experiment = Sample("split", new ExperimentVariant("a", 9, Strategy: "popular"), new ExperimentVariant("b", 1, ModelVersion: "v1"));
        var users = Enumerable.Range(0, 100_000).Select(i => $"user-{i}").ToList();

        var first = users.Select(u => experiment.Assign(u).Name).ToList();
        var again = users.Select(u => experiment.Assign(u).Name).ToList();

        again.Should().Equal(first, "the same user always sees the same variant");
        // 10,000 expected in b; a binomial standard deviation is 95, so ±400 is over four of them.
        first.Count(n => n == "b").Should().BeInRange(9_600, 10_400);
    }

    [Fact]
    public void TwoExperimentsSplitTheSameUsersIndependently()
    {
        var one = Sample("one");
        var two = Sample("two");
        var users = Enumerable.Range(0, 40_000).Select(i => $"u{i}").ToList();

        var bothTreated = users.Count(u => one.Assign(u).Name == "personal" && two.Assign(u).Name == "personal");

        bothTreated.Should().BeInRange(9_400, 10_600, "a quarter of the users, not a half: the buckets do not line up");
    }

    [Fact]
    public void TheBucketIsAFixedFunctionOfTheIds()
    {
        // Pinned (Python: int.from_bytes(sha256(b"home-ranking\n17850").digest()[:8], "big") >> 11, over 2^53): an
        // instance or a release that computed it differently would show a user another variant.
        Experiment.Bucket("home-ranking", "17850").Should().Be(0.6103910337175948);
        Experiment.Bucket("home-ranking", "17851").Should().Be(0.3260186548122652);
        Enumerable.Range(0, 1000).Select(i => Experiment.Bucket("x", i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Should().OnlyContain(b => b >= 0 && b < 1);
    }

    [Fact]
    public void AnInvalidDefinitionNamesEachProblem()
    {
        var bad = Sample("Bad Id", new ExperimentVariant("a", 0, Strategy: "random"), new ExperimentVariant("a", 1)) with
        {
            Endpoints = ["nowhere"],
            PrimaryMetric = "clicks",
            Guardrails = ["ctr"],
            StopsAt = Start,
        };

        bad.Problems(Endpoints).Should().BeEquivalentTo(
            "The id is 1-64 lower-case letters, digits or '-'.",
            "Variant 'a': the weight is a positive number.",
            "Variant 'a': unknown strategy 'random' (known: popular).",
            "Variant 'a': give either a model version or a strategy (popular).",
            "Variant names are unique.",
            "Target one or more endpoints of: user, similar, cart.",
            "The primary metric is one of ctr, conversion, revenue-per-mille.",
            "The experiment stops after it starts.");
        Sample().Problems(Endpoints).Should().BeEmpty();
    }

    [Fact]
    public void ItRunsBetweenStartAndTheEarlierOfItsStopAndAManualStop()
    {
        var experiment = Sample();

        experiment.IsRunning(Start.AddSeconds(-1)).Should().BeFalse();
        experiment.IsRunning(Start).Should().BeTrue();
        experiment.IsRunning(Start.AddDays(14)).Should().BeFalse();
        (experiment with { StoppedAt = Start.AddDays(2) }).IsRunning(Start.AddDays(3)).Should().BeFalse();
    }

    [Fact]
    public async Task TheStoreCreatesOnceAndReplacesOnlyTheVersionItRead()
    {
        var store = new ExperimentStore(new SmartShop.Core.Storage.BlobContainers(StorageEmulators.BlobService()), StorageEmulators.UniqueName("models-"));
        var id = StorageEmulators.UniqueName("exp-");
        var created = await store.TryCreateAsync(Sample(id));

        created.Should().NotBeNull();
        (await store.TryCreateAsync(Sample(id))).Should().BeNull("an id names one experiment");
        var read = (await store.GetAsync(id))!;
        read.Should().BeEquivalentTo(Sample(id), o => o.Excluding(e => e.ETag));
        read.ETag.Should().Be(created!.ETag);

        var stopped = await store.TryReplaceAsync(read with { StoppedAt = Start.AddDays(1) });
        var stale = await store.TryReplaceAsync(read with { StoppedAt = Start.AddDays(2) });

        stopped.Should().NotBeNull();
        stale.Should().BeNull("the version it read was replaced");
        (await store.GetAsync(id))!.StoppedAt.Should().Be(Start.AddDays(1));
        (await store.ListAsync()).Should().Contain(e => e.Id == id);
        (await store.GetAsync("no-such-experiment")).Should().BeNull();
        (await store.GetAsync("../models/x")).Should().BeNull("not an id");
    }
}
