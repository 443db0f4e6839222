using System.Numerics;
using System.Runtime.InteropServices;

namespace SmartShop.Core.Recommendations;

/// <summary>
/// Inverts a symmetric positive-definite matrix in place with the blocked sweep operator (Gauss–Jordan without
/// pivoting, which is stable for SPD input). Every block step is one rank-b update of the whole matrix, so the
/// cost is n³ multiply-adds done as cache-friendly row updates, parallel over rows.
/// </summary>
internal static class SymmetricInverse
{
    private const int BlockSize = 64;

    /// <summary>Inverts <paramref name="matrix"/> (row-major, <paramref name="n"/>×<paramref name="stride"/>, padding columns zero).</summary>
    public static void InvertInPlace(float[] matrix, int n, int stride, int maxDegreeOfParallelism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (stride < n || matrix.Length < n * stride)
        {
            throw new ArgumentException("Matrix storage is smaller than n × stride.", nameof(matrix));
        }
        var panel = new float[BlockSize * stride];
        var pivotBlock = new double[BlockSize * BlockSize];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken };
        for (var start = 0; start < n; start += BlockSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var b = Math.Min(BlockSize, n - start);
            InvertPivotBlock(matrix, stride, start, b, pivotBlock);

            // panel = D⁻¹ · A[K, :] (b × stride), computed before any row changes.
            Array.Clear(panel);
            for (var k = 0; k < b; k++)
            {
                var target = panel.AsSpan(k * stride, stride);
                for (var l = 0; l < b; l++)
                {
                    Axpy((float)pivotBlock[k * b + l], matrix.AsSpan((start + l) * stride, stride), target);
                }
            }

            var rowBlocks = (n + 3) / 4;
            Parallel.For(0, rowBlocks, options, rb =>
            {
                Span<float> coefficients = stackalloc float[4 * BlockSize];
                var first = rb * 4;
                var count = Math.Min(4, n - first);
                var rows = 0;
                Span<int> rowIndex = stackalloc int[4];
                for (var r = 0; r < count; r++)
                {
                    var i = first + r;
                    if (i >= start && i < start + b)
                    {
                        continue;
                    }
                    for (var k = 0; k < b; k++)
                    {
                        coefficients[rows * BlockSize + k] = matrix[i * stride + start + k];
                    }
                    rowIndex[rows++] = i;
                }
                if (rows > 0)
                {
                    UpdateRows(matrix, stride, panel, b, coefficients, rowIndex[..rows]);
                    foreach (var i in rowIndex[..rows])
                    {
                        for (var k = 0; k < b; k++)
                        {
                            // A[i, K] = (A[i, K] · D⁻¹) = panel[k, i] by symmetry.
                            matrix[i * stride + start + k] = panel[k * stride + i];
                        }
                    }
                }
            });

            for (var k = 0; k < b; k++)
            {
                var row = matrix.AsSpan((start + k) * stride, stride);
                panel.AsSpan(k * stride, stride).CopyTo(row);
                for (var l = 0; l < b; l++)
                {
                    row[start + l] = -(float)pivotBlock[k * b + l];
                }
            }
        }

        // The sweep of every index yields −A⁻¹.
        for (var i = 0; i < n; i++)
        {
            var row = matrix.AsSpan(i * stride, n);
            for (var j = 0; j < row.Length; j++)
            {
                row[j] = -row[j];
            }
        }
    }

    private static void InvertPivotBlock(float[] matrix, int stride, int start, int b, double[] inverse)
    {
        // Small dense Gauss–Jordan in double on the b×b diagonal block.
        var work = new double[b * 2 * b];
        for (var i = 0; i < b; i++)
        {
            for (var j = 0; j < b; j++)
            {
                work[i * 2 * b + j] = matrix[(start + i) * stride + start + j];
            }
            work[i * 2 * b + b + i] = 1;
        }
        for (var p = 0; p < b; p++)
        {
            var pivot = work[p * 2 * b + p];
            if (!(pivot > 0) || !double.IsFinite(pivot))
            {
                throw new InvalidOperationException("Matrix is not positive definite (increase the regularisation).");
            }
            for (var j = 0; j < 2 * b; j++)
            {
                work[p * 2 * b + j] /= pivot;
            }
            for (var i = 0; i < b; i++)
            {
                if (i == p)
                {
                    continue;
                }
                var f = work[i * 2 * b + p];
                if (f == 0)
                {
                    continue;
                }
                for (var j = 0; j < 2 * b; j++)
                {
                    work[i * 2 * b + j] -= f * work[p * 2 * b + j];
                }
            }
        }
        for (var i = 0; i < b; i++)
        {
            for (var j = 0; j < b; j++)
            {
                inverse[i * b + j] = work[i * 2 * b + b + j];
            }
        }
    }

    // rows[r] -= Σ_k coefficients[r, k] · panel[k, :], four rows sharing each panel load.
    private static void UpdateRows(float[] matrix, int stride, float[] panel, int b, ReadOnlySpan<float> coefficients, ReadOnlySpan<int> rows)
    {
        var width = Vector<float>.Count;
        var vectorEnd = stride - stride % width;
        var panelVectors = MemoryMarshal.Cast<float, Vector<float>>(panel.AsSpan());
        var perRow = stride / width;
        var all = MemoryMarshal.Cast<float, Vector<float>>(matrix.AsSpan());
        if (rows.Length == 4 && stride % width == 0)
        {
            int r0 = rows[0] * perRow, r1 = rows[1] * perRow, r2 = rows[2] * perRow, r3 = rows[3] * perRow;
            for (var v = 0; v < perRow; v++)
            {
                var a0 = all[r0 + v];
                var a1 = all[r1 + v];
                var a2 = all[r2 + v];
                var a3 = all[r3 + v];
                for (var k = 0; k < b; k++)
                {
                    var p = panelVectors[k * perRow + v];
                    a0 -= coefficients[k] * p;
                    a1 -= coefficients[BlockSize + k] * p;
                    a2 -= coefficients[2 * BlockSize + k] * p;
                    a3 -= coefficients[3 * BlockSize + k] * p;
                }
                all[r0 + v] = a0;
                all[r1 + v] = a1;
                all[r2 + v] = a2;
                all[r3 + v] = a3;
            }
            return;
        }
        for (var r = 0; r < rows.Length; r++)
        {
            var row = matrix.AsSpan(rows[r] * stride, stride);
            for (var k = 0; k < b; k++)
            {
                Axpy(-coefficients[r * BlockSize + k], panel.AsSpan(k * stride, stride), row);
            }
        }
        _ = vectorEnd;
    }

    private static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        if (alpha == 0)
        {
            return;
        }
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, alpha, y, y);
    }

    /// <summary>Row stride padded to a whole number of SIMD vectors.</summary>
    public static int PaddedStride(int n)
    {
        var width = Vector<float>.Count;
        return (n + width - 1) / width * width;
    }
}
