using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Synthetic;

/// <summary>
/// Deterministic synthetic user × item interaction matrices for benchmarks and scale tests: power-law
/// (Zipf) item popularity and log-normal user activity, like real retail and rating data.
/// </summary>
public static class SyntheticInteractionMatrix
{
    /// <summary>
    /// About <paramref name="targetNonZeros"/> distinct (user, item) pairs with integer weights 1–5.
    /// Item i (0 = most popular) is drawn with probability ∝ (i + 1)^−<paramref name="popularityExponent"/>;
    /// each user's count is log-normal (σ = 1) around the mean, capped at half the catalogue.
    /// The same arguments give the same matrix whatever the machine or thread count.
    /// </summary>
    public static CsrMatrix PowerLaw(int users, int items, long targetNonZeros, double popularityExponent = 0.9, int seed = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetNonZeros, 1L);
        if ((double)targetNonZeros > (double)users * items / 2 || targetNonZeros > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(targetNonZeros), targetNonZeros, "At most half of all cells (and at most Array.MaxLength) can be non-zero.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(popularityExponent);

        var cumulative = new double[items];
        double total = 0;
        for (var i = 0; i < items; i++)
        {
            total += Math.Pow(i + 1, -popularityExponent);
            cumulative[i] = total;
        }

        // Row lengths first (one sequential generator), so offsets are known before rows are filled in parallel.
        var mean = (double)targetNonZeros / users;
        var cap = Math.Max(1, items / 2);
        var lengths = new int[users];
        var lengthRandom = new Random(seed);
        long sum = 0;
        for (var u = 0; u < users; u++)
        {
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - lengthRandom.NextDouble())) * Math.Cos(2 * Math.PI * lengthRandom.NextDouble());
            lengths[u] = (int)Math.Clamp(Math.Round(mean * Math.Exp(gaussian - 0.5)), 1, cap);
            sum += lengths[u];
        }

        // Rescale so the total lands on the target despite the clamping.
        var correction = (double)targetNonZeros / sum;
        var offsets = new int[users + 1];
        for (var u = 0; u < users; u++)
        {
            lengths[u] = (int)Math.Clamp(Math.Round(lengths[u] * correction), 1, cap);
            offsets[u + 1] = offsets[u] + lengths[u];
        }

        var columns = new int[offsets[users]];
        var values = new float[offsets[users]];
        Parallel.For(0, users, () => new bool[items], (u, _, taken) =>
        {
            // A per-user generator keeps rows independent of scheduling.
            var random = new Random(unchecked((seed * 486_187_739) ^ u));
            var row = columns.AsSpan(offsets[u], lengths[u]);
            var filled = 0;
            while (filled < row.Length)
            {
                // Popular items are quickly all taken for heavy users: fall back to a uniform draw after a miss.
                var item = Array.BinarySearch(cumulative, random.NextDouble() * total);
                item = item < 0 ? ~item : item;
                item = Math.Min(item, items - 1);
                if (taken[item])
                {
                    item = random.Next(items);
                    if (taken[item])
                    {
                        continue;
                    }
                }

                taken[item] = true;
                row[filled++] = item;
            }

            row.Sort();
            var weights = values.AsSpan(offsets[u], lengths[u]);
            foreach (var item in row)
            {
                taken[item] = false;
            }

            for (var j = 0; j < weights.Length; j++)
            {
                weights[j] = 1 + random.Next(5);
            }

            return taken;
        }, _ => { });

        return CsrMatrix.FromTrustedArrays(items, offsets, columns, values);
    }
}
