using System.Reflection;

namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>Paths the build bakes into the test assembly: the repository root and the Bicep compiler of the NuGet package.</summary>
internal static class Repository
{
    public static string Root { get; } = Metadata("RepositoryRoot");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The Bicep binary from Azure.Bicep.CommandLine.linux-x64 (restored with the test project).</summary>
    public static string BicepExecutable { get; } = System.IO.Path.GetFullPath(
        Metadata("BicepPath").Replace('\\', System.IO.Path.DirectorySeparatorChar));

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The test assembly lacks the {key} metadata (see the test project file).");
}
