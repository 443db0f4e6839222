using MathNet.Numerics.Distributions;

namespace SmartShop.Core.Experiments;

/// <summary>A rate with its 95 % Wilson score interval (which stays inside [0, 1] for small counts, unlike the Wald interval).</summary>
public sealed record RateEstimate(long Successes, long Trials, double Rate, double CiLow, double CiHigh);

/// <summary>
/// A difference between a variant and the control, with its 95 % interval (null while an arm has too little data for
/// one) and two-sided p-value.
/// </summary>
public sealed record Difference(double Value, double? CiLow, double? CiHigh, double PValue);

/// <summary>
/// The statistics an online experiment reports, in the textbook forms (formulas in docs/experiments.md):
/// Wilson intervals for rates; for differences, the delta method over shopper buckets when the counts come per bucket
/// (the experiment results), else the pooled two-proportion z-test with the unpooled (Wald) interval for rates and a
/// Welch z-test on per-impression means for revenue; Pearson's chi-square goodness-of-fit for a sample-ratio
/// mismatch. Distributions come from Math.NET Numerics.
/// </summary>
public static class ExperimentStatistics
{
    /// <summary>The two-sided 95 % normal quantile, 1.959964.</summary>
    public static readonly double Z95 = Normal.InvCDF(0, 1, 0.975);

    public static RateEstimate Rate(long successes, long trials)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, successes);
        if (trials == 0)
        {
            return new RateEstimate(0, 0, 0, 0, 1);
        }
        double n = trials;
        var p = successes / n;
        var z2 = Z95 * Z95;
        var centre = (p + (z2 / (2 * n))) / (1 + (z2 / n));
        var half = Z95 * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n))) / (1 + (z2 / n));
        return new RateEstimate(successes, trials, p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>Rate of the treatment minus rate of the control: pooled z-test p-value, unpooled 95 % interval.</summary>
    public static Difference RateDifference(long controlSuccesses, long controlTrials, long treatmentSuccesses, long treatmentTrials)
    {
        if (controlTrials == 0 || treatmentTrials == 0)
        {
            return new Difference(0, null, null, 1);
        }
        double n1 = controlTrials, n2 = treatmentTrials;
        var p1 = controlSuccesses / n1;
        var p2 = treatmentSuccesses / n2;
        var difference = p2 - p1;
        var unpooled = Math.Sqrt((p1 * (1 - p1) / n1) + (p2 * (1 - p2) / n2));
        var pooledRate = (controlSuccesses + treatmentSuccesses) / (n1 + n2);
        var pooled = Math.Sqrt(pooledRate * (1 - pooledRate) * ((1 / n1) + (1 / n2)));
        return new Difference(difference, difference - (Z95 * unpooled), difference + (Z95 * unpooled), TwoSidedP(difference, pooled));
    }

    /// <summary>
    /// Mean per unit (e.g. revenue per impression) of the treatment minus the control's, from each arm's count, sum and
    /// sum of squares: a Welch z-test (the arms' own variances; the samples are large), with its 95 % interval.
    /// </summary>
    public static Difference MeanDifference(long controlCount, double controlSum, double controlSumOfSquares, long treatmentCount, double treatmentSum, double treatmentSumOfSquares)
    {
        if (controlCount < 2 || treatmentCount < 2)
        {
            return new Difference(0, null, null, 1);
        }
        var (mean1, variance1) = Moments(controlCount, controlSum, controlSumOfSquares);
        var (mean2, variance2) = Moments(treatmentCount, treatmentSum, treatmentSumOfSquares);
        var difference = mean2 - mean1;
        var standardError = Math.Sqrt((variance1 / controlCount) + (variance2 / treatmentCount));
        return new Difference(difference, difference - (Z95 * standardError), difference + (Z95 * standardError), TwoSidedP(difference, standardError));
    }

    /// <summary>
    /// A ratio metric (clicks, purchases or revenue per impression) of the treatment minus the control's, when each arm is
    /// known per cluster of randomisation units (shopper buckets): the delta method, whose variance of
    /// R = ΣY/ΣN over m clusters is (S²_Y − 2R·S_YN + R²·S²_N) / (m·N̄²). It accounts for a shopper's answers being
    /// alike, which the per-impression tests ignore (their false-positive rate grows with visits per shopper).
    /// </summary>
    public static Difference RatioDifference(IReadOnlyList<(double Numerator, double Denominator)> control, IReadOnlyList<(double Numerator, double Denominator)> treatment)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(treatment);
        var (r1, v1) = RatioMoments(control);
        var (r2, v2) = RatioMoments(treatment);
        if (v1 is not { } variance1 || v2 is not { } variance2)
        {
            return new Difference(r2 - r1, null, null, 1);
        }
        var difference = r2 - r1;
        var standardError = Math.Sqrt(variance1 + variance2);
        return new Difference(difference, difference - (Z95 * standardError), difference + (Z95 * standardError), TwoSidedP(difference, standardError));
    }

    /// <summary>
    /// Sample-ratio mismatch: Pearson's chi-square of the units each variant received against the planned weights,
    /// with (variants − 1) degrees of freedom. A p-value below 0.001 means the split is broken, not the treatment better.
    /// </summary>
    public static double SampleRatioPValue(IReadOnlyList<long> observed, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(weights);
        if (observed.Count != weights.Count || observed.Count < 2)
        {
            throw new ArgumentException("One observed count per weight, at least two variants.", nameof(weights));
        }
        var total = observed.Sum();
        var weightSum = weights.Sum();
        if (total == 0 || weightSum <= 0)
        {
            return 1;
        }
        var statistic = 0.0;
        for (var i = 0; i < observed.Count; i++)
        {
            var expected = total * weights[i] / weightSum;
            statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
        }
        return 1 - ChiSquared.CDF(observed.Count - 1, statistic);
    }

    // The ratio and its delta-method variance over the clusters that had any impression (null: fewer than two).
    private static (double Ratio, double? Variance) RatioMoments(IReadOnlyList<(double Numerator, double Denominator)> clusters)
    {
        var used = clusters.Where(c => c.Denominator > 0).ToList();
        var totalN = used.Sum(c => c.Denominator);
        var ratio = totalN > 0 ? used.Sum(c => c.Numerator) / totalN : 0;
        var m = used.Count;
        if (m < 2)
        {
            return (ratio, null);
        }
        var meanY = used.Average(c => c.Numerator);
        var meanN = used.Average(c => c.Denominator);
        double syy = 0, snn = 0, syn = 0;
        foreach (var (y, n) in used)
        {
            syy += (y - meanY) * (y - meanY);
            snn += (n - meanN) * (n - meanN);
            syn += (y - meanY) * (n - meanN);
        }
        syy /= m - 1;
        snn /= m - 1;
        syn /= m - 1;
        return (ratio, Math.Max(0, syy - (2 * ratio * syn) + (ratio * ratio * snn)) / (m * meanN * meanN));
    }

    private static (double Mean, double Variance) Moments(long count, double sum, double sumOfSquares)
    {
        var mean = sum / count;
        // The unbiased sample variance from the running sums, clamped at 0 against rounding.
        return (mean, Math.Max(0, (sumOfSquares - (count * mean * mean)) / (count - 1)));
    }

    private static double TwoSidedP(double difference, double standardError) =>
        standardError > 0 ? 2 * (1 - Normal.CDF(0, 1, Math.Abs(difference) / standardError)) : difference == 0 ? 1 : 0;
}
