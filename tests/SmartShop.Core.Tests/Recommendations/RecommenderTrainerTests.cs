using SmartShop.Core.Recommendations;
using SmartShop.Core.Recommendations.Content;

namespace SmartShop.Core.Tests.Recommendations;

public sealed class RecommenderTrainerTests
{
    [Fact]
    public void LargeCataloguesSwitchFromEaseToItemKnn()
    {
        var model = SyntheticShop.Train(new RecommenderOptions { MaxEaseItems = 10, MaxDegreeOfParallelism = 2 });

        model.Info.Parameters["itemSimilarity"].Should().Be("item-knn");
        var similar = new Recommender(model).SimilarItems(new ItemRequest { ItemId = "I03", K = 5 });
        similar.Should().HaveCount(5);
        similar.Count(i => int.Parse(i.ItemId[1..]) % 3 == 0).Should().BeGreaterThanOrEqualTo(4, "co-bought items share the category");
    }

    [Fact]
    public void ContentNeighboursComeFromTheSharedTfIdfIndexWithTheCategoryWeighted()
    {
        var model = SyntheticShop.Train();
        var index = TfIdfIndex.Build(
            SyntheticShop.Catalogue().Items.Select(i => new ContentItem(i.Id, i.Title, i.Category)),
            new TfIdfOptions { CategoryWeight = 2 });

        var item = Array.IndexOf(model.ItemIds, "I29");
        var neighbours = Enumerable.Range(model.Content.Start(item), model.Content.End(item) - model.Content.Start(item))
            .ToDictionary(j => model.ItemIds[model.Content.Items[j]], j => model.Content.Values[j]);
        var expected = index.SimilarItems("I29", 30);

        neighbours.Keys.Should().BeEquivalentTo(expected.Select(n => n.ItemId));
        foreach (var n in expected)
        {
            neighbours[n.ItemId].Should().BeApproximately(n.Similarity, 1e-5f);
        }
        expected.Take(9).Select(n => int.Parse(n.ItemId.AsSpan(1)) % 3).Should().AllBeEquivalentTo(2, "the shared category C2 (weight 2) outweighs the two title words shared with the red ceramic items");
    }

    [Fact]
    public void AlsIsSeededAndDescribedInTheParameters()
    {
        var options = new RecommenderOptions { Als = RecommenderOptions.DefaultAls with { Factors = 8 }, MaxDegreeOfParallelism = 2 };

        var a = SyntheticShop.Train(options);
        var b = SyntheticShop.Train(options with { MaxDegreeOfParallelism = 1 });
        var off = SyntheticShop.Train(options with { Als = null });

        a.Als!.UserCount.Should().Be(a.UserCount);
        a.Als.ItemCount.Should().Be(a.ItemCount);
        for (var u = 0; u < a.UserCount; u++)
        {
            b.Als!.UserVector(u).ToArray().Should().Equal(a.Als.UserVector(u).ToArray());
        }
        a.Info.Parameters["als"].Should().Contain("factors=8");
        off.Als.Should().BeNull();
        off.Info.Parameters["als"].Should().Be("off");
    }

    [Fact]
    public void AlsCandidatesAreRecommendedWithTheirReason()
    {
        // ALS is the only generator left for items the user never bought, so the discovery lists come from it alone.
        var model = SyntheticShop.Train(new RecommenderOptions
        {
            Candidates = new CandidateOptions { SimilarCandidates = 0, CoPurchaseCandidates = 0, PopularCandidates = 0, AlsCandidates = 3 },
            MaxDegreeOfParallelism = 2,
        });
        var recommender = new Recommender(model);
        var user = model.Users[0];

        var items = recommender.RecommendForUser(new UserRecommendationRequest { UserId = user, K = 3, ExcludePurchased = true });

        items.Should().NotBeEmpty().And.OnlyContain(i => i.Reason == "liked by shoppers with similar tastes");
        var userIndex = 0;
        var bought = SyntheticShop.Events().Where(e => e.UserId == user).Select(e => e.ItemId).ToHashSet();
        items.Should().OnlyContain(i => !bought.Contains(i.ItemId));
        var expected = model.Als!.TopK(userIndex, 3, [.. bought.Select(id => Array.IndexOf(model.ItemIds, id))]).Select(s => model.ItemIds[s.Item])
            .Where(id => id != "I04"); // out of stock in the catalogue
        items.Select(i => i.ItemId).Should().BeEquivalentTo(expected);
    }

    [Fact]
    public void SmallDataFallsBackToTheWeightedBlend()
    {
        var model = SyntheticShop.Train();

        model.Info.Ranker.Should().Be("weighted-blend");
        model.Info.Parameters["itemSimilarity"].Should().Be("ease");
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        var a = new Recommender(SyntheticShop.Train());
        var b = new Recommender(SyntheticShop.Train());
        foreach (var user in a.Model.Users)
        {
            var request = new UserRecommendationRequest { UserId = user, ExcludePurchased = true };
            b.RecommendForUser(request).Should().Equal(a.RecommendForUser(request));
        }
    }

    [Fact]
    public void NowOptionIgnoresLaterEventsAndEmptyDataFails()
    {
        var now = SyntheticShop.Start.AddDays(25);
        var model = new RecommenderTrainer(new RecommenderOptions { Interactions = new InteractionOptions { Now = now } }).Train(SyntheticShop.Events());

        model.Info.Now.Should().Be(now);
        FluentActions.Invoking(() => new RecommenderTrainer().Train([])).Should().Throw<InvalidDataException>().WithMessage("*No usable interactions*");
        FluentActions.Invoking(() => new RecommenderTrainer(new RecommenderOptions { EaseLambda = -1 }).Train(SyntheticShop.Events()))
            .Should().Throw<ArgumentException>().WithMessage("*lambda*");
    }
}
