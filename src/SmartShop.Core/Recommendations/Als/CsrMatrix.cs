namespace SmartShop.Core.Recommendations.Als;

/// <summary>
/// An immutable compressed-sparse-row matrix of float weights (rows = users, columns = items for ALS input).
/// Column indices are strictly increasing within each row.
/// </summary>
public sealed class CsrMatrix
{
    private readonly int[] _rowOffsets;
    private readonly int[] _columnIndices;
    private readonly float[] _values;

    /// <summary>
    /// Wraps existing CSR arrays after validating them (offsets monotone, indices sorted, unique and in range).
    /// The arrays are taken over, not copied: the caller must not modify them afterwards.
    /// </summary>
    public CsrMatrix(int rows, int columns, int[] rowOffsets, int[] columnIndices, float[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(rowOffsets);
        ArgumentNullException.ThrowIfNull(columnIndices);
        ArgumentNullException.ThrowIfNull(values);
        if (rowOffsets.Length != rows + 1)
        {
            throw new ArgumentException($"rowOffsets has {rowOffsets.Length} entries; a matrix of {rows} rows needs {rows + 1}.", nameof(rowOffsets));
        }

        if (columnIndices.Length != values.Length)
        {
            throw new ArgumentException($"columnIndices ({columnIndices.Length}) and values ({values.Length}) differ in length.", nameof(values));
        }

        if (rowOffsets[0] != 0 || rowOffsets[rows] != columnIndices.Length)
        {
            throw new ArgumentException($"rowOffsets must start at 0 and end at the number of non-zeros ({columnIndices.Length}).", nameof(rowOffsets));
        }

        for (var row = 0; row < rows; row++)
        {
            int start = rowOffsets[row], end = rowOffsets[row + 1];
            if (end < start)
            {
                throw new ArgumentException($"rowOffsets decreases at row {row}.", nameof(rowOffsets));
            }

            var previous = -1;
            for (var j = start; j < end; j++)
            {
                var column = columnIndices[j];
                if (column <= previous || column >= columns)
                {
                    throw new ArgumentException(
                        $"Row {row}: column index {column} is out of range [0, {columns}) or not strictly increasing.", nameof(columnIndices));
                }

                previous = column;
            }
        }

        Rows = rows;
        Columns = columns;
        _rowOffsets = rowOffsets;
        _columnIndices = columnIndices;
        _values = values;
    }

    // Trusted path for arrays produced by this assembly (already sorted and in range): skips the O(nnz) validation.
    private CsrMatrix(int[] rowOffsets, int[] columnIndices, float[] values, int columns)
    {
        Rows = rowOffsets.Length - 1;
        Columns = columns;
        _rowOffsets = rowOffsets;
        _columnIndices = columnIndices;
        _values = values;
    }

    public int Rows { get; }

    public int Columns { get; }

    public int NonZeroCount => _values.Length;

    public ReadOnlySpan<int> RowOffsets => _rowOffsets;

    public ReadOnlySpan<int> ColumnIndices => _columnIndices;

    public ReadOnlySpan<float> Values => _values;

    public int RowLength(int row) => _rowOffsets[row + 1] - _rowOffsets[row];

    public ReadOnlySpan<int> RowColumns(int row) =>
        _columnIndices.AsSpan(_rowOffsets[row], _rowOffsets[row + 1] - _rowOffsets[row]);

    public ReadOnlySpan<float> RowValues(int row) =>
        _values.AsSpan(_rowOffsets[row], _rowOffsets[row + 1] - _rowOffsets[row]);

    /// <summary>Returns the stored weight at (row, column), or 0 when the entry is absent.</summary>
    public float this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
            var index = RowColumns(row).BinarySearch(column);
            return index >= 0 ? _values[_rowOffsets[row] + index] : 0f;
        }
    }

    /// <summary>The transpose (items × users), built with a counting sort in O(nnz); rows stay sorted.</summary>
    public CsrMatrix Transpose()
    {
        var offsets = new int[Columns + 1];
        foreach (var column in _columnIndices)
        {
            offsets[column + 1]++;
        }

        for (var c = 0; c < Columns; c++)
        {
            offsets[c + 1] += offsets[c];
        }

        var next = offsets[..^1];
        var indices = new int[_values.Length];
        var values = new float[_values.Length];
        for (var row = 0; row < Rows; row++)
        {
            for (var j = _rowOffsets[row]; j < _rowOffsets[row + 1]; j++)
            {
                var slot = next[_columnIndices[j]]++;
                indices[slot] = row;
                values[slot] = _values[j];
            }
        }

        // Rows are visited in increasing order, so each transposed row is already sorted.
        return FromTrustedArrays(Rows, offsets, indices, values);
    }

    internal static CsrMatrix FromTrustedArrays(int columns, int[] rowOffsets, int[] columnIndices, float[] values) =>
        new(rowOffsets, columnIndices, values, columns);
}
