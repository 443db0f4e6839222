using System.Buffers.Binary;
using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Tests.Recommendations.Als;

public sealed class AlsModelTests
{
    private static AlsModel RandomModel(int users, int items, int factors, int seed)
    {
        var random = new Random(seed);
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        return new AlsModel(users, items, factors, 0.1f, 2f, Draw(users * factors), Draw(items * factors));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(64)]
    public void TopKEqualsABruteForceSortExcludingItems(int factors)
    {
        // 2 501 items: several scoring blocks and an odd tail for the two-rows-per-step kernel.
        var model = RandomModel(users: 3, items: 2_501, factors, seed: 1);
        int[] excluded = [.. Enumerable.Range(0, 40).Select(i => i * 7)];

        foreach (var exclusions in new[] { excluded, excluded[..3], [] })
        {
            var top = model.TopK(1, 10, exclusions);

            var expected = Enumerable.Range(0, model.ItemCount)
                .Where(i => !exclusions.Contains(i))
                .Select(i => new ScoredItem(i, model.Score(1, i)))
                .OrderByDescending(s => s.Score).ThenBy(s => s.Item).Take(10).ToArray();
            top.Should().Equal(expected);
        }
    }

    [Fact]
    public void TopKBreaksTiesByLowerItemIndexAndCapsAtCatalogueSize()
    {
        // Items 1 and 3 have identical vectors: equal scores, lower index first.
        var model = new AlsModel(1, 4, 1, 0.1f, 1f, [1f], [0.5f, 2f, -1f, 2f]);

        model.TopK(0, 2).Should().Equal(new ScoredItem(1, 2f), new ScoredItem(3, 2f));
        model.TopK(0, 10).Select(s => s.Item).Should().Equal(1, 3, 0, 2);
    }

    [Fact]
    public void FoldInEqualsTheClosedFormAndRecommendationsSkipTheGivenItems()
    {
        var model = RandomModel(users: 2, items: 30, factors: 6, seed: 4);
        int[] items = [4, 9, 17, 9];
        float[] weights = [1f, 2f, 3f, 1f]; // item 9 twice: weights are summed to 3

        var vector = model.FoldInUser(items, weights);

        var expected = AlsTestData.ClosedFormRow(
            [4, 9, 17], [1f, 3f, 3f], i => model.ItemVector(i).ToArray(), model.ItemCount, model.Factors, model.Regularization, model.Alpha);
        for (var f = 0; f < model.Factors; f++)
        {
            vector[f].Should().BeApproximately((float)expected[f], 1e-5f);
        }

        var recommended = model.RecommendForNewUser(items, weights, 5);
        recommended.Should().HaveCount(5);
        recommended.Select(r => r.Item).Should().NotIntersectWith(items);
        recommended.Should().Equal(model.TopKForVector(vector, 5, items));
        recommended.Should().OnlyContain(r => model.Score(vector, r.Item) == r.Score);
        model.RecommendForNewUser([], [], 5).Should().BeEmpty();
        model.FoldInUser([], []).Should().OnlyContain(v => v == 0f);
    }

    [Fact]
    public void FoldInRejectsBadInput()
    {
        var model = RandomModel(users: 1, items: 5, factors: 2, seed: 2);

        FluentActions.Invoking(() => model.FoldInUser([1, 2], [1f])).Should().Throw<ArgumentException>().WithMessage("*2 items but 1 weights*");
        FluentActions.Invoking(() => model.FoldInUser([5], [1f])).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("item");
        FluentActions.Invoking(() => model.FoldInUser([1], [0f])).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("weights");
        FluentActions.Invoking(() => model.TopK(1, 3)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("user");
        FluentActions.Invoking(() => model.TopK(0, 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("k");
        FluentActions.Invoking(() => model.TopKForVector(new float[3], 2)).Should().Throw<ArgumentException>().WithMessage("*3 components*2 factors*");
    }

    [Fact]
    public void SimilarItemsRanksByCosineAndSkipsTheItemItself()
    {
        var model = new AlsModel(1, 4, 2, 0.1f, 1f, [1f, 0f], [1f, 0f, 10f, 1f, 0f, 1f, 2f, 0.1f]);

        var similar = model.SimilarItems(0, 3);

        similar.Select(s => s.Item).Should().Equal(3, 1, 2);
        similar[0].Score.Should().BeApproximately(2f / MathF.Sqrt(4.01f), 1e-6f);
        similar[2].Score.Should().Be(0f);
    }

    [Fact]
    public void WriteThenReadRoundTripsExactly()
    {
        var model = RandomModel(users: 7, items: 11, factors: 5, seed: 9);
        using var stream = new MemoryStream();

        model.Write(stream);
        stream.Length.Should().Be(28 + ((7 + 11) * 5 * sizeof(float)));
        stream.Position = 0;
        var read = AlsModel.Read(stream);

        read.UserCount.Should().Be(7);
        read.ItemCount.Should().Be(11);
        read.Factors.Should().Be(5);
        read.Regularization.Should().Be(model.Regularization);
        read.Alpha.Should().Be(model.Alpha);
        for (var u = 0; u < 7; u++)
        {
            read.UserVector(u).ToArray().Should().Equal(model.UserVector(u).ToArray());
        }

        for (var i = 0; i < 11; i++)
        {
            read.ItemVector(i).ToArray().Should().Equal(model.ItemVector(i).ToArray());
        }
    }

    [Fact]
    public void ReadRejectsTruncatedAndCorruptStreams()
    {
        var bytes = Serialize(RandomModel(users: 3, items: 4, factors: 2, seed: 1));

        ReadBytes(bytes[..10]).Should().Throw<InvalidDataException>().WithMessage("*truncated*header*");
        ReadBytes(bytes[..^4]).Should().Throw<InvalidDataException>().WithMessage("*truncated*");
        ReadNonSeekable(bytes[..^4]).Should().Throw<InvalidDataException>().WithMessage("*truncated*item factors*");

        var badMagic = (byte[])bytes.Clone();
        badMagic[0] ^= 0xFF;
        ReadBytes(badMagic).Should().Throw<InvalidDataException>().WithMessage("*magic*");

        var badVersion = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(badVersion.AsSpan(4), 99);
        ReadBytes(badVersion).Should().Throw<InvalidDataException>().WithMessage("*version 99*");

        var badShape = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(badShape.AsSpan(16), -3);
        ReadBytes(badShape).Should().Throw<InvalidDataException>().WithMessage("*-3 factors*");

        var notFinite = (byte[])bytes.Clone();
        BinaryPrimitives.WriteSingleLittleEndian(notFinite.AsSpan(28 + 8), float.NaN);
        ReadBytes(notFinite).Should().Throw<InvalidDataException>().WithMessage("*user factor #2*NaN*");
    }

    private static byte[] Serialize(AlsModel model)
    {
        using var stream = new MemoryStream();
        model.Write(stream);
        return stream.ToArray();
    }

    private static Func<AlsModel> ReadBytes(byte[] bytes) => () => AlsModel.Read(new MemoryStream(bytes));

    private static Func<AlsModel> ReadNonSeekable(byte[] bytes) => () => AlsModel.Read(new BufferedStream(new NonSeekableStream(bytes)));

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
