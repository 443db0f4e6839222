using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SmartShop.Core.Evaluation;
using SmartShop.Core.Recommendations;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop evaluate --train a.csv --test b.csv [--k 10] [--json out.json]`: metrics next to the baselines.</summary>
internal static class EvaluateCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public static Command Create()
    {
        var train = new Option<FileInfo>("--train") { Description = "Training-period transactions CSV.", Required = true };
        var test = new Option<FileInfo>("--test") { Description = "Test-period transactions CSV (the period after training).", Required = true };
        var k = new Option<int>("--k") { Description = "List length (1..100).", DefaultValueFactory = _ => 10 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the table as JSON to this file." };
        var command = new Command("evaluate", "Train on one period, score top-k lists on the next, next to popularity and repeat baselines.");
        foreach (var option in new Option[] { train, test, k, json })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            Run(parse.GetValue(train)!.FullName, parse.GetValue(test)!.FullName, parse.GetValue(k), parse.GetValue(json)?.FullName, Console.Out, Console.Error, cancellationToken);
            return Task.FromResult(0);
        });
        return command;
    }

    internal static IReadOnlyList<EvaluationRow> Run(string trainPath, string testPath, int k, string? jsonPath, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        if (k is < 1 or > RecommendationRequestBase.MaxK)
        {
            throw new ArgumentException($"--k must be between 1 and {RecommendationRequestBase.MaxK} (got {k}).");
        }
        var trainSet = RecommendationInputs.ReadRows(trainPath, log, cancellationToken);
        var testSet = RecommendationInputs.ReadRows(testPath, log, cancellationToken);
        var rows = OfflineEvaluation.Run(trainSet.Rows, testSet.Rows, k, progress: RecommendationInputs.Progress(log), cancellationToken: cancellationToken);
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
