using System.Buffers;
using System.Diagnostics.Metrics;
using System.IO.Compression;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Core.Training;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Infrastructure;
using SmartShop.Functions.Training;

namespace SmartShop.Functions.Tests.Training;

/// <summary>
/// The app's real registrations against Azurite (<see cref="ApiHost"/>: a model registry container of its own) with
/// light training recipes (no ALS, a small ranker, k = 3): these tests check the triggers, not model quality.
/// Not started; tests invoke functions and services directly.
/// </summary>
public sealed class TrainingHost : IDisposable
{
    internal static readonly TrainingRecipes LightRecipes = new()
    {
        Recommender = new RecommenderOptions
        {
            Als = null,
            RankerLabelWindowsDays = [30],
            Ranker = new RankerOptions { Trees = 10, EnsembleSize = 1 },
            MaxDegreeOfParallelism = 2,
        },
        Segmentation = new SegmentationOptions { K = 3, StabilityRuns = 0, FinalRestarts = 2 },
    };

    private readonly ApiHost _host;
    private readonly MeterListener _listener = new();

    /// <param name="now">A fixed clock, so lake windows hold only the events a test wrote (other classes write "now").</param>
    public TrainingHost(Dictionary<string, string?>? settings = null, DateTimeOffset? now = null)
    {
        _host = new ApiHost(settings, services =>
        {
            services.AddSingleton(LightRecipes);
            if (now is { } fixedNow)
            {
                services.AddSingleton<TimeProvider>(new FixedTimeProvider(fixedNow));
            }
        });

        // Only this host's meter: test classes running in parallel have meters of the same name.
        var meterFactory = _host.Services.GetRequiredService<IMeterFactory>();
        _host.Services.GetRequiredService<SmartShopTelemetry>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meterFactory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, measurement, tags, _) => Record(instrument.Name, measurement, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, measurement, tags, _) => Record(instrument.Name, measurement, tags));
        _listener.Start();
    }

    public IServiceProvider Services => _host.Services;

    public ModelRegistry Registry => Services.GetRequiredService<ModelRegistry>();

    public TrainingOptions TrainingOptions => Services.GetRequiredService<IOptions<TrainingOptions>>().Value;

    /// <summary>Measurements of this host's meter with their feature (or first) tag.</summary>
    public List<(string Instrument, double Value, string? Feature)> Measurements { get; } = [];

    public T Create<T>() => _host.Create<T>();

    public async Task<BlobContainerClient> TrainingDataAsync() =>
        await Services.GetRequiredService<BlobContainers>().GetAsync(BlobContainers.TrainingData);

    /// <summary>
    /// The first <paramref name="rows"/> rows of the bundled sample as a gzip CSV, plus one row that makes the content
    /// unique so no other test's run of the same rows counts as a duplicate.
    /// </summary>
    public static async Task<BinaryData> UniqueSampleAsync(int rows = 8_000)
    {
        var text = new StringBuilder();
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(Repository.Path("samples", "online-retail-sample.csv.gz")), CompressionMode.Decompress)))
        {
            for (var i = 0; i <= rows && await reader.ReadLineAsync() is { } line; i++)
            {
                text.Append(line).Append('\n');
            }
        }

        text.Append($"T{Guid.NewGuid():N},22423,REGENCY CAKESTAND 3 TIER,1,2010-12-01 08:00:00,12.75,12346.0,United Kingdom\n");
        using var content = new MemoryStream();
        await using (var gzip = new GZipStream(content, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
        }

        return new BinaryData(content.ToArray());
    }

    /// <summary>Uploads <paramref name="content"/> to the training-data container under a new unique name.</summary>
    public async Task<string> UploadAsync(BinaryData content)
    {
        var name = $"test-{Guid.NewGuid():N}.csv.gz";
        var container = await TrainingDataAsync();
        await container.GetBlobClient(name).UploadAsync(content);
        return name;
    }

    public void Dispose()
    {
        _listener.Dispose();
        _host.Dispose();
    }

    /// <summary>Writes events to the lake as one batch per UTC day, partitioned at the day's first event (as ingestion does).</summary>
    public async Task WriteLakeAsync(IEnumerable<ClickstreamEvent> events)
    {
        var writer = Services.GetRequiredService<EventLakeWriter>();
        foreach (var day in events.GroupBy(e => e.Timestamp.UtcDateTime.Date))
        {
            var lines = day.Select(e =>
            {
                var buffer = new ArrayBufferWriter<byte>();
                ClickstreamEventJson.WriteLine(buffer, e);
                return Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n');
            }).ToList();
            await writer.WriteAcceptedAsync(EventBatchId.FromContent(lines), day.Min(e => e.Timestamp), lines);
        }
    }

    private void Record(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? feature = null;
        foreach (var tag in tags)
        {
            if (tag.Key == SmartShopTelemetry.Tags.Feature || feature is null)
            {
                feature = tag.Value?.ToString();
            }
        }

        lock (Measurements)
        {
            Measurements.Add((instrument, value, feature));
        }
    }
}

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
