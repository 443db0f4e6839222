using System.CommandLine;
using System.Globalization;
using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop train --data transactions.csv --out model/`: trains the recommender and writes a model bundle.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data") { Description = "Transactions CSV (.csv or .csv.gz; any dialect, see the data options).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for the model bundle.", Required = true };
        var catalogue = new Option<FileInfo?>("--catalogue") { Description = "Catalogue CSV (id,title,category,price,in_stock); default: derived from the transactions." };
        var now = new Option<string?>("--now") { Description = "Reference time for recency and decay (yyyy-MM-dd[ HH:mm:ss]); default: the latest transaction. Later rows are ignored." };
        var halfLife = new Option<double?>("--half-life") { Description = "Half-life in days of the interaction time decay (default 90)." };
        var lambda = new Option<double?>("--lambda") { Description = "EASE regularisation (default 200)." };
        var seed = new Option<int?>("--seed") { Description = "Seed for the ranker (default 42)." };
        var noAls = new Option<bool>("--no-als") { Description = "Train without the implicit-ALS candidate generator and features." };
        var dataOptions = new DataOptions();
        var command = new Command("train", "Train the recommender on transactions and write a model bundle.");
        dataOptions.AddTo(command);
        foreach (var option in new Option[] { data, output, catalogue, now, halfLife, lambda, seed, noAls })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            var defaults = new RecommenderOptions();
            var options = defaults with
            {
                EaseLambda = parse.GetValue(lambda) ?? defaults.EaseLambda,
                Interactions = defaults.Interactions with
                {
                    HalfLifeDays = parse.GetValue(halfLife) ?? defaults.Interactions.HalfLifeDays,
                    Now = ParseTime(parse.GetValue(now)),
                },
                Ranker = defaults.Ranker with { Seed = parse.GetValue(seed) ?? defaults.Ranker.Seed },
                Als = parse.GetValue(noAls) ? null : defaults.Als,
            };
            Run(parse.GetValue(data)!.FullName, parse.GetValue(catalogue)?.FullName, parse.GetValue(output)!.FullName, options, dataOptions.Read(parse), Console.Out, Console.Error, cancellationToken);
            return Task.FromResult(0);
        });
        return command;
    }

    internal static DateTime? ParseTime(string? text, string option = "--now")
    {
        if (text is null)
        {
            return null;
        }
        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss"];
        return DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value
            : throw new FormatException($"{option} '{text}' is not a date (yyyy-MM-dd or yyyy-MM-dd HH:mm:ss).");
    }

    internal static RecommenderModel Run(string dataPath, string? cataloguePath, string outputDirectory, RecommenderOptions options, TransactionCsvOptions csv, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        var (rows, catalogue) = RecommendationInputs.ReadTransactions(dataPath, cataloguePath, csv, log, cancellationToken);
        var model = new RecommenderTrainer(options).Train(InteractionSources.FromTransactions(rows), catalogue, RecommendationInputs.Progress(log), cancellationToken);
        ModelBundle.Save(model, outputDirectory);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model written to {outputDirectory}: {model.UserCount:N0} users, {model.ItemCount:N0} items, ranker {model.Info.Ranker}, window {model.Info.TrainedFrom:yyyy-MM-dd} to {model.Info.TrainedTo:yyyy-MM-dd}"));
        return model;
    }
}
