using MathNet.Numerics.LinearAlgebra;
using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Tests.Recommendations.Als;

/// <summary>Small seeded problems and the textbook closed-form row solve used as the reference.</summary>
internal static class AlsTestData
{
    public static CsrMatrix RandomSparse(int users, int items, double density, int seed)
    {
        var random = new Random(seed);
        var builder = new CsrMatrixBuilder(users, items);
        for (var u = 0; u < users; u++)
        {
            for (var i = 0; i < items; i++)
            {
                if (random.NextDouble() < density)
                {
                    builder.Add(u, i, 1 + random.Next(4));
                }
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// (AᵀCA + λI)⁻¹ AᵀCp for one row, where A is the other side's factors (rows × k), C = I + α·diag(r) and
    /// p the 0/1 preference — built densely over every column, not from the non-zeros.
    /// </summary>
    public static double[] ClosedFormRow(
        ReadOnlySpan<int> columns, ReadOnlySpan<float> weights, Func<int, float[]> otherVector, int otherCount,
        int factors, double regularization, double alpha)
    {
        var a = Matrix<double>.Build.Dense(otherCount, factors, (row, f) => otherVector(row)[f]);
        var confidence = Vector<double>.Build.Dense(otherCount, 1.0);
        var preference = Vector<double>.Build.Dense(otherCount);
        for (var j = 0; j < columns.Length; j++)
        {
            confidence[columns[j]] = 1 + (alpha * weights[j]);
            preference[columns[j]] = 1;
        }

        var c = Matrix<double>.Build.DenseOfDiagonalVector(confidence);
        var lhs = (a.Transpose() * c * a) + (regularization * Matrix<double>.Build.DenseIdentity(factors));
        var rhs = a.Transpose() * c * preference;
        return lhs.Solve(rhs).ToArray();
    }

    /// <summary>
    /// Users in <paramref name="clusters"/> taste groups; each interacts with items of its own group only.
    /// Returns the training matrix and, per user, held-out positives (also from its group) never in training.
    /// </summary>
    public static (CsrMatrix Train, int[][] HeldOut) PlantedClusters(int users, int items, int clusters, int perUser, int heldOutPerUser, int seed)
    {
        var random = new Random(seed);
        var builder = new CsrMatrixBuilder(users, items);
        var heldOut = new int[users][];
        var itemsPerCluster = items / clusters;
        for (var u = 0; u < users; u++)
        {
            var cluster = u % clusters;
            var chosen = Enumerable.Range(cluster * itemsPerCluster, itemsPerCluster)
                .OrderBy(_ => random.Next()).Take(perUser + heldOutPerUser).ToArray();
            foreach (var item in chosen.Take(perUser))
            {
                builder.Add(u, item, 1 + random.Next(3));
            }

            heldOut[u] = chosen.Skip(perUser).ToArray();
        }

        return (builder.Build(), heldOut);
    }
}
