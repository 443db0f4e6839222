using SmartShop.Cli;
using SmartShop.Core.Synthetic;

namespace SmartShop.Core.Tests.Cli;

/// <summary>`smartshop clv` run as a user would, on a synthetic shop.</summary>
public sealed class ClvCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("cli-clv-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task ItWritesEachCustomersValueAndTheTemporalCheckComparesPredictors()
    {
        SyntheticRetailGenerator.WriteFiles(new SyntheticRetailOptions { Customers = 300, Days = 180, Seed = 3 }, _directory.FullName);
        var data = Path.Combine(_directory.FullName, SyntheticRetailGenerator.TransactionsFile);
        var output = Path.Combine(_directory.FullName, "clv");

        var (exitCode, error) = await CliProcess.RunAsync("clv", "--data", data, "--out", output, "--horizon-days", "60");

        exitCode.Should().Be(0, error);
        var lines = await File.ReadAllLinesAsync(Path.Combine(output, "clv.csv"));
        lines[0].Should().Be("customer,p_alive,expected_purchases,expected_spend,clv");
        lines.Length.Should().BeGreaterThan(200);
        lines.Skip(1).Select(l => l.Split(',')).Should().AllSatisfy(f =>
        {
            var p = double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture);
            p.Should().BeInRange(0, 1);
            double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture).Should().BeLessThanOrEqualTo(double.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture) + 0.01, "discounting never adds value");
        });
        File.Exists(Path.Combine(output, "summary.txt")).Should().BeTrue();

        (exitCode, error) = await CliProcess.RunAsync("clv", "--data", data, "--train-before", "2024-05-01", "--horizon-days", "60");
        exitCode.Should().Be(0, error);
    }

    [Theory]
    [InlineData("--horizon-days", "0", "--horizon-days")]
    [InlineData("--train-before", "soon", "--train-before")]
    public async Task ABadOptionIsOneLineAndExitCode2(string option, string value, string named)
    {
        var data = Path.Combine(_directory.FullName, "t.csv");
        await File.WriteAllTextAsync(data, "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n1,A,x,1,2011-01-01 10:00:00,1.0,c1,UK\n");

        var (exitCode, error) = await CliProcess.RunAsync("clv", "--data", data, option, value);

        exitCode.Should().Be(CommandLineRunner.InputError);
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle().Which.Should().StartWith("error:").And.Contain(named);
    }
}
