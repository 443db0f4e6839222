using System.CommandLine;
using System.Security.Cryptography;
using SmartShop.Cli;
using SmartShop.Cli.Commands;
using SmartShop.Core.Synthetic;

namespace SmartShop.Core.Tests.Cli;

public sealed class GenerateCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("generate-cli-");

    public void Dispose() => _directory.Delete(recursive: true);

    private static Task<int> Invoke(params string[] args)
    {
        var root = new RootCommand("test");
        root.Subcommands.Add(GenerateCommand.Create());
        return CommandLineRunner.RunAsync(root, ["generate", .. args]);
    }

    [Fact]
    public async Task WritesTheFiveFilesAndTheSameSeedGivesTheSameBytes()
    {
        string[] args = ["--customers", "50", "--products", "40", "--days", "14", "--seed", "9", "--dirt-rate", "0.05", "--start", "2023-06-05"];
        var first = Path.Combine(_directory.FullName, "a");
        var second = Path.Combine(_directory.FullName, "b");

        (await Invoke([.. args, "--out", first])).Should().Be(0);
        (await Invoke([.. args, "--out", second])).Should().Be(0);

        string[] files = [SyntheticRetailGenerator.CatalogueFile, SyntheticRetailGenerator.TransactionsFile, SyntheticRetailGenerator.EventsFile,
            SyntheticRetailGenerator.RetailRocketEventsFile, SyntheticRetailGenerator.GroundTruthFile];
        foreach (var file in files)
        {
            var a = await File.ReadAllBytesAsync(Path.Combine(first, file));
            SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(second, file))).Should().Equal(SHA256.HashData(a), file);
            a.Length.Should().BeGreaterThan(40, file);
        }
        (await File.ReadAllLinesAsync(Path.Combine(first, SyntheticRetailGenerator.TransactionsFile)))[1].Should().Contain("2023-06-05 ");
    }

    [Theory]
    [InlineData("--start", "05/06/2023")]
    [InlineData("--dirt-rate", "0.9")]
    [InlineData("--products", "3")]
    public async Task BadArgumentsEndWithTheInputErrorCode(string option, string value)
    {
        var exitCode = await Invoke("--out", Path.Combine(_directory.FullName, "bad"), option, value);

        exitCode.Should().Be(CommandLineRunner.InputError);
    }
}
