using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Azure.Cosmos;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Tests.Storage;

/// <summary>
/// The real local emulators these tests run against, found through SMARTSHOP_TEST_STORAGE (Azurite connection
/// string) and SMARTSHOP_TEST_COSMOS_ENDPOINT. A missing emulator makes the tests fail, never skip.
/// </summary>
internal static class StorageEmulators
{
    public static string StorageConnectionString =>
        Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";

    public static Uri CosmosEndpoint =>
        new(Environment.GetEnvironmentVariable("SMARTSHOP_TEST_COSMOS_ENDPOINT") is { Length: > 0 } value ? value : "https://127.0.0.1:8081/");

    /// <param name="policies">Extra per-call pipeline policies (tests that need to hold a request back).</param>
    public static BlobServiceClient BlobService(params HttpPipelinePolicy[] policies)
    {
        var options = new BlobClientOptions();
        ConfigureFastFailure(options);
        foreach (var policy in policies)
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerCall);
        }
        return new BlobServiceClient(StorageConnectionString, options);
    }

    /// <param name="policies">Extra per-call pipeline policies (tests that inject faults).</param>
    public static TableServiceClient TableService(params HttpPipelinePolicy[] policies)
    {
        var options = new TableClientOptions();
        ConfigureFastFailure(options);
        foreach (var policy in policies)
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerCall);
        }
        return new TableServiceClient(StorageConnectionString, options);
    }

    public static CosmosClient CosmosClient() => CosmosDocumentLogStore.CreateClient(CosmosEndpoint, credential: null);

    /// <summary>A unique lower-case name, so parallel test classes never share a model, user or database.</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 12, 63)];

    // An absent emulator should fail a test in seconds, not after the SDK's default back-off.
    private static void ConfigureFastFailure(ClientOptions options)
    {
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(15);
    }
}

/// <summary>A clock the test sets.</summary>
public sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Creates meters the test can tell apart from those of tests running in parallel.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public IReadOnlyList<Meter> Meters => _meters;

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

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

/// <summary>Collects the measurements of the meters one <see cref="TestMeterFactory"/> created.</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<RecordedMeasurement> _measurements = [];

    public MeasurementRecorder(TestMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<RecordedMeasurement> Measurements
    {
        get
        {
            lock (_measurements)
            {
                return _measurements.ToList();
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dimensions = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            dimensions[tag.Key] = tag.Value?.ToString();
        }

        lock (_measurements)
        {
            _measurements.Add(new RecordedMeasurement(instrument.Name, value, dimensions));
        }
    }
}

internal sealed record RecordedMeasurement(string Name, double Value, IReadOnlyDictionary<string, string?> Tags);
