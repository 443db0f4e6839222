using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Experiments;
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
}
