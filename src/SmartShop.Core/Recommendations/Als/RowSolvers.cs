namespace SmartShop.Core.Recommendations.Als;

/// <summary>Per-thread buffers of the conjugate-gradient row solve.</summary>
internal sealed class CgScratch(int factors)
{
    public float[] Residual { get; } = new float[factors];

    public float[] Direction { get; } = new float[factors];

    public float[] Product { get; } = new float[factors];
}

/// <summary>
/// Solves one row's weighted least squares (YᵀCᵤY + λI)x = YᵀCᵤpᵤ with Cᵤ = I + α·diag(rᵤ), using
/// YᵀCᵤY = (YᵀY + λI) + Σ_{i∈nnz(u)} α·r_ui·y_i y_iᵀ so that only the non-zeros are touched.
/// </summary>
internal static class RowSolvers
{
    private const float ResidualFloor = 1e-20f;

    /// <summary>
    /// <paramref name="cgSteps"/> CG steps warm-started from <paramref name="x"/> (updated in place), as the
    /// <c>implicit</c> library's least_squares_cg. <paramref name="gram"/> is YᵀY + λI.
    /// </summary>
    public static void ConjugateGradient(
        ReadOnlySpan<int> columns, ReadOnlySpan<float> weights, ReadOnlySpan<float> other, ReadOnlySpan<float> gram,
        float alpha, int cgSteps, Span<float> x, CgScratch scratch)
    {
        var k = x.Length;
        var r = scratch.Residual.AsSpan();
        var p = scratch.Direction.AsSpan();
        var ap = scratch.Product.AsSpan();

        // r = YᵀCᵤpᵤ − YᵀCᵤY·x = −(YᵀY + λI)x + Σ (c − (c − 1)·y·x)·y
        FactorKernels.MatVec(gram, x, r);
        for (var f = 0; f < k; f++)
        {
            r[f] = -r[f];
        }

        FactorKernels.AccumulateProjections(columns, weights, other, x, r, alpha, residual: true);

        r.CopyTo(p);
        var rsOld = FactorKernels.Dot(r, r);
        if (rsOld < ResidualFloor)
        {
            return;
        }

        for (var step = 0; step < cgSteps; step++)
        {
            // ap = YᵀCᵤY·p without forming YᵀCᵤY.
            FactorKernels.MatVec(gram, p, ap);
            FactorKernels.AccumulateProjections(columns, weights, other, p, ap, alpha, residual: false);

            var pAp = FactorKernels.Dot(p, ap);
            if (!(pAp > 0))
            {
                return; // p is (numerically) zero: nothing left to improve.
            }

            var stepLength = rsOld / pAp;
            FactorKernels.MultiplyAdd(stepLength, p, x);
            FactorKernels.MultiplyAdd(-stepLength, ap, r);
            var rsNew = FactorKernels.Dot(r, r);
            if (rsNew < ResidualFloor)
            {
                return;
            }

            var beta = rsNew / rsOld;
            for (var f = 0; f < k; f++)
            {
                p[f] = r[f] + (beta * p[f]);
            }

            rsOld = rsNew;
        }
    }

    /// <summary>
    /// Exact solve in double precision: forms A = YᵀY + λI + Σ α·r·y yᵀ and b = Σ (1 + α·r)·y, then Cholesky.
    /// <paramref name="gram"/> is YᵀY + λI; <paramref name="scratch"/> holds k² + k doubles.
    /// </summary>
    public static void Cholesky(
        ReadOnlySpan<int> columns, ReadOnlySpan<float> weights, ReadOnlySpan<float> other, ReadOnlySpan<double> gram,
        float alpha, Span<float> x, Span<double> scratch)
    {
        var k = x.Length;
        var a = scratch[..(k * k)];
        var b = scratch.Slice(k * k, k);
        gram.CopyTo(a);
        b.Clear();
        for (var j = 0; j < columns.Length; j++)
        {
            var y = other.Slice(columns[j] * k, k);
            double w = alpha * weights[j];
            for (var row = 0; row < k; row++)
            {
                var wy = w * y[row];
                b[row] += (1 + w) * y[row];
                var aRow = a.Slice(row * k, k);
                for (var col = 0; col <= row; col++)
                {
                    aRow[col] += wy * y[col];
                }
            }
        }

        DenseCholesky.SolveInPlace(a, b, k);
        for (var f = 0; f < k; f++)
        {
            x[f] = (float)b[f];
        }
    }
}

/// <summary>Cholesky factorisation and solve of a small symmetric positive-definite system (lower triangle used).</summary>
internal static class DenseCholesky
{
    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> (n×n row-major) with L (A = LLᵀ) and
    /// <paramref name="b"/> with A⁻¹b.
    /// </summary>
    public static void SolveInPlace(Span<double> a, Span<double> b, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var diagonal = a[(j * n) + j];
            for (var p = 0; p < j; p++)
            {
                diagonal -= a[(j * n) + p] * a[(j * n) + p];
            }

            if (!(diagonal > 0))
            {
                throw new InvalidOperationException(
                    "The least-squares system is not positive definite; use a regularization > 0.");
            }

            var ljj = Math.Sqrt(diagonal);
            a[(j * n) + j] = ljj;
            for (var i = j + 1; i < n; i++)
            {
                var sum = a[(i * n) + j];
                for (var p = 0; p < j; p++)
                {
                    sum -= a[(i * n) + p] * a[(j * n) + p];
                }

                a[(i * n) + j] = sum / ljj;
            }
        }

        // Forward (Lz = b) then backward (Lᵀx = z) substitution.
        for (var i = 0; i < n; i++)
        {
            var sum = b[i];
            for (var p = 0; p < i; p++)
            {
                sum -= a[(i * n) + p] * b[p];
            }

            b[i] = sum / a[(i * n) + i];
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var sum = b[i];
            for (var p = i + 1; p < n; p++)
            {
                sum -= a[(p * n) + i] * b[p];
            }

            b[i] = sum / a[(i * n) + i];
        }
    }
}
