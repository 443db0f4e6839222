using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using SmartShop.Core.Data;

namespace SmartShop.Core.Recommendations;

/// <summary>A product as the recommender sees it.</summary>
public sealed record CatalogueItem(string Id, string Title, string? Category, decimal Price, bool InStock);

/// <summary>Product catalogue: loaded from CSV (id,title,category,price,in_stock) or derived from transactions.</summary>
public sealed class Catalogue
{
    private readonly Dictionary<string, CatalogueItem> _items;

    public Catalogue(IEnumerable<CatalogueItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = new Dictionary<string, CatalogueItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            _items[item.Id] = item;
        }
    }

    public IReadOnlyCollection<CatalogueItem> Items => _items.Values;

    public CatalogueItem? Find(string id) => _items.GetValueOrDefault(id);

    /// <summary>
    /// Derives a catalogue from clean purchases: the most frequent description of each stock code as its title
    /// (ties: alphabetical) and the median unit price. No categories; everything in stock.
    /// </summary>
    public static Catalogue FromTransactions(IEnumerable<Transaction> transactions)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        var titles = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var prices = new Dictionary<string, List<decimal>>(StringComparer.Ordinal);
        foreach (var t in transactions)
        {
            if (!t.IsCleanPurchase)
            {
                continue;
            }
            var counts = titles.TryGetValue(t.StockCode, out var c) ? c : titles[t.StockCode] = new Dictionary<string, int>(StringComparer.Ordinal);
            var title = t.Description.Trim();
            counts[title] = counts.GetValueOrDefault(title) + 1;
            (prices.TryGetValue(t.StockCode, out var p) ? p : prices[t.StockCode] = []).Add(t.UnitPrice);
        }
        return new Catalogue(titles.Select(kv =>
        {
            var title = kv.Value.OrderByDescending(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key;
            var list = prices[kv.Key];
            list.Sort();
            var median = list.Count % 2 == 1 ? list[list.Count / 2] : (list[list.Count / 2 - 1] + list[list.Count / 2]) / 2;
            return new CatalogueItem(kv.Key, title, null, median, true);
        }));
    }

    /// <summary>Loads a catalogue CSV with header id,title,category,price,in_stock. Bad rows fail with their line number.</summary>
    public static Catalogue Load(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture) { DetectColumnCountChanges = false, BadDataFound = null };
        using var csv = new CsvReader(reader, configuration);
        if (!csv.Read() || !csv.ReadHeader())
        {
            throw new InvalidDataException("Catalogue file is empty: expected a header id,title,category,price,in_stock.");
        }
        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0
            ? i
            : throw new InvalidDataException($"Catalogue header lacks the column '{name}' (expected id,title,category,price,in_stock).");
        int id = Column("id"), title = Column("title"), category = Column("category"), price = Column("price"), inStock = Column("in_stock");
        var items = new List<CatalogueItem>();
        while (csv.Read())
        {
            var line = csv.Parser.RawRow;
            var idValue = csv.GetField(id)?.Trim().ToUpperInvariant();
            if (string.IsNullOrEmpty(idValue))
            {
                throw new InvalidDataException($"Catalogue line {line}: empty id.");
            }
            if (!decimal.TryParse(csv.GetField(price), NumberStyles.Number, CultureInfo.InvariantCulture, out var priceValue) || priceValue < 0)
            {
                throw new InvalidDataException($"Catalogue line {line}: price '{csv.GetField(price)}' is not a number ≥ 0.");
            }
            var stockText = csv.GetField(inStock)?.Trim().ToLowerInvariant();
            var stock = stockText switch
            {
                "true" or "1" or "yes" or "y" => true,
                "false" or "0" or "no" or "n" => false,
                _ => throw new InvalidDataException($"Catalogue line {line}: in_stock '{stockText}' is not true/false."),
            };
            var categoryValue = csv.GetField(category)?.Trim();
            items.Add(new CatalogueItem(idValue, csv.GetField(title)?.Trim() ?? "", string.IsNullOrEmpty(categoryValue) ? null : categoryValue, priceValue, stock));
        }
        return new Catalogue(items);
    }

    public static Catalogue Load(string path)
    {
        using var reader = TransactionCsvReader.OpenText(path);
        return Load(reader);
    }
}
