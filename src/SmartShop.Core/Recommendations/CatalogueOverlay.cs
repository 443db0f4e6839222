using SmartShop.Core.Storage;

namespace SmartShop.Core.Recommendations;

/// <summary>
/// The catalogue as the shop keeps it now, laid over a trained model at serving time: per id the current item, or a
/// deletion. Items the model knows take their title, category, price, stock and product flag from here; items it does
/// not know (added since the last training run) can be asked about and get content neighbours. Immutable.
/// </summary>
public sealed class CatalogueOverlay
{
    private readonly Dictionary<string, CatalogueItem?> _items;

    private CatalogueOverlay(string version, Dictionary<string, CatalogueItem?> items)
    {
        Version = version;
        _items = items;
    }

    public static CatalogueOverlay Empty { get; } = new(CatalogueStore.EmptyVersion, new Dictionary<string, CatalogueItem?>(StringComparer.Ordinal));

    /// <summary>Identifies the catalogue state (cache keys carry it, so an answer is never served from before a change).</summary>
    public string Version { get; }

    /// <summary>Ids with an entry (deletions included).</summary>
    public int Count => _items.Count;

    /// <summary>The items that are not deleted.</summary>
    public IEnumerable<CatalogueItem> Items => _items.Values.OfType<CatalogueItem>();

    /// <summary>
    /// The catalogue of <paramref name="baseItems"/> (e.g. the uploaded catalogue file) changed by the stored
    /// <paramref name="records"/>: a stored item replaces the base one, a stored deletion removes it.
    /// </summary>
    public static CatalogueOverlay Create(string version, IEnumerable<CatalogueItem>? baseItems, IEnumerable<CatalogueRecord> records)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(records);
        var items = new Dictionary<string, CatalogueItem?>(StringComparer.Ordinal);
        foreach (var item in baseItems ?? [])
        {
            items[item.Id] = item;
        }

        foreach (var record in records)
        {
            items[record.Id] = record.Item;
        }

        return new CatalogueOverlay(version, items);
    }

    /// <summary>True when the overlay has an entry for the id; <paramref name="item"/> is then the item, or null when deleted.</summary>
    public bool TryGet(string id, out CatalogueItem? item) => _items.TryGetValue(id, out item);
}
