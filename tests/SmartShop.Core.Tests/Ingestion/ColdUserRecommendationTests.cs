using SmartShop.Core.Recommendations;
using SmartShop.Core.Tests.Recommendations;
using static SmartShop.Core.Tests.Ingestion.IngestionHarness;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>
/// Fresh events change the next answer: a user the model has never seen gets trending items until one ingested batch
/// of views lands in the user-activity store (real Azurite), and item-to-item recommendations right after.
/// </summary>
public sealed class ColdUserRecommendationTests
{
    private static readonly RecommenderModel Model = SyntheticShop.Train();

    private readonly IngestionHarness _harness = new();
    private readonly Recommender _recommender = new(Model);

    private async Task<IReadOnlyList<RecommendedItem>> RecommendAsync(string userId)
    {
        // What the HTTP layer does per request: the user's recent activity becomes the request's recent items.
        var recent = await _harness.ActivityStore.GetRecentActivityAsync(userId);
        return _recommender.RecommendForUser(new UserRecommendationRequest
        {
            UserId = userId,
            K = 5,
            RecentItems = recent.Select(activity => activity.ItemId).ToList(),
        });
    }

    [Fact]
    public async Task OneIngestedBatchOfViewsTurnsTrendingIntoItemToItemRecommendations()
    {
        var partition = UniquePartition();
        var user = $"cold-{partition}";
        // Items 1, 7 and 13 are in category C1 (item i is in category i % 3) of the synthetic shop.
        var batch = EventHubsBatch(partition, 1,
            Event($"{partition}-v1", user, SyntheticShop.ItemId(1), minutesAgo: 3),
            Event($"{partition}-v2", user, SyntheticShop.ItemId(7), minutesAgo: 2),
            Event($"{partition}-v3", user, SyntheticShop.ItemId(13), minutesAgo: 1));

        var before = await RecommendAsync(user);
        var summary = await _harness.Ingestor.IngestAsync(batch);
        var after = await RecommendAsync(user);

        summary.Accepted.Should().Be(3);
        before.Should().HaveCount(5).And.OnlyContain(item => item.Reason == "trending");
        after.Should().HaveCount(5);
        after.Select(item => item.ItemId).Should().NotEqual(before.Select(item => item.ItemId));
        after.Should().OnlyContain(item => item.Reason.StartsWith("similar to", StringComparison.Ordinal)
                                            || item.Reason.StartsWith("often bought with", StringComparison.Ordinal));
        // Users of this shop stick to one category: the neighbours of C1 views are mostly C1 items.
        after.Count(item => int.Parse(item.ItemId[1..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 1)
            .Should().BeGreaterThanOrEqualTo(4);
    }
}
