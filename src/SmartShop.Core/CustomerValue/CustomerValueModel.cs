using MathNet.Numerics.Statistics;
using SmartShop.Core.Data;

namespace SmartShop.Core.CustomerValue;

/// <summary>What a customer is expected to be worth: P(alive), purchases and spend over the horizon, and the discounted value.</summary>
public sealed record CustomerValueEstimate(string Customer, double ProbabilityAlive, double ExpectedPurchases, double ExpectedSpend, double Clv);

/// <summary>The horizon of the predictions and the monthly discount rate of the lifetime value.</summary>
public sealed record CustomerValueOptions
{
    public int HorizonDays { get; init; } = 90;

    /// <summary>Per 30 days; 0.01 is about 12.7 % a year.</summary>
    public double MonthlyDiscountRate { get; init; } = 0.01;

    public void Validate()
    {
        if (HorizonDays is < 1 or > 3_650)
        {
            throw new ArgumentException($"--horizon-days is 1 to 3,650 (got {HorizonDays}).");
        }
        if (!double.IsFinite(MonthlyDiscountRate) || MonthlyDiscountRate is < 0 or > 1)
        {
            throw new ArgumentException($"--discount-rate is 0 to 1 per month (got {MonthlyDiscountRate}).");
        }
    }
}

/// <summary>BG/NBD for how often, Gamma-Gamma for how much: each customer's expected value.</summary>
public sealed record CustomerValueModel(BgNbdModel Frequency, GammaGammaModel Spend)
{
    private const double DaysPerMonth = 30;

    public static CustomerValueModel Fit(IReadOnlyList<PurchaseHistory> histories)
    {
        ArgumentNullException.ThrowIfNull(histories);
        return new CustomerValueModel(
            BgNbdModel.Fit(histories.Select(h => (h.Frequency, h.Recency, h.Age)).ToList()),
            GammaGammaModel.Fit(histories.Select(h => (h.Frequency, h.MeanRepeatValue)).ToList()));
    }

    public CustomerValueEstimate Estimate(PurchaseHistory history, CustomerValueOptions options)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        var (x, tx, t) = (history.Frequency, history.Recency, history.Age);
        var perPurchase = Spend.ExpectedSpendPerPurchase(x, history.MeanRepeatValue);
        var purchases = Frequency.ExpectedPurchases(options.HorizonDays, x, tx, t);
        // The value month by month, each month's expected purchases discounted to today.
        var clv = 0.0;
        var before = 0.0;
        for (var month = 1; (month - 1) * DaysPerMonth < options.HorizonDays; month++)
        {
            var upTo = Frequency.ExpectedPurchases(Math.Min(month * DaysPerMonth, options.HorizonDays), x, tx, t);
            clv += (upTo - before) * perPurchase / Math.Pow(1 + options.MonthlyDiscountRate, month);
            before = upTo;
        }
        return new CustomerValueEstimate(history.Customer, Frequency.ProbabilityAlive(x, tx, t), purchases, purchases * perPurchase, clv);
    }
}

/// <summary>How well predicted spend ranks and fits the actual spend of the period after a cutoff.</summary>
public sealed record PredictorScore(string Predictor, double Spearman, double RSquared, double PredictedTotal, double ActualTotal);

/// <summary>
/// The temporal check: fit on everything before the cutoff, predict each customer's spend over the horizon after it,
/// and compare with what they spent, against the trivial predictor (their spend per day over the whole window before
/// the cutoff × the horizon: "past monthly spend × months"). The blend is a weighted geometric mean of both, scaled:
/// s · (1 + model)^w · (1 + trivial)^(1 − w) − s, with w the weight that ranks best (Spearman) and s the scale that fits
/// best (least squares), both chosen on the horizon before the cutoff (models fitted on what came before that), so
/// nothing after the cutoff is used to choose them.
/// </summary>
public static class CustomerValueBacktest
{
    public const string Model = "bg-nbd + gamma-gamma";
    public const string Trivial = "past monthly spend × months";
    public const string Blend = "blend";

    public static IReadOnlyList<PredictorScore> Run(IReadOnlyList<Transaction> rows, DateTime cutoff, CustomerValueOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var horizon = TimeSpan.FromDays(options.HorizonDays);
        var inner = Predictions(rows, cutoff - horizon, cutoff, options);
        var weight = Enumerable.Range(0, 21).Select(i => i / 20.0)
            .MaxBy(w => Correlation.Spearman(Geometric(inner.Model, inner.Trivial, w, 1), inner.Actual));
        var unscaled = Geometric(inner.Model, inner.Trivial, weight, 1);
        var scale = unscaled.Zip(inner.Actual, (g, y) => g * y).Sum() / Math.Max(1e-12, unscaled.Sum(g => g * g));
        var (model, trivial, actual) = Predictions(rows, cutoff, cutoff + horizon, options);
        return [Score(Model, model, actual), Score(Trivial, trivial, actual), Score(Blend, Geometric(model, trivial, weight, scale), actual)];
    }

    private static double[] Geometric(double[] model, double[] trivial, double weight, double scale) =>
        model.Zip(trivial, (m, t) => scale * ((Math.Pow(1 + m, weight) * Math.Pow(1 + t, 1 - weight)) - 1)).ToArray();

    private static (double[] Model, double[] Trivial, double[] Actual) Predictions(IReadOnlyList<Transaction> rows, DateTime cutoff, DateTime end, CustomerValueOptions options)
    {
        var histories = PurchaseHistories.From(rows, cutoff);
        var fitted = CustomerValueModel.Fit(histories);
        var after = PurchaseHistories.SpendBetween(rows, cutoff, end);
        var start = rows.Where(r => r.CustomerId is not null).Min(r => r.InvoiceDate).Date;
        var windowDays = Math.Max(1, (cutoff - start).TotalDays);
        return (histories.Select(h => fitted.Estimate(h, options).ExpectedSpend).ToArray(),
            histories.Select(h => h.TotalSpend / windowDays * options.HorizonDays).ToArray(),
            histories.Select(h => after.GetValueOrDefault(h.Customer)).ToArray());
    }
    private static PredictorScore Score(string name, double[] predicted, double[] actual)
    {
        var mean = actual.Average();
        var total = actual.Sum(v => (v - mean) * (v - mean));
        var residual = predicted.Zip(actual, (p, v) => (v - p) * (v - p)).Sum();
        return new PredictorScore(name, Correlation.Spearman(predicted, actual), total > 0 ? 1 - (residual / total) : 0, predicted.Sum(), actual.Sum());
    }
}
