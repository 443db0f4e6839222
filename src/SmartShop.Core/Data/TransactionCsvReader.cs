using System.Globalization;
using System.IO.Compression;
using CsvHelper;
using CsvHelper.Configuration;

namespace SmartShop.Core.Data;

/// <summary>
/// Streams transactions from a CSV file in the Online Retail schema (column names and delimiter configurable).
/// Malformed rows are counted and skipped; a file that is mostly garbage fails with <see cref="InvalidDataException"/>.
/// </summary>
public sealed class TransactionCsvReader(TransactionCsvOptions? options = null)
{
    // Once this many rows have been read, a file already over the malformed limit is abandoned early.
    private const int EarlyVerdictRows = 10_000;
    private const int MaxPooledStrings = 1_000_000;

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd", "M/d/yyyy H:mm", "M/d/yyyy H:mm:ss",
    ];

    private readonly TransactionCsvOptions _options = options ?? new TransactionCsvOptions();

    public TransactionCsvOptions Options => _options;

    /// <summary>Reads a whole file (plain or gzip-compressed) into memory.</summary>
    public TransactionSet ReadAll(string path, CancellationToken cancellationToken = default)
    {
        var report = new DataQualityReport(_options.MaxReportedRows);
        var rows = Read(path, report, cancellationToken).ToList();
        return new TransactionSet(rows, report);
    }

    /// <summary>Streams a file (plain or gzip-compressed); <paramref name="report"/> is complete once enumeration ends.</summary>
    public IEnumerable<Transaction> Read(string path, DataQualityReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Transactions file not found: {path}", path);
        }
        return ReadFile(path, report, cancellationToken);
    }

    private IEnumerable<Transaction> ReadFile(string path, DataQualityReport report, CancellationToken cancellationToken)
    {
        using var reader = OpenText(path);
        foreach (var transaction in Read(reader, report, cancellationToken))
        {
            yield return transaction;
        }
    }

    /// <summary>Opens a text file, transparently decompressing gzip (detected by its magic bytes, not the name).</summary>
    public static TextReader OpenText(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return OpenText(stream);
    }

    /// <summary>Wraps a stream in a reader, decompressing gzip when the stream starts with its magic bytes.</summary>
    public static TextReader OpenText(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffered = stream.CanSeek ? stream : new BufferedStream(stream, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        var read = buffered.CanSeek ? buffered.ReadAtLeast(magic, 2, throwOnEndOfStream: false) : 0;
        if (buffered.CanSeek)
        {
            buffered.Seek(0, SeekOrigin.Begin);
        }
        var isGzip = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        return new StreamReader(isGzip ? new GZipStream(buffered, CompressionMode.Decompress) : buffered);
    }

    public IEnumerable<Transaction> Read(TextReader reader, DataQualityReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(report);
        return ReadRows(reader, report, cancellationToken);
    }

    private IEnumerable<Transaction> ReadRows(TextReader reader, DataQualityReport report, CancellationToken cancellationToken)
    {
        var badData = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = _options.Delimiter,
            BadDataFound = _ => badData = true,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            TrimOptions = TrimOptions.Trim,
        };
        using var parser = new CsvParser(reader, configuration);
        if (!parser.Read())
        {
            throw new InvalidDataException("The transactions file is empty: it has no header row.");
        }
        var columns = ColumnIndexes.FromHeader(parser.Record ?? [], _options.Columns);
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);

        while (parser.Read())
        {
            if ((report.RowsRead & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (report.RowsRead >= _options.MaxRows)
            {
                throw new InvalidDataException(
                    $"The transactions file has more than the limit of {_options.MaxRows:N0} data rows.");
            }

            var record = parser.Record ?? [];
            var line = parser.RawRow;
            if (record.Length == 1 && record[0].Length == 0)
            {
                continue; // blank line
            }
            string? reason = badData ? "unbalanced quotes" : null;
            badData = false;
            Transaction? transaction = null;
            if (reason is null && !TryParse(record, columns, pool, out transaction, out reason))
            {
                transaction = null;
            }

            if (transaction is null)
            {
                report.Reject(line, reason ?? "malformed row");
                if (report.RowsRead >= EarlyVerdictRows)
                {
                    ThrowIfMostlyMalformed(report);
                }
                continue;
            }
            report.Accept();
            yield return transaction;
        }

        if (report.RowsRead == 0)
        {
            throw new InvalidDataException("The transactions file has a header but no data rows.");
        }
        ThrowIfMostlyMalformed(report);
    }

    private void ThrowIfMostlyMalformed(DataQualityReport report)
    {
        if (report.MalformedRatio > _options.MaxMalformedRatio)
        {
            throw new InvalidDataException(
                $"The transactions file is mostly malformed: {report.MalformedRatio:P1} of rows could not be read " +
                $"(limit {_options.MaxMalformedRatio:P0}). {report}");
        }
    }

    private bool TryParse(string[] record, ColumnIndexes columns, Dictionary<string, string> pool, out Transaction? transaction, out string? reason)
    {
        transaction = null;
        if (record.Length <= columns.MaxRequired)
        {
            reason = $"expected at least {columns.MaxRequired + 1} fields, found {record.Length}";
            return false;
        }
        foreach (var field in record)
        {
            if (field.Length > _options.MaxFieldLength)
            {
                reason = $"a field is longer than {_options.MaxFieldLength} characters";
                return false;
            }
        }

        var invoiceNo = record[columns.InvoiceNo];
        var stockCode = record[columns.StockCode].ToUpperInvariant();
        if (invoiceNo.Length == 0 || stockCode.Length == 0)
        {
            reason = invoiceNo.Length == 0 ? "InvoiceNo is empty" : "StockCode is empty";
            return false;
        }
        if (!TryParseQuantity(record[columns.Quantity], out var quantity))
        {
            reason = "Quantity is not a whole number";
            return false;
        }
        if (!DateTime.TryParseExact(record[columns.InvoiceDate], DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AllowWhiteSpaces, out var invoiceDate))
        {
            reason = "InvoiceDate is not a date";
            return false;
        }
        if (!decimal.TryParse(record[columns.UnitPrice], NumberStyles.Float, CultureInfo.InvariantCulture, out var unitPrice)
            || Math.Abs(unitPrice) > 1_000_000_000m)
        {
            reason = "UnitPrice is not a price";
            return false;
        }
        if (!TryParseCustomerId(record[columns.CustomerId], out var customerId))
        {
            reason = "CustomerID is not a whole number";
            return false;
        }

        var description = columns.Description >= 0 && columns.Description < record.Length ? record[columns.Description] : "";
        var country = columns.Country >= 0 && columns.Country < record.Length ? record[columns.Country] : "";
        transaction = new Transaction(
            Pooled(pool, invoiceNo), Pooled(pool, stockCode), Pooled(pool, description), quantity,
            invoiceDate, unitPrice, customerId is null ? null : Pooled(pool, customerId), Pooled(pool, country));
        reason = null;
        return true;
    }

    private static bool TryParseQuantity(string text, out int quantity)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out quantity))
        {
            return true;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value == Math.Floor(value) && Math.Abs(value) <= int.MaxValue)
        {
            quantity = (int)value;
            return true;
        }
        return false;
    }

    private static bool TryParseCustomerId(string text, out string? customerId)
    {
        customerId = null;
        if (text.Length == 0)
        {
            return true;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value == Math.Floor(value) && value is > 0 and < 1e15)
        {
            customerId = ((long)value).ToString(CultureInfo.InvariantCulture);
            return true;
        }
        return false;
    }

    private static string Pooled(Dictionary<string, string> pool, string value)
    {
        if (pool.TryGetValue(value, out var existing))
        {
            return existing;
        }
        if (pool.Count < MaxPooledStrings)
        {
            pool[value] = value;
        }
        return value;
    }

    private sealed record ColumnIndexes(
        int InvoiceNo, int StockCode, int Description, int Quantity, int InvoiceDate, int UnitPrice, int CustomerId, int Country)
    {
        public int MaxRequired { get; } = new[] { InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerId }.Max();

        public static ColumnIndexes FromHeader(string[] header, TransactionColumns names)
        {
            var missing = new List<string>();
            int Find(string name, bool required)
            {
                var index = Array.FindIndex(header, h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
                if (index < 0 && required)
                {
                    missing.Add(name);
                }
                return index;
            }

            var indexes = new ColumnIndexes(
                Find(names.InvoiceNo, true), Find(names.StockCode, true), Find(names.Description, false),
                Find(names.Quantity, true), Find(names.InvoiceDate, true), Find(names.UnitPrice, true),
                Find(names.CustomerId, true), Find(names.Country, false));
            if (missing.Count > 0)
            {
                throw new InvalidDataException(
                    $"The transactions file is missing required column(s): {string.Join(", ", missing)}; " +
                    $"{HeaderText.Describe(header)}.");
            }
            return indexes;
        }
    }
}

/// <summary>A file's transactions with the report of what was skipped.</summary>
public sealed record TransactionSet(IReadOnlyList<Transaction> Rows, DataQualityReport Report);
