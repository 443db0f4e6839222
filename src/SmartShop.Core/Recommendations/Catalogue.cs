using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using SmartShop.Core.Data;

namespace SmartShop.Core.Recommendations;

/// <summary>
/// A product as the recommender and the storefront see it. <see cref="Category"/> is the category path as the shop
/// writes it (e.g. "Home &gt; Kitchen &gt; Mugs"). Ids are opaque: compared ordinally, never case-folded or parsed.
/// </summary>
public sealed record CatalogueItem(string Id, string Title, string? Category, decimal Price, bool InStock)
{
    public string? Description { get; init; }

    /// <summary>ISO 4217 code of <see cref="CatalogueItem.Price"/> (e.g. "GBP"), or null when the shop has one currency.</summary>
    public string? Currency { get; init; }

    public string? ImageUrl { get; init; }

    public string? ProductUrl { get; init; }

    /// <summary>False for non-merchandise lines (postage, fees, vouchers): never recommended.</summary>
    public bool IsProduct { get; init; } = true;

    /// <summary>Free attributes (colour, size, brand…), at most <see cref="CatalogueItemRules.MaxAttributes"/>; null when none.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Whether a storefront may be shown this item as a recommendation.</summary>
    public bool IsRecommendable => InStock && IsProduct;
}

/// <summary>
/// Product catalogue: loaded from CSV (id,title,category,price,in_stock plus optional description, currency, image_url,
/// product_url, is_product and attr.&lt;name&gt; columns) or JSON Lines (one <see cref="CatalogueItemJson"/> object a line),
/// or derived from transactions.
/// </summary>
public sealed class Catalogue
{
    public const string CsvHeader = "id,title,category,price,in_stock";

    /// <summary>CSV columns whose name starts with this become attributes ("attr.colour" → colour).</summary>
    public const string AttributeColumnPrefix = "attr.";

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

    /// <summary>
    /// Loads a catalogue: JSON Lines when the first non-blank character is '{', else CSV with a header naming at least
    /// id,title,category,price,in_stock. Every item passes <see cref="CatalogueItemRules"/>; a bad row fails with its line number.
    /// </summary>
    public static Catalogue Load(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var first = reader.Peek();
        while (first is ' ' or '\t' or '\r' or '\n' or '\uFEFF')
        {
            reader.Read();
            first = reader.Peek();
        }

        return first == '{' ? LoadJsonLines(reader) : LoadCsv(reader);
    }

    public static Catalogue Load(string path)
    {
        using var reader = InputFile.OpenText(path);
        return Load(reader);
    }

    private static Catalogue LoadJsonLines(TextReader reader)
    {
        var items = new List<CatalogueItem>();
        var line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (text.Length > CatalogueItemRules.MaxJsonLineLength)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"Catalogue line {line}: longer than {CatalogueItemRules.MaxJsonLineLength} characters."));
            }

            CatalogueItemJson? json;
            try
            {
                json = JsonSerializer.Deserialize<CatalogueItemJson>(text, CatalogueItemJson.Options);
            }
            catch (JsonException e)
            {
                var where = string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path}";
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Catalogue line {line}: not a catalogue item object{where}."), e);
            }

            items.Add(CatalogueItemRules.TryCreate(json, out var item, out var error)
                ? item
                : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Catalogue line {line}: {error}")));
        }

        return new Catalogue(items);
    }

    private static Catalogue LoadCsv(TextReader reader)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture) { DetectColumnCountChanges = false, BadDataFound = null };
        using var csv = new CsvReader(reader, configuration);
        if (!csv.Read() || !csv.ReadHeader())
        {
            throw new InvalidDataException($"Catalogue file is empty: expected a header {CsvHeader} or JSON Lines.");
        }
        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0
            ? i
            : throw new InvalidDataException($"Catalogue header lacks the column '{name}' (expected {CsvHeader}; {HeaderText.Describe(header)}).");
        int id = Column("id"), title = Column("title"), category = Column("category"), price = Column("price"), inStock = Column("in_stock");
        int description = Array.IndexOf(header, "description"), currency = Array.IndexOf(header, "currency"),
            imageUrl = Array.IndexOf(header, "image_url"), productUrl = Array.IndexOf(header, "product_url"), isProduct = Array.IndexOf(header, "is_product");
        var attributeColumns = header.Select((name, index) => (Name: csv.HeaderRecord![index].Trim(), Index: index))
            .Where(c => c.Name.StartsWith(AttributeColumnPrefix, StringComparison.OrdinalIgnoreCase) && c.Name.Length > AttributeColumnPrefix.Length)
            .Select(c => (Key: c.Name[AttributeColumnPrefix.Length..], c.Index))
            .ToArray();
        var items = new List<CatalogueItem>();
        while (csv.Read())
        {
            var line = csv.Parser.RawRow;
            string? Field(int column) => column < 0 ? null : csv.GetField(column)?.Trim() is { Length: > 0 } value ? value : null;
            var idValue = Field(id);
            if (idValue is null)
            {
                throw new InvalidDataException($"Catalogue line {line}: empty id.");
            }
            if (!decimal.TryParse(csv.GetField(price), NumberStyles.Number, CultureInfo.InvariantCulture, out var priceValue) || priceValue < 0)
            {
                throw new InvalidDataException($"Catalogue line {line}: price '{ApiEcho(csv.GetField(price))}' is not a number ≥ 0.");
            }
            var stock = Flag(Field(inStock), "in_stock", line, fallback: null);
            var product = Flag(Field(isProduct), "is_product", line, fallback: true);
            Dictionary<string, string>? attributes = null;
            foreach (var (key, index) in attributeColumns)
            {
                if (Field(index) is { } value)
                {
                    (attributes ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
                }
            }

            var candidate = new CatalogueItem(idValue, Field(title) ?? "", Field(category), priceValue, stock)
            {
                Description = Field(description),
                Currency = Field(currency),
                ImageUrl = Field(imageUrl),
                ProductUrl = Field(productUrl),
                IsProduct = product,
                Attributes = attributes,
            };
            if (CatalogueItemRules.Check(candidate) is { } error)
            {
                throw new InvalidDataException($"Catalogue line {line}: {error}");
            }

            items.Add(candidate);
        }
        return new Catalogue(items);
    }

    private static bool Flag(string? text, string column, long line, bool? fallback) => text?.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "y" => true,
        "false" or "0" or "no" or "n" => false,
        null when fallback is { } value => value,
        _ => throw new InvalidDataException($"Catalogue line {line}: {column} '{ApiEcho(text)}' is not true/false."),
    };

    private static string ApiEcho(string? value) => value is null ? "" : value.Length <= 32 ? value : value[..32] + "…";
}
