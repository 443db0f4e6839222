using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartShop.Core.Ingestion;

/// <summary>File formats the replay tool reads: schema-v2 JSON Lines, or RetailRocket's events.csv.</summary>
public enum ClickstreamFileFormat
{
    JsonLines,
    RetailRocket,
}

/// <summary>
/// Streams a clickstream file as raw event payloads, exactly what the ingestion pipeline receives from Event Hubs.
/// RetailRocket rows (<c>timestamp,visitorid,event,itemid,transactionid</c>) become RetailRocket-shaped JSON, which the
/// validator maps; a row with the wrong number of columns becomes a payload the validator dead-letters.
/// </summary>
public static class ClickstreamFile
{
    private const string RetailRocketHeader = "timestamp,visitorid,event,itemid,transactionid";

    /// <summary>RetailRocket for a .csv file, JSON Lines otherwise.</summary>
    public static ClickstreamFileFormat GuessFormat(string path) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ClickstreamFileFormat.RetailRocket : ClickstreamFileFormat.JsonLines;

    public static IEnumerable<string> ReadPayloads(TextReader reader, ClickstreamFileFormat format) =>
        ReadNumberedPayloads(reader, format).Select(p => p.Payload);

    /// <summary>The payloads with the 1-based line each came from (blank lines are skipped), for error reports.</summary>
    public static IEnumerable<(long LineNumber, string Payload)> ReadNumberedPayloads(TextReader reader, ClickstreamFileFormat format)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return format == ClickstreamFileFormat.RetailRocket ? ReadRetailRocket(reader) : ReadJsonLines(reader);
    }

    private static IEnumerable<(long, string)> ReadJsonLines(TextReader reader)
    {
        long lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return (lineNumber, line);
            }
        }
    }

    private static IEnumerable<(long, string)> ReadRetailRocket(TextReader reader)
    {
        var header = reader.ReadLine();
        if (header is null)
        {
            yield break;
        }

        if (!string.Equals(header.Trim(), RetailRocketHeader, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"A RetailRocket file starts with the header '{RetailRocketHeader}' (found '{Truncate(header)}').");
        }

        var buffer = new MemoryStream();
        long lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var columns = line.Split(',');
            if (columns.Length != 5)
            {
                // Kept as it is: the pipeline dead-letters it with the original text.
                yield return (lineNumber, line);
                continue;
            }

            buffer.SetLength(0);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                if (long.TryParse(columns[0], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
                {
                    writer.WriteNumber("timestamp", milliseconds);
                }
                else
                {
                    writer.WriteString("timestamp", columns[0]);
                }

                writer.WriteString("visitorid", columns[1]);
                writer.WriteString("event", columns[2]);
                writer.WriteString("itemid", columns[3]);
                if (columns[4].Length > 0)
                {
                    writer.WriteString("transactionid", columns[4]);
                }

                writer.WriteEndObject();
            }

            yield return (lineNumber, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
    }

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
