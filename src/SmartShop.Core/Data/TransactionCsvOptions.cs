using System.Globalization;
using System.Text.RegularExpressions;

namespace SmartShop.Core.Data;

/// <summary>Header names of the transaction columns; defaults are the Online Retail schema's names.</summary>
public sealed record TransactionColumns
{
    public string InvoiceNo { get; init; } = "InvoiceNo";
    public string StockCode { get; init; } = "StockCode";
    public string Description { get; init; } = "Description";
    public string Quantity { get; init; } = "Quantity";
    public string InvoiceDate { get; init; } = "InvoiceDate";
    public string UnitPrice { get; init; } = "UnitPrice";
    public string CustomerId { get; init; } = "CustomerID";
    public string Country { get; init; } = "Country";

    /// <summary>The field names a mapping may use (generic aliases in brackets).</summary>
    public const string FieldList = "InvoiceNo (OrderId), StockCode (ItemId), Description, Quantity, InvoiceDate (Date), UnitPrice (Price), CustomerId, Country";

    /// <summary>Applies <c>Field=Header</c> mappings (e.g. <c>CustomerId=Customer ID</c>) to the default names.</summary>
    /// <exception cref="ArgumentException">A mapping is not Field=Header or names an unknown field.</exception>
    public static TransactionColumns FromMappings(IEnumerable<string> mappings)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        var columns = new TransactionColumns();
        foreach (var pair in mappings)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || at == pair.Length - 1)
            {
                throw new ArgumentException($"A column mapping is Field=Header, not '{pair}'.", nameof(mappings));
            }

            var header = pair[(at + 1)..];
            columns = pair[..at].Trim().ToLowerInvariant() switch
            {
                "invoiceno" or "orderid" => columns with { InvoiceNo = header },
                "stockcode" or "itemid" => columns with { StockCode = header },
                "description" => columns with { Description = header },
                "quantity" => columns with { Quantity = header },
                "invoicedate" or "date" => columns with { InvoiceDate = header },
                "unitprice" or "price" => columns with { UnitPrice = header },
                "customerid" => columns with { CustomerId = header },
                "country" => columns with { Country = header },
                _ => throw new ArgumentException($"Unknown column mapping field '{pair[..at]}' (fields: {FieldList}).", nameof(mappings)),
            };
        }

        return columns;
    }
}

/// <summary>
/// Which rows are merchandise purchases and which values are plausible. Nothing here assumes a shape of ids:
/// without a preset every item id is a product and only a negative quantity makes a return.
/// </summary>
public sealed record TransactionRules
{
    /// <summary>Item ids matching this pattern are not merchandise (postage, fees, vouchers) and are dropped.</summary>
    public string? ExcludeItems { get; init; }

    /// <summary>Invoice numbers matching this pattern are cancellations (their lines are returns, never purchases).</summary>
    public string? CancelledInvoices { get; init; }

    /// <summary>Item ids known not to be merchandise (a catalogue's <c>isProduct: false</c>), dropped like <see cref="ExcludeItems"/>.</summary>
    public IReadOnlySet<string> NonProductItems { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Item ids are upper-cased before anything else (for exports whose codes differ only in case).</summary>
    public bool UpperCaseItemIds { get; init; }

    /// <summary>Largest plausible quantity of one line, either sign; a line above it is dropped.</summary>
    public int MaxQuantity { get; init; } = 100_000;

    /// <summary>Largest plausible unit price; a line above it is dropped.</summary>
    public decimal MaxUnitPrice { get; init; } = 100_000m;

    /// <summary>Largest plausible line total (quantity × unit price, either sign); a line above it is dropped.</summary>
    public decimal MaxLineTotal { get; init; } = 1_000_000m;
}

public sealed record TransactionCsvOptions
{
    /// <summary>The named preset for the UCI Online Retail data: its product-code filter, cancellations and upper-cased codes.</summary>
    public const string OnlineRetailPreset = "online-retail";

    /// <summary>Field delimiter; null sniffs it from the header (comma, semicolon, tab or pipe).</summary>
    public string? Delimiter { get; init; }

    /// <summary>'.' (default) or ','; with ',' thousands separators are not accepted.</summary>
    public char DecimalSeparator { get; init; } = '.';

    /// <summary>A .NET date format such as <c>dd.MM.yyyy HH:mm</c>; null tries ISO 8601 and <c>yyyy-MM-dd HH:mm:ss</c> forms.</summary>
    public string? DateFormat { get; init; }

    /// <summary>utf-8 (default, strict: invalid bytes are an error), latin1 / iso-8859-1, windows-1252 or utf-16.</summary>
    public string Encoding { get; init; } = "utf-8";

    public TransactionColumns Columns { get; init; } = new();

    public TransactionRules Rules { get; init; } = new();

    /// <summary>A file with more malformed rows than this share is rejected as a whole (rule-based drops do not count).</summary>
    public double MaxMalformedRatio { get; init; } = 0.10;

    /// <summary>How many malformed rows are reported with their line numbers.</summary>
    public int MaxReportedRows { get; init; } = 5;

    /// <summary>Longest accepted field, in characters: protects memory and logs from hostile files.</summary>
    public int MaxFieldLength { get; init; } = 1_000;

    /// <summary>Upper bound on data rows read from one file.</summary>
    public long MaxRows { get; init; } = 50_000_000;

    /// <summary>Decompressed size, line length and column count bounds of the file.</summary>
    public InputLimits Limits { get; init; } = InputLimits.Default;

    /// <summary>
    /// The Online Retail preset: item ids are upper-cased, anything but five digits with an optional one- or
    /// two-letter variant (POST, DOT, M, BANK CHARGES, gift vouchers...) is excluded, and invoices starting with C
    /// (cancelled) or A (bad-debt adjustment) are cancellations. Together these are the shared referee's cleaning rules.
    /// </summary>
    public static TransactionRules OnlineRetailRules { get; } = new()
    {
        ExcludeItems = @"^(?!\d{5}[A-Z]{0,2}$)",
        CancelledInvoices = "^[CA]",
        UpperCaseItemIds = true,
    };

    /// <summary>A named set of rules (<see cref="OnlineRetailPreset"/>) under <see cref="Rules"/>; null or "none": no preset.</summary>
    public string? Preset { get; init; }

    /// <summary><see cref="Rules"/>, with the preset's rules where <see cref="Rules"/> leaves a pattern unset.</summary>
    public TransactionRules EffectiveRules => Preset switch
    {
        OnlineRetailPreset => Rules with
        {
            ExcludeItems = Rules.ExcludeItems ?? OnlineRetailRules.ExcludeItems,
            CancelledInvoices = Rules.CancelledInvoices ?? OnlineRetailRules.CancelledInvoices,
            UpperCaseItemIds = true,
        },
        _ => Rules,
    };

    /// <summary>Checks every option at once, so a bad value is refused before any row is read.</summary>
    /// <exception cref="ArgumentException">An option has an unusable value; the message names it.</exception>
    public void Validate()
    {
        if (Delimiter is { } d && (d.Length != 1 || d[0] is '"' or '\r' or '\n'))
        {
            throw new ArgumentException($"The delimiter must be one character other than a quote or line break, not '{Printable(d)}'.");
        }
        if (DecimalSeparator is not ('.' or ','))
        {
            throw new ArgumentException($"The decimal separator is '.' or ',', not '{DecimalSeparator}'.");
        }
        if (Delimiter is [var only] && only == DecimalSeparator && DecimalSeparator == '.')
        {
            throw new ArgumentException("The delimiter and the decimal separator cannot both be '.'.");
        }
        if (DateFormat is { } format)
        {
            if (format.Length is 0 or > 64)
            {
                throw new ArgumentException("The date format must be 1-64 characters, e.g. 'dd.MM.yyyy HH:mm'.");
            }
            try
            {
                _ = DateTime.MinValue.AddYears(2000).ToString(format, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new ArgumentException($"'{format}' is not a .NET date format (e.g. 'dd.MM.yyyy HH:mm', 'yyyy-MM-dd').");
            }
        }
        if (Preset is not (null or "" or "none" or OnlineRetailPreset))
        {
            throw new ArgumentException($"Unknown data preset '{Preset}' (known: {OnlineRetailPreset}, none).");
        }
        _ = TextEncodings.Resolve(Encoding);
        Limits.Validate();
        CheckPattern(Rules.ExcludeItems, "exclude-items");
        CheckPattern(Rules.CancelledInvoices, "cancelled-invoices");
        if (Rules.MaxQuantity < 1 || Rules.MaxUnitPrice <= 0 || Rules.MaxLineTotal <= 0)
        {
            throw new ArgumentException("The quantity, unit price and line total limits must be positive.");
        }
    }

    private static void CheckPattern(string? pattern, string name)
    {
        if (pattern is null)
        {
            return;
        }
        if (pattern.Length > 500)
        {
            throw new ArgumentException($"The {name} pattern is longer than 500 characters.");
        }
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The {name} pattern is not a regular expression: {e.Message}");
        }
    }

    private static string Printable(string value) => value switch
    {
        "\t" => "tab",
        _ => value.Length > 10 ? value[..10] + "…" : value,
    };
}

/// <summary>
/// The reading options as flat text settings, the same ones the CLI takes as flags (section "Training:Data" in the
/// Functions app): empty means "not set". <see cref="ToOptions"/> is the one conversion to <see cref="TransactionCsvOptions"/>.
/// </summary>
public sealed class TransactionReadSettings
{
    /// <summary>One character or "tab"; empty sniffs it from the header.</summary>
    public string Delimiter { get; set; } = "";

    /// <summary>"." or ",".</summary>
    public string DecimalSeparator { get; set; } = ".";

    /// <summary>A .NET date format; empty tries ISO 8601 and yyyy-MM-dd HH:mm:ss.</summary>
    public string DateFormat { get; set; } = "";

    public string Encoding { get; set; } = "utf-8";

    /// <summary>"online-retail", or empty / "none".</summary>
    public string Preset { get; set; } = "";

    /// <summary>A regular expression for item ids that are not merchandise; empty excludes nothing.</summary>
    public string ExcludeItems { get; set; } = "";

    /// <summary>Column mappings Field=Header separated by semicolons, e.g. "CustomerId=Customer ID;ItemId=SKU".</summary>
    public string Map { get; set; } = "";

    public int MaxQuantity { get; set; } = new TransactionRules().MaxQuantity;

    public decimal MaxUnitPrice { get; set; } = new TransactionRules().MaxUnitPrice;

    public decimal MaxLineTotal { get; set; } = new TransactionRules().MaxLineTotal;

    /// <exception cref="ArgumentException">A setting has an unusable value; the message names it.</exception>
    public TransactionCsvOptions ToOptions()
    {
        var options = new TransactionCsvOptions
        {
            Delimiter = (Delimiter ?? "") switch
            {
                "" => null,
                "tab" or "\\t" => "\t",
                var d => d,
            },
            DecimalSeparator = (DecimalSeparator ?? "") switch
            {
                "." or "" => '.',
                "," => ',',
                var other => throw new ArgumentException($"The decimal separator is '.' or ',', not '{other}'."),
            },
            DateFormat = string.IsNullOrEmpty(DateFormat) ? null : DateFormat,
            Encoding = string.IsNullOrEmpty(Encoding) ? "utf-8" : Encoding,
            Preset = string.IsNullOrWhiteSpace(Preset) ? null : Preset.Trim().ToLowerInvariant(),
            Columns = TransactionColumns.FromMappings((Map ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            Rules = new TransactionRules
            {
                ExcludeItems = string.IsNullOrEmpty(ExcludeItems) ? null : ExcludeItems,
                MaxQuantity = MaxQuantity,
                MaxUnitPrice = MaxUnitPrice,
                MaxLineTotal = MaxLineTotal,
            },
        };
        options.Validate();
        return options;
    }
}
