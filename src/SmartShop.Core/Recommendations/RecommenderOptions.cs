using System.Globalization;
using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Recommendations;

/// <summary>Candidate pool sizes per generator.</summary>
public sealed record CandidateOptions
{
    public int MaxRepeatCandidates { get; init; } = 150;
    public int SimilarCandidates { get; init; } = 100;
    public int CoPurchaseCandidates { get; init; } = 30;
    public int PopularCandidates { get; init; } = 30;
    /// <summary>Top items by implicit ALS per user (when <see cref="RecommenderOptions.Als"/> is set).</summary>
    public int AlsCandidates { get; init; } = 50;
}

/// <summary>Options for the whole candidate + ranking pipeline.</summary>
public sealed record RecommenderOptions
{
    public InteractionOptions Interactions { get; init; } = new();
    public CandidateOptions Candidates { get; init; } = new();
    public RankerOptions Ranker { get; init; } = new();
    public double EaseLambda { get; init; } = 200;
    /// <summary>
    /// Implicit ALS (Hu–Koren–Volinsky) trained on the same user–item strengths as the other generators: its top items
    /// become candidates and its score and rank ranker features. Null turns the generator off.
    /// </summary>
    public ImplicitAlsOptions? Als { get; init; } = DefaultAls;

    /// <summary>The default ALS: 64 factors, λ 5, α 10, 10 iterations (strengths are decayed event weights, a purchase 5).</summary>
    public static ImplicitAlsOptions DefaultAls { get; } = new() { Factors = 64, Regularization = 5f, Alpha = 10f, Iterations = 10, Seed = 42 };
    /// <summary>Above this many items EASE's dense inverse is too costly and item-kNN replaces it.</summary>
    public int MaxEaseItems { get; init; } = 15_000;
    public double TrendingHalfLifeDays { get; init; } = 14;
    /// <summary>Label windows (days before "now") of the temporal splits the rankers learn from; each adds user groups.</summary>
    public IReadOnlyList<double> RankerLabelWindowsDays { get; init; } = [120, 90, 60, 30];
    /// <summary>Negative candidates kept per user and window when learning to rank (seeded sample): bounds training time.</summary>
    public int RankerMaxNegativesPerUser { get; init; } = 30;
    /// <summary>Below this many labelled users the weighted blend replaces the learned rankers.</summary>
    public int MinRankerUsers { get; init; } = 200;
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    public void Validate()
    {
        Interactions.Validate();
        if (EaseLambda <= 0 || !double.IsFinite(EaseLambda))
        {
            throw new ArgumentException("EASE lambda must be a positive number.");
        }
        if (RankerLabelWindowsDays.Any(d => d <= 0 || !double.IsFinite(d)))
        {
            throw new ArgumentException("Ranker label windows must be positive numbers of days.");
        }
        if (Ranker.EnsembleSize is < 1 or > 16 || Ranker.Trees < 1)
        {
            throw new ArgumentException("The ranker needs 1..16 ensemble members and at least one tree.");
        }
        Als?.Validate();
        if (MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentException("MaxDegreeOfParallelism must be at least 1.");
        }
    }

    internal IReadOnlyDictionary<string, string> Describe(string similarity) => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["itemSimilarity"] = similarity,
        ["easeLambda"] = EaseLambda.ToString(CultureInfo.InvariantCulture),
        ["halfLifeDays"] = Interactions.HalfLifeDays?.ToString(CultureInfo.InvariantCulture) ?? "none",
        ["trendingHalfLifeDays"] = TrendingHalfLifeDays.ToString(CultureInfo.InvariantCulture),
        ["rankerLabelWindowsDays"] = string.Join(';', RankerLabelWindowsDays.Select(d => d.ToString(CultureInfo.InvariantCulture))),
        ["rankerMaxNegativesPerUser"] = RankerMaxNegativesPerUser.ToString(CultureInfo.InvariantCulture),
        ["rankerEnsembleSize"] = Ranker.EnsembleSize.ToString(CultureInfo.InvariantCulture),
        ["rankerTrees"] = Ranker.Trees.ToString(CultureInfo.InvariantCulture),
        ["rankerLeaves"] = Ranker.Leaves.ToString(CultureInfo.InvariantCulture),
        ["rankerLearningRate"] = Ranker.LearningRate.ToString(CultureInfo.InvariantCulture),
        ["rankerMinExamplesPerLeaf"] = Ranker.MinExamplesPerLeaf.ToString(CultureInfo.InvariantCulture),
        ["seed"] = Ranker.Seed.ToString(CultureInfo.InvariantCulture),
        ["als"] = Als is null ? "off" : string.Create(CultureInfo.InvariantCulture, $"factors={Als.Factors};lambda={Als.Regularization};alpha={Als.Alpha};iterations={Als.Iterations};seed={Als.Seed};candidates={Candidates.AlsCandidates}"),
        ["eventWeights"] = string.Create(CultureInfo.InvariantCulture, $"view={Interactions.ViewWeight};addtocart={Interactions.AddToCartWeight};removefromcart={Interactions.RemoveFromCartWeight};purchase={Interactions.PurchaseWeight}"),
    };
}
