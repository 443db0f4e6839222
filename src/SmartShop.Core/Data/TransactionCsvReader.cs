using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;
using CsvHelper.Configuration;
using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Data;

/// <summary>
/// The one reader of transaction exports, for every command and trigger. Streams rows in any dialect
/// (<see cref="TransactionCsvOptions"/>: delimiter, decimal separator, date format, encoding, column names),
/// keeps purchases and returns and drops every other row with a counted reason (<see cref="DataQualityReport"/>).
/// Ids are opaque strings of the ingestion id alphabet, compared ordinally; a file that is mostly unreadable fails
/// with <see cref="InvalidDataException"/>.
/// </summary>
public sealed class TransactionCsvReader
{
    // Once this many rows have been read, a file already over the malformed limit is abandoned early.
    private const int EarlyVerdictRows = 10_000;
    private const int MaxPooledStrings = 1_000_000;
    private const int MaxCachedVerdicts = 200_000;

    private static readonly string[] DefaultDateFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd",
    ];

    private readonly TransactionCsvOptions _options;
    private readonly TransactionRules _rules;
    private readonly string[] _dateFormats;
    private readonly NumberFormatInfo _numbers;
    private readonly Regex? _excluded;
    private readonly Regex? _cancelled;
    private readonly Dictionary<string, bool> _excludedItems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _cancelledInvoices = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">An option is unusable (<see cref="TransactionCsvOptions.Validate"/>).</exception>
    public TransactionCsvReader(TransactionCsvOptions? options = null)
    {
        _options = options ?? new TransactionCsvOptions();
        _options.Validate();
        _dateFormats = _options.DateFormat is { } format ? [format] : DefaultDateFormats;
        // The invariant format itself for '.', which parsing handles fastest; a clone only for decimal commas.
        _numbers = NumberFormatInfo.InvariantInfo;
        if (_options.DecimalSeparator == ',')
        {
            _numbers = (NumberFormatInfo)_numbers.Clone();
            _numbers.NumberDecimalSeparator = ",";
            _numbers.NumberGroupSeparator = "\u00A0";
        }
        _rules = _options.EffectiveRules;
        _excluded = Pattern(_rules.ExcludeItems);
        _cancelled = Pattern(_rules.CancelledInvoices);
    }

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
        using var reader = InputFile.OpenText(path, _options.Encoding, _options.Limits);
        foreach (var transaction in Read(reader, report, cancellationToken))
        {
            yield return transaction;
        }
    }

    public IEnumerable<Transaction> Read(TextReader reader, DataQualityReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(report);
        return ReadRows(reader, report, cancellationToken);
    }

    private IEnumerable<Transaction> ReadRows(TextReader reader, DataQualityReport report, CancellationToken cancellationToken)
    {
        string? headerLine;
        var headerLineNumber = 0L;
        do
        {
            headerLine = reader.ReadLine();
            headerLineNumber++;
        }
        while (headerLine is not null && headerLine.Trim().Length == 0);
        if (headerLine is null)
        {
            throw new InvalidDataException("The transactions file is empty: it has no header row.");
        }
        headerLine = headerLine.TrimStart('\uFEFF');
        var delimiter = _options.Delimiter ?? TransactionHeader.SniffDelimiter(headerLine).ToString();
        var columns = TransactionHeader.Resolve(headerLine, delimiter, _options.Columns, _options.Limits, headerLineNumber);

        var badData = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter,
            BadDataFound = _ => badData = true,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            TrimOptions = TrimOptions.Trim,
            // A quoted field may span lines, past the reader's line bound: CsvHelper bounds it (and its buffer) too.
            MaxFieldSize = _options.Limits.MaxLineLength,
        };
        using var parser = new CsvParser(reader, configuration);
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);

        while (ReadRecord(parser))
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
            var line = parser.RawRow + headerLineNumber;
            if (record.Length > _options.Limits.MaxColumns)
            {
                throw _options.Limits.TooManyColumns(line, record.Length);
            }
            if (record.Length == 1 && record[0].Length == 0)
            {
                continue; // blank line
            }
            if (badData)
            {
                badData = false;
                Reject(report, line, "unbalanced quotes");
                continue;
            }

            var outcome = Parse(record, columns, pool, out var transaction);
            if (outcome.Reason is { } reason)
            {
                if (outcome.Malformed)
                {
                    Reject(report, line, reason);
                }
                else
                {
                    report.Drop(line, reason);
                }
                continue;
            }
            report.Accept();
            yield return transaction!;
        }

        if (report.RowsRead == 0)
        {
            throw new InvalidDataException("The transactions file has a header but no data rows.");
        }
        ThrowIfMostlyMalformed(report);
    }

    private bool ReadRecord(CsvParser parser)
    {
        try
        {
            return parser.Read();
        }
        catch (MaxFieldSizeException)
        {
            throw InputLimits.TooLarge(string.Create(CultureInfo.InvariantCulture,
                $"A field near line {parser.RawRow:N0} is longer than the limit of {_options.Limits.MaxLineLength:N0} characters."), "line");
        }
    }

    private void Reject(DataQualityReport report, long line, string reason)
    {
        report.Reject(line, reason);
        if (report.RowsRead >= EarlyVerdictRows)
        {
            ThrowIfMostlyMalformed(report);
        }
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

    private readonly record struct Outcome(string? Reason, bool Malformed)
    {
        public static Outcome Kept => default;

        public static Outcome Unreadable(string reason) => new(reason, true);

        public static Outcome Dropped(string reason) => new(reason, false);
    }

    private Outcome Parse(string[] record, TransactionHeader columns, Dictionary<string, string> pool, out Transaction? transaction)
    {
        transaction = null;
        if (record.Length <= columns.MaxRequired)
        {
            return Outcome.Unreadable($"expected at least {columns.MaxRequired + 1} fields, found {record.Length}");
        }
        foreach (var field in record)
        {
            if (field.Length > _options.MaxFieldLength)
            {
                return Outcome.Unreadable($"a field is longer than {_options.MaxFieldLength} characters");
            }
        }

        var names = _options.Columns;
        var invoiceNo = record[columns.InvoiceNo];
        if (invoiceNo.Length is 0 or > ClickstreamEventValidator.MaxIdLength || invoiceNo.AsSpan().ContainsAnyInRange('\0', '\u001F'))
        {
            return Outcome.Unreadable($"{names.InvoiceNo} is empty, longer than {ClickstreamEventValidator.MaxIdLength} characters or has control characters");
        }
        var stockCode = record[columns.StockCode];
        if (_rules.UpperCaseItemIds)
        {
            stockCode = stockCode.ToUpperInvariant();
        }
        if (_excluded is not null && Verdict(_excludedItems, _excluded, stockCode, "exclude-items"))
        {
            return Outcome.Dropped("item id matches the exclusion rule");
        }
        if (_rules.NonProductItems.Contains(stockCode))
        {
            return Outcome.Dropped("item is not a product in the catalogue");
        }
        if (!ClickstreamEventValidator.IsValidId(stockCode))
        {
            return Outcome.Unreadable($"{names.StockCode} is not an id ({ClickstreamEventValidator.IdRule})");
        }
        if (!TryNormaliseCustomerId(record[columns.CustomerId], out var customerId))
        {
            return Outcome.Unreadable($"{names.CustomerId} is not an id ({ClickstreamEventValidator.IdRule})");
        }
        // Most quantities are plain integers: the decimal parse is only for 6.0, 1e3 and values beyond int.
        decimal quantityValue = int.TryParse(record[columns.Quantity], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var plain) ? plain : 0;
        if (quantityValue == 0 && (!decimal.TryParse(record[columns.Quantity], NumberStyles.Float, _numbers, out quantityValue)
            || quantityValue != decimal.Truncate(quantityValue)))
        {
            return Outcome.Unreadable($"{names.Quantity} is not a whole number");
        }
        if (!DateTime.TryParseExact(record[columns.InvoiceDate], _dateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AllowWhiteSpaces, out var invoiceDate))
        {
            return Outcome.Unreadable(_options.DateFormat is { } f
                ? $"{names.InvoiceDate} is not a date in the format {f}"
                : $"{names.InvoiceDate} is not an ISO 8601 or yyyy-MM-dd HH:mm:ss date (set the date format)");
        }
        if (invoiceDate.Kind == DateTimeKind.Local)
        {
            invoiceDate = invoiceDate.ToUniversalTime(); // an offset was given: the instant in UTC, whatever this machine's zone
        }
        if (!decimal.TryParse(record[columns.UnitPrice], NumberStyles.Float, _numbers, out var unitPrice))
        {
            return Outcome.Unreadable($"{names.UnitPrice} is not a number" + (_options.DecimalSeparator == '.' && record[columns.UnitPrice].Contains(',', StringComparison.Ordinal) ? " (set the decimal separator to ',')" : ""));
        }

        var rules = _rules;
        if (Math.Abs(quantityValue) > rules.MaxQuantity)
        {
            return Outcome.Dropped(string.Create(CultureInfo.InvariantCulture, $"quantity above the limit of {rules.MaxQuantity:N0}"));
        }
        if (Math.Abs(unitPrice) > rules.MaxUnitPrice)
        {
            return Outcome.Dropped(string.Create(CultureInfo.InvariantCulture, $"unit price above the limit of {rules.MaxUnitPrice:N0}"));
        }
        var quantity = (int)quantityValue;
        if (Math.Abs(quantity * unitPrice) > rules.MaxLineTotal)
        {
            return Outcome.Dropped(string.Create(CultureInfo.InvariantCulture, $"line total above the limit of {rules.MaxLineTotal:N0}"));
        }

        var description = columns.Description >= 0 && columns.Description < record.Length ? record[columns.Description] : "";
        var country = columns.Country >= 0 && columns.Country < record.Length ? record[columns.Country] : "";
        var cancelled = _cancelled is null ? quantity < 0 : Verdict(_cancelledInvoices, _cancelled, invoiceNo, "cancelled-invoices");
        transaction = new Transaction(
            Pooled(pool, invoiceNo), Pooled(pool, stockCode), Pooled(pool, description), quantity,
            invoiceDate, unitPrice, customerId is null ? null : Pooled(pool, customerId), Pooled(pool, country))
        {
            IsCancellation = cancelled,
        };
        return Outcome.Kept;
    }

    /// <summary>
    /// Customer ids are opaque; the one normalisation is that an id of digits followed by a point and zeros
    /// ("17850.0", written by spreadsheets that stored the id as a number) loses the zeros. Empty is anonymous.
    /// </summary>
    public static bool TryNormaliseCustomerId(string text, out string? customerId)
    {
        ArgumentNullException.ThrowIfNull(text);
        customerId = null;
        if (text.Length == 0)
        {
            return true;
        }
        var point = text.IndexOf('.', StringComparison.Ordinal);
        if (point > 0 && text.AsSpan(0, point).IndexOfAnyExceptInRange('0', '9') < 0
            && point < text.Length - 1 && text.AsSpan(point + 1).IndexOfAnyExcept('0') < 0)
        {
            text = text[..point];
        }
        if (!ClickstreamEventValidator.IsValidId(text))
        {
            return false;
        }
        customerId = text;
        return true;
    }

    // Ids repeat on many rows: each distinct one is matched once (bounded, so a file of unique ids cannot grow it),
    // which is also why the patterns are interpreted rather than compiled: compiling costs more than the few matches.
    private static bool Verdict(Dictionary<string, bool> cache, Regex pattern, string value, string name)
    {
        if (cache.TryGetValue(value, out var known))
        {
            return known;
        }
        var verdict = Matches(pattern, value, name);
        if (cache.Count < MaxCachedVerdicts)
        {
            cache[value] = verdict;
        }
        return verdict;
    }

    private static bool Matches(Regex pattern, string value, string name)
    {
        try
        {
            return pattern.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new InvalidDataException($"The {name} pattern takes too long to match: simplify it.");
        }
    }

    private static Regex? Pattern(string? pattern) =>
        pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

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
}

/// <summary>A file's transactions with the report of what was skipped.</summary>
public sealed record TransactionSet(IReadOnlyList<Transaction> Rows, DataQualityReport Report);
