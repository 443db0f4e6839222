using System.Diagnostics;
using SmartShop.Functions.Tests.Infrastructure;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary>
/// dashboard/dist is committed so that no .NET build needs Node.js; this rebuilds it from dashboard/src with the
/// locked esbuild and fails when the committed bundle is stale.
/// </summary>
public sealed class DashboardBundleTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("smartshop-bundle-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public async Task TheCommittedBundleIsWhatTheSourcesBuild()
    {
        File.Exists(Repository.Path("node_modules", "esbuild", "package.json")).Should().BeTrue($"rebuilding the bundle needs esbuild: run 'npm ci' in {Repository.Root}");
        var start = new ProcessStartInfo("node") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repository.Path("dashboard", "build.mjs"));
        start.Environment["DASHBOARD_OUT"] = _out;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        process.ExitCode.Should().Be(0, await error);

        var committed = Repository.Path("dashboard", "dist");
        var built = Directory.GetFiles(_out).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        built.Should().Equal(Directory.GetFiles(committed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in built)
        {
            var fresh = await File.ReadAllBytesAsync(Path.Combine(_out, name!));
            var kept = await File.ReadAllBytesAsync(Path.Combine(committed, name!));
            fresh.AsSpan().SequenceEqual(kept).Should().BeTrue($"dashboard/dist/{name} must match its sources: run 'npm run build:dashboard' and commit dashboard/dist");
        }
    }
}
