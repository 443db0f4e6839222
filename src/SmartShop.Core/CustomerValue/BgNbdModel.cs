using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace SmartShop.Core.CustomerValue;

/// <summary>
/// The BG/NBD model (Fader, Hardie and Lee 2005): while alive, a customer buys at a Poisson rate λ ~ Gamma(r, α);
/// after each purchase they drop out with probability p ~ Beta(a, b). Fitted by maximum likelihood (Nelder–Mead on
/// the log parameters, from Math.NET); time is in whatever unit the histories use (days here).
/// </summary>
public sealed record BgNbdModel(double R, double Alpha, double A, double B)
{
    public static BgNbdModel Fit(IReadOnlyList<(int X, double Tx, double T)> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        if (customers.Count < 10)
        {
            throw new ArgumentException($"BG/NBD needs at least 10 customers (got {customers.Count}).");
        }
        var meanT = customers.Average(c => c.T);
        // Penalise far-off parameters a little so flat directions of the likelihood do not run away (as lifetimes does).
        double Objective(Vector<double> log)
        {
            var (r, alpha, a, b) = (Math.Exp(log[0]), Math.Exp(log[1]), Math.Exp(log[2]), Math.Exp(log[3]));
            var total = 0.0;
            foreach (var (x, tx, t) in customers)
            {
                total += LogLikelihood(r, alpha, a, b, x, tx, t);
            }
            var value = -total / customers.Count;
            return double.IsFinite(value) ? value + (1e-6 * log.DotProduct(log)) : double.MaxValue;
        }
        // Nelder–Mead restarted from where it stopped until it stops moving: one pass can stall on this likelihood's ridges.
        var p = Vector<double>.Build.DenseOfArray([0.0, Math.Log(meanT / 4), 0.0, 0.0]);
        var best = Objective(p);
        for (var pass = 0; pass < 8; pass++)
        {
            var result = new NelderMeadSimplex(1e-12, 10_000).FindMinimum(ObjectiveFunction.Value(Objective), p);
            var improved = best - result.FunctionInfoAtMinimum.Value;
            p = result.MinimizingPoint;
            best = result.FunctionInfoAtMinimum.Value;
            if (improved < 1e-9)
            {
                break;
            }
        }
        return new BgNbdModel(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]));
    }

    /// <summary>The log-likelihood of one customer's (x, t_x, T).</summary>
    public static double LogLikelihood(double r, double alpha, double a, double b, int x, double tx, double t)
    {
        var head = SpecialFunctions.GammaLn(r + x) - SpecialFunctions.GammaLn(r) + (r * Math.Log(alpha))
            + SpecialFunctions.GammaLn(a + b) + SpecialFunctions.GammaLn(b + x) - SpecialFunctions.GammaLn(b) - SpecialFunctions.GammaLn(a + b + x);
        var stays = -(r + x) * Math.Log(alpha + t);
        if (x == 0)
        {
            return head + stays;
        }
        var left = Math.Log(a) - Math.Log(b + x - 1) - ((r + x) * Math.Log(alpha + tx));
        var max = Math.Max(stays, left);
        return head + max + Math.Log(Math.Exp(stays - max) + Math.Exp(left - max));
    }

    /// <summary>The probability that the customer is still alive at the end of their observation.</summary>
    public double ProbabilityAlive(int x, double tx, double t) =>
        x == 0 ? 1 : 1 / (1 + (A / (B + x - 1) * Math.Exp((R + x) * (Math.Log(Alpha + t) - Math.Log(Alpha + tx)))));

    /// <summary>E[purchases in the next <paramref name="horizon"/> | x, t_x, T].</summary>
    public double ExpectedPurchases(double horizon, int x, double tx, double t)
    {
        if (horizon <= 0)
        {
            return 0;
        }
        var z = horizon / (Alpha + t + horizon);
        var ratio = Math.Exp((R + x) * (Math.Log(Alpha + t) - Math.Log(Alpha + t + horizon)));
        var numerator = (A + B + x - 1) / (A - 1) * (1 - (ratio * Hypergeometric2F1(R + x, B + x, A + B + x - 1, z)));
        var denominator = 1 + (x > 0 ? A / (B + x - 1) * Math.Exp((R + x) * (Math.Log(Alpha + t) - Math.Log(Alpha + tx))) : 0);
        return numerator / denominator;
    }

    /// <summary>Gauss's hypergeometric series ₂F₁(a, b; c; z) for 0 ≤ z &lt; 1, summed until the terms vanish.</summary>
    public static double Hypergeometric2F1(double a, double b, double c, double z)
    {
        if (z is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "The series is summed for 0 <= z < 1.");
        }
        double sum = 1, term = 1;
        for (var n = 0; n < 100_000; n++)
        {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
            if (Math.Abs(term) < 1e-14 * Math.Abs(sum))
            {
                return sum;
            }
        }
        return sum;
    }
}
