using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Recommendations;

/// <summary>
/// What a catalogue item may hold, the same for the CSV and JSON Lines loaders and the admin routes: ids of the
/// clickstream id alphabet (1-128 of A-Z a-z 0-9 - _ . : @), bounded text, http(s) URLs, an ISO 4217 currency and a
/// bounded set of attributes.
/// </summary>
public static class CatalogueItemRules
{
    public const int MaxIdLength = ClickstreamEventValidator.MaxIdLength;
    public const int MaxTitleLength = 300;
    public const int MaxDescriptionLength = 5_000;
    public const int MaxCategoryLength = 500;
    public const int MaxUrlLength = 2_048;
    public const int MaxAttributes = 32;
    public const int MaxAttributeKeyLength = 64;
    public const int MaxAttributeValueLength = 500;
    public const decimal MaxPrice = 1_000_000_000m;

    /// <summary>The clickstream id alphabet as a regular expression (for the OpenAPI document).</summary>
    public const string IdPattern = "^[A-Za-z0-9_.:@-]+$";

    /// <summary>Longest JSON line the loader reads (an item within every bound fits comfortably).</summary>
    public const int MaxJsonLineLength = 64 * 1024;

    /// <summary>True for an id of the clickstream id alphabet, 1-128 characters.</summary>
    public static bool IsValidId([NotNullWhen(true)] string? id) => id is not null && ClickstreamEventValidator.IsSafeId(id);

    /// <summary>Null when the item is within every bound; otherwise what is wrong, naming the field (never echoing long input).</summary>
    public static string? Check(CatalogueItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!IsValidId(item.Id))
        {
            return $"id must be 1-{MaxIdLength} characters of A-Z a-z 0-9 - _ . : @.";
        }

        return Text("title", item.Title, MaxTitleLength, required: true)
            ?? Text("description", item.Description, MaxDescriptionLength, required: false, multiline: true)
            ?? Text("category", item.Category, MaxCategoryLength, required: false)
            ?? (item.Price < 0 || item.Price > MaxPrice ? Invariant($"price must be from 0 to {MaxPrice}.") : null)
            ?? (item.Currency is { } currency && !(currency.Length == 3 && currency.All(char.IsAsciiLetterUpper))
                ? "currency must be an ISO 4217 code of three capital letters (e.g. GBP)." : null)
            ?? Url("imageUrl", item.ImageUrl)
            ?? Url("productUrl", item.ProductUrl)
            ?? Attributes(item.Attributes);
    }

    /// <summary>Turns a parsed JSON item into a checked <see cref="CatalogueItem"/> (inStock and isProduct default to true).</summary>
    public static bool TryCreate(CatalogueItemJson? json, [NotNullWhen(true)] out CatalogueItem? item, [NotNullWhen(false)] out string? error)
    {
        item = null;
        if (json is null)
        {
            error = "expected a JSON object with at least id, title and price.";
            return false;
        }

        if (json.Price is null)
        {
            error = "price is required.";
            return false;
        }

        var candidate = new CatalogueItem(json.Id ?? "", json.Title?.Trim() ?? "", Blank(json.Category), json.Price.Value, json.InStock ?? true)
        {
            Description = Blank(json.Description),
            Currency = Blank(json.Currency),
            ImageUrl = Blank(json.ImageUrl),
            ProductUrl = Blank(json.ProductUrl),
            IsProduct = json.IsProduct ?? true,
            Attributes = json.Attributes is { Count: > 0 } attributes ? new Dictionary<string, string>(attributes, StringComparer.Ordinal) : null,
        };
        error = Check(candidate);
        if (error is not null)
        {
            return false;
        }

        item = candidate;
        return true;
    }

    /// <summary>The JSON form of an item (the admin routes answer with it, JSON Lines files hold it).</summary>
    public static CatalogueItemJson ToJson(CatalogueItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new CatalogueItemJson
        {
            Id = item.Id,
            Title = item.Title,
            Description = item.Description,
            Category = item.Category,
            Price = item.Price,
            Currency = item.Currency,
            ImageUrl = item.ImageUrl,
            ProductUrl = item.ProductUrl,
            InStock = item.InStock,
            IsProduct = item.IsProduct,
            Attributes = item.Attributes,
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Text(string field, string? value, int maxLength, bool required, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return required ? $"{field} must not be empty." : null;
        }

        if (value.Length > maxLength)
        {
            return Invariant($"{field} may be at most {maxLength} characters.");
        }

        return value.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')) || HasLoneSurrogate(value)
            ? $"{field} must be well-formed text without control characters."
            : null;
    }

    private static string? Url(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        return value.Length > MaxUrlLength
            ? Invariant($"{field} may be at most {MaxUrlLength} characters.")
            : Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                ? null
                : $"{field} must be an absolute http or https URL.";
    }

    private static string? Attributes(IReadOnlyDictionary<string, string>? attributes)
    {
        if (attributes is null)
        {
            return null;
        }

        if (attributes.Count > MaxAttributes)
        {
            return Invariant($"attributes may hold at most {MaxAttributes} entries.");
        }

        foreach (var (key, value) in attributes)
        {
            if (Text("attribute name", key, MaxAttributeKeyLength, required: true) is { } badKey)
            {
                return badKey;
            }

            if (value is null)
            {
                return "attribute values must be strings.";
            }

            if (Text($"attribute '{(key.Length <= 32 ? key : key[..32])}'", value, MaxAttributeValueLength, required: false) is { } badValue)
            {
                return badValue;
            }
        }

        return null;
    }

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A catalogue item as JSON (camelCase): a line of a JSON Lines catalogue, an element of an upsert batch, and the body
/// of the admin routes' answers. Unknown members are refused, so a misspelt field is an error, not a silent default.
/// </summary>
public sealed record CatalogueItemJson
{
    /// <summary>Reads and writes the camelCase shape; refuses unknown members and deep nesting.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 8,
    };

    // The annotations describe the bounds in the OpenAPI document; CatalogueItemRules enforces them (one set of constants).
    [Required]
    [StringLength(CatalogueItemRules.MaxIdLength, MinimumLength = 1)]
    [RegularExpression(CatalogueItemRules.IdPattern)]
    [Description("Opaque id, compared exactly (case matters; never parsed as a number).")]
    public string? Id { get; init; }

    [Required]
    [StringLength(CatalogueItemRules.MaxTitleLength, MinimumLength = 1)]
    public string? Title { get; init; }

    [StringLength(CatalogueItemRules.MaxDescriptionLength)]
    [Description("Free text; line breaks allowed. Used with the title and category for new items' content neighbours.")]
    public string? Description { get; init; }

    [StringLength(CatalogueItemRules.MaxCategoryLength)]
    [Description("The category path, e.g. \"Home > Kitchen > Mugs\".")]
    public string? Category { get; init; }

    [Required]
    [Range(0d, (double)CatalogueItemRules.MaxPrice)]
    public decimal? Price { get; init; }

    [StringLength(3, MinimumLength = 3)]
    [RegularExpression("^[A-Z]{3}$")]
    [Description("ISO 4217 code of the price, e.g. GBP.")]
    public string? Currency { get; init; }

    [StringLength(CatalogueItemRules.MaxUrlLength)]
    [Description("Absolute http or https URL.")]
    public string? ImageUrl { get; init; }

    [StringLength(CatalogueItemRules.MaxUrlLength)]
    [Description("Absolute http or https URL.")]
    public string? ProductUrl { get; init; }

    [Description("Default true; an item out of stock is never recommended.")]
    public bool? InStock { get; init; }

    [Description("Default true; false for postage, fees, vouchers and other non-merchandise, never recommended.")]
    public bool? IsProduct { get; init; }

    [MaxLength(CatalogueItemRules.MaxAttributes)]
    [Description("Free attributes (string to string): names up to 64, values up to 500 characters.")]
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}
