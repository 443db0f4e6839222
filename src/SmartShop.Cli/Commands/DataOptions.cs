using System.CommandLine;
using SmartShop.Core.Data;

namespace SmartShop.Cli.Commands;

/// <summary>
/// The options every command that reads transactions shares (demo, train, evaluate, segment, retrain): the file's
/// dialect, its column names and which rows are merchandise, all turned into one <see cref="TransactionCsvOptions"/>.
/// </summary>
internal sealed class DataOptions
{
    private readonly Option<string?> _delimiter = new("--delimiter") { Description = "Field delimiter: one character or 'tab'; default: sniffed from the header (, ; tab |)." };
    private readonly Option<string> _decimalSeparator = new("--decimal-separator") { Description = "'.' (default) or ',' for decimal commas (1,90).", DefaultValueFactory = _ => "." };
    private readonly Option<string?> _dateFormat = new("--date-format") { Description = "Date format of the date column, e.g. 'dd.MM.yyyy HH:mm' or 'dd/MM/yyyy HH:mm'; default: ISO 8601 and yyyy-MM-dd HH:mm:ss." };
    private readonly Option<string> _encoding = new("--encoding") { Description = $"Text encoding: {TextEncodings.Names}. Default utf-8; a file that is not valid UTF-8 is an error.", DefaultValueFactory = _ => "utf-8" };
    private readonly Option<string[]> _map = new("--map") { Description = $"Column mapping Field=Header, e.g. --map CustomerId=\"Customer ID\" ItemId=SKU (fields: {TransactionColumns.FieldList}).", AllowMultipleArgumentsPerToken = true };
    private readonly Option<string?> _preset;
    private readonly Option<string?> _excludeItems = new("--exclude-items") { Description = "Regular expression: item ids matching it are not merchandise (postage, fees, vouchers) and are dropped, e.g. '^(POST|FEE-.*)$'." };
    private readonly Option<int?> _maxQuantity = new("--max-quantity") { Description = "Largest plausible quantity of a line (default 100,000); lines above it are dropped and counted." };
    private readonly Option<decimal?> _maxUnitPrice = new("--max-unit-price") { Description = "Largest plausible unit price (default 100,000)." };
    private readonly Option<decimal?> _maxLineTotal = new("--max-line-total") { Description = "Largest plausible line total, quantity × unit price (default 1,000,000)." };

    public DataOptions(string? defaultPreset = null)
    {
        _preset = new Option<string?>("--preset")
        {
            Description = $"Named rules for a known data set: '{TransactionCsvOptions.OnlineRetailPreset}' (its product-code filter, C/A cancellations, upper-cased codes) or 'none'." +
                          (defaultPreset is null ? " Default: none, nothing is assumed about ids." : $" Default: {defaultPreset}."),
        };
        if (defaultPreset is not null)
        {
            _preset.DefaultValueFactory = _ => defaultPreset;
        }
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _delimiter, _decimalSeparator, _dateFormat, _encoding, _map, _preset, _excludeItems, _maxQuantity, _maxUnitPrice, _maxLineTotal })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The options as the flat settings the Functions app binds (so both read files identically).</summary>
    public TransactionReadSettings ReadSettings(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var defaults = new TransactionReadSettings();
        return new TransactionReadSettings
        {
            Delimiter = parseResult.GetValue(_delimiter) ?? "",
            DecimalSeparator = parseResult.GetValue(_decimalSeparator)!,
            DateFormat = parseResult.GetValue(_dateFormat) ?? "",
            Encoding = parseResult.GetValue(_encoding)!,
            Preset = parseResult.GetValue(_preset) ?? "",
            ExcludeItems = parseResult.GetValue(_excludeItems) ?? "",
            Map = string.Join(';', parseResult.GetValue(_map) ?? []),
            MaxQuantity = parseResult.GetValue(_maxQuantity) ?? defaults.MaxQuantity,
            MaxUnitPrice = parseResult.GetValue(_maxUnitPrice) ?? defaults.MaxUnitPrice,
            MaxLineTotal = parseResult.GetValue(_maxLineTotal) ?? defaults.MaxLineTotal,
        };
    }

    /// <exception cref="ArgumentException">An option has an unusable value; the message names it.</exception>
    public TransactionCsvOptions Read(ParseResult parseResult) => ReadSettings(parseResult).ToOptions();
}
