namespace SmartShop.Core.Recommendations.Als;

/// <summary>
/// Accumulates (row, column, weight) triples in any order and builds a <see cref="CsrMatrix"/>.
/// Duplicate (row, column) pairs are summed, which is what interaction weights want (two purchases = more evidence).
/// </summary>
public sealed class CsrMatrixBuilder
{
    private readonly List<int> _rows = [];
    private readonly List<int> _columns = [];
    private readonly List<float> _values = [];

    public CsrMatrixBuilder(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rows = rows;
        Columns = columns;
    }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Number of triples added so far (before duplicates are merged).</summary>
    public int Count => _values.Count;

    public CsrMatrixBuilder Add(int row, int column, float weight)
    {
        if ((uint)row >= (uint)Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {Rows}).");
        }

        if ((uint)column >= (uint)Columns)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Column must be in [0, {Columns}).");
        }

        if (!float.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "Weight must be a finite number.");
        }

        _rows.Add(row);
        _columns.Add(column);
        _values.Add(weight);
        return this;
    }

    public CsrMatrix Build()
    {
        var count = _values.Count;
        var offsets = new int[Rows + 1];
        foreach (var row in _rows)
        {
            offsets[row + 1]++;
        }

        for (var r = 0; r < Rows; r++)
        {
            offsets[r + 1] += offsets[r];
        }

        // Counting sort by row, then sort each row by column and merge duplicates in place.
        var next = offsets[..^1];
        var columns = new int[count];
        var values = new float[count];
        for (var t = 0; t < count; t++)
        {
            var slot = next[_rows[t]]++;
            columns[slot] = _columns[t];
            values[slot] = _values[t];
        }

        var write = 0;
        var compactOffsets = new int[Rows + 1];
        for (var r = 0; r < Rows; r++)
        {
            int start = offsets[r], end = offsets[r + 1];
            Array.Sort(columns, values, start, end - start);
            for (var j = start; j < end; j++)
            {
                if (write > compactOffsets[r] && columns[write - 1] == columns[j])
                {
                    values[write - 1] += values[j];
                }
                else
                {
                    columns[write] = columns[j];
                    values[write] = values[j];
                    write++;
                }
            }

            compactOffsets[r + 1] = write;
        }

        if (write != count)
        {
            Array.Resize(ref columns, write);
            Array.Resize(ref values, write);
        }

        return CsrMatrix.FromTrustedArrays(Columns, compactOffsets, columns, values);
    }
}
