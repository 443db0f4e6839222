using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Recommendations;

/// <summary>Rows of (item, value) per owner in compressed sparse row layout.</summary>
internal sealed record SparseRows(int[] Offsets, int[] Items, float[] Values)
{
    public int RowCount => Offsets.Length - 1;

    public int Start(int row) => Offsets[row];

    public int End(int row) => Offsets[row + 1];

    public static SparseRows From(IReadOnlyList<IReadOnlyList<(int Item, float Value)>> rows)
    {
        var offsets = new int[rows.Count + 1];
        for (var r = 0; r < rows.Count; r++)
        {
            offsets[r + 1] = offsets[r] + rows[r].Count;
        }
        var items = new int[offsets[^1]];
        var values = new float[offsets[^1]];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var j = 0; j < rows[r].Count; j++)
            {
                items[offsets[r] + j] = rows[r][j].Item;
                values[offsets[r] + j] = rows[r][j].Value;
            }
        }
        return new SparseRows(offsets, items, values);
    }

    public void Validate(string name, int rowCount, int itemCount)
    {
        if (Offsets.Length != rowCount + 1 || Offsets[0] != 0 || Offsets[^1] != Items.Length || Items.Length != Values.Length)
        {
            throw new InvalidDataException($"Model part '{name}' has inconsistent offsets.");
        }
        for (var r = 0; r < rowCount; r++)
        {
            if (Offsets[r] > Offsets[r + 1])
            {
                throw new InvalidDataException($"Model part '{name}' has decreasing offsets.");
            }
        }
        foreach (var item in Items)
        {
            if ((uint)item >= (uint)itemCount)
            {
                throw new InvalidDataException($"Model part '{name}' refers to item {item}, outside the catalogue.");
            }
        }
    }
}

/// <summary>Per-user ranked lists precomputed at training time, with why each item is there.</summary>
internal sealed record RankedLists(SparseRows Rows, byte[] Sources, int[] Anchors);

/// <summary>Basket associations per item: confidence in Rows.Values, plus support, lift and basket counts.</summary>
internal sealed record AssociationRows(SparseRows Rows, float[] Support, float[] Lift, int[] Baskets);

/// <summary>Descriptive facts about a trained model, written to the bundle manifest.</summary>
public sealed record ModelInfo
{
    public required DateTime TrainedFrom { get; init; }
    public required DateTime TrainedTo { get; init; }
    public required DateTime Now { get; init; }
    public required string Ranker { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }
}

/// <summary>
/// A trained recommender: immutable arrays only, safe to share across threads. Serve it with <see cref="Recommender"/>,
/// persist it with <see cref="ModelBundle"/>.
/// </summary>
public sealed class RecommenderModel
{
    public required ModelInfo Info { get; init; }
    internal string[] ItemIds { get; init; } = null!;
    internal string[] Titles { get; init; } = null!;
    internal string?[] Categories { get; init; } = null!;
    internal float[] Prices { get; init; } = null!;
    internal bool[] InStock { get; init; } = null!;
    internal string[] UserIds { get; init; } = null!;
    /// <summary>Best items per user, repeat purchases allowed.</summary>
    internal RankedLists Default { get; init; } = null!;
    /// <summary>Best items per user among items the user never bought.</summary>
    internal RankedLists Discovery { get; init; } = null!;
    /// <summary>Items each user bought, with the time of the last purchase (ticks, as float days before Now).</summary>
    internal SparseRows Purchased { get; init; } = null!;
    internal SparseRows Similar { get; init; } = null!;
    internal AssociationRows Associations { get; init; } = null!;
    internal SparseRows Content { get; init; } = null!;
    internal int[] TrendingOrder { get; init; } = null!;
    internal float[] TrendingScores { get; init; } = null!;
    internal int[] PopularOrder { get; init; } = null!;
    internal float[] PopularScores { get; init; } = null!;
    internal TreeEnsembleScorer? DefaultRanker { get; init; }
    internal TreeEnsembleScorer? DiscoveryRanker { get; init; }
    /// <summary>Implicit ALS factors (users and items indexed as above); null when the model was trained without ALS.</summary>
    internal AlsModel? Als { get; init; }

    public int ItemCount => ItemIds.Length;
    public int UserCount => UserIds.Length;
    public IReadOnlyList<string> Users => UserIds;
    public IReadOnlyList<string> Items => ItemIds;

    internal void Validate()
    {
        var n = ItemIds.Length;
        if (Titles.Length != n || Categories.Length != n || Prices.Length != n || InStock.Length != n || TrendingScores.Length != n || PopularScores.Length != n)
        {
            throw new InvalidDataException("Model item arrays have different lengths.");
        }
        Default.Rows.Validate("default lists", UserIds.Length, n);
        Discovery.Rows.Validate("discovery lists", UserIds.Length, n);
        Purchased.Validate("purchases", UserIds.Length, n);
        Similar.Validate("similar items", n, n);
        Associations.Rows.Validate("associations", n, n);
        Content.Validate("content neighbours", n, n);
        foreach (var order in new[] { TrendingOrder, PopularOrder })
        {
            if (order.Length != n || order.Any(i => (uint)i >= (uint)n))
            {
                throw new InvalidDataException("Model popularity order is inconsistent.");
            }
        }
        if (Als is not null && (Als.UserCount != UserIds.Length || Als.ItemCount != n))
        {
            throw new InvalidDataException("Model ALS factors do not match the users and items.");
        }
        foreach (var lists in new[] { Default, Discovery })
        {
            if (lists.Sources.Length != lists.Rows.Items.Length || lists.Anchors.Length != lists.Rows.Items.Length || lists.Anchors.Any(a => a < -1 || a >= n))
            {
                throw new InvalidDataException("Model list annotations are inconsistent.");
            }
        }
    }
}
