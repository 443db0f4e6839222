using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace SmartShop.Core.CustomerValue;

/// <summary>
/// The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV"): a customer's purchase
/// values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers (mean spend p·γ/(q − 1)), independent of how often they
/// buy; fitted by maximum likelihood (Nelder–Mead on the log parameters) on the customers with repeat purchases.
/// </summary>
public sealed record GammaGammaModel(double P, double Q, double Gamma)
{
    public static GammaGammaModel Fit(IReadOnlyList<(int X, double MeanValue)> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var repeat = customers.Where(c => c.X > 0 && c.MeanValue > 0).ToList();
        if (repeat.Count < 10)
        {
            throw new ArgumentException($"Gamma-Gamma needs at least 10 customers with repeat purchases (got {repeat.Count}).");
        }
        double Objective(Vector<double> log)
        {
            var (p, q, g) = (Math.Exp(log[0]), Math.Exp(log[1]), Math.Exp(log[2]));
            var total = 0.0;
            foreach (var (x, m) in repeat)
            {
                total += LogLikelihood(p, q, g, x, m);
            }
            var value = -total / repeat.Count;
            return double.IsFinite(value) ? value + (1e-6 * log.DotProduct(log)) : double.MaxValue;
        }
        var mean = repeat.Average(c => c.MeanValue);
        var start = Vector<double>.Build.DenseOfArray([0.0, Math.Log(2), Math.Log(mean)]);
        var result = new NelderMeadSimplex(1e-10, 5_000).FindMinimum(ObjectiveFunction.Value(Objective), start);
        var point = result.MinimizingPoint;
        return new GammaGammaModel(Math.Exp(point[0]), Math.Exp(point[1]), Math.Exp(point[2]));
    }

    public static double LogLikelihood(double p, double q, double gamma, int x, double meanValue) =>
        SpecialFunctions.GammaLn((p * x) + q) - SpecialFunctions.GammaLn(p * x) - SpecialFunctions.GammaLn(q)
        + (q * Math.Log(gamma)) + (((p * x) - 1) * Math.Log(meanValue)) + (p * x * Math.Log(x)) - (((p * x) + q) * Math.Log(gamma + (meanValue * x)));

    /// <summary>E[spend per purchase | x, m]: the customer's mean pulled toward the population's (its mean without history).</summary>
    public double ExpectedSpendPerPurchase(int x, double meanValue) =>
        x == 0 || meanValue <= 0 ? P * Gamma / (Q - 1) : P * (Gamma + (meanValue * x)) / ((P * x) + Q - 1);
}
