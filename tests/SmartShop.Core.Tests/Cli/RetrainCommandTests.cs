using SmartShop.Cli.Commands;
using SmartShop.Core.Tests.Storage;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Cli;

public sealed class RetrainCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("retrain-cli-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task ABadFileIsUploadedRunAndReportedAsFailedWithItsReason()
    {
        var file = new FileInfo(Path.Combine(_directory.FullName, "sales.csv"));
        await File.WriteAllTextAsync(file.FullName, "InvoiceNo,StockCode,Amount\n536365,85123A,3\n");
        var options = new TrainingOptions { RecommendationsModel = StorageEmulators.UniqueName("rec-") };
        using var console = new StringWriter();

        var report = await RetrainCommand.RunAsync(file, StorageEmulators.UniqueName("cli-") + ".csv", StorageEmulators.StorageConnectionString, options, console, CancellationToken.None);

        report.Decision.Should().Be(TrainingDecision.Failed);
        console.ToString().Should().Contain("uploaded sales.csv").And.Contain(": failed").And.Contain("missing required column(s): Quantity");
    }

    [Fact]
    public async Task AMissingFileIsAClearError()
    {
        var run = () => RetrainCommand.RunAsync(new FileInfo(Path.Combine(_directory.FullName, "absent.csv")), "absent.csv", StorageEmulators.StorageConnectionString, new TrainingOptions(), TextWriter.Null, CancellationToken.None);

        await run.Should().ThrowAsync<FileNotFoundException>().WithMessage("Training file not found:*absent.csv");
    }
}
