using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace SmartShop.Core.Data;

/// <summary>
/// Where a transactions file keeps each field: the header line split by its delimiter (given, or sniffed from the
/// line) and matched to the configured column names, case-insensitively.
/// </summary>
internal sealed record TransactionHeader(
    int InvoiceNo, int StockCode, int Description, int Quantity, int InvoiceDate, int UnitPrice, int CustomerId, int Country)
{
    private static readonly char[] SniffedDelimiters = [',', ';', '\t', '|'];

    public int MaxRequired { get; } = new[] { InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerId }.Max();

    /// <summary>Finds the columns in a header line split by <paramref name="delimiter"/>; a missing one names the likely delimiter.</summary>
    public static TransactionHeader Resolve(string headerLine, string delimiter, TransactionColumns names, InputLimits limits, long line = 1)
    {
        var header = Split(headerLine, delimiter);
        if (header.Length > limits.MaxColumns)
        {
            throw limits.TooManyColumns(line, header.Length);
        }
        var missing = new List<string>();
        int Find(string name, bool required)
        {
            var index = Array.FindIndex(header, h => string.Equals(h.Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase));
            if (index < 0 && required)
            {
                missing.Add(name);
            }
            return index;
        }

        var indexes = new TransactionHeader(
            Find(names.InvoiceNo, true), Find(names.StockCode, true), Find(names.Description, false),
            Find(names.Quantity, true), Find(names.InvoiceDate, true), Find(names.UnitPrice, true),
            Find(names.CustomerId, true), Find(names.Country, false));
        if (missing.Count > 0)
        {
            var sniffed = SniffDelimiter(headerLine);
            var hint = sniffed.ToString() != delimiter && Split(headerLine, sniffed.ToString()).Length > header.Length
                ? $" The header looks {DelimiterName(sniffed)}-separated: set the delimiter to '{(sniffed == '\t' ? "tab" : sniffed.ToString())}'."
                : "";
            throw new InvalidDataException(
                $"The transactions file is missing required column(s): {string.Join(", ", missing)}; " +
                $"{HeaderText.Describe(header)}. Map other names with Field=Header (fields: {TransactionColumns.FieldList}).{hint}");
        }
        return indexes;
    }

    /// <summary>The delimiter a header line most likely uses: the candidate (, ; tab |) that splits it most, comma on a tie.</summary>
    public static char SniffDelimiter(string headerLine)
    {
        ArgumentNullException.ThrowIfNull(headerLine);
        var best = ',';
        var bestCount = 0;
        foreach (var candidate in SniffedDelimiters)
        {
            var count = headerLine.AsSpan().Count(candidate);
            if (count > bestCount)
            {
                (best, bestCount) = (candidate, count);
            }
        }
        return best;
    }

    /// <summary>The fields of one header line (quotes honoured).</summary>
    public static string[] Split(string headerLine, string delimiter)
    {
        using var text = new StringReader(headerLine);
        using var parser = new CsvParser(text, new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimiter, BadDataFound = null, TrimOptions = TrimOptions.Trim });
        return parser.Read() ? parser.Record ?? [] : [];
    }

    private static string DelimiterName(char delimiter) => delimiter switch
    {
        ';' => "semicolon",
        '\t' => "tab",
        '|' => "pipe",
        _ => "comma",
    };
}
