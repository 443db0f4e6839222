using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SmartShop.Core.Data;
using SmartShop.Core.Evaluation;
using SmartShop.Core.Recommendations;

namespace SmartShop.Cli.Commands;

/// <summary>
/// `smartshop evaluate --train a.csv --test b.csv` or `--data all.csv --split-date 2011-07-01` [--k 10] [--json out.json]:
/// metrics next to the baselines.
/// </summary>
internal static class EvaluateCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public static Command Create()
    {
        var train = new Option<FileInfo?>("--train") { Description = "Training-period transactions CSV (with --test)." };
        var test = new Option<FileInfo?>("--test") { Description = "Test-period transactions CSV, the period after training (with --train)." };
        var data = new Option<FileInfo?>("--data") { Description = "One transactions CSV to split at --split-date (instead of --train and --test)." };
        var splitDate = new Option<DateTime?>("--split-date")
        {
            Description = "With --data: rows before this date (yyyy-MM-dd) train, rows from it on are the test period.",
            CustomParser = result => DateTime.TryParseExact(result.Tokens.Single().Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date
                : throw new ArgumentException($"--split-date must be a date as yyyy-MM-dd (got '{result.Tokens.Single().Value}')."),
        };
        var k = new Option<int>("--k") { Description = "List length (1..100).", DefaultValueFactory = _ => 10 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the table as JSON to this file." };
        var dataOptions = new DataOptions();
        var command = new Command("evaluate", "Train on one period, score top-k lists on the next, next to popularity and repeat baselines.");
        dataOptions.AddTo(command);
        foreach (var option in new Option[] { train, test, data, splitDate, k, json })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            var input = Input(parse.GetValue(train), parse.GetValue(test), parse.GetValue(data), parse.GetValue(splitDate)) with { Csv = dataOptions.Read(parse) };
            Run(input, parse.GetValue(k), parse.GetValue(json)?.FullName, Console.Out, Console.Error, cancellationToken);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Two files, or one file and the date that splits it.</summary>
    internal sealed record EvaluationInput(string? TrainPath, string? TestPath, string? DataPath, DateTime? SplitDate)
    {
        public TransactionCsvOptions Csv { get; init; } = new();
    }

    internal static EvaluationInput Input(FileInfo? train, FileInfo? test, FileInfo? data, DateTime? splitDate) =>
        (train, test, data, splitDate) switch
        {
            ({ } a, { } b, null, null) => new(a.FullName, b.FullName, null, null),
            (null, null, { } all, { } date) => new(null, null, all.FullName, date),
            _ => throw new ArgumentException("Give either --train and --test, or --data and --split-date (yyyy-MM-dd)."),
        };

    internal static IReadOnlyList<EvaluationRow> Run(EvaluationInput input, int k, string? jsonPath, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (k is < 1 or > RecommendationRequestBase.MaxK)
        {
            throw new ArgumentException($"--k must be between 1 and {RecommendationRequestBase.MaxK} (got {k}).");
        }

        IReadOnlyList<Core.Data.Transaction> trainRows, testRows;
        if (input.DataPath is { } dataPath)
        {
            var all = RecommendationInputs.ReadRows(dataPath, input.Csv, log, cancellationToken).Rows;
            var split = input.SplitDate!.Value;
            trainRows = all.Where(t => t.InvoiceDate < split).ToList();
            testRows = all.Where(t => t.InvoiceDate >= split).ToList();
            if (trainRows.Count == 0 || testRows.Count == 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"--split-date {split:yyyy-MM-dd} leaves {trainRows.Count:N0} training and {testRows.Count:N0} test rows; the file spans {all.Min(t => t.InvoiceDate):yyyy-MM-dd} to {all.Max(t => t.InvoiceDate):yyyy-MM-dd}."));
            }

            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"split at {split:yyyy-MM-dd}: {trainRows.Count:N0} training rows, {testRows.Count:N0} test rows"));
        }
        else
        {
            trainRows = RecommendationInputs.ReadRows(input.TrainPath!, input.Csv, log, cancellationToken).Rows;
            testRows = RecommendationInputs.ReadRows(input.TestPath!, input.Csv, log, cancellationToken).Rows;
        }

        var rows = OfflineEvaluation.Run(trainRows, testRows, k, progress: RecommendationInputs.Progress(log), cancellationToken: cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"model",-18} {"truth",-5} {"ndcg@" + k,8} {"recall",8} {"precision",9} {"hit",7} {"coverage",8} {"users",6}"));
        foreach (var row in rows)
        {
            var m = row.Metrics;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Model,-18} {row.Truth.ToString().ToLowerInvariant(),-5} {m.Ndcg,8:F4} {m.Recall,8:F4} {m.Precision,9:F4} {m.HitRate,7:F4} {m.Coverage,8:F4} {m.Users,6}"));
        }
        if (jsonPath is not null)
        {
            var payload = rows.Select(r => new
            {
                model = r.Model,
                truth = r.Truth.ToString().ToLowerInvariant(),
                k,
                ndcg = Math.Round(r.Metrics.Ndcg, 4),
                recall = Math.Round(r.Metrics.Recall, 4),
                precision = Math.Round(r.Metrics.Precision, 4),
                hit = Math.Round(r.Metrics.HitRate, 4),
                coverage = Math.Round(r.Metrics.Coverage, 4),
                users = r.Metrics.Users,
            });
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(payload, IndentedJson));
        }
        return rows;
    }
}
