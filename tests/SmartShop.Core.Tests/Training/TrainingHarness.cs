using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Core.Tests.Storage;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

/// <summary>A training runner on Azurite with model names of its own, so tests never share a registry entry or a run log partition.</summary>
internal sealed class TrainingHarness : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    public TrainingHarness(TimeProvider? time = null, Action<TrainingOptions>? configure = null)
    {
        Time = time ?? TimeProvider.System;
        Containers = new BlobContainers(StorageEmulators.BlobService());
        Registry = new ModelRegistry(Containers, Time);
        RunLog = new TableDocumentLogStore(StorageEmulators.TableService(), new DocumentLogOptions(), Time);
        Options = new TrainingOptions
        {
            RecommendationsModel = StorageEmulators.UniqueName("rec-"),
            SegmentationModel = StorageEmulators.UniqueName("seg-"),
            CatalogueModel = StorageEmulators.UniqueName("cat-"),
        };
        configure?.Invoke(Options);
        Measurements = new MeasurementRecorder(_meters);
        Telemetry = new SmartShopTelemetry(_meters);
        Runner = new TrainingRunner(Containers, Registry, RunLog, Telemetry, Options, Time, NullLogger<TrainingRunner>.Instance, TrainingFiles.FastRecipes);
    }

    public TimeProvider Time { get; }

    public BlobContainers Containers { get; }

    public ModelRegistry Registry { get; }

    public TableDocumentLogStore RunLog { get; }

    public TrainingOptions Options { get; }

    public MeasurementRecorder Measurements { get; }

    public SmartShopTelemetry Telemetry { get; }

    public TrainingRunner Runner { get; }

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
