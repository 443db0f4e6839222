using System.Globalization;
using System.Text;

namespace SmartShop.Core.Data;

/// <summary>A row that could not be parsed: its physical line number in the file and why.</summary>
public sealed record MalformedRow(long LineNumber, string Reason);

/// <summary>Counts accepted and malformed rows while a file streams, keeping the first few problems.</summary>
public sealed class DataQualityReport(int maxSamples = 5)
{
    private readonly List<MalformedRow> _samples = [];

    public long RowsRead { get; private set; }
    public long RowsAccepted { get; private set; }
    public long RowsMalformed { get; private set; }
    public IReadOnlyList<MalformedRow> FirstMalformed => _samples;
    public double MalformedRatio => RowsRead == 0 ? 0 : (double)RowsMalformed / RowsRead;

    internal void Accept()
    {
        RowsRead++;
        RowsAccepted++;
    }

    internal void Reject(long lineNumber, string reason)
    {
        RowsRead++;
        RowsMalformed++;
        if (_samples.Count < maxSamples)
        {
            _samples.Add(new MalformedRow(lineNumber, reason));
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{RowsRead:N0} rows read, {RowsAccepted:N0} accepted, {RowsMalformed:N0} malformed ({MalformedRatio:P2})");
        foreach (var row in _samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"; line {row.LineNumber}: {row.Reason}");
        }
        return text.ToString();
    }
}
