using System.Globalization;
using SmartShop.Core.Data;

namespace SmartShop.Core.Segmentation;

public sealed record CustomerTableOptions
{
    public char Delimiter { get; init; } = ',';

    /// <summary>The customer key column; null picks the first column named like an id (id, customer, customer_id, …Id).</summary>
    public string? IdColumn { get; init; }

    /// <summary>Most frequent levels one-hot encoded per categorical column; the rest share an "(other)" column.</summary>
    public int MaxCategoricalLevels { get; init; } = 10;

    /// <summary>Customers (data rows) one table may hold.</summary>
    public int MaxRows { get; init; } = 2_000_000;

    /// <summary>Cells (rows × columns) one table may hold: the table is held in memory while its columns are typed.</summary>
    public long MaxCells { get; init; } = 20_000_000;

    /// <summary>Characters in one value: ids, numbers and categories are short, and values travel into results and errors.</summary>
    public int MaxFieldLength { get; init; } = 1_000;

    /// <summary>Line length and column count bounds.</summary>
    public InputLimits Limits { get; init; } = InputLimits.Default;
}

public enum CustomerColumnKind
{
    Id,
    Numeric,
    Categorical,
    Ignored,
}

/// <summary>How a column of the table was interpreted (reported with the analysis).</summary>
public sealed record CustomerTableColumn(string Name, CustomerColumnKind Kind, IReadOnlyList<string> Features, string Note);

public sealed record CustomerTable(CustomerFeatureTable Features, IReadOnlyList<CustomerTableColumn> Columns);

/// <summary>
/// Reads an arbitrary customer table. A column is numeric when every non-empty value parses as an invariant
/// number; when at least 90 % parse, the others are reported as non-numeric values (an error, not a silent
/// category). Empty numeric cells get the column median. Other columns are categorical and one-hot encoded
/// with a level cap; free-text columns (more distinct values than half the rows and than 5× the cap) and
/// id-like columns are excluded.
/// </summary>
public static class CustomerTableReader
{
    private const double NumericShareForError = 0.9;

    public static CustomerTable ReadFile(string path, CustomerTableOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"Customer table '{path}' does not exist.");
        }

        options ??= new CustomerTableOptions();
        using var reader = InputFile.OpenText(path, limits: options.Limits);
        return Read(reader, options, cancellationToken);
    }

    public static CustomerTable Read(TextReader reader, CustomerTableOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new CustomerTableOptions();
        using var records = DelimitedText.ReadRecords(reader, options.Delimiter, options.Limits).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException("The customer table is empty (no header line).");
        }

        var header = records.Current.Fields;
        var rows = new List<string[]>();
        var maxRows = (int)Math.Min(options.MaxRows, options.MaxCells / header.Length);
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if ((rows.Count & 0x3FF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (Array.FindIndex(fields, f => f.Length > options.MaxFieldLength) is var wide and >= 0)
            {
                throw InputLimits.TooLarge(string.Create(CultureInfo.InvariantCulture,
                    $"Line {line:N0}: the value in column {wide + 1} is longer than the limit of {options.MaxFieldLength:N0} characters."), "field");
            }
            if (rows.Count >= maxRows)
            {
                throw InputLimits.TooLarge(string.Create(CultureInfo.InvariantCulture,
                    $"The customer table has more than {maxRows:N0} rows of {header.Length:N0} columns (limits: {options.MaxRows:N0} rows, {options.MaxCells:N0} cells)."), "rows");
            }
            if (fields.Length != header.Length)
            {
                throw new InvalidDataException($"Line {line}: expected {header.Length} fields (delimiter '{options.Delimiter}') but found {fields.Length}.");
            }

            rows.Add(fields);
        }

        if (rows.Count == 0)
        {
            throw new InvalidDataException("The customer table has a header but no rows.");
        }

        var idIndex = FindIdColumn(header, options.IdColumn);
        // The same ids as transactions and events: 17850.0 is 17850, and anything outside the id alphabet is refused.
        var ids = new List<string>(rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            if (!Data.TransactionCsvReader.TryNormaliseCustomerId(rows[r][idIndex], out var id) || id is null && rows[r][idIndex].Length > 0)
            {
                throw new InvalidDataException($"Column '{header[idIndex]}' (data row {r + 1}): a customer id is {Ingestion.ClickstreamEventValidator.IdRule}.");
            }
            ids.Add(id ?? "");
        }
        var duplicate = ids.GroupBy(i => i, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1 || g.Key.Length == 0);
        if (duplicate is not null)
        {
            throw new InvalidDataException(duplicate.Key.Length == 0
                ? $"Column '{header[idIndex]}' has an empty customer id."
                : $"A customer id appears more than once in column '{header[idIndex]}' (data row {ids.IndexOf(duplicate.Key) + 1} and later).");
        }

        var columns = new List<CustomerTableColumn>();
        var featureNames = new List<string>();
        var featureColumns = new List<double[]>();
        for (var c = 0; c < header.Length; c++)
        {
            var name = header[c];
            if (c == idIndex || (c != idIndex && LooksLikeId(name)))
            {
                columns.Add(new CustomerTableColumn(name, CustomerColumnKind.Id, [], c == idIndex ? "customer key" : "id-like column excluded"));
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var values = rows.Select(r => r[c]).ToList();
            var nonEmpty = values.Where(v => v.Length > 0).ToList();
            if (nonEmpty.Count == 0)
            {
                columns.Add(new CustomerTableColumn(name, CustomerColumnKind.Ignored, [], "all values empty"));
                continue;
            }

            var parsed = nonEmpty.Count(v => TryParse(v, out _));
            if (parsed == nonEmpty.Count)
            {
                featureNames.Add(name);
                featureColumns.Add(NumericColumn(values, out var imputed));
                columns.Add(new CustomerTableColumn(name, CustomerColumnKind.Numeric, [name], imputed > 0 ? $"{imputed} empty values set to the median" : "numeric"));
                continue;
            }

            if (parsed >= NumericShareForError * nonEmpty.Count)
            {
                var badRow = rows.FindIndex(r => r[c].Length > 0 && !TryParse(r[c], out _));
                throw new InvalidDataException(
                    $"Non-numeric value in numeric column '{name}' (data row {badRow + 1}); {parsed} of {nonEmpty.Count} values are numbers.");
            }

            var levels = nonEmpty.GroupBy(v => v, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
            if (levels.Count > Math.Max(5 * options.MaxCategoricalLevels, rows.Count / 2))
            {
                columns.Add(new CustomerTableColumn(name, CustomerColumnKind.Ignored, [], $"{levels.Count} distinct text values: free text or an identifier"));
                continue;
            }

            var kept = levels.Take(options.MaxCategoricalLevels).ToList();
            var hasOther = levels.Count > kept.Count || nonEmpty.Count < values.Count;
            var encoded = kept.Select(level => $"{name}={level}").ToList();
            if (hasOther)
            {
                encoded.Add($"{name}=(other)");
            }

            foreach (var level in kept)
            {
                featureNames.Add($"{name}={level}");
                featureColumns.Add(values.Select(v => string.Equals(v, level, StringComparison.Ordinal) ? 1.0 : 0.0).ToArray());
            }

            if (hasOther)
            {
                var keptSet = kept.ToHashSet(StringComparer.Ordinal);
                featureNames.Add($"{name}=(other)");
                featureColumns.Add(values.Select(v => keptSet.Contains(v) ? 0.0 : 1.0).ToArray());
            }

            columns.Add(new CustomerTableColumn(name, CustomerColumnKind.Categorical, encoded, $"{levels.Count} levels, {kept.Count} one-hot encoded"));
        }

        if (featureNames.Count == 0)
        {
            throw new InvalidDataException("The customer table has no usable numeric or categorical columns besides the id.");
        }

        var width = featureNames.Count;
        var matrix = new double[rows.Count * width];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var f = 0; f < width; f++)
            {
                matrix[(r * width) + f] = featureColumns[f][r];
            }
        }

        return new CustomerTable(new CustomerFeatureTable(ids, featureNames, matrix), columns);
    }

    private static int FindIdColumn(string[] header, string? requested)
    {
        if (requested is not null)
        {
            var index = Array.FindIndex(header, h => string.Equals(h, requested, StringComparison.OrdinalIgnoreCase));
            return index >= 0
                ? index
                : throw new InvalidDataException($"Id column '{requested}' not found; {HeaderText.Describe(header)}.");
        }

        var byName = Array.FindIndex(header, h => Normalise(h) is "id" or "customer" or "customerid" or "clientid" or "userid");
        byName = byName >= 0 ? byName : Array.FindIndex(header, LooksLikeId);
        return byName >= 0
            ? byName
            : throw new InvalidDataException($"No customer id column found (expected a column such as 'customer_id'); {HeaderText.Describe(header)}.");
    }

    private static bool LooksLikeId(string name)
    {
        var normalised = Normalise(name);
        return normalised == "id" || (normalised.EndsWith("id", StringComparison.Ordinal) && (name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("ID", StringComparison.Ordinal) || name.EndsWith("_id", StringComparison.OrdinalIgnoreCase) || name.EndsWith(" id", StringComparison.OrdinalIgnoreCase)));
    }

    private static string Normalise(string name) =>
        new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static bool TryParse(string value, out double result) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out result) && double.IsFinite(result);

    private static double[] NumericColumn(List<string> values, out int imputed)
    {
        var parsed = values.Select(v => TryParse(v, out var x) ? x : (double?)null).ToList();
        var present = parsed.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        var median = present.Count % 2 == 1 ? present[present.Count / 2] : (present[(present.Count / 2) - 1] + present[present.Count / 2]) / 2;
        imputed = parsed.Count(v => v is null);
        return parsed.Select(v => v ?? median).ToArray();
    }
}
