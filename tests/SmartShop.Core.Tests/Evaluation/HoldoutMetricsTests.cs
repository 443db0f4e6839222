using SmartShop.Core.Evaluation;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Tests.Training;

namespace SmartShop.Core.Tests.Evaluation;

public sealed class HoldoutMetricsTests
{
    [Fact]
    public void TheRunsHoldoutMetricsAreTheEvaluateCommandsOnTheSameSplit()
    {
        var rows = TrainingFiles.Transactions;
        var cutoff = rows.Max(t => t.InvoiceDate).AddDays(-30);
        var train = rows.Where(t => t.InvoiceDate < cutoff).ToList();
        var test = rows.Where(t => t.InvoiceDate >= cutoff).ToList();
        var options = TrainingFiles.FastRecipes.Recommender;

        var evaluated = OfflineEvaluation.Run(train, test, HoldoutMetrics.K, options).Where(r => r.Model == "smartshop").ToDictionary(r => r.Truth);
        var model = new RecommenderTrainer(options).Train(InteractionSources.FromTransactions(train), Catalogue.FromTransactions(train));
        var metrics = HoldoutMetrics.Score(new Recommender(model), HoldoutSplit.FromPurchases(InteractionSources.FromTransactions(rows), cutoff));

        metrics["users/all"].Should().Be(evaluated[TruthKind.All].Metrics.Users).And.BeGreaterThan(20);
        metrics["ndcg@10/all"].Should().BeApproximately(evaluated[TruthKind.All].Metrics.Ndcg, 1e-6).And.BeGreaterThan(0);
        metrics["recall@10/all"].Should().BeApproximately(evaluated[TruthKind.All].Metrics.Recall, 1e-6);
        metrics["users/new"].Should().Be(evaluated[TruthKind.New].Metrics.Users);
        metrics["ndcg@10/new"].Should().BeApproximately(evaluated[TruthKind.New].Metrics.Ndcg, 1e-6);
        metrics["coverage@10/new"].Should().BeApproximately(evaluated[TruthKind.New].Metrics.Coverage, 1e-6);
    }

    [Fact]
    public void PurchasesSplitAtTheCutoffAndOtherEventsAreIgnored()
    {
        var cutoff = new DateTime(2024, 2, 1);
        InteractionEvent[] events =
        [
            new("u1", "A", cutoff.AddDays(-3), InteractionKind.Purchase),
            new("u1", "B", cutoff.AddDays(-2), InteractionKind.View),
            new("u1", "C", cutoff, InteractionKind.Purchase),
            new("u2", "A", cutoff.AddDays(1), InteractionKind.Purchase),
            new("u3", "D", cutoff.AddDays(-1), InteractionKind.Purchase),
        ];

        var split = HoldoutSplit.FromPurchases(events, cutoff);

        split.TrainItemsByUser.Keys.Should().BeEquivalentTo(["u1", "u3"]);
        split.TrainItemsByUser["u1"].Should().BeEquivalentTo(["A"]);
        split.TestItemsByUser["u1"].Should().BeEquivalentTo(["C"]);
        split.ScoredUsers.Should().Equal("u1");
    }
}
