using System.CommandLine;
using System.Text.Json;
using Azure.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using SmartShop.Core.Privacy;
using SmartShop.Core.Storage;
using SmartShop.Core.Training;

namespace SmartShop.Cli.Commands;

/// <summary>
/// `smartshop customer-data export|erase --customer &lt;id&gt;`: the data-subject requests of the admin routes
/// (<c>GET/DELETE /api/v1/customers/{id}/data</c>), run against a storage account with the same Core workflow.
/// </summary>
internal static class CustomerDataCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var command = new Command("customer-data", "Export (data access) or erase everything held about one customer in a storage account (e.g. Azurite).");
        command.Subcommands.Add(Subcommand("export", "Write everything held about the customer as one JSON document.", erase: false));
        command.Subcommands.Add(Subcommand("erase", "Delete and rewrite everything held about the customer and record the erasure; prints what was deleted per store.", erase: true));
        return command;
    }

    private static Command Subcommand(string name, string description, bool erase)
    {
        var customer = new Option<string>("--customer") { Description = $"The customer id ({ClickstreamRule}).", Required = true };
        var storage = new Option<string>("--storage") { Description = "Storage connection string (blobs, the Table document logs and the erased-customers table).", DefaultValueFactory = _ => "UseDevelopmentStorage=true" };
        var cosmos = new Option<Uri?>("--cosmos-endpoint") { Description = "The Cosmos DB account of the document logs, when the app uses one (loopback: the local emulator; otherwise Entra ID via DefaultAzureCredential)." };
        var lakeDays = new Option<int>("--lake-days") { Description = "Days of event-lake and dead-letter hours to scan, back from now.", DefaultValueFactory = _ => new CustomerDataOptions().LakeScanDays };
        var output = new Option<FileInfo?>("--out") { Description = "Write the JSON document to this file instead of standard output." };
        var command = new Command(name, description);
        foreach (var option in new Option[] { customer, storage, cosmos, lakeDays, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var file = parseResult.GetValue(output);
            var options = new CustomerDataOptions { LakeScanDays = parseResult.GetValue(lakeDays) };
            var id = parseResult.GetValue(customer)!;
            var writer = file is null ? Console.Out : new StreamWriter(file.FullName);
            try
            {
                await RunAsync(erase, id, parseResult.GetValue(storage)!, parseResult.GetValue(cosmos), options, writer, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (file is not null)
                {
                    await writer.DisposeAsync().ConfigureAwait(false);
                }
            }

            if (file is not null)
            {
                Console.WriteLine($"{(erase ? "erasure report" : "export")} written to {file.FullName}");
            }

            return 0;
        });
        return command;
    }

    private const string ClickstreamRule = Core.Ingestion.ClickstreamEventValidator.IdRule;

    /// <summary>Runs the export or the erasure and writes its JSON document to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">A bad customer id or option (checked before any storage call).</exception>
    internal static async Task RunAsync(bool erase, string customerId, string connectionString, Uri? cosmosEndpoint, CustomerDataOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        CustomerDataService.Validate(customerId);
        try
        {
            options.Validate();
        }
        catch (System.ComponentModel.DataAnnotations.ValidationException e)
        {
            throw new ArgumentException($"--lake-days: {e.Message}", e);
        }

        var (blobs, tables) = CliStorage.Clients(connectionString);
        var containers = new BlobContainers(blobs);
        var logOptions = new DocumentLogOptions();
        using var cosmos = cosmosEndpoint is null ? null : CosmosDocumentLogStore.CreateClient(cosmosEndpoint, new DefaultAzureCredential());
        IDocumentLogStore store = cosmos is null
            ? new TableDocumentLogStore(tables, logOptions, TimeProvider.System)
            : new CosmosDocumentLogStore(cosmos, new CosmosOptions().DatabaseName, logOptions, TimeProvider.System);
        var training = new TrainingOptions();
        var service = new CustomerDataService(
            store, containers, new ModelRegistry(containers, TimeProvider.System), new ErasedCustomers(tables, TimeProvider.System, TimeSpan.Zero),
            options, TimeProvider.System, NullLogger<CustomerDataService>.Instance, training.RecommendationsModel, training.SegmentationModel);
        object document = erase
            ? await service.EraseAsync(customerId, cancellationToken).ConfigureAwait(false)
            : await service.ExportAsync(customerId, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(JsonSerializer.Serialize(document, document.GetType(), Json)).ConfigureAwait(false);
    }
}
