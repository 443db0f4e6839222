using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Tests.Recommendations;

public sealed class TreeEnsembleScorerTests
{
    private sealed class Row
    {
        public float Label { get; set; }

        [KeyType(1000)]
        public uint Group { get; set; }

        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }

    [Fact]
    public void FlatTreesScoreExactlyAsMlNetPredicts()
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, 2_000).Select(i =>
        {
            var f = new[] { (float)random.NextDouble(), (float)random.NextDouble(), random.Next(5), (float)random.NextDouble() };
            return new Row { Group = (uint)(i / 20 + 1), Features = f, Label = f[0] + 0.5f * f[2] / 4 + 0.2f * (float)random.NextDouble() > 0.9f ? 1 : 0 };
        }).ToList();
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
        {
            RowGroupColumnName = nameof(Row.Group),
            NumberOfIterations = 20,
            NumberOfLeaves = 8,
            MinimumExampleCountPerLeaf = 10,
            NumberOfThreads = 1,
            Seed = 1,
        }).Fit(data);

        var scorer = LambdaRankTrainer.Convert(model.Model.TrainedTreeEnsemble!, 4);
        var predictions = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).ToList();

        scorer.TreeCount.Should().Be(20);
        for (var i = 0; i < rows.Count; i++)
        {
            scorer.Score(rows[i].Features).Should().BeApproximately(predictions[i].Score, 1e-4f);
        }
    }

    [Fact]
    public void AverageOfEnsemblesScoresTheMeanAndCorruptTreesAreRejected()
    {
        // One split on feature 0 at 0.5: left leaf a, right leaf b.
        static TreeEnsembleScorer Stump(float a, float b, float bias) => new(2, [0], [0], [0], [0.5f], [~0], [~1], [a, b], bias);
        var x = Stump(1, 3, 0.5f);
        var y = Stump(-1, 5, 1.5f);

        var mean = TreeEnsembleScorer.Average([x, y]);

        mean.Score([0.2f, 0]).Should().BeApproximately((x.Score([0.2f, 0]) + y.Score([0.2f, 0])) / 2, 1e-6f);
        mean.Score([0.9f, 0]).Should().BeApproximately((x.Score([0.9f, 0]) + y.Score([0.9f, 0])) / 2, 1e-6f);
        FluentActions.Invoking(() => new TreeEnsembleScorer(2, [0], [0], [7], [0.5f], [~0], [~1], [1, 2], 0)).Should().Throw<ArgumentException>().WithMessage("*feature 7*");
        FluentActions.Invoking(() => new TreeEnsembleScorer(2, [0], [0], [0], [0.5f], [~0], [~5], [1, 2], 0)).Should().Throw<ArgumentException>().WithMessage("*invalid child*");
    }
}
