using SmartShop.Core.Evaluation;

namespace SmartShop.Core.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    private static readonly Dictionary<string, IReadOnlyCollection<string>> Train = new()
    {
        ["u1"] = ["x", "b"],
        ["u2"] = ["y"],
    };

    private static readonly Dictionary<string, IReadOnlyCollection<string>> Test = new()
    {
        ["u1"] = ["a", "b"],
        ["u2"] = ["y"],
        ["u3"] = ["a"], // not in training: never evaluated
    };

    private static readonly Dictionary<string, IReadOnlyList<string>> Recs = new()
    {
        ["u1"] = ["a", "z", "b"],
        ["u2"] = ["q"],
    };

    [Fact]
    public void TruthAllMatchesHandComputation()
    {
        var m = RankingMetrics.Compute(Train, Test, Recs, 3, TruthKind.All);

        // u1: hits at ranks 1 and 3: DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3). u2: no hit.
        var ndcgU1 = 1.5 / (1 + 1 / Math.Log2(3));
        m.Users.Should().Be(2);
        m.Ndcg.Should().BeApproximately(ndcgU1 / 2, 1e-12);
        m.Recall.Should().BeApproximately((1.0 + 0) / 2, 1e-12);
        m.Precision.Should().BeApproximately((2.0 / 3 + 0) / 2, 1e-12);
        m.HitRate.Should().BeApproximately(0.5, 1e-12);
        // Catalogue {x, b, y}; recommended ∩ catalogue = {b}.
        m.Coverage.Should().BeApproximately(1.0 / 3, 1e-12);
    }

    [Fact]
    public void TruthNewDropsItemsBoughtInTrainingAndUsersWithNothingNew()
    {
        var m = RankingMetrics.Compute(Train, Test, Recs, 3, TruthKind.New);

        // u1's truth is {a} (b was bought before): hit at rank 1 → NDCG 1. u2 has nothing new: not counted.
        m.Users.Should().Be(1);
        m.Ndcg.Should().BeApproximately(1, 1e-12);
        m.Precision.Should().BeApproximately(1.0 / 3, 1e-12);
    }

    [Fact]
    public void ListsLongerThanKAreCut()
    {
        var m = RankingMetrics.Compute(Train, Test, Recs, 1, TruthKind.All);
        m.Recall.Should().BeApproximately(0.5 / 2, 1e-12);
    }

    [Fact]
    public void KBelowOneIsRejected()
    {
        var act = () => RankingMetrics.Compute(Train, Test, Recs, 0, TruthKind.All);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
