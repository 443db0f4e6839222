namespace SmartShop.Core.Recommendations;

/// <summary>Labelled candidate rows for learning to rank, grouped by user (and label window).</summary>
internal sealed class TrainingRows
{
    public List<float[]> Features { get; } = [];
    public List<float> Labels { get; } = [];
    public List<uint> GroupIds { get; } = [];
    public int Groups { get; set; }
}

/// <summary>Collects ranker training rows: candidates from history before a cutoff, labelled by purchases after it.</summary>
internal static class RankedListBuilder
{
    private static readonly int BoughtBeforeFeature = Array.IndexOf(CandidateFeatureBuilder.FeatureNames, "bought_before");

    /// <summary>
    /// Adds one group per user who bought something in [fromEvent, toEvent) to every ensemble member's default rows
    /// (every candidate) and discovery rows (candidates the user never bought). Negatives are subsampled, with a
    /// different seeded sample per member, to bound the rankers' cost; averaging the members then reduces the variance
    /// the sampling adds.
    /// </summary>
    public static void CollectTraining(CandidateFeatureBuilder builder, InteractionLog log, int fromEvent, int toEvent, TrainingRows[] defaultRows, TrainingRows[] discoveryRows, int maxNegatives, int seed)
    {
        var bought = new Dictionary<int, HashSet<int>>();
        for (var n = fromEvent; n < toEvent; n++)
        {
            if (log.Kinds[n] == InteractionKind.Purchase)
            {
                (bought.TryGetValue(log.Users[n], out var s) ? s : bought[log.Users[n]] = []).Add(log.Items[n]);
            }
        }
        var candidates = new List<Candidate>();
        var rowFeatures = new List<float>();
        var ease = new float[log.ItemCount];
        var co = new float[log.ItemCount];
        var recentScores = new float[log.ItemCount];
        var alsScores = new float[log.ItemCount];
        var width = CandidateFeatureBuilder.FeatureCount;
        foreach (var (user, items) in bought.OrderBy(p => p.Key))
        {
            var count = builder.Build(user, [], candidates, rowFeatures, ease, co, recentScores, alsScores);
            for (var member = 0; member < defaultRows.Length; member++)
            {
                var random = new Random(unchecked((seed * 397) ^ (user * 31) ^ fromEvent ^ (member * 7919)));
                AddGroup(defaultRows[member], discovery: false, random);
                AddGroup(discoveryRows[member], discovery: true, random);
            }

            void AddGroup(TrainingRows rows, bool discovery, Random random)
            {
                var positives = 0;
                var negatives = 0;
                for (var c = 0; c < count; c++)
                {
                    if (discovery && rowFeatures[c * width + BoughtBeforeFeature] > 0)
                    {
                        continue;
                    }
                    if (items.Contains(candidates[c].Item))
                    {
                        positives++;
                    }
                    else
                    {
                        negatives++;
                    }
                }
                if (positives == 0)
                {
                    return;
                }
                var keepNegative = negatives <= maxNegatives ? 1.0 : maxNegatives / (double)negatives;
                for (var c = 0; c < count; c++)
                {
                    if (discovery && rowFeatures[c * width + BoughtBeforeFeature] > 0)
                    {
                        continue;
                    }
                    var positive = items.Contains(candidates[c].Item);
                    if (!positive && random.NextDouble() >= keepNegative)
                    {
                        continue;
                    }
                    rows.Features.Add(rowFeatures.GetRange(c * width, width).ToArray());
                    rows.Labels.Add(positive ? 1 : 0);
                    rows.GroupIds.Add((uint)rows.Groups);
                }
                rows.Groups++;
            }
        }
    }
}
