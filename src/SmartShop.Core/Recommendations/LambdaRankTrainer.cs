using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace SmartShop.Core.Recommendations;

/// <summary>LightGBM LambdaRank parameters.</summary>
public sealed record RankerOptions
{
    public int Trees { get; init; } = 40;
    public int Leaves { get; init; } = 15;
    public double LearningRate { get; init; } = 0.15;
    public int MinExamplesPerLeaf { get; init; } = 200;
    public int Seed { get; init; } = 42;
    public int Threads { get; init; } = 2;
    /// <summary>Rankers per list, each on its own negative sample and seed; their scores are averaged.</summary>
    public int EnsembleSize { get; init; } = 3;
}

/// <summary>Trains LightGBM LambdaRank through ML.NET and converts the trees into a <see cref="TreeEnsembleScorer"/>.</summary>
internal static class LambdaRankTrainer
{
    private sealed class Row
    {
        public float Label { get; set; }

        [KeyType(uint.MaxValue - 1)]
        public uint GroupId { get; set; }

        [VectorType]
        public float[] Features { get; set; } = [];
    }

    public static TreeEnsembleScorer Train(TrainingRows training, int featureCount, RankerOptions options)
    {
        var features = training.Features;
        var labels = training.Labels;
        var groups = training.GroupIds;
        var ml = new MLContext(options.Seed);
        var rows = new List<Row>(features.Count);
        for (var i = 0; i < features.Count; i++)
        {
            rows.Add(new Row { Label = labels[i], GroupId = groups[i] + 1, Features = features[i] });
        }
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
        {
            LabelColumnName = nameof(Row.Label),
            FeatureColumnName = nameof(Row.Features),
            RowGroupColumnName = nameof(Row.GroupId),
            NumberOfIterations = options.Trees,
            NumberOfLeaves = options.Leaves,
            LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf,
            NumberOfThreads = options.Threads,
            Seed = options.Seed,
            Silent = true,
            Booster = new GradientBooster.Options { FeatureFraction = 0.9, SubsampleFraction = 0.9, SubsampleFrequency = 1 },
        });
        var model = trainer.Fit(data);
        return Convert(model.Model.TrainedTreeEnsemble!, featureCount);
    }

    internal static TreeEnsembleScorer Convert(Microsoft.ML.Trainers.FastTree.RegressionTreeEnsemble ensemble, int featureCount)
    {
        var nodeStart = new List<int>();
        var leafStart = new List<int>();
        var splitFeature = new List<int>();
        var threshold = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var leaves = new List<float>();
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            var weight = (float)ensemble.TreeWeights[t];
            if (tree.CategoricalSplitFlags.Any(f => f))
            {
                throw new InvalidOperationException("Categorical splits are not supported by the flat scorer.");
            }
            nodeStart.Add(splitFeature.Count);
            leafStart.Add(leaves.Count);
            splitFeature.AddRange(tree.NumericalSplitFeatureIndexes);
            threshold.AddRange(tree.NumericalSplitThresholds);
            left.AddRange(tree.LeftChild);
            right.AddRange(tree.RightChild);
            leaves.AddRange(tree.LeafValues.Select(v => (float)(v * weight)));
        }
        return new TreeEnsembleScorer(featureCount, [.. nodeStart], [.. leafStart], [.. splitFeature], [.. threshold], [.. left], [.. right], [.. leaves], (float)ensemble.Bias);
    }
}
