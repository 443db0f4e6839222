using System.Text;
using SmartShop.Core.Data;

namespace SmartShop.Core.Segmentation;

/// <summary>
/// Minimal RFC 4180 record splitting for the small side tables of segmentation (customer attributes,
/// clickstream, saved customer features): quoted fields with doubled quotes, one record per line.
/// Transactions are read by SmartShop.Core.Data.TransactionCsvReader, not here.
/// </summary>
public static class DelimitedText
{
    /// <summary>The non-blank records; one with more than <see cref="InputLimits.MaxColumns"/> fields stops the read (line length is the reader's bound).</summary>
    public static IEnumerable<(int LineNumber, string[] Fields)> ReadRecords(TextReader reader, char delimiter, InputLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        limits ??= InputLimits.Default;
        var lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = Split(line, delimiter, lineNumber);
            if (fields.Length > limits.MaxColumns)
            {
                throw limits.TooManyColumns(lineNumber, fields.Length);
            }

            yield return (lineNumber, fields);
        }
    }

    public static string[] Split(string line, char delimiter, int lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (inQuotes)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    current.Append(ch);
                }
            }
            else if (ch == '"' && current.Length == 0)
            {
                inQuotes = true;
            }
            else if (ch == delimiter)
            {
                fields.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(ch);
            }
        }

        if (inQuotes)
        {
            throw new InvalidDataException($"Line {lineNumber}: unterminated quoted field.");
        }

        fields.Add(current.ToString().Trim());
        return [.. fields];
    }

    public static string Quote(string value, char delimiter)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Contains(delimiter, StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
            ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
            : value;
    }
}
