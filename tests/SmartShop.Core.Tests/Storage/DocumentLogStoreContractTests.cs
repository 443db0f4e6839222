using SmartShop.Core.Attribution;
using SmartShop.Core.Storage;
using AwesomeAssertions.Equivalency;

namespace SmartShop.Core.Tests.Storage;

/// <summary>The behaviour every <see cref="IDocumentLogStore"/> must have; one subclass per implementation.</summary>
public abstract class DocumentLogStoreContractTests
{
    protected static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    protected static DocumentLogOptions Options { get; } = new() { PredictionTtlDays = 30, RecentActivityLimit = 5 };

    protected ManualTimeProvider Clock { get; } = new(Now);

    protected abstract IDocumentLogStore Store { get; }

    /// <summary>A second store on the same storage, as another Functions instance would have.</summary>
    protected abstract IDocumentLogStore OtherStore { get; }

    private static EquivalencyOptions<TrainingRun> IgnoringETag(EquivalencyOptions<TrainingRun> options) => options.Excluding(r => r.ETag);

    [Fact]
    public async Task RecentPredictionsAreTheUsersNewestFirstWithAllFields()
    {
        var user = StorageEmulators.UniqueName("user/#?");
        var other = StorageEmulators.UniqueName("user");
        PredictionLogEntry[] entries =
        [
            new(user, "p1", Now.AddMinutes(-30), "recommendations", "v1", ["85123A", "22423"], LatencyMilliseconds: 0.125),
            new(user, "p2", Now.AddMinutes(-10), "similar-items", "v2", ["84879"], LatencyMilliseconds: 2.5),
            new(user, "p3", Now.AddMinutes(-20), "recommendations", "v1", []),
            new(other, "p4", Now.AddMinutes(-1), "recommendations", "v1", ["X"]),
        ];

        await Store.WritePredictionsAsync(entries);
        var recent = await Store.GetRecentPredictionsAsync(user, limit: 2);

        recent.Should().BeEquivalentTo([entries[1], entries[2]], o => o.WithStrictOrdering());
        (await Store.GetRecentPredictionsAsync(other, limit: 10)).Should().ContainSingle().Which.PredictionId.Should().Be("p4");
    }

    [Fact]
    public async Task RewritingAPredictionReplacesItAndExpiredOnesAreHidden()
    {
        var user = StorageEmulators.UniqueName("user");
        var entry = new PredictionLogEntry(user, "p1", Now.AddHours(-1), "recommendations", "v1", ["A"]);
        var expired = new PredictionLogEntry(user, "old", Now.AddDays(-31), "recommendations", "v0", ["B"]);

        await Store.WritePredictionsAsync([entry, expired]);
        await Store.WritePredictionsAsync([entry with { ItemIds = ["C"] }]);

        var recent = await Store.GetRecentPredictionsAsync(user, limit: 10);
        recent.Should().ContainSingle().Which.ItemIds.Should().Equal("C");
    }

    [Fact]
    public async Task AUsersDataIsListedWithExpiredEntriesAndDeletedWithoutTouchingOthers()
    {
        // Partition-key characters are escaped as for every other id: the user's own partition, exactly.
        var user = StorageEmulators.UniqueName("user/#?");
        var other = StorageEmulators.UniqueName("user");
        var entries = Enumerable.Range(0, 105).Select(i => new PredictionLogEntry(user, $"p{i}", Now.AddMinutes(-i), "recommendations", "v1", ["A"]))
            .Append(new PredictionLogEntry(user, "old", Now.AddDays(-31), "recommendations", "v0", ["B"]))
            .Append(new PredictionLogEntry(other, "p-other", Now, "recommendations", "v1", ["C"]))
            .ToList();
        await Store.WritePredictionsAsync(entries);
        await Store.AppendActivityAsync(user, [new UserActivity("A", "view", Now)]);
        await Store.AppendActivityAsync(other, [new UserActivity("C", "view", Now)]);

        var all = await Store.ListAllPredictionsAsync(user);
        var deleted = await Store.DeletePredictionsAsync(user);
        var activityDeleted = await Store.DeleteRecentActivityAsync(user);

        all.Should().HaveCount(106).And.BeInDescendingOrder(p => p.Timestamp);
        all[^1].PredictionId.Should().Be("old");
        deleted.Should().Be(106);
        activityDeleted.Should().BeTrue();
        (await Store.ListAllPredictionsAsync(user)).Should().BeEmpty();
        (await Store.GetRecentActivityAsync(user)).Should().BeEmpty();
        (await Store.DeleteRecentActivityAsync(user)).Should().BeFalse();
        (await Store.DeletePredictionsAsync(user)).Should().Be(0);
        (await Store.ListAllPredictionsAsync(other)).Should().ContainSingle();
        (await Store.GetRecentActivityAsync(other)).Should().ContainSingle();

        // The same store instance appends to the user again after the delete (no stale ETag left behind).
        await Store.AppendActivityAsync(user, [new UserActivity("D", "view", Now)]);
        (await OtherStore.GetRecentActivityAsync(user)).Should().ContainSingle().Which.ItemId.Should().Be("D");
    }

    [Fact]
    public async Task TrainingRunsRoundTripUpdateAndListNewestFirst()
    {
        var model = StorageEmulators.UniqueName("model");
        var first = new TrainingRun(model, "run-1", Now.AddDays(-2), Now.AddDays(-2).AddMinutes(5), "promoted", "v1",
            new Dictionary<string, double> { ["precision@10"] = 0.12, ["recall@10"] = 0.3 }, null);
        var second = new TrainingRun(model, "run-2", Now.AddDays(-1), null, "running", null, new Dictionary<string, double>(), null);
        var third = new TrainingRun(model, "run-3", Now, null, "running", null, new Dictionary<string, double>(), "started by upload");

        await Store.UpsertTrainingRunAsync(first);
        await Store.UpsertTrainingRunAsync(second);
        await Store.UpsertTrainingRunAsync(third);
        var finished = second with { CompletedAt = Now.AddDays(-1).AddMinutes(7), Status = "rejected", Message = "worse than active" };
        await Store.UpsertTrainingRunAsync(finished);

        (await Store.GetTrainingRunAsync(model, "run-1")).Should().BeEquivalentTo(first, IgnoringETag);
        (await Store.GetTrainingRunAsync(model, "run-2")).Should().BeEquivalentTo(finished, IgnoringETag);
        (await Store.ListTrainingRunsAsync(model, limit: 2)).Select(r => r.RunId).Should().Equal("run-3", "run-2");
        (await Store.ListTrainingRunsAsync(StorageEmulators.UniqueName("model"), limit: 2)).Should().BeEmpty();
    }

    [Fact]
    public async Task TrainingRunsKeepTheirInputComparisonAndErrorAndAreCreatedOnce()
    {
        var model = StorageEmulators.UniqueName("model");
        var run = new TrainingRun(model, "upload-3f2a", Now, null, "running", null, new Dictionary<string, double>(), "Training in progress.")
        {
            Trigger = "blob",
            InputBlob = "2026/11/sales.csv.gz",
            InputETag = "\"0x8DCB1\"",
            InputHash = "3f2a9c",
            DataSummary = new Dictionary<string, string> { ["kind"] = "Transactions", ["rowsRead"] = "63125" },
            Parameters = new Dictionary<string, string> { ["primaryMetric"] = "ndcg@10/all", ["tolerance"] = "0.005" },
        };
        var done = run with
        {
            CompletedAt = Now.AddMinutes(1),
            Status = "rejected",
            ModelVersion = "20261124T120100000Z-3f2a9c",
            Metrics = new Dictionary<string, double> { ["ndcg@10/all"] = 0.31 },
            ChampionVersion = "v7",
            ChampionMetrics = new Dictionary<string, double> { ["ndcg@10/all"] = 0.4 },
            Error = "The champion is fine; this one is worse.",
        };

        (await Store.TryCreateTrainingRunAsync(run)).Should().BeTrue();
        (await Store.TryCreateTrainingRunAsync(run with { Status = "other" })).Should().BeFalse();
        (await Store.GetTrainingRunAsync(model, run.RunId)).Should().BeEquivalentTo(run, IgnoringETag);
        await Store.UpsertTrainingRunAsync(done);

        (await Store.GetTrainingRunAsync(model, run.RunId)).Should().BeEquivalentTo(done, IgnoringETag);
        (await Store.ListTrainingRunsAsync(model, 5)).Should().ContainSingle().Which.Should().BeEquivalentTo(done, IgnoringETag);
    }

    [Fact]
    public async Task ATrainingRunIsReplacedOnlyByAWriterThatReadItsCurrentVersion()
    {
        var model = StorageEmulators.UniqueName("model");
        var claim = new TrainingRun(model, "upload-9c1e", Now, null, "running", null, new Dictionary<string, double>(), "Training in progress.");
        (await Store.TryCreateTrainingRunAsync(claim)).Should().BeTrue();
        var read = await Store.GetTrainingRunAsync(model, claim.RunId);
        read!.ETag.Should().NotBeNullOrEmpty();
        (await Store.TryReplaceTrainingRunAsync(claim with { RunId = "missing" }, read.ETag!)).Should().BeFalse("there is nothing to replace");

        var first = claim with { StartedAt = Now.AddMinutes(30), Error = "taken over by the first" };
        var second = claim with { StartedAt = Now.AddMinutes(31), Error = "taken over by the second" };
        var results = await Task.WhenAll(Store.TryReplaceTrainingRunAsync(first, read.ETag!), Store.TryReplaceTrainingRunAsync(second, read.ETag!));

        results.Count(r => r).Should().Be(1, "both read the same version, so exactly one takes it over");
        var stored = await Store.GetTrainingRunAsync(model, claim.RunId);
        stored.Should().BeEquivalentTo(results[0] ? first : second, IgnoringETag);
        stored!.ETag.Should().NotBe(read.ETag);
        (await Store.TryReplaceTrainingRunAsync(claim, stored.ETag!)).Should().BeTrue("the winner's version is current");
    }

    [Fact]
    public async Task MissingItemsReadAsNull()
    {
        var model = StorageEmulators.UniqueName("model");
        await Store.UpsertTrainingRunAsync(new TrainingRun(model, "exists", Now, null, "running", null, new Dictionary<string, double>(), null));

        (await Store.GetTrainingRunAsync(model, "missing")).Should().BeNull();
        (await Store.GetAnalysisAsync(StorageEmulators.UniqueName("analysis"))).Should().BeNull();
        (await Store.GetRecentActivityAsync(StorageEmulators.UniqueName("user"))).Should().BeEmpty();
    }

    [Fact]
    public async Task AnalysesRoundTripAndOversizedResultsAreRefused()
    {
        var id = StorageEmulators.UniqueName("analysis");
        var pending = new SegmentationAnalysis(id, Now, "pending", "uploads/a.csv", null, null);
        var done = pending with { Status = "completed", ResultJson = "{\"segments\":[{\"name\":\"champions\",\"size\":12}]}" };

        await Store.UpsertAnalysisAsync(pending);
        await Store.UpsertAnalysisAsync(done);
        var tooLarge = () => Store.UpsertAnalysisAsync(pending with { ResultJson = new string('x', SegmentationAnalysis.MaxResultJsonLength + 1) });

        (await Store.GetAnalysisAsync(id)).Should().Be(done);
        await tooLarge.Should().ThrowAsync<ArgumentException>().WithMessage("*at most*");
    }

    [Fact]
    public async Task AnalysesListNewestFirstInPagesWithoutRepeats()
    {
        // Other tests share the store: check our analyses' order within the whole listing, walked page by page.
        var prefix = StorageEmulators.UniqueName("list");
        var created = Enumerable.Range(0, 5)
            .Select(i => new SegmentationAnalysis($"{prefix}-{i}", Now.AddMinutes(i % 4), "succeeded", null, $"{{\"k\":{i}}}", null))
            .ToList();
        foreach (var analysis in created)
        {
            await Store.UpsertAnalysisAsync(analysis);
        }

        var listed = new List<SegmentationAnalysis>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.ListAnalysesAsync(limit: 2, token);
            page.Items.Count.Should().BeInRange(1, 2);
            listed.AddRange(page.Items);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 10_000);

        listed.Select(a => a.AnalysisId).Should().OnlyHaveUniqueItems();
        listed.Select(a => a.CreatedAt).Should().BeInDescendingOrder();
        // Minutes 3, 2, 1, then the two analyses at minute 0 by id, descending.
        listed.Where(a => a.AnalysisId.StartsWith(prefix, StringComparison.Ordinal)).Should()
            .Equal([created[3], created[2], created[1], created[4], created[0]]);
    }

    [Fact]
    public async Task DeletedAnalysesAreGoneAndForeignTokensAreRefused()
    {
        var id = StorageEmulators.UniqueName("delete");
        var analysis = new SegmentationAnalysis(id, Now, "failed", "uploads/x.csv", null, "bad CSV");
        await Store.UpsertAnalysisAsync(analysis);

        (await Store.DeleteAnalysisAsync(id)).Should().BeTrue();
        (await Store.GetAnalysisAsync(id)).Should().BeNull();
        (await Store.DeleteAnalysisAsync(id)).Should().BeFalse();
        var list = () => Store.ListAnalysesAsync(limit: 10, "not-a-token");
        await list.Should().ThrowAsync<ArgumentException>().WithMessage("*continuation token*");
    }

    [Fact]
    public async Task RecentActivityKeepsTheNewestEntriesUpToTheLimit()
    {
        var user = StorageEmulators.UniqueName("user");
        var activities = Enumerable.Range(0, 7).Select(i => new UserActivity($"item-{i}", i % 2 == 0 ? "view" : "purchase", Now.AddMinutes(i))).ToList();

        await Store.AppendActivityAsync(user, activities[..3]);
        await Store.AppendActivityAsync(user, activities[3..]);

        (await Store.GetRecentActivityAsync(user)).Should().Equal(activities[6], activities[5], activities[4], activities[3], activities[2]);
    }

    [Fact]
    public async Task ConcurrentActivityAppendsLoseNothing()
    {
        var user = StorageEmulators.UniqueName("user");
        var activities = Enumerable.Range(0, 4).Select(i => new UserActivity($"item-{i}", "view", Now.AddSeconds(i))).ToList();

        await Task.WhenAll(activities.Select(a => Store.AppendActivityAsync(user, [a])));

        (await Store.GetRecentActivityAsync(user)).Should().BeEquivalentTo(activities);
    }

    [Fact]
    public async Task AppendsFromTwoInstancesInTurnLoseNothing()
    {
        // Each store remembers what it wrote last; the other's writes in between must be merged, not overwritten.
        var user = StorageEmulators.UniqueName("user");
        var activities = Enumerable.Range(0, 5).Select(i => new UserActivity($"item-{i}", "view", Now.AddSeconds(i))).ToList();

        await OtherStore.AppendActivityAsync(user, [activities[0]]);
        await Store.AppendActivityAsync(user, [activities[1]]);
        await OtherStore.AppendActivityAsync(user, [activities[2]]);
        await Store.AppendActivityAsync(user, [activities[3]]);
        await Store.AppendActivityAsync(user, [activities[4]]);

        (await OtherStore.GetRecentActivityAsync(user)).Should().Equal(activities[4], activities[3], activities[2], activities[1], activities[0]);
    }

    [Fact]
    public async Task AppendingForManyUsersAtOnceSurvivesAnotherWriterOnOneOfThem()
    {
        var users = Enumerable.Range(0, 40).Select(_ => StorageEmulators.UniqueName("user")).ToList();
        var first = users.ToDictionary(u => u, u => (IReadOnlyList<UserActivity>)[new UserActivity("A", "view", Now)]);
        var second = users.ToDictionary(u => u, u => (IReadOnlyList<UserActivity>)[new UserActivity("B", "view", Now.AddSeconds(1))]);

        await Store.AppendActivitiesAsync(first);
        await OtherStore.AppendActivityAsync(users[7], [new UserActivity("C", "purchase", Now.AddSeconds(2))]);
        await Store.AppendActivitiesAsync(second);

        foreach (var user in users)
        {
            var expected = user == users[7] ? 3 : 2;
            (await OtherStore.GetRecentActivityAsync(user)).Should().HaveCount(expected, $"user {users.IndexOf(user)}");
        }
    }

    [Fact]
    public async Task AttributionFactsAndImpressionsAreReadBackPerDayAndRewritingReplaces()
    {
        // A day of its own (the partitions outlive a run), spread over two partitions by a batch spanning midnight.
        var day = new DateOnly(2200, 1, 1).AddDays(Random.Shared.Next(0, 300_000));
        var key = new RollupKey(day, "users/recommendations", "v1", "home", "exp-1", "b", "3-big-spenders");
        var next = key with { Day = day.AddDays(1), Placement = null, ExperimentId = null, Variant = null, Segment = null };
        // Enough facts for several chunks of a record.
        var facts = Enumerable.Range(0, 700).Select(i => new AttributionFact($"e{i}", i % 2 == 0 ? FactKinds.Click : FactKinds.Purchase, key, i % 2, i % 2 == 0 ? null : $"o{i}"))
            .Append(new AttributionFact("late", FactKinds.Click, next)).ToList();
        var batch = StorageEmulators.UniqueName("batch/#?");

        await Store.WriteAttributionFactsAsync(batch, facts);
        await OtherStore.WriteAttributionFactsAsync(batch, facts);
        await Store.WriteAttributionFactsAsync(StorageEmulators.UniqueName("other"), [facts[0], new AttributionFact("x", FactKinds.AddToCart, key)]);
        await Store.WriteImpressionCountsAsync("i-1", day, [new ImpressionCount(key, 5)]);
        await Store.WriteImpressionCountsAsync("i-1", day, [new ImpressionCount(key, 9)]);
        await OtherStore.WriteImpressionCountsAsync("i-2", day, [new ImpressionCount(key, 4)]);

        var read = await OtherStore.ReadAttributionDayAsync(day);
        read.Facts.Should().HaveCount(702, "the same writer's records were replaced; another writer's duplicate is kept and counted once when summed");
        read.Facts.Should().ContainEquivalentOf(facts[1]);
        read.Impressions.Select(i => i.Count).Should().BeEquivalentTo([9L, 4L], "each instance's counts replace its own");
        var row = Rollup.Build(read.Facts, read.Impressions).Should().ContainSingle().Subject;
        row.Should().BeEquivalentTo(new { Key = key, Impressions = 13L, Clicks = 350L, Purchases = 350L, AddToCarts = 1L, Revenue = 350.0, Orders = 350L });
        (await Store.ReadAttributionDayAsync(day.AddDays(1))).Facts.Should().ContainSingle().Which.Should().Be(facts[^1]);
        (await Store.ReadAttributionDayAsync(day.AddDays(2))).Should().BeEquivalentTo(new { Facts = Array.Empty<AttributionFact>(), Impressions = Array.Empty<ImpressionCount>() });
    }

    [Fact]
    public async Task AppendingActivitiesReturnsTheMergedListsWithTheirAnswers()
    {
        var user = StorageEmulators.UniqueName("user");
        await Store.AppendActivityAsync(user, [new UserActivity("A", "click", Now.AddMinutes(-5), "r1:u:v1")]);

        var merged = await OtherStore.AppendActivitiesAsync(new Dictionary<string, IReadOnlyList<UserActivity>> { [user] = [new UserActivity("A", "purchase", Now)] });

        merged[user].Should().Equal(new UserActivity("A", "purchase", Now), new UserActivity("A", "click", Now.AddMinutes(-5), "r1:u:v1"));
    }
}

public sealed class TableDocumentLogStoreTests : DocumentLogStoreContractTests
{
    public TableDocumentLogStoreTests()
    {
        Store = new TableDocumentLogStore(StorageEmulators.TableService(), Options, Clock);
        OtherStore = new TableDocumentLogStore(StorageEmulators.TableService(), Options, Clock);
    }

    protected override IDocumentLogStore Store { get; }

    protected override IDocumentLogStore OtherStore { get; }
}

public sealed class CosmosDocumentLogStoreTests : DocumentLogStoreContractTests, IDisposable
{
    private readonly Microsoft.Azure.Cosmos.CosmosClient _client = StorageEmulators.CosmosClient();

    public CosmosDocumentLogStoreTests()
    {
        Store = new CosmosDocumentLogStore(_client, "smartshop-tests", Options, Clock);
        OtherStore = new CosmosDocumentLogStore(_client, "smartshop-tests", Options, Clock);
    }

    protected override IDocumentLogStore Store { get; }

    protected override IDocumentLogStore OtherStore { get; }

    public void Dispose() => _client.Dispose();
}
