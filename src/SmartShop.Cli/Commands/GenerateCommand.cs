using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SmartShop.Core.Synthetic;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop generate`: a synthetic retail data set with planted personas, bundles and affinities.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var defaults = new SyntheticRetailOptions();
        var customers = new Option<int>("--customers") { Description = "Number of customers.", DefaultValueFactory = _ => defaults.Customers };
        var products = new Option<int>("--products") { Description = "Number of products (at least 20).", DefaultValueFactory = _ => defaults.Products };
        var days = new Option<int>("--days") { Description = "Length of the period in days.", DefaultValueFactory = _ => defaults.Days };
        var seed = new Option<ulong>("--seed") { Description = "Random seed: the same seed and options give byte-identical files.", DefaultValueFactory = _ => defaults.Seed };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for catalogue.csv, transactions.csv, events.jsonl, events-retailrocket.csv and ground-truth.json.", Required = true };
        var dirtRate = new Option<double>("--dirt-rate") { Description = "Dirty transaction rows per clean line (0-0.2): anonymous, postage, zero price, malformed numbers.", DefaultValueFactory = _ => defaults.DirtRate };
        var start = new Option<string>("--start") { Description = "First day of the period (yyyy-MM-dd, UTC).", DefaultValueFactory = _ => defaults.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };

        var command = new Command("generate", "Generate synthetic retail data (catalogue, transactions, clickstream, ground truth) with planted structure.");
        foreach (var option in new Option[] { customers, products, days, seed, output, dirtRate, start })
        {
            command.Options.Add(option);
        }
        command.SetAction((parseResult, cancellationToken) =>
        {
            var options = new SyntheticRetailOptions
            {
                Customers = parseResult.GetValue(customers),
                Products = parseResult.GetValue(products),
                Days = parseResult.GetValue(days),
                Seed = parseResult.GetValue(seed),
                DirtRate = parseResult.GetValue(dirtRate),
                Start = ParseStart(parseResult.GetValue(start)!),
            };
            Run(options, parseResult.GetValue(output)!, Console.Out, cancellationToken);
            return Task.FromResult(0);
        });
        return command;
    }

    internal static SyntheticRetailSummary Run(SyntheticRetailOptions options, DirectoryInfo output, TextWriter console, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var summary = SyntheticRetailGenerator.WriteFiles(options, output.FullName, cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Customers:N0} customers, {summary.Products:N0} products, {summary.Bundles:N0} bundles, {summary.Sessions:N0} sessions over {options.Days} days."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Events:N0} events ({summary.RetailRocketRows:N0} RetailRocket rows); {summary.Invoices:N0} invoices, {summary.Cancellations:N0} cancellations, " +
            $"{summary.TransactionRows:N0} transaction rows of which dirt: {summary.AnonymousRows:N0} anonymous, {summary.PostageRows:N0} postage, " +
            $"{summary.ZeroPriceRows:N0} zero-price, {summary.MalformedRows:N0} malformed."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {output.FullName} in {seconds:F1} s ({summary.Events / Math.Max(seconds, 1e-9):N0} events/s)."));
        return summary;
    }

    private static DateOnly ParseStart(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ArgumentException($"--start must be a date as yyyy-MM-dd (got '{text}').");
}
