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

    public static void CollectTraining(CandidateFeatureBuilder builder, InteractionLog log, int fromEvent, int toEvent, TrainingRows rows, bool discovery)
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
        var width = CandidateFeatureBuilder.FeatureCount;
        foreach (var (user, items) in bought.OrderBy(p => p.Key))
        {
            var count = builder.Build(user, [], candidates, rowFeatures, ease, co, recentScores);
            var any = false;
            for (var c = 0; c < count; c++)
            {
                any |= items.Contains(candidates[c].Item) && !(discovery && (candidates[c].Sources & CandidateSource.BoughtBefore) != 0);
            }
            if (!any)
            {
                continue;
            }
            for (var c = 0; c < count; c++)
            {
                if (discovery && rowFeatures[c * width + BoughtBeforeFeature] > 0)
                {
                    continue;
                }
                rows.Features.Add(rowFeatures.GetRange(c * width, width).ToArray());
                rows.Labels.Add(items.Contains(candidates[c].Item) ? 1 : 0);
                rows.GroupIds.Add((uint)rows.Groups);
            }
            rows.Groups++;
        }
    }
}
