using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Tests.Recommendations;

public sealed class RecommenderTests
{
    private static readonly RecommenderModel Model = SyntheticShop.Train();
    private readonly Recommender _recommender = new(Model);

    private static HashSet<string> Bought(string user) =>
        [.. SyntheticShop.Events().Where(e => e.UserId == user).Select(e => e.ItemId)];

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(-3)]
    public void KOutsideOneToHundredIsRejected(int k)
    {
        FluentActions.Invoking(() => _recommender.RecommendForUser(new UserRecommendationRequest { UserId = "U1", K = k }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*between 1 and 100*");
        FluentActions.Invoking(() => _recommender.Trending(new TrendingRequest { K = k })).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void FindItemReturnsTheCatalogueFactsOfAKnownItemMatchedAsRequestsMatchIds()
    {
        var expected = SyntheticShop.Catalogue().Items.First(i => Model.Items.Contains(i.Id));

        _recommender.FindItem(expected.Id).Should().Be(expected);
        _recommender.FindItem(" " + expected.Id.ToLowerInvariant() + " ").Should().Be(expected);
        _recommender.FindItem("NO-SUCH-ITEM").Should().BeNull();
    }

    [Fact]
    public void WarmUserGetsKDistinctItemsEachWithAReason()
    {
        var items = _recommender.RecommendForUser(new UserRecommendationRequest { UserId = "U1", K = 8 });

        items.Should().HaveCount(8);
        items.Select(i => i.ItemId).Should().OnlyHaveUniqueItems();
        items.Should().OnlyContain(i => !string.IsNullOrEmpty(i.Reason));
        items.Where(i => Bought("U1").Contains(i.ItemId)).Should().OnlyContain(i => i.Reason == "bought before");
    }

    [Fact]
    public void ExcludePurchasedNeverReturnsABoughtItem()
    {
        foreach (var user in new[] { "U0", "U1", "U2", "U17" })
        {
            var items = _recommender.RecommendForUser(new UserRecommendationRequest { UserId = user, K = 10, ExcludePurchased = true });
            items.Select(i => i.ItemId).Should().NotIntersectWith(Bought(user));
        }
    }

    [Fact]
    public void RepeatWindowExcludesOnlyRecentPurchases()
    {
        var everything = _recommender.RecommendForUser(new UserRecommendationRequest { UserId = "U1", K = 30, AllowRepeatPurchases = false });
        everything.Select(i => i.ItemId).Should().NotIntersectWith(Bought("U1"));
        var lastPurchase = SyntheticShop.Events().Where(e => e.UserId == "U1").Max(e => e.Timestamp);
        var daysAgo = (Model.Info.Now - lastPurchase).TotalDays;
        var windowed = _recommender.RecommendForUser(new UserRecommendationRequest { UserId = "U1", K = 30, AllowRepeatPurchases = false, RepeatWindowDays = Math.Max(0, daysAgo - 0.01) });
        windowed.Where(i => i.Reason == "bought before").Should().NotBeEmpty("purchases older than the window may be repeated");
    }

    [Fact]
    public void OutOfStockBlockedAndFilteredItemsNeverAppear()
    {
        var recommender = new Recommender(Model, new BusinessRules { BlockedItems = new HashSet<string> { "I01", "I07" } });
        foreach (var user in Model.Users.Take(20))
        {
            var items = recommender.RecommendForUser(new UserRecommendationRequest
            {
                UserId = user,
                K = 15,
                Filters = new RecommendationFilters { ExcludeItems = new HashSet<string> { "I10" }, MaxPrice = 20m },
            });
            items.Select(i => i.ItemId).Should().NotContain(["I04", "I01", "I07", "I10"]);
            items.Select(i => int.Parse(i.ItemId[1..]) + 1).Should().OnlyContain(price => price <= 20);
        }
    }

    [Fact]
    public void CategoryDiversityCapsItemsPerCategory()
    {
        var items = _recommender.RecommendForUser(new UserRecommendationRequest { UserId = "U3", K = 6, MaxPerCategory = 2 });

        items.GroupBy(i => int.Parse(i.ItemId[1..]) % 3).Should().OnlyContain(g => g.Count() <= 2);
    }

    [Fact]
    public void RecentEventsChangeTheAnswerForAKnownUser()
    {
        // U0 prefers category 0; recent views of category-1 items must pull category-1 items up.
        var plain = _recommender.RecommendForUser(new UserRecommendationRequest { UserId = "U0", K = 10, ExcludePurchased = true });
        var withRecent = _recommender.RecommendForUser(new UserRecommendationRequest { UserId = "U0", K = 10, ExcludePurchased = true, RecentItems = ["I01", "I04", "I07"] });

        withRecent.Select(i => i.ItemId).Should().NotEqual(plain.Select(i => i.ItemId));
        withRecent.Count(i => int.Parse(i.ItemId[1..]) % 3 == 1).Should().BeGreaterThan(plain.Count(i => int.Parse(i.ItemId[1..]) % 3 == 1));
    }

    [Fact]
    public void UnknownUserWithRecentItemsGetsItemToItemRecommendations()
    {
        var items = _recommender.RecommendForUser(new UserRecommendationRequest { UserId = "new-visitor", K = 5, RecentItems = ["I02"] });

        items.Should().HaveCount(5);
        items.Select(i => i.ItemId).Should().NotContain("I02");
        items[0].Reason.Should().MatchRegex("^(similar to .* you viewed|often bought with .*)$");
        items.Count(i => int.Parse(i.ItemId[1..]) % 3 == 2).Should().BeGreaterThanOrEqualTo(3, "neighbours of a category-2 item are category-2 items");
    }

    [Fact]
    public void NobodyGetsTrending()
    {
        var items = _recommender.RecommendForUser(new UserRecommendationRequest { K = 5 });

        items.Should().HaveCount(5).And.OnlyContain(i => i.Reason == "trending");
        items.Select(i => i.ItemId).Should().Equal(_recommender.Trending(new TrendingRequest { K = 5 }).Select(i => i.ItemId));
    }

    [Fact]
    public void NewCatalogueItemGetsContentNeighbours()
    {
        // I29 ("RED CERAMIC MUG", category C2) has no purchases: only its title and category can place it.
        var items = _recommender.SimilarItems(new ItemRequest { ItemId = "I29", K = 5 });

        items.Should().NotBeEmpty();
        items.Should().OnlyContain(i => i.Reason.StartsWith("similar to RED CERAMIC MUG", StringComparison.Ordinal));
    }

    [Fact]
    public void FrequentlyBoughtTogetherCarriesAssociationStatistics()
    {
        var items = _recommender.FrequentlyBoughtTogether(new ItemRequest { ItemId = "I00", K = 5 });

        items.Should().NotBeEmpty();
        items.Should().OnlyContain(i => i.Confidence > 0 && i.Confidence <= 1 && i.Support > 0 && i.Lift > 0 && i.Baskets >= 2);
        items.Select(i => i.Confidence).Should().BeInDescendingOrder();
    }

    [Fact]
    public void CompleteCartExcludesCartItems()
    {
        var items = _recommender.CompleteCart(new CartRequest { CartItems = ["I00", "I03"], K = 5 });

        items.Should().HaveCount(5);
        items.Select(i => i.ItemId).Should().NotContain(["I00", "I03"]);
    }

    [Fact]
    public void UnknownItemIsAClearError()
    {
        FluentActions.Invoking(() => _recommender.SimilarItems(new ItemRequest { ItemId = "NOPE" }))
            .Should().Throw<KeyNotFoundException>().WithMessage("*NOPE*");
    }

    [Fact]
    public void ConcurrentRequestsAgreeWithSequentialOnes()
    {
        var users = Model.Users.ToArray();
        var expected = users.Select(u => _recommender.RecommendForUser(new UserRecommendationRequest { UserId = u }).Select(i => i.ItemId).ToArray()).ToArray();
        var actual = new string[users.Length][];
        Parallel.For(0, users.Length, i => actual[i] = [.. _recommender.RecommendForUser(new UserRecommendationRequest { UserId = users[i] }).Select(r => r.ItemId)]);
        actual.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }
}
