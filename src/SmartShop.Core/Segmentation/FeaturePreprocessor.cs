namespace SmartShop.Core.Segmentation;

/// <summary>How one feature is scaled: optional signed log1p, then z = (x − mean) / std.</summary>
public sealed record FeatureScaling(string Name, bool Log1p, double Mean, double StdDev, bool IsConstant);

/// <summary>PCA on the z-scaled features: <see cref="Loadings"/> is components × features, row-major.</summary>
public sealed record PcaProjection(int Components, double[] Loadings, double[] ExplainedVarianceRatio);

public sealed record PreprocessingOptions
{
    /// <summary>A feature whose sample skewness exceeds this gets (signed) log1p.</summary>
    public double SkewnessThreshold { get; init; } = 1.0;

    /// <summary>0 = no PCA; otherwise the number of principal components kept.</summary>
    public int PcaComponents { get; init; }
}

/// <summary>
/// The fitted preprocessing saved with a model. Signed log1p (sign(x)·ln(1+|x|)) keeps net spend with more
/// returns than purchases defined. Constant features get std 1 so they contribute zero everywhere.
/// </summary>
public sealed record FeaturePreprocessor(int Version, IReadOnlyList<FeatureScaling> Features, PcaProjection? Pca)
{
    public const int CurrentVersion = 1;

    [System.Text.Json.Serialization.JsonIgnore]
    public int InputDimension => Features.Count;

    [System.Text.Json.Serialization.JsonIgnore]
    public int ModelDimension => Pca?.Components ?? Features.Count;

    public static FeaturePreprocessor Fit(CustomerFeatureTable table, PreprocessingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new PreprocessingOptions();
        var n = table.Count;
        var d = table.FeatureCount;
        var scalings = new FeatureScaling[d];
        for (var f = 0; f < d; f++)
        {
            var log = Skewness(table, f) > options.SkewnessThreshold;
            double sum = 0, sumSq = 0;
            for (var i = 0; i < n; i++)
            {
                var v = log ? SignedLog1p(table[i, f]) : table[i, f];
                sum += v;
                sumSq += v * v;
            }

            var mean = n == 0 ? 0 : sum / n;
            var variance = n == 0 ? 0 : Math.Max(0, (sumSq / n) - (mean * mean));
            var std = Math.Sqrt(variance);
            var constant = std < 1e-12 * Math.Max(1, Math.Abs(mean));
            scalings[f] = new FeatureScaling(table.FeatureNames[f], log, mean, constant ? 1 : std, constant);
        }

        var preprocessor = new FeaturePreprocessor(CurrentVersion, scalings, null);
        if (options.PcaComponents <= 0)
        {
            return preprocessor;
        }

        if (options.PcaComponents > d)
        {
            throw new ArgumentException($"PCA components ({options.PcaComponents}) cannot exceed the number of features ({d}).", nameof(options));
        }

        var z = preprocessor.TransformAllToZ(table);
        return preprocessor with { Pca = PrincipalComponents.Fit(z, n, d, options.PcaComponents) };
    }

    public static double SignedLog1p(double x) => x >= 0 ? Math.Log(1 + x) : -Math.Log(1 - x);

    public static double InverseSignedLog1p(double y) => y >= 0 ? Math.Exp(y) - 1 : 1 - Math.Exp(-y);

    public void ToZ(ReadOnlySpan<double> original, Span<double> z)
    {
        if (original.Length != Features.Count || z.Length < Features.Count)
        {
            throw new ArgumentException($"Expected {Features.Count} feature values but got {original.Length}.", nameof(original));
        }

        for (var f = 0; f < original.Length; f++)
        {
            var s = Features[f];
            var v = s.Log1p ? SignedLog1p(original[f]) : original[f];
            z[f] = (v - s.Mean) / s.StdDev;
        }
    }

    /// <summary>Maps z-scaled values into the clustering space (PCA scores, or the z-values themselves).</summary>
    public void ZToModel(ReadOnlySpan<double> z, Span<double> model)
    {
        if (Pca is null)
        {
            z.CopyTo(model);
            return;
        }

        var d = Features.Count;
        for (var c = 0; c < Pca.Components; c++)
        {
            double s = 0;
            for (var f = 0; f < d; f++)
            {
                s += Pca.Loadings[(c * d) + f] * z[f];
            }

            model[c] = s;
        }
    }

    /// <summary>Maps a point of the clustering space back to z-units (exact without PCA, the projection's reconstruction with it).</summary>
    public void ModelToZ(ReadOnlySpan<double> model, Span<double> z)
    {
        if (Pca is null)
        {
            model.CopyTo(z);
            return;
        }

        var d = Features.Count;
        z[..d].Clear();
        for (var c = 0; c < Pca.Components; c++)
        {
            for (var f = 0; f < d; f++)
            {
                z[f] += Pca.Loadings[(c * d) + f] * model[c];
            }
        }
    }

    public double ZToOriginal(int feature, double z)
    {
        var s = Features[feature];
        var v = (z * s.StdDev) + s.Mean;
        return s.Log1p ? InverseSignedLog1p(v) : v;
    }

    public double[] TransformAllToZ(CustomerFeatureTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var d = Features.Count;
        if (table.FeatureCount != d)
        {
            throw new ArgumentException($"The table has {table.FeatureCount} features; the preprocessing expects {d}.", nameof(table));
        }

        var z = new double[table.Count * d];
        for (var i = 0; i < table.Count; i++)
        {
            ToZ(table.Row(i), z.AsSpan(i * d, d));
        }

        return z;
    }

    public double[] ZToModelAll(double[] z, int n)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (Pca is null)
        {
            return z;
        }

        var d = Features.Count;
        var m = ModelDimension;
        var result = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            ZToModel(z.AsSpan(i * d, d), result.AsSpan(i * m, m));
        }

        return result;
    }

    private static double Skewness(CustomerFeatureTable table, int f)
    {
        var n = table.Count;
        if (n < 3)
        {
            return 0;
        }

        double mean = 0;
        for (var i = 0; i < n; i++)
        {
            mean += table[i, f];
        }

        mean /= n;
        double m2 = 0, m3 = 0;
        for (var i = 0; i < n; i++)
        {
            var dlt = table[i, f] - mean;
            m2 += dlt * dlt;
            m3 += dlt * dlt * dlt;
        }

        m2 /= n;
        m3 /= n;
        return m2 <= 0 ? 0 : m3 / Math.Pow(m2, 1.5);
    }
}

/// <summary>Principal components of a small covariance matrix by cyclic Jacobi rotations.</summary>
public static class PrincipalComponents
{
    public static PcaProjection Fit(double[] data, int n, int d, int components)
    {
        ArgumentNullException.ThrowIfNull(data);
        var mean = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var f = 0; f < d; f++)
            {
                mean[f] += data[(i * d) + f];
            }
        }

        for (var f = 0; f < d; f++)
        {
            mean[f] /= Math.Max(1, n);
        }

        var cov = new double[d * d];
        for (var i = 0; i < n; i++)
        {
            for (var a = 0; a < d; a++)
            {
                var da = data[(i * d) + a] - mean[a];
                for (var b = a; b < d; b++)
                {
                    cov[(a * d) + b] += da * (data[(i * d) + b] - mean[b]);
                }
            }
        }

        for (var a = 0; a < d; a++)
        {
            for (var b = a; b < d; b++)
            {
                cov[(a * d) + b] /= Math.Max(1, n - 1);
                cov[(b * d) + a] = cov[(a * d) + b];
            }
        }

        var (values, vectors) = SymmetricEigen(cov, d);
        var order = Enumerable.Range(0, d).OrderByDescending(i => values[i]).ToArray();
        var total = values.Sum(v => Math.Max(0, v));
        var loadings = new double[components * d];
        var ratio = new double[components];
        for (var c = 0; c < components; c++)
        {
            var col = order[c];

            // Sign convention: the largest-magnitude loading is positive, so runs are comparable.
            var maxAbs = 0.0;
            var sign = 1.0;
            for (var f = 0; f < d; f++)
            {
                var v = vectors[(f * d) + col];
                if (Math.Abs(v) > maxAbs)
                {
                    maxAbs = Math.Abs(v);
                    sign = Math.Sign(v);
                }
            }

            for (var f = 0; f < d; f++)
            {
                loadings[(c * d) + f] = sign * vectors[(f * d) + col];
            }

            ratio[c] = total > 0 ? Math.Max(0, values[col]) / total : 0;
        }

        return new PcaProjection(components, loadings, ratio);
    }

    /// <summary>Eigenvalues and eigenvectors (columns of the returned d×d matrix) of a symmetric matrix.</summary>
    public static (double[] Values, double[] Vectors) SymmetricEigen(double[] matrix, int d)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var a = (double[])matrix.Clone();
        var v = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            v[(i * d) + i] = 1;
        }

        for (var sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (var p = 0; p < d; p++)
            {
                for (var q = p + 1; q < d; q++)
                {
                    off += a[(p * d) + q] * a[(p * d) + q];
                }
            }

            if (off < 1e-22)
            {
                break;
            }

            for (var p = 0; p < d; p++)
            {
                for (var q = p + 1; q < d; q++)
                {
                    var apq = a[(p * d) + q];
                    if (Math.Abs(apq) < 1e-300)
                    {
                        continue;
                    }

                    var theta = (a[(q * d) + q] - a[(p * d) + p]) / (2 * apq);
                    var t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    if (theta == 0)
                    {
                        t = 1;
                    }

                    var c = 1 / Math.Sqrt((t * t) + 1);
                    var s = t * c;
                    for (var k = 0; k < d; k++)
                    {
                        var akp = a[(k * d) + p];
                        var akq = a[(k * d) + q];
                        a[(k * d) + p] = (c * akp) - (s * akq);
                        a[(k * d) + q] = (s * akp) + (c * akq);
                    }

                    for (var k = 0; k < d; k++)
                    {
                        var apk = a[(p * d) + k];
                        var aqk = a[(q * d) + k];
                        a[(p * d) + k] = (c * apk) - (s * aqk);
                        a[(q * d) + k] = (s * apk) + (c * aqk);
                    }

                    for (var k = 0; k < d; k++)
                    {
                        var vkp = v[(k * d) + p];
                        var vkq = v[(k * d) + q];
                        v[(k * d) + p] = (c * vkp) - (s * vkq);
                        v[(k * d) + q] = (s * vkp) + (c * vkq);
                    }
                }
            }
        }

        var values = new double[d];
        for (var i = 0; i < d; i++)
        {
            values[i] = a[(i * d) + i];
        }

        return (values, v);
    }
}
