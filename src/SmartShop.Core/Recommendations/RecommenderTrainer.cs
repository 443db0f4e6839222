using System.Diagnostics;
using System.Globalization;
using SmartShop.Core.Recommendations.Als;
using SmartShop.Core.Recommendations.Content;

namespace SmartShop.Core.Recommendations;

/// <summary>
/// Trains the multi-stage recommender: candidate generators (repeat purchase, EASE or item-kNN, co-purchase,
/// trending, popularity), two LightGBM LambdaRank rankers learned on a temporal split inside the training window
/// (one for default lists, one for discovery lists of never-bought items), and per-user ranked lists precomputed
/// for fast serving.
/// </summary>
public sealed class RecommenderTrainer(RecommenderOptions? options = null)
{
    private const int ListLength = 60;
    private const int DiscoveryListLength = 60;
    private const int NeighboursPerItem = 30;

    // A shared category says more about similarity than one shared title word.
    internal const float ContentCategoryWeight = 2f;

    private readonly RecommenderOptions _options = options ?? new RecommenderOptions();

    public RecommenderModel Train(IEnumerable<InteractionEvent> events, Catalogue? catalogue = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        _options.Validate();
        var clock = Stopwatch.StartNew();
        var log = InteractionLog.Build(events, catalogue?.Items.Select(i => i.Id));
        if (log.Count == 0)
        {
            throw new InvalidDataException("No usable interactions to train on (after cleaning, the data is empty).");
        }
        var now = _options.Interactions.Now ?? log.Last;
        var eventCount = log.CountBefore(now.AddTicks(1));
        if (eventCount == 0)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"No interactions at or before the reference time {now:yyyy-MM-dd HH:mm:ss}."));
        }
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"{eventCount:N0} interactions, {log.UserCount:N0} users, {log.ItemCount:N0} items; now = {now:yyyy-MM-dd HH:mm}"));

        var categoryIndexes = CategoryIndexes(log, catalogue);

        // 1. Learn the rankers on a temporal split inside the window: features before the cutoff, labels after it.
        var members = _options.Ranker.EnsembleSize;
        var defaultRows = Enumerable.Range(0, members).Select(_ => new TrainingRows()).ToArray();
        var discoveryRows = Enumerable.Range(0, members).Select(_ => new TrainingRows()).ToArray();
        foreach (var days in _options.RankerLabelWindowsDays)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var cutoffTime = now.AddDays(-days);
            var cut = log.CountBefore(cutoffTime);
            if (cut == 0 || cut == eventCount)
            {
                continue;
            }
            var builder = BuildStage(log, cut, cutoffTime, categoryIndexes, cancellationToken);
            RankedListBuilder.CollectTraining(builder, log, cut, eventCount, defaultRows, discoveryRows, _options.RankerMaxNegativesPerUser, _options.Ranker.Seed);
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"ranker data, labels from the last {days:0} days: {defaultRows[0].Groups:N0}/{discoveryRows[0].Groups:N0} user groups ({clock.Elapsed.TotalSeconds:F1} s)"));
        }
        TreeEnsembleScorer? defaultRanker = null, discoveryRanker = null;
        if (defaultRows[0].Groups >= _options.MinRankerUsers && discoveryRows[0].Groups >= _options.MinRankerUsers)
        {
            // Single-threaded LightGBM runs side by side (OpenMP threads spin badly on a busy machine); each member
            // gets its own seed, and the members' trees are merged into one averaging ensemble.
            var jobs = defaultRows.Select((rows, m) => (Rows: rows, Member: m, Discovery: false))
                .Concat(discoveryRows.Select((rows, m) => (Rows: rows, Member: m, Discovery: true)))
                .ToArray();
            var trained = jobs
                .AsParallel().AsOrdered().WithDegreeOfParallelism(Math.Min(jobs.Length, _options.MaxDegreeOfParallelism)).WithCancellation(cancellationToken)
                .Select(job => LambdaRankTrainer.Train(job.Rows, CandidateFeatureBuilder.FeatureCount, _options.Ranker with { Threads = 1, Seed = _options.Ranker.Seed + job.Member }))
                .ToArray();
            defaultRanker = TreeEnsembleScorer.Average(trained[..members]);
            discoveryRanker = TreeEnsembleScorer.Average(trained[members..]);
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"LambdaRank rankers trained, {members} per list ({clock.Elapsed.TotalSeconds:F1} s)"));
        }
        else
        {
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"too few labelled users for a ranker ({defaultRows[0].Groups}); using the weighted blend"));
        }

        // 2. Generators on all data, then rank every user's candidates once.
        var stage = BuildStage(log, eventCount, now, categoryIndexes, cancellationToken);
        var snapshot = stage.Snapshot;
        var defaultLists = new List<(int, float)>[log.UserCount];
        var discoveryLists = new List<(int, float)>[log.UserCount];
        var defaultNotes = new (byte Source, int Anchor)[log.UserCount][];
        var discoveryNotes = new (byte Source, int Anchor)[log.UserCount][];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.For(0, log.UserCount, parallel, () => new UserScratch(log.ItemCount), (u, _, scratch) =>
        {
            var count = stage.Build(u, [], scratch.Candidates, scratch.Features, scratch.Ease, scratch.Co, scratch.Recent, scratch.Als);
            var width = CandidateFeatureBuilder.FeatureCount;
            var defaultScores = new (int Index, float Score)[count];
            var discoveryScores = new List<(int Index, float Score)>(count);
            var features = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch.Features);
            for (var c = 0; c < count; c++)
            {
                var row = features.Slice(c * width, width);
                defaultScores[c] = (c, defaultRanker?.Score(row) ?? BlendScore(row, discovery: false));
                if ((scratch.Candidates[c].Sources & CandidateSource.BoughtBefore) == 0)
                {
                    discoveryScores.Add((c, discoveryRanker?.Score(row) ?? BlendScore(row, discovery: true)));
                }
            }
            (defaultLists[u], defaultNotes[u]) = TakeTop(u, defaultScores, ListLength, scratch, stage);
            (discoveryLists[u], discoveryNotes[u]) = TakeTop(u, [.. discoveryScores], DiscoveryListLength, scratch, stage);
            return scratch;
        }, _ => { });
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"ranked lists for {log.UserCount:N0} users ({clock.Elapsed.TotalSeconds:F1} s)"));

        // 3. Item-side tables for item-to-item requests and cold start.
        var itemTitles = new string[log.ItemCount];
        var itemCategories = new string?[log.ItemCount];
        var prices = new float[log.ItemCount];
        var inStock = new bool[log.ItemCount];
        for (var i = 0; i < log.ItemCount; i++)
        {
            var entry = catalogue?.Find(log.ItemIds[i]);
            itemTitles[i] = entry?.Title ?? log.ItemIds[i];
            itemCategories[i] = entry?.Category;
            prices[i] = entry is null ? snapshot.ItemMedianPrice[i] : (float)entry.Price;
            inStock[i] = entry?.InStock ?? true;
        }
        var similar = new IReadOnlyList<(int, float)>[log.ItemCount];
        Parallel.For(0, log.ItemCount, parallel, i =>
            similar[i] = [.. stage.Similarity.TopNeighbours(i, NeighboursPerItem).Select(a => (a.Item, a.Confidence))]);
        var contentIndex = TfIdfIndex.Build(
            Enumerable.Range(0, log.ItemCount).Select(i => new ContentItem(log.ItemIds[i], itemTitles[i], itemCategories[i])),
            new TfIdfOptions { CategoryWeight = ContentCategoryWeight });
        var content = new (int Item, float Similarity)[log.ItemCount][];
        Parallel.For(0, log.ItemCount, parallel, i =>
            content[i] = [.. contentIndex.SimilarItems(log.ItemIds[i], NeighboursPerItem).Select(n => (log.ItemIndex[n.ItemId], n.Similarity))]);
        var associations = stage.CoPurchase.Neighbours;
        var purchased = snapshot.UserItems.Select(h => (IReadOnlyList<(int, float)>)[.. h.Select(s => (s.Item, (float)snapshot.DaysSince(s.LastTicks)))]).ToList();
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"item tables built ({clock.Elapsed.TotalSeconds:F1} s)"));

        var model = new RecommenderModel
        {
            Info = new ModelInfo
            {
                TrainedFrom = log.First,
                TrainedTo = now,
                Now = now,
                Ranker = defaultRanker is null ? "weighted-blend" : "lightgbm-lambdarank",
                Parameters = _options.Describe(stage.Similarity is EaseModel ? "ease" : "item-knn"),
                Metrics = new Dictionary<string, double>
                {
                    ["interactions"] = eventCount,
                    ["users"] = log.UserCount,
                    ["items"] = log.ItemCount,
                    ["rankerGroupsDefault"] = defaultRows[0].Groups,
                    ["rankerGroupsDiscovery"] = discoveryRows[0].Groups,
                    ["trainSeconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
                },
            },
            ItemIds = [.. log.ItemIds],
            Titles = itemTitles,
            Categories = itemCategories,
            Prices = prices,
            InStock = inStock,
            UserIds = [.. log.UserIds],
            Default = ToRankedLists(defaultLists, defaultNotes),
            Discovery = ToRankedLists(discoveryLists, discoveryNotes),
            Purchased = SparseRows.From(purchased),
            Similar = SparseRows.From(similar),
            Associations = new AssociationRows(
                SparseRows.From([.. associations.Select(a => (IReadOnlyList<(int, float)>)[.. a.Take(NeighboursPerItem).Select(x => (x.Item, x.Confidence))])]),
                [.. associations.SelectMany(a => a.Take(NeighboursPerItem).Select(x => x.Support))],
                [.. associations.SelectMany(a => a.Take(NeighboursPerItem).Select(x => x.Lift))],
                [.. associations.SelectMany(a => a.Take(NeighboursPerItem).Select(x => x.Baskets))]),
            Content = SparseRows.From([.. content.Select(a => (IReadOnlyList<(int, float)>)a)]),
            TrendingOrder = stage.TrendingOrder,
            TrendingScores = snapshot.ItemTrending,
            PopularOrder = stage.PopularOrder,
            PopularScores = snapshot.ItemUsers,
            DefaultRanker = defaultRanker,
            DiscoveryRanker = discoveryRanker,
            Als = stage.Als,
        };
        model.Validate();
        return model;
    }

    private sealed class UserScratch(int items)
    {
        public List<Candidate> Candidates { get; } = [];
        public List<float> Features { get; } = [];
        public float[] Ease { get; } = new float[items];
        public float[] Co { get; } = new float[items];
        public float[] Recent { get; } = new float[items];
        public float[] Als { get; } = new float[items];
    }

    private CandidateFeatureBuilder BuildStage(InteractionLog log, int eventCount, DateTime now, int[]? itemCategories, CancellationToken cancellationToken)
    {
        var snapshot = HistorySnapshot.Build(log, eventCount, _options.Interactions with { Now = now }, _options.TrendingHalfLifeDays);
        var rows = snapshot.UserItems.Select(h => h.Select(s => (s.Item, CandidateFeatureBuilder.EaseValue(s))).ToArray()).ToList();
        IItemSimilarity similarity = log.ItemCount <= _options.MaxEaseItems
            ? EaseModel.Fit(rows, log.ItemCount, _options.EaseLambda, _options.MaxDegreeOfParallelism, cancellationToken)
            : ItemKnnModel.Fit(rows, log.ItemCount, 100, _options.MaxDegreeOfParallelism);
        var coPurchase = CoPurchaseStats.Build(log, eventCount, log.ItemCount, maxNeighbours: 50, minBasketsTogether: 2, maxBasketSize: 200);
        return new CandidateFeatureBuilder(snapshot, similarity, coPurchase, _options.Candidates, itemCategories, TrainAls(snapshot, log.ItemCount, cancellationToken));
    }

    /// <summary>Implicit ALS on the snapshot's user–item strengths (the decayed, event-weighted interactions).</summary>
    private AlsModel? TrainAls(HistorySnapshot snapshot, int itemCount, CancellationToken cancellationToken)
    {
        if (_options.Als is not { } als)
        {
            return null;
        }
        var matrix = new CsrMatrixBuilder(snapshot.UserItems.Length, itemCount);
        for (var u = 0; u < snapshot.UserItems.Length; u++)
        {
            foreach (var stat in snapshot.UserItems[u])
            {
                if (stat.Weight > 0)
                {
                    matrix.Add(u, stat.Item, stat.Weight);
                }
            }
        }
        return new ImplicitAlsTrainer(als with { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism })
            .Fit(matrix.Build(), cancellationToken: cancellationToken);
    }

    private static int[]? CategoryIndexes(InteractionLog log, Catalogue? catalogue)
    {
        if (catalogue is null || catalogue.Items.All(i => i.Category is null))
        {
            return null;
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        return [.. log.ItemIds.Select(id => catalogue.Find(id)?.Category is { } c
            ? (index.TryGetValue(c, out var i) ? i : index[c] = index.Count)
            : -1)];
    }

    // The weighted blend: a fixed, interpretable mix of the generators for data too small to learn a ranker.
    private static float BlendScore(ReadOnlySpan<float> f, bool discovery)
    {
        var ease = f[CandidateFeatureBuilder.Index("ease_norm")];
        var share = f[CandidateFeatureBuilder.Index("bought_share")];
        var popular = f[CandidateFeatureBuilder.Index("item_user_share")];
        var co = f[CandidateFeatureBuilder.Index("cobought_score")];
        return discovery ? ease + 0.3f * co + 0.5f * popular : ease + 2f * share + 0.3f * co + 0.5f * popular;
    }

    private static (List<(int, float)>, (byte, int)[]) TakeTop(int user, (int Index, float Score)[] scored, int k, UserScratch scratch, CandidateFeatureBuilder stage)
    {
        Array.Sort(scored, (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : scratch.Candidates[a.Index].Item.CompareTo(scratch.Candidates[b.Index].Item));
        var top = scored.Take(k).ToArray();
        var list = new List<(int, float)>(top.Length);
        var notes = new (byte, int)[top.Length];
        for (var r = 0; r < top.Length; r++)
        {
            var candidate = scratch.Candidates[top[r].Index];
            list.Add((candidate.Item, top[r].Score));
            notes[r] = stage.Explain(user, candidate);
        }
        return (list, notes);
    }

    private static RankedLists ToRankedLists(List<(int, float)>[] lists, (byte Source, int Anchor)[][] notes) => new(
        SparseRows.From(lists),
        [.. notes.SelectMany(n => n.Select(x => x.Source))],
        [.. notes.SelectMany(n => n.Select(x => x.Anchor))]);
}
