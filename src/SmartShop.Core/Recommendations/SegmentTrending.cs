namespace SmartShop.Core.Recommendations;

/// <summary>
/// Time-decayed popularity inside each customer segment ("popular in your segment"): for every segment, each item
/// scores Σ over the segment's customers who bought it of 2^(−days since their last purchase / half-life), from the
/// model's purchase history and a segmentation's customer → segment assignments. Immutable and thread-safe.
/// </summary>
public sealed class SegmentTrending
{
    public const int MaxSegmentNameLength = 128;

    private readonly Dictionary<string, int> _segmentOfUser;
    private readonly string[] _segmentNames;
    private readonly Dictionary<string, int> _segmentIndex;
    private readonly (int Item, float Score)[][] _itemsBySegment;

    private SegmentTrending(Dictionary<string, int> segmentOfUser, string[] segmentNames, (int Item, float Score)[][] itemsBySegment)
    {
        _segmentOfUser = segmentOfUser;
        _segmentNames = segmentNames;
        _segmentIndex = segmentNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        _itemsBySegment = itemsBySegment;
    }

    public IReadOnlyList<string> Segments => _segmentNames;

    /// <summary>The customer's segment, or null for a customer the segmentation does not know.</summary>
    public string? SegmentNameOf(string userId) => _segmentOfUser.TryGetValue(userId, out var s) ? _segmentNames[s] : null;

    /// <param name="segmentOfUser">Customer id → segment name (e.g. `assignments.csv` of `smartshop segment`); customers unknown to the model are ignored.</param>
    public static SegmentTrending Build(RecommenderModel model, IReadOnlyDictionary<string, string> segmentOfUser, double halfLifeDays = 30, int maxItemsPerSegment = 200)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(segmentOfUser);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(halfLifeDays);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxItemsPerSegment);

        var names = segmentOfUser.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        foreach (var name in names)
        {
            if (name.Length is 0 or > MaxSegmentNameLength)
            {
                throw new ArgumentException($"Segment names must be 1-{MaxSegmentNameLength} characters (got '{name[..Math.Min(name.Length, 40)]}').");
            }
        }
        var index = names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var scores = names.Select(_ => new float[model.ItemCount]).ToArray();
        var segmentOfUserIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var purchased = model.Purchased;
        for (var user = 0; user < model.UserCount; user++)
        {
            if (!segmentOfUser.TryGetValue(model.UserIds[user], out var segment))
            {
                continue;
            }
            var s = index[segment];
            segmentOfUserIndex[model.UserIds[user]] = s;
            for (var p = purchased.Start(user); p < purchased.End(user); p++)
            {
                scores[s][purchased.Items[p]] += (float)Math.Pow(2, -purchased.Values[p] / halfLifeDays);
            }
        }

        var items = scores.Select(row => row
                .Select((score, item) => (Item: item, Score: score))
                .Where(x => x.Score > 0)
                .OrderByDescending(x => x.Score).ThenBy(x => x.Item)
                .Take(maxItemsPerSegment)
                .ToArray())
            .ToArray();
        return new SegmentTrending(segmentOfUserIndex, names, items);
    }

    /// <summary>The segment index of a customer the model and the segmentation both know, else −1.</summary>
    internal int SegmentOf(string? userId) => userId is not null && _segmentOfUser.TryGetValue(userId, out var s) ? s : -1;

    internal int RequireSegment(string segment) => _segmentIndex.TryGetValue(segment, out var s)
        ? s
        : throw new KeyNotFoundException($"Segment '{segment}' is not known; known segments: {string.Join(", ", _segmentNames.Take(20))}.");

    internal string NameOf(int segment) => _segmentNames[segment];

    internal (int Item, float Score)[] Items(int segment) => _itemsBySegment[segment];
}
