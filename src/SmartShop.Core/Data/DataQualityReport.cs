using System.Globalization;
using System.Text;

namespace SmartShop.Core.Data;

/// <summary>A row that could not be parsed: its physical line number in the file and why.</summary>
public sealed record MalformedRow(long LineNumber, string Reason);

/// <summary>
/// Rows dropped for one reason. <see cref="Malformed"/> rows could not be read; the others were read and
/// dropped by a rule (exclusion pattern, plausibility limit), which never makes a file "mostly malformed".
/// </summary>
public sealed record DroppedRows(string Reason, long Rows, long FirstLine, bool Malformed);

/// <summary>Counts accepted and dropped rows by reason while a file streams, keeping the first few malformed lines.</summary>
public sealed class DataQualityReport(int maxSamples = 5)
{
    // Reasons come from a fixed vocabulary; the cap keeps a hostile file from growing the table anyway.
    private const int MaxReasons = 64;
    private const string OtherReason = "other reasons";

    private readonly List<MalformedRow> _samples = [];
    private readonly Dictionary<string, (long Rows, long FirstLine, bool Malformed)> _reasons = new(StringComparer.Ordinal);

    public long RowsRead { get; private set; }
    public long RowsAccepted { get; private set; }
    public long RowsMalformed { get; private set; }

    /// <summary>Rows read and dropped, malformed ones included.</summary>
    public long RowsDropped => RowsRead - RowsAccepted;

    public IReadOnlyList<MalformedRow> FirstMalformed => _samples;
    public double MalformedRatio => RowsRead == 0 ? 0 : (double)RowsMalformed / RowsRead;

    /// <summary>Every reason rows were dropped for, most rows first.</summary>
    public IReadOnlyList<DroppedRows> Dropped => _reasons
        .Select(kv => new DroppedRows(kv.Key, kv.Value.Rows, kv.Value.FirstLine, kv.Value.Malformed))
        .OrderByDescending(d => d.Rows).ThenBy(d => d.Reason, StringComparer.Ordinal)
        .ToList();

    /// <summary>One line per reason: "1,204 rows: item id matches the exclusion rule (first at line 45)".</summary>
    public IEnumerable<string> DropLines() => Dropped.Select(d =>
        string.Create(CultureInfo.InvariantCulture, $"{d.Rows:N0} {(d.Rows == 1 ? "row" : "rows")}: {d.Reason} (first at line {d.FirstLine})"));

    internal void Accept()
    {
        RowsRead++;
        RowsAccepted++;
    }

    /// <summary>A row that could not be read.</summary>
    internal void Reject(long lineNumber, string reason)
    {
        RowsMalformed++;
        Count(lineNumber, reason, malformed: true);
        if (_samples.Count < maxSamples)
        {
            _samples.Add(new MalformedRow(lineNumber, reason));
        }
    }

    /// <summary>A row that was read and is dropped by a rule.</summary>
    internal void Drop(long lineNumber, string reason) => Count(lineNumber, reason, malformed: false);

    private void Count(long lineNumber, string reason, bool malformed)
    {
        RowsRead++;
        if (!_reasons.ContainsKey(reason) && _reasons.Count >= MaxReasons)
        {
            reason = OtherReason;
        }
        _reasons[reason] = _reasons.TryGetValue(reason, out var seen)
            ? (seen.Rows + 1, seen.FirstLine, seen.Malformed && malformed)
            : (1, lineNumber, malformed);
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{RowsRead:N0} rows read, {RowsAccepted:N0} accepted, {RowsDropped:N0} dropped ({RowsMalformed:N0} malformed, {MalformedRatio:P2})");
        foreach (var line in DropLines())
        {
            text.Append("; ").Append(line);
        }
        return text.ToString();
    }
}
