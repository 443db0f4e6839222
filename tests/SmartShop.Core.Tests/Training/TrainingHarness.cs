using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Experiments;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Core.Tests.Storage;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

/// <summary>A training runner on Azurite with model names of its own, so tests never share a registry entry or a run log partition.</summary>
internal sealed class TrainingHarness : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    public TrainingHarness(TimeProvider? time = null, Action<TrainingOptions>? configure = null, BlobServiceClient? blobService = null, TableServiceClient? tableService = null)
    {
        Time = time ?? TimeProvider.System;
        Containers = new BlobContainers(blobService ?? StorageEmulators.BlobService());
        Registry = new ModelRegistry(Containers, Time);
        RunLog = new TableDocumentLogStore(tableService ?? StorageEmulators.TableService(), new DocumentLogOptions(), Time);
        Options = new TrainingOptions
        {
            RecommendationsModel = StorageEmulators.UniqueName("rec-"),
            SegmentationModel = StorageEmulators.UniqueName("seg-"),
            CatalogueModel = StorageEmulators.UniqueName("cat-"),
        };
        configure?.Invoke(Options);
        Measurements = new MeasurementRecorder(_meters);
        Telemetry = new SmartShopTelemetry(_meters);
        Experiments = new ExperimentStore(Containers);
        Runner = new TrainingRunner(Containers, Registry, RunLog, Telemetry, Options, Time, Logs, TrainingFiles.FastRecipes, experiments: Experiments);
    }

    public TimeProvider Time { get; }

    public BlobContainers Containers { get; }

    public ModelRegistry Registry { get; }

    public TableDocumentLogStore RunLog { get; }

    public TrainingOptions Options { get; }

    public MeasurementRecorder Measurements { get; }

    public SmartShopTelemetry Telemetry { get; }

    public ExperimentStore Experiments { get; }

    public TrainingRunner Runner { get; }

    public RecordingLogger Logs { get; } = new();

    /// <summary>The custom events (Application Insights customEvents) the runner logged, by name.</summary>
    public IReadOnlyList<string> CustomEvents => Logs.Records
        .SelectMany(r => r.Where(kv => kv.Key == TrainingRunner.CustomEventAttribute).Select(kv => kv.Value?.ToString() ?? ""))
        .ToList();

    /// <summary>Uploads <paramref name="content"/> to training-data under a unique name; returns the name.</summary>
    public async Task<string> UploadAsync(byte[] content, string extension = ".csv.gz")
    {
        var name = StorageEmulators.UniqueName("upload-") + extension;
        var container = await Containers.GetAsync(BlobContainers.TrainingData);
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content));
        return name;
    }

    public async Task<BlobClient> BlobAsync(string container, string name) => (await Containers.GetAsync(container)).GetBlobClient(name);

    public async Task<TrainingRunReport> UploadAndRunAsync(byte[] content, string extension = ".csv.gz") =>
        await Runner.RunFromBlobAsync(await UploadAsync(content, extension));

    public void Dispose()
    {
        Measurements.Dispose();
        Telemetry.Dispose();
        _meters.Dispose();
    }
}

/// <summary>Keeps every log record's structured state.</summary>
internal sealed class RecordingLogger : ILogger<TrainingRunner>
{
    private readonly List<IReadOnlyList<KeyValuePair<string, object?>>> _records = [];

    public IReadOnlyList<IReadOnlyList<KeyValuePair<string, object?>>> Records
    {
        get
        {
            lock (_records)
            {
                return _records.ToList();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_records)
        {
            _records.Add(state as IReadOnlyList<KeyValuePair<string, object?>> ?? []);
        }
    }
}
