using System.CommandLine;
using System.Diagnostics.Metrics;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Core.Training;

namespace SmartShop.Cli.Commands;

/// <summary>
/// `smartshop retrain`: uploads a training file to a storage account's training-data container and runs the same
/// training run the Functions app runs (champion/challenger, registry, run log), printing the report.
/// </summary>
internal static class RetrainCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data") { Description = "Training file: transactions CSV(.gz), clickstream JSON lines, RetailRocket events CSV or a catalogue CSV.", Required = true };
        var storage = new Option<string>("--storage") { Description = "Storage connection string (models, training data and the Table run log).", DefaultValueFactory = _ => "UseDevelopmentStorage=true" };
        var blobName = new Option<string?>("--blob-name") { Description = "Name in the training-data container (default: the file's name)." };
        var holdoutDays = new Option<int>("--holdout-days") { Description = "Days at the end of the data held out for the champion/challenger comparison.", DefaultValueFactory = _ => new TrainingOptions().HoldoutDays };
        var primaryMetric = new Option<string>("--primary-metric") { Description = "Metric that decides promotion, e.g. ndcg@10/all.", DefaultValueFactory = _ => new TrainingOptions().PrimaryMetric };
        var tolerance = new Option<double>("--tolerance") { Description = "How much worse than the champion the challenger may be and still be promoted.", DefaultValueFactory = _ => new TrainingOptions().Tolerance };
        var command = new Command("retrain", "Upload a training file and run champion/challenger retraining against a storage account (e.g. Azurite).");
        foreach (var option in new Option[] { data, storage, blobName, holdoutDays, primaryMetric, tolerance })
        {
            command.Options.Add(option);
        }
        var dataOptions = new DataOptions();
        dataOptions.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var file = parseResult.GetValue(data)!;
            var options = new TrainingOptions
            {
                HoldoutDays = parseResult.GetValue(holdoutDays),
                PrimaryMetric = parseResult.GetValue(primaryMetric)!,
                Tolerance = parseResult.GetValue(tolerance),
                Data = dataOptions.ReadSettings(parseResult),
            };
            var report = await RunAsync(file, parseResult.GetValue(blobName) ?? file.Name, parseResult.GetValue(storage)!, options, Console.Out, cancellationToken).ConfigureAwait(false);
            return report.Decision == TrainingDecision.Failed ? CommandLineRunner.InputError : 0;
        });
        return command;
    }

    internal static async Task<TrainingRunReport> RunAsync(FileInfo file, string blobName, string connectionString, TrainingOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new FileNotFoundException($"Training file not found: {file.FullName}", file.FullName);
        }
        options.Validate();
        var (blobs, tables) = CliStorage.Clients(connectionString);
        var containers = new BlobContainers(blobs);
        var registry = new ModelRegistry(containers, TimeProvider.System);
        var runLog = new TableDocumentLogStore(tables, new DocumentLogOptions(), TimeProvider.System);
        using var meters = new ProcessMeterFactory();
        using var telemetry = new SmartShopTelemetry(meters);
        // Erased customers (smartshop customer-data erase) are dropped from the run, as in the Functions app.
        var erased = new Core.Privacy.ErasedCustomers(tables, TimeProvider.System, TimeSpan.Zero);
        var runner = new TrainingRunner(containers, registry, runLog, telemetry, options, TimeProvider.System, NullLogger<TrainingRunner>.Instance, erasedCustomers: erased);

        var trainingData = await containers.GetAsync(BlobContainers.TrainingData, cancellationToken).ConfigureAwait(false);
        await trainingData.GetBlobClient(blobName).UploadAsync(file.FullName, overwrite: true, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"uploaded {file.Name} ({file.Length:N0} bytes) to {BlobContainers.TrainingData}/{blobName}");
        var report = await runner.RunFromBlobAsync(blobName, cancellationToken).ConfigureAwait(false);
        Write(report, output);
        return report;
    }

    internal static void Write(TrainingRunReport report, TextWriter output)
    {
        output.WriteLine($"run {report.RunId}{(report.IsDuplicate ? " (duplicate: this content was already run)" : "")}: {report.Decision.ToString().ToLowerInvariant()}");
        output.WriteLine(report.Message);
        if (report.Error is not null)
        {
            output.WriteLine($"note: {report.Error}");
        }
        if (report.RecommendationsVersion is not null)
        {
            output.WriteLine($"recommendations version {report.RecommendationsVersion}; segmentation version {report.SegmentationVersion ?? "none"}; champion {report.ChampionVersion ?? "none"}");
        }
        if (report.ChallengerMetrics.Count > 0)
        {
            output.WriteLine($"{"metric",-20} {"challenger",10} {"champion",10}");
            foreach (var (name, value) in report.ChallengerMetrics)
            {
                var champion = report.ChampionMetrics?.TryGetValue(name, out var c) == true ? c.ToString("F4", CultureInfo.InvariantCulture) : "-";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} {value,10:F4} {champion,10}"));
            }
        }
        foreach (var (name, value) in report.SegmentationMetrics)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"segmentation {name}: {value:0.####}"));
        }
        foreach (var (name, value) in report.DataSummary)
        {
            output.WriteLine($"{name}: {value}");
        }
    }

    /// <summary>The CLI exports no metrics; the runner still needs somewhere to record them.</summary>
    private sealed class ProcessMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
