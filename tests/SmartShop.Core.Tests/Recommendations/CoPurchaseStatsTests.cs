using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Tests.Recommendations;

public sealed class CoPurchaseStatsTests
{
    [Fact]
    public void SupportConfidenceAndLiftMatchHandComputation()
    {
        // Baskets: {A,B}, {A,B,C}, {A}, {C}. A is in 3 of 4 baskets, B in 2, A∧B in 2.
        var t = new DateTime(2024, 1, 1);
        InteractionEvent E(string basket, string item, int minutes) => new("U" + basket, item, t.AddMinutes(minutes), InteractionKind.Purchase, BasketId: basket);
        var log = InteractionLog.Build([E("1", "A", 0), E("1", "B", 0), E("2", "A", 1), E("2", "B", 1), E("2", "C", 1), E("3", "A", 2), E("4", "C", 3)]);
        int a = log.ItemIndex["A"], b = log.ItemIndex["B"];

        var stats = CoPurchaseStats.Build(log, log.Count, log.ItemCount, maxNeighbours: 10, minBasketsTogether: 1, maxBasketSize: 100);

        var aToB = stats.Neighbours[a].Single(x => x.Item == b);
        aToB.Baskets.Should().Be(2);
        aToB.Support.Should().BeApproximately(0.5f, 1e-6f);
        aToB.Confidence.Should().BeApproximately(2f / 3, 1e-6f);
        aToB.Lift.Should().BeApproximately(4f / 3, 1e-5f);
        var bToA = stats.Neighbours[b].Single(x => x.Item == a);
        bToA.Confidence.Should().BeApproximately(1f, 1e-6f);
        bToA.Lift.Should().BeApproximately(4f / 3, 1e-5f);
        stats.Neighbours[b][0].Item.Should().Be(a, "neighbours are ordered by confidence");
    }
}
