using System.CommandLine;
using SmartShop.Core.Reporting;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop report --run dir --out report.html`: a self-contained HTML report of a segmentation or training run.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "Output directory of `smartshop segment` (segments.json) or `smartshop train` (a model bundle).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "The HTML file to write.", Required = true };
        var command = new Command("report", "Write a self-contained HTML report (charts inlined, no network needed) for a segmentation or training run.");
        command.Options.Add(run);
        command.Options.Add(output);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await RunAsync(parseResult.GetValue(run)!, parseResult.GetValue(output)!, Console.Out, cancellationToken);
            return 0;
        });
        return command;
    }

    internal static async Task RunAsync(DirectoryInfo run, FileInfo output, TextWriter console, CancellationToken cancellationToken)
    {
        await RunReport.WriteAsync(run.FullName, output.FullName, cancellationToken);
        await console.WriteLineAsync($"Wrote {output.FullName}");
    }
}
