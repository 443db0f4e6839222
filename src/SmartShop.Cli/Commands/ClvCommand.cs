using System.CommandLine;
using System.Globalization;
using System.Text;
using SmartShop.Core.CustomerValue;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop clv`: each customer's P(alive), expected purchases and spend over a horizon, and lifetime value.</summary>
internal static class ClvCommand
{
    public static Command Create()
    {
        var defaults = new CustomerValueOptions();
        var data = new Option<FileInfo>("--data") { Description = "Transactions CSV (.csv or .csv.gz; any dialect, see the data options).", Required = true };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Directory for clv.csv and summary.txt." };
        var horizon = new Option<int>("--horizon-days") { Description = "Days ahead the purchases and spend are predicted for.", DefaultValueFactory = _ => defaults.HorizonDays };
        var discount = new Option<double>("--discount-rate") { Description = "Discount rate per 30 days for the lifetime value.", DefaultValueFactory = _ => defaults.MonthlyDiscountRate };
        var trainBefore = new Option<string?>("--train-before") { Description = "Temporal check: fit on the rows before this date (yyyy-MM-dd) and compare the predicted spend with the actual spend of the horizon after it." };
        var dataOptions = new DataOptions();
        var command = new Command("clv", "Customer lifetime value: BG/NBD for how often, Gamma-Gamma for how much, per customer.");
        dataOptions.AddTo(command);
        foreach (var option in new Option[] { data, output, horizon, discount, trainBefore })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new CustomerValueOptions { HorizonDays = parse.GetValue(horizon), MonthlyDiscountRate = parse.GetValue(discount) };
            options.Validate();
            var cutoff = TrainCommand.ParseTime(parse.GetValue(trainBefore), "--train-before");
            var directory = parse.GetValue(output);
            if (cutoff is null && directory is null)
            {
                throw new ArgumentException("clv needs --out <dir> (or --train-before <date> for the temporal check).");
            }
            var rows = RecommendationInputs.ReadRows(parse.GetValue(data)!.FullName, dataOptions.Read(parse), Console.Error, cancellationToken).Rows.ToList();
            if (cutoff is { } before)
            {
                Backtest(rows, before, options, Console.Out);
            }
            else
            {
                Write(rows, options, directory!, Console.Out);
            }
            return Task.FromResult(0);
        });
        return command;
    }

    private static void Write(List<Core.Data.Transaction> rows, CustomerValueOptions options, DirectoryInfo directory, TextWriter console)
    {
        var end = rows.Where(r => r.CustomerId is not null).Max(r => r.InvoiceDate).Date.AddDays(1);
        var histories = PurchaseHistories.From(rows, end);
        var model = CustomerValueModel.Fit(histories);
        var estimates = histories.Select(h => model.Estimate(h, options)).ToList();
        directory.Create();
        var csv = new StringBuilder("customer,p_alive,expected_purchases,expected_spend,clv\n");
        foreach (var e in estimates)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Quote(e.Customer)},{e.ProbabilityAlive:F4},{e.ExpectedPurchases:F4},{e.ExpectedSpend:F2},{e.Clv:F2}\n");
        }
        File.WriteAllText(Path.Combine(directory.FullName, "clv.csv"), csv.ToString());
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"""
            {estimates.Count:N0} customers, observed until {end:yyyy-MM-dd}; horizon {options.HorizonDays} days, discount {options.MonthlyDiscountRate:P1} per 30 days
            BG/NBD: r = {model.Frequency.R:G4}, alpha = {model.Frequency.Alpha:G4} days, a = {model.Frequency.A:G4}, b = {model.Frequency.B:G4}
            Gamma-Gamma: p = {model.Spend.P:G4}, q = {model.Spend.Q:G4}, gamma = {model.Spend.Gamma:G4}
            expected purchases {estimates.Sum(e => e.ExpectedPurchases):N0}, expected spend {estimates.Sum(e => e.ExpectedSpend):N2}, CLV {estimates.Sum(e => e.Clv):N2}
            customers with P(alive) < 0.5: {estimates.Count(e => e.ProbabilityAlive < 0.5):N0}
            """);
        File.WriteAllText(Path.Combine(directory.FullName, "summary.txt"), summary + "\n");
        console.WriteLine(summary);
        console.WriteLine($"wrote {Path.Combine(directory.FullName, "clv.csv")}");
    }

    private static void Backtest(List<Core.Data.Transaction> rows, DateTime cutoff, CustomerValueOptions options, TextWriter console)
    {
        var scores = CustomerValueBacktest.Run(rows, cutoff, options);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fitted before {cutoff:yyyy-MM-dd}, spend of the {options.HorizonDays} days after it:"));
        foreach (var s in scores)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {s.Predictor,-30} Spearman {s.Spearman:F3}  R² {s.RSquared:F3}  predicted total {s.PredictedTotal:N0} (actual {s.ActualTotal:N0})"));
        }
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
