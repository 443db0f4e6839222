using System.Diagnostics;

namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>Runs the Bicep compiler restored from NuGet; fails with a clear message when it cannot run here.</summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static BicepResult Run(params string[] arguments)
    {
        var executable = Repository.BicepExecutable;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Bicep compiler not found at {executable}: restore the test project (package Azure.Bicep.CommandLine.linux-x64, a linux-x64 binary).");
        }

        EnsureExecutable(executable);
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Offline and quiet: no telemetry, no update checks.
        startInfo.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    // NuGet extraction does not always keep the executable bit of package content.
    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
        }
    }
}

internal sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Diagnostics => (StandardOutput + StandardError).Trim();
}
