using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Experiments;
using SmartShop.Core.Ingestion;
using SmartShop.Functions.Experiments;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Recommendations;
using SmartShop.Functions.Tests.Serving;

namespace SmartShop.Functions.Tests.Experiments;

/// <summary>
/// A running experiment on the user route: each user is answered by their variant (the popular control, or a second
/// model version loaded beside the active one), and the answer names the experiment and variant; a stopped
/// experiment routes nobody.
/// </summary>
public sealed class ExperimentServingTests : IAsyncLifetime
{
    private readonly ApiHost _host = new();

    public async Task InitializeAsync()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r2", activate: false);
        await _host.Refresh.RefreshAsync();
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EachUserIsAnsweredByTheirVariantAndTheAnswerSaysWhich()
    {
        var store = _host.Services.GetRequiredService<ExperimentStore>();
        var experiment = new Experiment("home-ranking",
            [new ExperimentVariant("control", 1, Strategy: Experiment.PopularStrategy), new ExperimentVariant("challenger", 1, ModelVersion: "r2")],
            [RecommendationFunctions.UserEndpoint], DateTimeOffset.UtcNow.AddMinutes(-1), null, Experiment.Ctr, []);
        var created = (await store.TryCreateAsync(experiment))!;
        await _host.Refresh.RefreshAsync();
        var functions = _host.Create<RecommendationFunctions>();
        var users = ServingTestModels.KnownUsers.Take(60).ToList();
        var popular = ApiResults.Ok<UserRecommendations>(await functions.GetUserRecommendations(ApiHost.Get("/x", "k=5"), "never-seen-user", default)).Recommendations.Select(r => r.ItemId).ToList();

        var answers = new List<UserRecommendations>();
        foreach (var user in users)
        {
            answers.Add(ApiResults.Ok<UserRecommendations>(await functions.GetUserRecommendations(ApiHost.Get("/x", "k=5"), user, default)));
        }

        answers.Should().AllSatisfy(a => a.ExperimentId.Should().Be("home-ranking"));
        answers.Select(a => a.Variant).Should().Equal(users.Select(u => experiment.Assign(u).Name), "the variant is the user's hash bucket");
        answers.Select(a => a.Variant).Distinct().Should().HaveCount(2);
        answers.Where(a => a.Variant == "challenger").Should().AllSatisfy(a => a.ModelVersion.Should().Be("r2", "served by the variant's own model, loaded beside r1"));
        answers.Where(a => a.Variant == "control").Should().AllSatisfy(a =>
        {
            a.Recommendations.Select(r => r.ItemId).Should().Equal(popular, "the control shows what is popular, not the user's history");
            a.Recommendations[0].Reasons.Should().Contain(RecommendationFunctions.PopularReason);
        });

        (await store.TryReplaceAsync(created with { StoppedAt = DateTimeOffset.UtcNow })).Should().NotBeNull();
        await _host.Refresh.RefreshAsync();
        var after = ApiResults.Ok<UserRecommendations>(await functions.GetUserRecommendations(ApiHost.Get("/x", "k=5"), users[0], default));
        after.ExperimentId.Should().BeNull("a stopped experiment routes nobody");
        after.ModelVersion.Should().Be("r1");
    }

    [Fact]
    public async Task ResultsCountTheAnswersAndTheEventsThatNameTheirVariantOnceEvenWhenReplayed()
    {
        var id = "exp-" + Guid.NewGuid().ToString("N")[..12];
        var store = _host.Services.GetRequiredService<ExperimentStore>();
        var experiment = new Experiment(id,
            [new ExperimentVariant("control", 1, Strategy: Experiment.PopularStrategy), new ExperimentVariant("challenger", 1, ModelVersion: "r2")],
            [RecommendationFunctions.UserEndpoint], DateTimeOffset.UtcNow.AddDays(-2), null, Experiment.Ctr, [Experiment.RevenuePerMille]);
        (await store.TryCreateAsync(experiment)).Should().NotBeNull();
        await _host.Refresh.RefreshAsync();
        var functions = _host.Create<RecommendationFunctions>();
        var users = ServingTestModels.KnownUsers.Take(40).ToList();
        var answers = new List<UserRecommendations>();
        foreach (var user in users)
        {
            answers.Add(ApiResults.Ok<UserRecommendations>(await functions.GetUserRecommendations(ApiHost.Get("/x", "k=3"), user, default)));
        }
        await _host.Services.GetRequiredService<ImpressionCounter>().FlushAsync();

        // The storefront's events: a click on the first item for half the users, a purchase of it (naming the answer, not
        // the experiment) by a quarter within the window, one purchase 26 h after its click (outside), one naming the variant.
        var now = DateTimeOffset.UtcNow;
        var payloads = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var a = answers[i];
            var clickedAt = i == 19 ? now.AddHours(-26) : now.AddMinutes(-30);
            payloads.Add(StorefrontEvents.Json($"{id}-c{i}", "click", a.UserId, a.Recommendations[0].ItemId, clickedAt, $""","recommendationId":"{a.RecommendationId}","position":1,"experimentId":"{id}","variant":"{a.Variant}" """));
            if (i < 10 || i == 19)
            {
                payloads.Add(StorefrontEvents.Json($"{id}-p{i}", "purchase", a.UserId, a.Recommendations[0].ItemId, now.AddMinutes(-5), $""","quantity":2,"price":{i + 1},"transactionId":"o{i}","recommendationId":"{a.RecommendationId}" """));
            }
        }
        var direct = answers[20];
        payloads.Add(StorefrontEvents.Json($"{id}-d", "purchase", direct.UserId, direct.Recommendations[0].ItemId, now.AddMinutes(-4), $""","revenue":50,"recommendationId":"{direct.RecommendationId}","experimentId":"{id}","variant":"{direct.Variant}","transactionId":"od" """));
        var ingestor = _host.Services.GetRequiredService<ClickstreamIngestor>();
        var partition = Guid.NewGuid().ToString("N");
        (await ingestor.IngestAsync(ClickstreamBatch.FromEventHubs(payloads, partition, 0, payloads.Count - 1, null))).Accepted.Should().Be(payloads.Count);

        var first = await ResultsAsync(id);
        // Redelivered as one batch, then replayed in other batches: nothing may move.
        await ingestor.IngestAsync(ClickstreamBatch.FromEventHubs(payloads, partition, 0, payloads.Count - 1, null));
        await ingestor.IngestAsync(ClickstreamBatch.FromContent(payloads.Take(7).ToList(), "replay"));
        await ingestor.IngestAsync(ClickstreamBatch.FromContent(payloads.Skip(7).ToList(), "replay"));
        var again = await ResultsAsync(id);

        var expectedImpressions = answers.GroupBy(a => a.Variant!).ToDictionary(g => g.Key, g => (long)g.Count());
        var byVariant = first.Results.Variants.ToDictionary(v => v.Variant);
        foreach (var variant in new[] { "control", "challenger" })
        {
            var clicked = answers.Take(20).Where(a => a.Variant == variant).ToList();
            var bought = answers.Take(10).Select((a, i) => (a, i)).Where(x => x.a.Variant == variant).ToList();
            var v = byVariant[variant];
            v.Impressions.Should().Be(expectedImpressions.GetValueOrDefault(variant));
            v.Clicks.Should().Be(clicked.Count);
            var directCount = direct.Variant == variant ? 1 : 0;
            v.Purchases.Should().Be(bought.Count + directCount, "the purchase 26 h after its click is outside the window");
            v.Revenue.Should().Be(bought.Sum(x => 2.0 * (x.i + 1)) + (50 * directCount));
            v.Orders.Should().Be(bought.Count + directCount);
        }
        first.Results.Variants.Sum(v => v.Impressions).Should().Be(40);
        first.Results.Variants.Sum(v => v.Clicks).Should().Be(20);
        first.Results.Variants.Sum(v => v.Purchases).Should().Be(11, "ten within the window of their click, one naming its variant");
        again.Results.Variants.Should().BeEquivalentTo(first.Results.Variants, "a redelivery or a replay changes no figure");
        first.Results.Verdict.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [InlineData(true, "r2", CanaryService.PromotedStatus)]
    [InlineData(false, "r1", CanaryService.RolledBackStatus)]
    public async Task ACanaryIsPromotedWhenItWinsAndRolledBackWhenItLoses(bool challengerWins, string activeAfter, string status)
    {
        var id = "canary-" + Guid.NewGuid().ToString("N")[..12];
        var store = _host.Services.GetRequiredService<ExperimentStore>();
        var canary = new Experiment(id,
            [new ExperimentVariant("active", 1, ModelVersion: "r1"), new ExperimentVariant("challenger", 1, ModelVersion: "r2")],
            [RecommendationFunctions.UserEndpoint], DateTimeOffset.UtcNow.AddHours(-1), null, Experiment.Ctr, [])
        {
            Canary = new CanaryPolicy(Tolerance: 0.005, MinImpressions: 5),
        };
        (await store.TryCreateAsync(canary)).Should().NotBeNull();
        await _host.Refresh.RefreshAsync();
        var functions = _host.Create<RecommendationFunctions>();
        var answers = new List<UserRecommendations>();
        foreach (var user in ServingTestModels.KnownUsers.Take(60))
        {
            answers.Add(ApiResults.Ok<UserRecommendations>(await functions.GetUserRecommendations(ApiHost.Get("/x", "k=3"), user, default)));
        }
        await _host.Services.GetRequiredService<ImpressionCounter>().FlushAsync();
        // Every user of the winning side clicks, nobody on the other.
        var winner = challengerWins ? "challenger" : "active";
        var now = DateTimeOffset.UtcNow.AddMinutes(-10);
        var clicks = answers.Where(a => a.Variant == winner)
            .Select((a, i) => StorefrontEvents.Json($"{id}-c{i}", "click", a.UserId, a.Recommendations[0].ItemId, now, $""","recommendationId":"{a.RecommendationId}","experimentId":"{id}","variant":"{a.Variant}" """)).ToList();
        await _host.Services.GetRequiredService<ClickstreamIngestor>().IngestAsync(ClickstreamBatch.FromContent(clicks, "test"));

        var decided = await _host.Create<CanaryFunction>().JudgeCanaries(new Microsoft.Azure.Functions.Worker.TimerInfo(), default);

        decided.Should().Be(1);
        (await _host.Registry.GetActiveAsync(ModelStatusBoard.Recommendations))!.Version.Should().Be(activeAfter);
        (await store.GetAsync(id))!.StoppedAt.Should().NotBeNull("a decided canary stops");
        var record = await _host.Services.GetRequiredService<SmartShop.Core.Storage.IDocumentLogStore>().GetTrainingRunAsync(ModelStatusBoard.Recommendations, "canary-" + id);
        record!.Status.Should().Be(status);
        record.Message.Should().NotBeNullOrEmpty();
        (await _host.Create<CanaryFunction>().JudgeCanaries(new Microsoft.Azure.Functions.Worker.TimerInfo(), default)).Should().Be(0, "a stopped canary is not judged again");
    }

    private async Task<ExperimentResultsView> ResultsAsync(string id) =>
        ApiResults.Ok<ExperimentResultsView>(await _host.Create<ExperimentsFunctions>().GetExperimentResults(ApiHost.Get("/x"), id, default));
}
