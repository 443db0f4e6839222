using SmartShop.Core.Recommendations.Content;

namespace SmartShop.Core.Tests.Recommendations.Content;

public sealed class TfIdfIndexTests
{
    // N = 3. df: red 2, heart 2, mug 2, blue 1, candle 1, category:kitchen 1.
    // idf(df=2) = ln(4/3) + 1 = 1.287682, idf(df=1) = ln(4/2) + 1 = 1.693147.
    // |d0| = √(3·1.287682² + 1.693147²) = 2.800200, |d1| = √(1.693147² + 2·1.287682²) = 2.486563,
    // |d2| = √(1.287682² + 1.693147²) = 2.127175.
    private static readonly TfIdfIndex Index = TfIdfIndex.Build(
    [
        new ContentItem("A", "Red Heart Mug", "Kitchen"),
        new ContentItem("B", "Blue heart MUG"),
        new ContentItem("C", "red candle"),
    ]);

    [Fact]
    public void TokenizerLowercasesSplitsOnNonAlphanumericsAndDropsStopWordsAndSingleCharacters()
    {
        ContentTokenizer.Tokenize("SET OF 3 Cake-Tins, PANTRY design & the DOLLY'S hat")
            .Should().Equal("set", "cake", "tins", "pantry", "design", "dolly", "hat");
        ContentTokenizer.Tokenize("  ").Should().BeEmpty();
        ContentTokenizer.Tokenize(null).Should().BeEmpty();
    }

    [Fact]
    public void WeightsAreTfIdfNormalisedToUnitLength()
    {
        var weights = Index.TermWeights("A");

        weights.Keys.Should().BeEquivalentTo("red", "heart", "mug", "category:kitchen");
        weights["red"].Should().BeApproximately(0.459854f, 1e-5f); // 1.287682 / 2.800200
        weights["category:kitchen"].Should().BeApproximately(0.604652f, 1e-5f); // 1.693147 / 2.800200
        Index.VocabularySize.Should().Be(6);
    }

    [Fact]
    public void SimilarItemsAreRankedByCosine()
    {
        var neighbours = Index.SimilarItems("A", 5);

        neighbours.Select(n => n.ItemId).Should().Equal("B", "C");
        neighbours[0].Similarity.Should().BeApproximately(0.476276f, 1e-5f); // 2·1.287682² / (2.800200·2.486563)
        neighbours[1].Similarity.Should().BeApproximately(0.278372f, 1e-5f); // 1.287682² / (2.800200·2.127175)
        Index.SimilarItems("B", 5).Select(n => n.ItemId).Should().Equal("A"); // B shares nothing with C
        Index.SimilarItems("A", 1).Should().ContainSingle();
    }

    [Fact]
    public void TextQueriesIgnoreUnknownTerms()
    {
        // "red mug lamp": lamp is unknown; the query is (red, mug) with equal idf, so each weighs 1/√2.
        var neighbours = Index.SimilarToText("Red mug lamp", 3);

        neighbours.Select(n => n.ItemId).Should().Equal("A", "C", "B");
        neighbours[0].Similarity.Should().BeApproximately(0.650331f, 1e-5f);
        neighbours[1].Similarity.Should().BeApproximately(0.428046f, 1e-5f);
        neighbours[2].Similarity.Should().BeApproximately(0.366180f, 1e-5f);
        Index.SimilarToText("lamp", 3).Should().BeEmpty();
    }

    [Fact]
    public void CategoryTermsMatchOnlyCategoriesAndCanBeWeighted()
    {
        var index = TfIdfIndex.Build(
            [new ContentItem("1", "garden chair", "Home"), new ContentItem("2", "home sign", null), new ContentItem("3", "lamp", "Home")],
            new TfIdfOptions { CategoryWeight = 2f });

        index.SimilarItems("2", 3).Should().BeEmpty(); // the title word "home" is not the category "home"
        index.SimilarItems("3", 3).Select(n => n.ItemId).Should().Equal("1");
        index.SimilarToText("desk", 3, category: "home").Select(n => n.ItemId).Should().Equal("3", "1");
    }

    [Fact]
    public void BadInputIsRejected()
    {
        FluentActions.Invoking(() => TfIdfIndex.Build([new ContentItem("X", "a"), new ContentItem("X", "b")]))
            .Should().Throw<ArgumentException>().WithMessage("*'X'*more than once*");
        FluentActions.Invoking(() => Index.SimilarItems("missing", 3)).Should().Throw<KeyNotFoundException>().WithMessage("*'missing'*");
        FluentActions.Invoking(() => Index.SimilarItems("A", 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => TfIdfIndex.Build([], new TfIdfOptions { CategoryWeight = -1 })).Should().Throw<ArgumentOutOfRangeException>();
    }
}
