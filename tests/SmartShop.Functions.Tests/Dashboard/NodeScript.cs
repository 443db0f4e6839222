using System.Diagnostics;
using SmartShop.Functions.Tests.Infrastructure;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary>
/// Runs a browser check of dashboard/test with node. Missing tools fail the test with the command that installs them
/// (a browser test that silently skips would prove nothing).
/// </summary>
internal static class NodeScript
{
    public static string Chromium => Environment.GetEnvironmentVariable("SMARTSHOP_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<string> RunAsync(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        File.Exists(Chromium).Should().BeTrue(
            $"the browser tests drive Debian's chromium at {Chromium}: install it with 'sudo apt-get install -y chromium' (scripts/test.sh does when run as root), or set SMARTSHOP_CHROMIUM");
        File.Exists(Repository.Path("node_modules", "playwright-core", "package.json")).Should().BeTrue(
            $"the browser tests need playwright-core from npm: run 'npm ci' in {Repository.Root}");

        var start = new ProcessStartInfo("node") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repository.Path("dashboard", "test", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("The browser tests need Node.js 20+ ('node' on PATH).", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cancellation = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{script} did not finish within {timeout.TotalSeconds:0} s. Output: {await output} {await error}");
            }

            process.ExitCode.Should().Be(0, $"{script} failed:\n{await error}\n{await output}");
            return (await output).Trim().Split('\n')[^1];
        }
    }
}
