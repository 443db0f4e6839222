using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SmartShop.Core.Recommendations.Als;

/// <summary>
/// The dense kernels of the ALS hot loops on short float vectors (one factor row, typically 32–128 floats).
/// Hand-written instead of TensorPrimitives because at these lengths the per-call dispatch and the
/// separate dot-then-axpy passes cost more than the arithmetic. The entry points skip tiered compilation
/// (AggressiveOptimization) so the first requests after a model load already run the vectorised code.
/// </summary>
internal static class FactorKernels
{
    // Rows of the other side's factors are fetched this many non-zeros ahead of use (random access into
    // tens of MB): far enough to hide DRAM latency, near enough to stay in L1/L2.
    private const int PrefetchDistance = 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var n = (nuint)a.Length;
        nuint i = 0;
        var sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            for (; i + 32 <= n; i += 32)
            {
                acc0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ra, i), Vector512.LoadUnsafe(ref rb, i), acc0);
                acc1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ra, i + 16), Vector512.LoadUnsafe(ref rb, i + 16), acc1);
            }

            if (i + 16 <= n)
            {
                acc0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ra, i), Vector512.LoadUnsafe(ref rb, i), acc0);
                i += 16;
            }

            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, i), Vector256.LoadUnsafe(ref rb, i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, i + 8), Vector256.LoadUnsafe(ref rb, i + 8), acc1);
            }

            if (i + 8 <= n)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, i), Vector256.LoadUnsafe(ref rb, i), acc0);
                i += 8;
            }

            sum = Vector256.Sum(acc0 + acc1);
        }

        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
        }

        return sum;
    }

    /// <summary>y += scale · x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd(float scale, ReadOnlySpan<float> x, Span<float> y)
    {
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var ry = ref MemoryMarshal.GetReference(y);
        var n = (nuint)x.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scale);
            for (; i + 16 <= n; i += 16)
            {
                Vector512.FusedMultiplyAdd(s, Vector512.LoadUnsafe(ref rx, i), Vector512.LoadUnsafe(ref ry, i)).StoreUnsafe(ref ry, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            for (; i + 8 <= n; i += 8)
            {
                Vector256.FusedMultiplyAdd(s, Vector256.LoadUnsafe(ref rx, i), Vector256.LoadUnsafe(ref ry, i)).StoreUnsafe(ref ry, i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref ry, i) = MathF.FusedMultiplyAdd(scale, Unsafe.Add(ref rx, i), Unsafe.Add(ref ry, i));
        }
    }

    /// <summary>y = A·x for a dense row-major k×k matrix A.</summary>
    public static void MatVec(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> y)
    {
        var k = x.Length;
        for (var row = 0; row < k; row++)
        {
            y[row] = Dot(matrix.Slice(row * k, k), x);
        }
    }

    /// <summary>
    /// The pass over one row's non-zeros that dominates ALS: for each (column j, weight r) with w = α·r and
    /// d = y_j·v, adds coefficient·y_j to <paramref name="accumulator"/>, where the coefficient is w·d
    /// (CG product YᵀCY·p) or, for the initial residual, 1 + w − w·d (YᵀCp − YᵀCY·x).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateProjections(
        ReadOnlySpan<int> columns, ReadOnlySpan<float> weights, ReadOnlySpan<float> other, ReadOnlySpan<float> v,
        Span<float> accumulator, float alpha, bool residual)
    {
        var k = v.Length;
        if (k == 64 && Vector512.IsHardwareAccelerated && Sse.IsSupported)
        {
            AccumulateProjections64(columns, weights, other, v, accumulator, alpha, residual);
            return;
        }

        for (var j = 0; j < columns.Length; j++)
        {
            if (j + PrefetchDistance < columns.Length)
            {
                PrefetchRow(other, columns[j + PrefetchDistance] * k, k);
            }

            var y = other.Slice(columns[j] * k, k);
            var w = alpha * weights[j];
            var d = Dot(y, v);
            MultiplyAdd(residual ? 1f + w - (w * d) : w * d, y, accumulator);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchRow(ReadOnlySpan<float> factors, int offset, int length)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        fixed (float* row = factors.Slice(offset, length))
        {
            for (var f = 0; f < length; f += 16)
            {
                Sse.Prefetch0(row + f);
            }
        }
    }

    // k = 64 with AVX-512: v and the accumulator live in 8 registers for the whole row, and rows a few
    // non-zeros ahead are prefetched because the other side's factors are read in random order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AccumulateProjections64(
        ReadOnlySpan<int> columns, ReadOnlySpan<float> weights, ReadOnlySpan<float> other, ReadOnlySpan<float> v,
        Span<float> accumulator, float alpha, bool residual)
    {
        var n = columns.Length;
        fixed (float* basePtr = other)
        fixed (int* cols = columns)
        fixed (float* wts = weights)
        fixed (float* vp = v)
        fixed (float* ap = accumulator)
        {
            var v0 = Vector512.Load(vp);
            var v1 = Vector512.Load(vp + 16);
            var v2 = Vector512.Load(vp + 32);
            var v3 = Vector512.Load(vp + 48);
            var a0 = Vector512.Load(ap);
            var a1 = Vector512.Load(ap + 16);
            var a2 = Vector512.Load(ap + 32);
            var a3 = Vector512.Load(ap + 48);
            for (var j = 0; j < n; j++)
            {
                if (j + PrefetchDistance < n)
                {
                    var ahead = basePtr + ((nint)cols[j + PrefetchDistance] * 64);
                    Sse.Prefetch0(ahead);
                    Sse.Prefetch0(ahead + 16);
                    Sse.Prefetch0(ahead + 32);
                    Sse.Prefetch0(ahead + 48);
                }

                var y = basePtr + ((nint)cols[j] * 64);
                var y0 = Vector512.Load(y);
                var y1 = Vector512.Load(y + 16);
                var y2 = Vector512.Load(y + 32);
                var y3 = Vector512.Load(y + 48);
                var d = Vector512.Sum(Vector512.FusedMultiplyAdd(y0, v0, y1 * v1) + Vector512.FusedMultiplyAdd(y2, v2, y3 * v3));
                var w = alpha * wts[j];
                var coefficient = Vector512.Create(residual ? 1f + w - (w * d) : w * d);
                a0 = Vector512.FusedMultiplyAdd(coefficient, y0, a0);
                a1 = Vector512.FusedMultiplyAdd(coefficient, y1, a1);
                a2 = Vector512.FusedMultiplyAdd(coefficient, y2, a2);
                a3 = Vector512.FusedMultiplyAdd(coefficient, y3, a3);
            }

            a0.Store(ap);
            a1.Store(ap + 16);
            a2.Store(ap + 32);
            a3.Store(ap + 48);
        }
    }

    /// <summary>scores[i] = rows[i]·v for <paramref name="scores"/>.Length consecutive rows of length v.Length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScoreRows(ReadOnlySpan<float> rows, ReadOnlySpan<float> v, Span<float> scores)
    {
        var k = v.Length;
        if (k == 64 && Vector512.IsHardwareAccelerated)
        {
            ScoreRows64(rows, v, scores);
            return;
        }

        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = Dot(rows.Slice(i * k, k), v);
        }
    }

    // k = 64: the query stays in four registers, two rows are scored per step to overlap the reductions, and
    // the scan prefetches a few rows ahead (the item factors are far larger than the caches).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScoreRows64(ReadOnlySpan<float> rows, ReadOnlySpan<float> v, Span<float> scores)
    {
        const int PrefetchFloats = 64 * 8;
        var n = scores.Length;
        fixed (float* vp = v)
        fixed (float* rp = rows)
        fixed (float* sp = scores)
        {
            var v0 = Vector512.Load(vp);
            var v1 = Vector512.Load(vp + 16);
            var v2 = Vector512.Load(vp + 32);
            var v3 = Vector512.Load(vp + 48);
            var i = 0;
            for (; i + 2 <= n; i += 2)
            {
                var r = rp + ((nint)i * 64);
                if (Sse.IsSupported && i + 10 <= n)
                {
                    Sse.Prefetch0(r + PrefetchFloats);
                    Sse.Prefetch0(r + PrefetchFloats + 16);
                    Sse.Prefetch0(r + PrefetchFloats + 32);
                    Sse.Prefetch0(r + PrefetchFloats + 48);
                    Sse.Prefetch0(r + PrefetchFloats + 64);
                    Sse.Prefetch0(r + PrefetchFloats + 80);
                    Sse.Prefetch0(r + PrefetchFloats + 96);
                    Sse.Prefetch0(r + PrefetchFloats + 112);
                }

                var a = Vector512.FusedMultiplyAdd(Vector512.Load(r), v0, Vector512.Load(r + 16) * v1)
                    + Vector512.FusedMultiplyAdd(Vector512.Load(r + 32), v2, Vector512.Load(r + 48) * v3);
                var b = Vector512.FusedMultiplyAdd(Vector512.Load(r + 64), v0, Vector512.Load(r + 80) * v1)
                    + Vector512.FusedMultiplyAdd(Vector512.Load(r + 96), v2, Vector512.Load(r + 112) * v3);
                sp[i] = Vector512.Sum(a);
                sp[i + 1] = Vector512.Sum(b);
            }

            if (i < n)
            {
                // Same association order as the pair path, so a score never depends on its position.
                var r = rp + ((nint)i * 64);
                sp[i] = Vector512.Sum(Vector512.FusedMultiplyAdd(Vector512.Load(r), v0, Vector512.Load(r + 16) * v1)
                    + Vector512.FusedMultiplyAdd(Vector512.Load(r + 32), v2, Vector512.Load(r + 48) * v3));
            }
        }
    }
}
