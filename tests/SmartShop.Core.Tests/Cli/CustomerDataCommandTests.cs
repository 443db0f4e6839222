using System.CommandLine;
using System.Text.Json;
using SmartShop.Cli;
using SmartShop.Cli.Commands;
using SmartShop.Core.Privacy;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;

namespace SmartShop.Core.Tests.Cli;

public sealed class CustomerDataCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("customer-data-cli-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task ExportWritesTheCustomersDataAndEraseRemovesIt()
    {
        var customer = StorageEmulators.UniqueName("cli-cust-");
        var store = new TableDocumentLogStore(StorageEmulators.TableService(), new DocumentLogOptions(), TimeProvider.System);
        await store.AppendActivityAsync(customer, [new UserActivity("85123A", "purchase", DateTimeOffset.UtcNow)]);
        var options = new CustomerDataOptions { LakeScanDays = 1 };

        using var exported = new StringWriter();
        await CustomerDataCommand.RunAsync(erase: false, customer, StorageEmulators.StorageConnectionString, null, options, exported, CancellationToken.None);
        using var erased = new StringWriter();
        await CustomerDataCommand.RunAsync(erase: true, customer, StorageEmulators.StorageConnectionString, null, options, erased, CancellationToken.None);

        using var export = JsonDocument.Parse(exported.ToString());
        export.RootElement.GetProperty("customerId").GetString().Should().Be(customer);
        export.RootElement.GetProperty("recentActivity")[0].GetProperty("itemId").GetString().Should().Be("85123A");
        using var report = JsonDocument.Parse(erased.ToString());
        report.RootElement.GetProperty("recentActivityDeleted").GetBoolean().Should().BeTrue();
        (await store.GetRecentActivityAsync(customer)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("export", "has space")]
    [InlineData("erase", "a/b")]
    [InlineData("erase", "")]
    public async Task ABadCustomerIdIsOneLineAndExitCode2(string subcommand, string customerId)
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            var root = new RootCommand("test");
            root.Subcommands.Add(CustomerDataCommand.Create());
            // An unreachable account: the id is refused before any storage call.
            (await CommandLineRunner.RunAsync(root, ["customer-data", subcommand, "--customer", customerId, "--storage", "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1:1"]))
                .Should().Be(CommandLineRunner.InputError);
        }
        finally
        {
            Console.SetError(original);
        }

        error.ToString().Should().Contain("customer id must be 1-128 characters").And.NotContain("storage did not answer");
        error.ToString().TrimEnd().Split('\n').Should().ContainSingle();
    }
}
