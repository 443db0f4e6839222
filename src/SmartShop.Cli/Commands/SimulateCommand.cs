using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SmartShop.Core.Experiments;
using SmartShop.Core.Experiments.Simulation;
using SmartShop.Core.Storage;

namespace SmartShop.Cli.Commands;

/// <summary>
/// `smartshop simulate`: an online experiment with simulated shoppers whose tastes are known, through the product's
/// ingestion pipeline, impression counting and rollups on real storage; writes experiment.json and truth.json.
/// </summary>
internal static class SimulateCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var defaults = new SimulationOptions();
        var customers = new Option<int>("--customers") { Description = "Simulated customers (50-200,000).", DefaultValueFactory = _ => defaults.Customers };
        var days = new Option<int>("--days") { Description = "Days the experiment runs (1-90).", DefaultValueFactory = _ => defaults.Days };
        var experiment = new Option<string>("--experiment") { Description = "Variants as name=strategy[@weight], the control first; strategies: popular, model.", DefaultValueFactory = _ => "control=popular,model=model" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the shop and of the shoppers' behaviour.", DefaultValueFactory = _ => defaults.Seed };
        var visitShare = new Option<double>("--visit-share") { Description = "Share of customers visiting each day.", DefaultValueFactory = _ => defaults.VisitShare };
        var skew = new Option<double>("--skew") { Description = "Share of the control's customers a broken storefront sends to the last variant (for the sample-ratio check).", DefaultValueFactory = _ => 0 };
        var aaRuns = new Option<int>("--aa-runs") { Description = "Also run this many A/A experiments and report their false-positive rate.", DefaultValueFactory = _ => 0 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for experiment.json and truth.json.", Required = true };
        var storage = new Option<string>("--storage") { Description = "Storage connection string (lake, dedupe ledger, user activity, rollups).", DefaultValueFactory = _ => "UseDevelopmentStorage=true" };
        var command = new Command("simulate", "Run an online experiment with simulated shoppers through the ingestion pipeline and the rollups (needs storage, e.g. the local emulator).");
        foreach (var option in new Option[] { customers, days, experiment, seed, visitShare, skew, aaRuns, output, storage })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new SimulationOptions
            {
                Customers = parse.GetValue(customers),
                Days = parse.GetValue(days),
                Variants = SimulationOptions.ParseVariants(parse.GetValue(experiment)!),
                Seed = parse.GetValue(seed),
                VisitShare = parse.GetValue(visitShare),
                Skew = parse.GetValue(skew),
                AaRuns = parse.GetValue(aaRuns),
            };
            options.Validate();
            await RunAsync(options, parse.GetValue(storage)!, parse.GetValue(output)!, Console.Out, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    internal static async Task<SimulationOutcome> RunAsync(SimulationOptions options, string storageConnectionString, DirectoryInfo output, TextWriter console, CancellationToken cancellationToken)
    {
        var (blobs, tables) = CliStorage.Clients(storageConnectionString);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training the shop's model on 120 days of {options.Customers:N0} customers' history (seed {options.Seed})..."));
        var shop = SimulatedShop.Create(options.Customers, options.Seed, cancellationToken: cancellationToken);
        var store = new TableDocumentLogStore(tables, new DocumentLogOptions(), TimeProvider.System);
        var outcome = await StorefrontSimulation.RunAsync(shop, options, store, new BlobContainers(blobs), tables, cancellationToken).ConfigureAwait(false);

        output.Create();
        var results = outcome.Results.Results;
        var treatment = results.Variants[^1];
        var primary = treatment.VersusControl.Single(c => c.Metric == outcome.Traffic.Experiment.PrimaryMetric);
        var experimentJson = new
        {
            ExperimentId = results.ExperimentId,
            options.Customers,
            options.Days,
            options.Seed,
            Variants = results.Variants.Select(v => new { v.Variant, v.Impressions, v.Clicks, v.Purchases, Revenue = Math.Round(v.Revenue, 2), Ctr = v.Ctr.Rate }),
            Comparison = new
            {
                Metric = primary.Metric,
                Control = results.Control,
                Variant = treatment.Variant,
                Difference = primary.Difference.Value,
                CiLow = primary.Difference.CiLow,
                CiHigh = primary.Difference.CiHigh,
                PValue = primary.Difference.PValue,
                SrmPValue = results.SampleRatioPValue,
                results.Verdict,
            },
            ReplayChangedAnything = outcome.ReplayChangedAnything,
            AaRuns = options.AaRuns,
            AaFalsePositiveRate = outcome.AaFalsePositiveRate,
        };
        var truthJson = new
        {
            ExperimentId = results.ExperimentId,
            Variants = outcome.Traffic.Truth,
        };
        await File.WriteAllTextAsync(Path.Combine(output.FullName, "experiment.json"), JsonSerializer.Serialize(experimentJson, Json), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(output.FullName, "truth.json"), JsonSerializer.Serialize(truthJson, Json), cancellationToken).ConfigureAwait(false);

        foreach (var v in results.Variants)
        {
            var truth = outcome.Traffic.Truth.Single(t => t.Variant == v.Variant);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{v.Variant}: {v.Impressions:N0} impressions, {v.Clicks:N0} clicks (truth {truth.Clicks:N0}), {v.Purchases:N0} purchases (truth {truth.Purchases:N0}), revenue {v.Revenue:N2}, CTR {v.Ctr.Rate:P2}"));
        }
        console.WriteLine(results.Verdict);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p = {primary.Difference.PValue:G3}; sample-ratio p = {results.SampleRatioPValue:G3}; replaying the whole stream changed {(outcome.ReplayChangedAnything ? "something" : "nothing")}."));
        if (outcome.AaFalsePositiveRate is { } rate)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"A/A: {rate:P1} of {options.AaRuns} runs differ at α = {ExperimentResults.Alpha}."));
        }
        console.WriteLine($"wrote {Path.Combine(output.FullName, "experiment.json")} and truth.json");
        return outcome;
    }
}
