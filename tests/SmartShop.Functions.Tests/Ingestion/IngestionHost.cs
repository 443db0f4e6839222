using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using System.Globalization;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Ingestion;

namespace SmartShop.Functions.Tests.Ingestion;

/// <summary>The app's real service registrations against Azurite (SMARTSHOP_TEST_STORAGE), for direct function invocations.</summary>
internal sealed class IngestionHost : IDisposable
{
    private readonly IHost _host;

    public IngestionHost(Dictionary<string, string?>? settings = null)
    {
        var storage = Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddSmartShopServices();
        _host = builder.Build();
        // Only this host's meters: test classes running in parallel have meters of the same name.
        var meterFactory = _host.Services.GetRequiredService<IMeterFactory>();
        _host.Services.GetRequiredService<SmartShopTelemetry>();
        Listener = new MeterListener();
        Listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meterFactory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        Listener.SetMeasurementEventCallback<long>((instrument, measurement, tags, _) => Record(instrument.Name, measurement, tags));
        Listener.SetMeasurementEventCallback<double>((instrument, measurement, tags, _) => Record(instrument.Name, measurement, tags));
        Listener.Start();
    }

    public IServiceProvider Services => _host.Services;

    public MeterListener Listener { get; }

    /// <summary>Measurements of this host's meter; the tag shows which source or reason.</summary>
    public List<(string Instrument, double Value, string? Tag)> Measurements { get; } = [];

    public ClickstreamFunction ClickstreamFunction(FailedBatchStore? failedBatches = null, ILogger<ClickstreamFunction>? logger = null) => new(
        Services.GetRequiredService<ClickstreamIngestor>(), failedBatches ?? Services.GetRequiredService<FailedBatchStore>(), Services.GetRequiredService<SmartShopTelemetry>(),
        logger ?? NullLogger<ClickstreamFunction>.Instance);

    public EventsHttpFunction EventsFunction() => new(
        Services.GetRequiredService<ClickstreamIngestor>(), Services.GetRequiredService<SmartShopTelemetry>(),
        Services.GetRequiredService<IOptions<IngestionOptions>>(), NullLogger<EventsHttpFunction>.Instance);

    public IDocumentLogStore ActivityStore => Services.GetRequiredService<IDocumentLogStore>();

    public static string Event(string eventId, string userId, string itemId, string type = "view", int minutesAgo = 1) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"eventId":"{{eventId}}","type":"{{type}}","userId":"{{userId}}","itemId":"{{itemId}}","timestamp":"{{DateTimeOffset.UtcNow.AddMinutes(-minutesAgo):yyyy-MM-ddTHH:mm:ssZ}}"}""");

    public async Task<List<string>> LakeLinesAsync(string blobName, string container = BlobContainers.Events)
    {
        var client = Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(container).GetBlobClient(blobName);
        var content = (await client.DownloadContentAsync()).Value.Content.ToString();
        return content.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    public void Dispose()
    {
        Listener.Dispose();
        _host.Dispose();
    }

    private void Record(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var tag = tags.Length > 0 ? tags[0].Value?.ToString() : null;
        lock (Measurements)
        {
            Measurements.Add((instrument, value, tag));
        }
    }
}

/// <summary>A function context carrying only what the Event Hubs trigger puts in binding data.</summary>
internal sealed class TriggerContext(IReadOnlyDictionary<string, object?> bindingData, RetryContext? retryContext = null) : FunctionContext
{
    public override string InvocationId => "test";
    public override string FunctionId => "IngestClickstream";
    public override TraceContext TraceContext => null!;
    public override BindingContext BindingContext { get; } = new TriggerBindingContext(bindingData);
    public override RetryContext RetryContext => retryContext!;
    public override IServiceProvider InstanceServices { get; set; } = null!;
    public override FunctionDefinition FunctionDefinition => null!;
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => null!;

    private sealed class Retry(int retryCount, int maxRetryCount) : RetryContext
    {
        public override int RetryCount => retryCount;
        public override int MaxRetryCount => maxRetryCount;
    }

    private sealed class TriggerBindingContext(IReadOnlyDictionary<string, object?> bindingData) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } = bindingData;
    }

    /// <summary>This context on the given retry of the policy's <paramref name="maxRetryCount"/> (the host's RetryContext).</summary>
    public TriggerContext OnRetry(int retryCount, int maxRetryCount) => new(BindingContext.BindingData, new Retry(retryCount, maxRetryCount));

    /// <summary>Binding data as the Event Hubs extension sends it: JSON text per key.</summary>
    public static TriggerContext ForPartition(string partitionId, long firstSequenceNumber, int count, DateTimeOffset enqueuedAt) =>
        new(new Dictionary<string, object?>
        {
            ["PartitionContext"] = $$"""{"ConsumerGroup":"smartshop","EventHubName":"clickstream","PartitionId":"{{partitionId}}"}""",
            ["SystemPropertiesArray"] = "[" + string.Join(',', Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture,
                $$"""{"SequenceNumber":{{firstSequenceNumber + i}},"Offset":"{{i * 100}}","EnqueuedTimeUtc":"{{enqueuedAt.UtcDateTime:O}}","PartitionKey":null}"""))) + "]",
        }.ToImmutableDictionary());
}
