using System.Diagnostics;
using SmartShop.Cli;

namespace SmartShop.Core.Tests.Cli;

/// <summary>Runs the CLI as a user would, in its own process: the exit code and what it wrote to stderr.</summary>
internal static class CliProcess
{
    public static async Task<(int ExitCode, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(CommandLineRunner).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // A bound on how long to wait for a hung process, not a speed requirement.
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        await output;
        return (process.ExitCode, await error);
    }
}
