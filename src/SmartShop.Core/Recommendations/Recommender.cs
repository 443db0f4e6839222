using SmartShop.Core.Recommendations.Content;

namespace SmartShop.Core.Recommendations;

/// <summary>
/// The serving API over an immutable <see cref="RecommenderModel"/>: thread-safe, no locks, no per-request model work
/// for a warm user without recent events (their lists are ranked at training time; rules apply here). A
/// <see cref="CatalogueOverlay"/> lays the current catalogue over the model: deleted, out-of-stock and non-product
/// items are never recommended, changed titles, categories and prices are used, and items added since training are
/// known (their similar items come from a TF-IDF index over the model's items).
/// </summary>
public sealed class Recommender
{
    private const string ReasonBoughtBefore = "bought before";
    private const string ReasonPopular = "popular";
    private const string ReasonTrending = "trending";
    private const string ReasonAls = "liked by shoppers with similar tastes";
    // A new item's content neighbours are asked for with room for the ones the rules drop.
    private const int NewItemCandidateFactor = 4;
    private const int NewItemExtraCandidates = 20;

    private readonly RecommenderModel _model;
    private readonly BusinessRules _rules;
    private readonly Dictionary<string, int> _userIndex;
    private readonly Dictionary<string, int> _itemIndex;
    private readonly int[] _blocked;
    private readonly float[] _boost;
    private readonly SegmentTrending? _segments;
    private readonly CatalogueOverlay _catalogue;
    // Per model item, the catalogue's current facts (the model's own arrays when the overlay changes nothing).
    private readonly string[] _titles;
    private readonly string?[] _categories;
    private readonly float[] _prices;
    private readonly bool[] _inStock;
    // Deleted or not merchandise: never recommended.
    private readonly bool[]? _hidden;
    private readonly Lazy<TfIdfIndex> _contentIndex;

    /// <param name="segments">Per-segment trending; when given, users with a segment get "popular in your segment"
    /// items before global trending, and <see cref="TrendingRequest.Segment"/> can be asked for.</param>
    /// <param name="catalogue">The current catalogue laid over the model (null: the model's own item facts).</param>
    public Recommender(RecommenderModel model, BusinessRules? rules = null, SegmentTrending? segments = null, CatalogueOverlay? catalogue = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _segments = segments;
        _rules = rules ?? new BusinessRules();
        _userIndex = InteractionLog.IndexById(model.UserIds);
        _itemIndex = InteractionLog.IndexById(model.ItemIds);
        _blocked = [.. _rules.BlockedItems.Select(id => _itemIndex.GetValueOrDefault(id, -1)).Where(i => i >= 0).Order()];
        _boost = new float[model.ItemCount];
        foreach (var (id, boost) in _rules.Boosts)
        {
            if (_itemIndex.TryGetValue(id, out var i))
            {
                _boost[i] = boost;
            }
        }

        _catalogue = catalogue ?? CatalogueOverlay.Empty;
        (_titles, _categories, _prices, _inStock, _hidden) = ItemFacts(model, _catalogue);
        _contentIndex = new Lazy<TfIdfIndex>(BuildContentIndex);
    }

    // The same model, rules and segments with another catalogue: the id indexes are shared, not rebuilt.
    private Recommender(Recommender other, CatalogueOverlay catalogue)
    {
        _model = other._model;
        _segments = other._segments;
        _rules = other._rules;
        _userIndex = other._userIndex;
        _itemIndex = other._itemIndex;
        _blocked = other._blocked;
        _boost = other._boost;
        _catalogue = catalogue;
        (_titles, _categories, _prices, _inStock, _hidden) = ItemFacts(_model, catalogue);
        _contentIndex = new Lazy<TfIdfIndex>(BuildContentIndex);
    }

    public RecommenderModel Model => _model;

    /// <summary>The catalogue laid over the model.</summary>
    public CatalogueOverlay Catalogue => _catalogue;

    /// <summary>This recommender with <paramref name="catalogue"/> laid over the model instead (cheap: the indexes are shared).</summary>
    public Recommender WithCatalogue(CatalogueOverlay catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        return new Recommender(this, catalogue);
    }

    /// <summary>
    /// Builds the content index new items' similar items come from, when the catalogue has items the model does not
    /// know, so the first request about one does not pay for it (the refresh service calls this off the request path).
    /// </summary>
    public void PrepareNewItems()
    {
        if (_catalogue.Items.Any(item => !_itemIndex.ContainsKey(item.Id)))
        {
            _ = _contentIndex.Value;
        }
    }

    /// <summary>True when the trained model holds the item (it has interaction history); false for unknown and new items.</summary>
    public bool IsModelItem(string itemId) => IndexOfItem(itemId) >= 0;

    public bool IsKnownUser(string userId) => _userIndex.ContainsKey(userId);

    public IReadOnlyList<RecommendedItem> RecommendForUser(UserRecommendationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var user = request.UserId is { } id ? _userIndex.GetValueOrDefault(id, -1) : -1;
        var recent = ResolveItems(request.RecentItems);
        var lists = request.ExcludePurchased ? _model.Discovery : _model.Default;
        var selection = new Selection(this, request, user, request.K);

        if (recent.Count == 0 && user >= 0)
        {
            // Warm path: the precomputed ranked list, then business rules.
            var rows = lists.Rows;
            for (var p = rows.Start(user); p < rows.End(user) && !selection.Full; p++)
            {
                selection.TryAdd(rows.Items[p], rows.Values[p], lists.Sources[p], lists.Anchors[p]);
            }
        }
        else if (recent.Count > 0)
        {
            // Recent events change the answer: item-to-item scores from them, blended with the user's ranked list.
            var live = ItemToItemScores(recent, includeContent: true, fromRecentEvents: true);
            var combined = new Dictionary<int, (float Score, byte Source, int Anchor)>();
            var maxLive = live.Count == 0 ? 1f : live.Values.Max(v => v.Score);
            foreach (var (item, v) in live)
            {
                combined[item] = (v.Score / maxLive, v.Source, v.Anchor);
            }
            if (user >= 0)
            {
                var rows = lists.Rows;
                var length = Math.Max(1, rows.End(user) - rows.Start(user));
                for (var p = rows.Start(user); p < rows.End(user); p++)
                {
                    var baseScore = 1f - (p - rows.Start(user)) / (float)length;
                    var item = rows.Items[p];
                    combined[item] = combined.TryGetValue(item, out var l) && l.Score > baseScore
                        ? (l.Score + baseScore, l.Source, l.Anchor)
                        : (baseScore + (combined.TryGetValue(item, out var l2) ? l2.Score : 0), lists.Sources[p], lists.Anchors[p]);
                }
            }
            foreach (var (item, v) in combined.OrderByDescending(kv => kv.Value.Score + _boost[kv.Key]).ThenBy(kv => kv.Key))
            {
                if (selection.Full)
                {
                    break;
                }
                if (!recent.Contains(item))
                {
                    selection.TryAdd(item, v.Score, v.Source, v.Anchor);
                }
            }
        }
        FillWithTrending(selection, _segments?.SegmentOf(request.UserId) ?? -1);
        return selection.Result();
    }

    public IReadOnlyList<RecommendedItem> SimilarItems(ItemRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        if (IndexOfItem(request.ItemId) < 0 && NewItem(request.ItemId) is { } added)
        {
            return SimilarToNewItem(request, added);
        }

        var item = RequireItem(request.ItemId);
        var selection = new Selection(this, request, -1, request.K, exclude: item);
        // Collaborative neighbours first; an item with no history (new in the catalogue) falls back to content.
        foreach (var rows in new[] { _model.Similar, _model.Content })
        {
            for (var p = rows.Start(item); p < rows.End(item) && !selection.Full; p++)
            {
                selection.TryAdd(rows.Items[p], rows.Values[p], (byte)CandidateSource.Similar | FromRecentEvents, item);
            }
        }
        return selection.Result();
    }

    public IReadOnlyList<BoughtTogetherItem> FrequentlyBoughtTogether(ItemRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        if (IndexOfItem(request.ItemId) < 0 && NewItem(request.ItemId) is not null)
        {
            // Added since training: no baskets yet.
            return [];
        }

        var item = RequireItem(request.ItemId);
        var selection = new Selection(this, request, -1, request.K, exclude: item);
        var a = _model.Associations;
        var result = new List<BoughtTogetherItem>(request.K);
        for (var p = a.Rows.Start(item); p < a.Rows.End(item) && result.Count < request.K; p++)
        {
            var other = a.Rows.Items[p];
            if (selection.TryAdd(other, a.Rows.Values[p], (byte)CandidateSource.BoughtTogether, item))
            {
                result.Add(new BoughtTogetherItem(_model.ItemIds[other], _titles[other], a.Baskets[p], a.Support[p], a.Rows.Values[p], a.Lift[p],
                    "often bought with " + _titles[item]));
            }
        }
        return result;
    }

    public IReadOnlyList<RecommendedItem> CompleteCart(CartRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var cart = ResolveItems(request.CartItems);
        var selection = new Selection(this, request, -1, request.K);
        var scores = ItemToItemScores(cart, includeContent: false, preferBaskets: true);
        foreach (var (item, v) in scores.OrderByDescending(kv => kv.Value.Score + _boost[kv.Key]).ThenBy(kv => kv.Key))
        {
            if (selection.Full)
            {
                break;
            }
            if (!cart.Contains(item))
            {
                selection.TryAdd(item, v.Score, v.Source, v.Anchor);
            }
        }
        foreach (var item in cart)
        {
            selection.Exclude(item);
        }
        FillWithTrending(selection);
        return selection.Result();
    }

    public IReadOnlyList<RecommendedItem> Trending(TrendingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var segment = -1;
        if (request.Segment is { } name)
        {
            segment = (_segments ?? throw new InvalidOperationException("Per-segment trending needs a segmentation; none is loaded.")).RequireSegment(name);
        }
        var selection = new Selection(this, request, -1, request.K);
        FillWithTrending(selection, segment);
        return selection.Result();
    }

    /// <summary>Fills the rest of the list: the segment's trending items first (when a segment is given), then global trending.</summary>
    private void FillWithTrending(Selection selection, int segment = -1)
    {
        if (segment >= 0)
        {
            foreach (var (item, score) in _segments!.Items(segment))
            {
                if (selection.Full)
                {
                    return;
                }
                // For trending, the anchor is the segment (-1: global).
                selection.TryAdd(item, score, (byte)CandidateSource.Trending, segment);
            }
        }
        foreach (var item in _model.TrendingOrder)
        {
            if (selection.Full)
            {
                return;
            }
            selection.TryAdd(item, _model.TrendingScores[item], (byte)CandidateSource.Trending, -1);
        }
    }

    /// <summary>
    /// The current catalogue facts of an item (ids matched as the request methods match them): the catalogue's item when
    /// it has one, else what the model holds; null when the item is unknown or deleted.
    /// </summary>
    public CatalogueItem? FindItem(string itemId)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        if (_catalogue.TryGet(itemId, out var listed))
        {
            return listed;
        }

        var i = IndexOfItem(itemId);
        if (i < 0)
        {
            return null;
        }

        return _catalogue.TryGet(_model.ItemIds[i], out listed)
            ? listed
            : new CatalogueItem(_model.ItemIds[i], _model.Titles[i], _model.Categories[i], (decimal)_model.Prices[i], _model.InStock[i]);
    }

    private CatalogueItem? NewItem(string itemId) => _catalogue.TryGet(itemId, out var item) ? item : null;

    // Content neighbours of an item added since training, among the model's items, by its title, description and category.
    private IReadOnlyList<RecommendedItem> SimilarToNewItem(ItemRequest request, CatalogueItem added)
    {
        var selection = new Selection(this, request, -1, request.K);
        var text = added.Description is null ? added.Title : added.Title + " " + added.Description;
        var candidates = request.K * NewItemCandidateFactor + NewItemExtraCandidates;
        foreach (var neighbour in _contentIndex.Value.SimilarToText(text, candidates, added.Category))
        {
            if (selection.Full)
            {
                break;
            }

            selection.TryAdd(_itemIndex[neighbour.ItemId], neighbour.Similarity, (byte)CandidateSource.Content, -1);
        }

        var reason = "similar to " + added.Title;
        return [.. selection.Result().Select(r => r with { Reason = reason })];
    }

    private TfIdfIndex BuildContentIndex() => TfIdfIndex.Build(
        Enumerable.Range(0, _model.ItemCount).Select(i => new ContentItem(_model.ItemIds[i], _titles[i], _categories[i])),
        new TfIdfOptions { CategoryWeight = RecommenderTrainer.ContentCategoryWeight });

    private static (string[] Titles, string?[] Categories, float[] Prices, bool[] InStock, bool[]? Hidden) ItemFacts(RecommenderModel model, CatalogueOverlay catalogue)
    {
        if (catalogue.Count == 0)
        {
            return (model.Titles, model.Categories, model.Prices, model.InStock, null);
        }

        var titles = (string[])model.Titles.Clone();
        var categories = (string?[])model.Categories.Clone();
        var prices = (float[])model.Prices.Clone();
        var inStock = (bool[])model.InStock.Clone();
        var hidden = new bool[model.ItemCount];
        for (var i = 0; i < model.ItemCount; i++)
        {
            if (!catalogue.TryGet(model.ItemIds[i], out var item))
            {
                continue;
            }

            if (item is null)
            {
                hidden[i] = true;
                continue;
            }

            titles[i] = item.Title;
            categories[i] = item.Category;
            prices[i] = (float)item.Price;
            inStock[i] = item.InStock;
            hidden[i] = !item.IsProduct;
        }

        return (titles, categories, prices, inStock, hidden);
    }

    private int IndexOfItem(string? itemId) => _itemIndex.TryGetValue(itemId?.Trim().ToUpperInvariant() ?? "", out var i) || _itemIndex.TryGetValue(itemId ?? "", out i)
        ? i
        : -1;

    private int RequireItem(string itemId) => IndexOfItem(itemId) is var i and >= 0
        ? i
        : throw new KeyNotFoundException($"Item '{itemId}' is not in the model's catalogue.");

    private HashSet<int> ResolveItems(IReadOnlyList<string> ids)
    {
        var set = new HashSet<int>();
        foreach (var id in ids)
        {
            if (id is not null && (_itemIndex.TryGetValue(id, out var i) || _itemIndex.TryGetValue(id.Trim().ToUpperInvariant(), out i)))
            {
                set.Add(i);
            }
        }
        return set;
    }

    // Sum of neighbour weights from the given items; the reason names the item contributing most.
    private Dictionary<int, (float Score, byte Source, int Anchor)> ItemToItemScores(HashSet<int> sources, bool includeContent, bool preferBaskets = false, bool fromRecentEvents = false)
    {
        var scores = new Dictionary<int, (float Score, byte Source, int Anchor, float Best)>();
        void Add(SparseRows rows, int from, CandidateSource source, float scale)
        {
            var max = rows.End(from) > rows.Start(from) ? rows.Values[rows.Start(from)] : 1f;
            for (var p = rows.Start(from); p < rows.End(from); p++)
            {
                var w = scale * rows.Values[p] / Math.Max(max, 1e-6f);
                var item = rows.Items[p];
                var s = scores.GetValueOrDefault(item);
                scores[item] = w > s.Best ? (s.Score + w, (byte)((byte)source | (fromRecentEvents ? FromRecentEvents : 0)), from, w) : (s.Score + w, s.Source, s.Anchor, s.Best);
            }
        }
        foreach (var from in sources)
        {
            Add(_model.Similar, from, CandidateSource.Similar, preferBaskets ? 0.5f : 1f);
            Add(_model.Associations.Rows, from, CandidateSource.BoughtTogether, preferBaskets ? 1f : 0.5f);
            if (includeContent && _model.Similar.End(from) == _model.Similar.Start(from))
            {
                Add(_model.Content, from, CandidateSource.Content, 0.5f);
            }
        }
        return scores.ToDictionary(kv => kv.Key, kv => (kv.Value.Score, kv.Value.Source, kv.Value.Anchor));
    }

    // Sources of scores computed from the request's recent items carry this bit: their anchor was viewed, not bought.
    private const byte FromRecentEvents = 0x80;

    private string Reason(byte source, int anchor)
    {
        var viewed = (source & FromRecentEvents) != 0;
        return ReasonText((byte)(source & ~FromRecentEvents), anchor, viewed);
    }

    private string ReasonText(byte source, int anchor, bool viewed) => (CandidateSource)source switch
    {
        CandidateSource.BoughtBefore => ReasonBoughtBefore,
        CandidateSource.Similar or CandidateSource.Content when anchor >= 0 =>
            "similar to " + _titles[anchor] + (viewed ? " you viewed" : " you bought"),
        CandidateSource.BoughtTogether when anchor >= 0 => "often bought with " + _titles[anchor],
        CandidateSource.Trending when anchor >= 0 && _segments is not null => "popular in your segment (" + _segments.NameOf(anchor) + ")",
        CandidateSource.Trending => ReasonTrending,
        CandidateSource.Als => ReasonAls,
        _ => ReasonPopular,
    };

    /// <summary>Collects up to k items that pass every rule, in order.</summary>
    private sealed class Selection
    {
        private readonly Recommender _owner;
        private readonly RecommendationRequestBase _request;
        private readonly UserRecommendationRequest? _userRequest;
        private readonly int _user;
        private readonly int _k;
        private readonly List<(int Item, float Score, byte Source, int Anchor)> _chosen;
        private HashSet<int>? _excluded;
        private Dictionary<string, int>? _perCategory;

        public Selection(Recommender owner, RecommendationRequestBase request, int user, int k, int exclude = -1)
        {
            _owner = owner;
            _request = request;
            _userRequest = request as UserRecommendationRequest;
            _user = user;
            _k = k;
            _chosen = new List<(int, float, byte, int)>(k);
            if (exclude >= 0)
            {
                Exclude(exclude);
            }
        }

        public bool Full => _chosen.Count >= _k;

        public void Exclude(int item)
        {
            (_excluded ??= []).Add(item);
            _chosen.RemoveAll(c => c.Item == item);
        }

        public bool TryAdd(int item, float score, byte source, int anchor)
        {
            if (Full || !Passes(item))
            {
                return false;
            }
            foreach (var c in _chosen)
            {
                if (c.Item == item)
                {
                    return false;
                }
            }
            var category = _owner._categories[item];
            if (_request.MaxPerCategory is { } max && category is not null)
            {
                _perCategory ??= new Dictionary<string, int>(StringComparer.Ordinal);
                var count = _perCategory.GetValueOrDefault(category);
                if (count >= max)
                {
                    return false;
                }
                _perCategory[category] = count + 1;
            }
            _chosen.Add((item, score + _owner._boost[item], source, anchor));
            return true;
        }

        private bool Passes(int item)
        {
            var owner = _owner;
            if (_excluded is not null && _excluded.Contains(item))
            {
                return false;
            }
            if (owner._hidden is { } hidden && hidden[item])
            {
                return false;
            }
            if (owner._rules.ExcludeOutOfStock && !owner._inStock[item])
            {
                return false;
            }
            if (_owner._blocked.Length > 0 && Array.BinarySearch(_owner._blocked, item) >= 0)
            {
                return false;
            }
            if (_request.Filters is { } f)
            {
                if (f.Categories is { } categories && (owner._categories[item] is not { } c || !categories.Contains(c)))
                {
                    return false;
                }
                if (f.MinPrice is { } min && (decimal)owner._prices[item] < min || f.MaxPrice is { } maxPrice && (decimal)owner._prices[item] > maxPrice)
                {
                    return false;
                }
                if (f.ExcludeItems is { } ex && ex.Contains(owner._model.ItemIds[item]))
                {
                    return false;
                }
            }
            if (_userRequest is { } r && _user >= 0 && (r.ExcludePurchased || !r.AllowRepeatPurchases))
            {
                var daysAgo = DaysSincePurchase(item);
                if (daysAgo is { } days && (r.ExcludePurchased || r.RepeatWindowDays is not { } window || days <= window))
                {
                    return false;
                }
            }
            return true;
        }

        private float? DaysSincePurchase(int item)
        {
            var rows = _owner._model.Purchased;
            var index = Array.BinarySearch(rows.Items, rows.Start(_user), rows.End(_user) - rows.Start(_user), item);
            return index >= 0 ? rows.Values[index] : null;
        }

        public RecommendedItem[] Result()
        {
            var model = _owner._model;
            var result = new RecommendedItem[_chosen.Count];
            for (var i = 0; i < result.Length; i++)
            {
                var (item, score, source, anchor) = _chosen[i];
                result[i] = new RecommendedItem(model.ItemIds[item], _owner._titles[item], score, _owner.Reason(source, anchor));
            }
            return result;
        }
    }
}
