using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SmartShop.Core.Segmentation;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop explain`: why a customer is in their segment, how sure, and what would move them.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Directory written by `segment --out`.", Required = true };
        var customer = new Option<string>("--customer") { Description = "Customer id (as in assignments.csv).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the explanation as JSON." };
        var command = new Command("explain", "Explain a customer's segment: confidence, feature z-scores and contributions, runner-up, anomaly flag.");
        command.Options.Add(model);
        command.Options.Add(customer);
        command.Options.Add(json);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await RunAsync(parseResult.GetValue(model)!, parseResult.GetValue(customer)!, parseResult.GetValue(json), Console.Out, cancellationToken);
            return 0;
        });
        return command;
    }

    internal static async Task<CustomerExplanation> RunAsync(DirectoryInfo model, string customerId, bool asJson, TextWriter output, CancellationToken cancellationToken)
    {
        var saved = await SegmentationModelStore.LoadAsync(model.FullName, cancellationToken);
        var explanation = saved.ExplainCustomer(customerId.EndsWith(".0", StringComparison.Ordinal) ? customerId[..^2] : customerId);
        if (asJson)
        {
            output.WriteLine(JsonSerializer.Serialize(explanation, SegmentationModelStore.JsonOptions));
            return explanation;
        }

        var e = explanation;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Customer {e.CustomerId}: segment {e.Segment} \"{e.Persona}\", confidence {e.Confidence:0.00} (distance {e.Distance:0.00}; runner-up {e.RunnerUpSegment} \"{e.RunnerUpPersona}\" at {e.RunnerUpDistance:0.00})"));
        output.WriteLine($"{"feature",-24} {"value",12} {"z",7} {"segment z",10} {"share of distance",18}");
        foreach (var f in e.Features)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{f.Feature,-24} {f.Value,12:0.##} {f.ZScore,7:+0.00;-0.00} {f.SegmentZ,10:+0.00;-0.00} {f.ShareOfDistance,18:P0}"));
        }

        if (e.MovesToRunnerUp.Count > 0)
        {
            output.WriteLine($"To reach \"{e.RunnerUpPersona}\" (the nearest achievable change): "
                + string.Join(", ", e.MovesToRunnerUp.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Feature} {m.From:0.##} → {m.To:0.##}"))));
        }

        output.WriteLine(e.IsAnomaly ? $"ANOMALY (beyond the 99th percentile of training distances): {e.AnomalyDescription}" : "Not an anomaly.");
        return explanation;
    }
}
