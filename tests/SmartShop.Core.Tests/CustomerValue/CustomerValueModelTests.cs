using MathNet.Numerics.Distributions;
using SmartShop.Core.CustomerValue;
using SmartShop.Core.Data;

namespace SmartShop.Core.Tests.CustomerValue;

/// <summary>BG/NBD and Gamma-Gamma against published figures and against data drawn from known parameters.</summary>
public sealed class CustomerValueModelTests
{
    // The CDNOW estimates of Fader, Hardie and Lee (2005), time in weeks.
    private static readonly BgNbdModel Cdnow = new(0.243, 4.414, 0.793, 2.426);

    [Fact]
    public void TheConditionalExpectationMatchesThePublishedExample()
    {
        // "Computing P(alive) / E[Y(t)|x, tx, T]" (Fader, Hardie and Lee's note): x = 2, tx = 30.43, T = 38.86 weeks, next 39 weeks: 1.226.
        Cdnow.ExpectedPurchases(39, 2, 30.43, 38.86).Should().BeApproximately(1.226, 0.001);
        Cdnow.ProbabilityAlive(0, 0, 38.86).Should().Be(1, "a customer who never came back has not had a chance to drop out");
        Cdnow.ProbabilityAlive(2, 30.43, 38.86).Should().BeInRange(0.5, 1);
        Cdnow.ProbabilityAlive(2, 2, 38.86).Should().BeLessThan(Cdnow.ProbabilityAlive(2, 30.43, 38.86), "the longer the silence, the likelier they left");
    }

    [Fact]
    public void TheHypergeometricSeriesMatchesClosedForms()
    {
        BgNbdModel.Hypergeometric2F1(1, 1, 2, 0.5).Should().BeApproximately(-Math.Log(0.5) / 0.5, 1e-12);
        BgNbdModel.Hypergeometric2F1(0.5, 1, 1.5, 0.25).Should().BeApproximately(Math.Log((1 + 0.5) / (1 - 0.5)) / (2 * 0.5), 1e-12);
    }

    [Fact]
    public void BgNbdRecoversTheParametersItsDataWasDrawnFrom()
    {
        var random = new Random(11);
        var customers = Enumerable.Range(0, 20_000).Select(_ => Draw(Cdnow, 39, random)).ToList();

        var fitted = BgNbdModel.Fit(customers);
        double Ll(BgNbdModel m) => customers.Sum(c => BgNbdModel.LogLikelihood(m.R, m.Alpha, m.A, m.B, c.X, c.Tx, c.T));
        Ll(fitted).Should().BeGreaterThanOrEqualTo(Ll(Cdnow) - 1e-6, $"the fit is a maximum: {fitted}");

        // Sampling error at 20,000 customers: a few per cent for r and α, more for the drop-out parameters.
        fitted.R.Should().BeApproximately(Cdnow.R, 0.1 * Cdnow.R);
        fitted.Alpha.Should().BeApproximately(Cdnow.Alpha, 0.1 * Cdnow.Alpha);
        fitted.A.Should().BeApproximately(Cdnow.A, 0.25 * Cdnow.A);
        fitted.B.Should().BeApproximately(Cdnow.B, 0.3 * Cdnow.B);
    }

    [Fact]
    public void GammaGammaRecoversTheParametersItsDataWasDrawnFrom()
    {
        // The CDNOW estimates of Fader, Hardie and Lee ("RFM and CLV", 2005): p = 6.25, q = 3.74, γ = 15.44.
        var (p, q, gamma) = (6.25, 3.74, 15.44);
        var random = new Random(12);
        var customers = Enumerable.Range(0, 10_000).Select(_ =>
        {
            var nu = Gamma.Sample(random, q, gamma);
            var x = 1 + random.Next(8);
            return (x, Enumerable.Range(0, x).Average(_ => Gamma.Sample(random, p, nu)));
        }).ToList();

        var fitted = GammaGammaModel.Fit(customers);

        fitted.P.Should().BeApproximately(p, 0.1 * p);
        fitted.Q.Should().BeApproximately(q, 0.1 * q);
        fitted.Gamma.Should().BeApproximately(gamma, 0.15 * gamma);
        fitted.ExpectedSpendPerPurchase(0, 0).Should().BeApproximately(p * gamma / (q - 1), 0.1 * p * gamma / (q - 1));
    }

    [Fact]
    public void HistoriesCountPurchaseDaysAndTheValueOfTheRepeatOnes()
    {
        Transaction Line(string invoice, string customer, string day, int quantity, decimal price, bool cancelled = false) =>
            new(invoice, "A", "a", quantity, DateTime.Parse(day, System.Globalization.CultureInfo.InvariantCulture), price, customer, "UK") { IsCancellation = cancelled };
        Transaction[] rows =
        [
            Line("1", "c1", "2011-01-01 10:00", 2, 5),
            Line("2", "c1", "2011-01-01 15:00", 1, 10),
            Line("3", "c1", "2011-01-11 09:00", 3, 10),
            Line("4", "c1", "2011-01-21 09:00", 1, 20),
            Line("C5", "c1", "2011-01-22 09:00", -1, 20, cancelled: true),
            Line("6", "c2", "2011-01-30 09:00", 1, 7),
            Line("7", "c1", "2011-02-05 09:00", 1, 99),
        ];

        var histories = PurchaseHistories.From(rows, new DateTime(2011, 2, 1));

        histories.Should().BeEquivalentTo(
        [
            new PurchaseHistory("c1", 2, 20, 31, 25, 70),
            new PurchaseHistory("c2", 0, 0, 2, 0, 7),
        ]);
        PurchaseHistories.SpendBetween(rows, new DateTime(2011, 2, 1), new DateTime(2011, 3, 1)).Should().Equal(new Dictionary<string, double> { ["c1"] = 99 });
    }

    [Fact]
    public void TheValueIsTheExpectedSpendDiscountedMonthByMonth()
    {
        var model = new CustomerValueModel(new BgNbdModel(0.243, 4.414 * 7, 0.793, 2.426), new GammaGammaModel(6.25, 3.74, 15.44));
        var history = new PurchaseHistory("c", 3, 200, 270, 40, 200);

        var undiscounted = model.Estimate(history, new CustomerValueOptions { HorizonDays = 90, MonthlyDiscountRate = 0 });
        var discounted = model.Estimate(history, new CustomerValueOptions { HorizonDays = 90, MonthlyDiscountRate = 0.05 });

        undiscounted.Clv.Should().BeApproximately(undiscounted.ExpectedSpend, 1e-9);
        discounted.Clv.Should().BeLessThan(discounted.ExpectedSpend).And.BeGreaterThan(discounted.ExpectedSpend / Math.Pow(1.05, 3));
        undiscounted.ExpectedSpend.Should().BeApproximately(undiscounted.ExpectedPurchases * model.Spend.ExpectedSpendPerPurchase(3, 40), 1e-9);
    }

    // One customer of the BG/NBD story over T time units: buys at rate λ while alive, may drop out after each purchase.
    private static (int X, double Tx, double T) Draw(BgNbdModel model, double t, Random random)
    {
        var lambda = Gamma.Sample(random, model.R, model.Alpha);
        var p = Beta.Sample(random, model.A, model.B);
        double now = 0, last = 0;
        var x = 0;
        while (true)
        {
            now += Exponential.Sample(random, lambda);
            if (now > t)
            {
                break;
            }
            x++;
            last = now;
            if (random.NextDouble() < p)
            {
                break;
            }
        }
        return (x, last, t);
    }
}
