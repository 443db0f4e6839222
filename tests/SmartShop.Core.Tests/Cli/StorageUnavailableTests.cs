using SmartShop.Cli;

namespace SmartShop.Core.Tests.Cli;

/// <summary>The commands that need a storage account, run as a user would against an address where nothing listens.</summary>
public sealed class StorageUnavailableTests : IDisposable
{
    // Port 9 (discard) on loopback: nothing listens there on these machines, so every request is refused at once.
    private const string DeadStorage =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        + "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("cli-storage-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData("retrain", "--data", "sales.csv")]
    [InlineData("replay", "--events", "events.jsonl")]
    [InlineData("simulate", "--out", "simulated")]
    public async Task ACommandWhoseStorageDoesNotAnswerPrintsOneLineNamingTheEndpointAndExits2(string command, string option, string file)
    {
        var path = Path.Combine(_directory.FullName, file);
        await File.WriteAllTextAsync(path, file.EndsWith(".csv", StringComparison.Ordinal)
            ? "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n1,A,x,1,2011-01-01 10:00:00,1.0,c1,UK\n"
            : """{"eventId":"e1","type":"view","userId":"u","itemId":"i","timestamp":"2026-12-01T00:00:00Z"}""" + "\n");

        string[] small = command == "simulate" ? ["--customers", "50", "--days", "1"] : [];
        var (exitCode, error) = await CliProcess.RunAsync([command, option, path, "--storage", DeadStorage, .. small]);

        exitCode.Should().Be(CommandLineRunner.InputError);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle("one precise line, never a stack trace").Which.Should()
            .StartWith("error: storage did not answer").And.Contain("127.0.0.1:9").And.Contain("bash scripts/emulators.sh start");
    }
}
