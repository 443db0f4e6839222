using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;

namespace SmartShop.Benchmarks.Ingestion;

/// <summary>
/// One 1,000-event Event Hubs batch through the whole pipeline into Azurite: validation, lake blob, recent activity
/// of 200 users, the dedupe ledger and the batch record (bar: ≤ 250 ms). Every iteration sends a batch of new event
/// ids, from 200 users never seen (<see cref="NewBatchOf1000Events"/>) or from the same 200 users each time
/// (<see cref="NewBatchOf1000EventsFromReturningUsers"/>); <see cref="RedeliveredBatch"/> sends a batch already
/// stored; <see cref="NewBatchOf1000AttributedEvents"/> is a v2 batch in which every event counts for a recommendation
/// (a view, a click and an add-to-cart naming an answer, then a purchase attributed by its click), so attribution
/// writes its facts. Needs Azurite: SMARTSHOP_TEST_STORAGE or the default ports (scripts/emulators.sh start).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, warmupCount: 2, iterationCount: 15)]
public class ClickstreamIngestionBenchmarks
{
    private const int BatchSize = 1_000;
    private const int Users = 200;

    // Users the setup batch creates; the returning-users benchmark sends events of theirs.
    private static readonly string ReturningUsers = "u" + Guid.NewGuid().ToString("N")[..10];

    private ClickstreamIngestor _ingestor = null!;
    private ClickstreamBatch _next = null!;
    private ClickstreamBatch _stored = null!;

    [GlobalSetup]
    public void Setup()
    {
        var storage = Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";
        var tables = new TableServiceClient(storage);
        _ingestor = new ClickstreamIngestor(
            new ClickstreamEventValidator(),
            new EventLakeWriter(new BlobContainers(new BlobServiceClient(storage))),
            new TableDocumentLogStore(tables, new DocumentLogOptions(), TimeProvider.System),
            new ProcessedEventLedger(tables),
            TimeProvider.System);
        _stored = NewBatch(ReturningUsers);
        _ingestor.IngestAsync(_stored).GetAwaiter().GetResult();
    }

    [IterationSetup(Targets = [nameof(NewBatchOf1000Events)])]
    public void PrepareNewBatch() => _next = NewBatch();

    [IterationSetup(Targets = [nameof(NewBatchOf1000AttributedEvents)])]
    public void PrepareAttributedBatch() => _next = NewAttributedBatch();

    [IterationSetup(Targets = [nameof(NewBatchOf1000EventsFromReturningUsers)])]
    public void PrepareBatchFromReturningUsers() => _next = NewBatch(ReturningUsers);

    [Benchmark]
    public int NewBatchOf1000Events() => _ingestor.IngestAsync(_next).GetAwaiter().GetResult().Accepted;

    [Benchmark]
    public int NewBatchOf1000EventsFromReturningUsers() => _ingestor.IngestAsync(_next).GetAwaiter().GetResult().Accepted;

    [Benchmark]
    public int NewBatchOf1000AttributedEvents() => _ingestor.IngestAsync(_next).GetAwaiter().GetResult().Accepted;

    [Benchmark]
    public int RedeliveredBatch() => _ingestor.IngestAsync(_stored).GetAwaiter().GetResult().Duplicates;

    private static ClickstreamBatch NewBatch(string? users = null)
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        users ??= run;
        var now = DateTimeOffset.UtcNow;
        // The v1 types, so the figures compare across releases.
        string[] types = [ClickstreamEventTypes.View, ClickstreamEventTypes.AddToCart, ClickstreamEventTypes.RemoveFromCart, ClickstreamEventTypes.Purchase];
        var payloads = Enumerable.Range(0, BatchSize).Select(i => string.Create(CultureInfo.InvariantCulture,
                $$"""{"eventId":"{{run}}-{{i:D6}}","type":"{{types[i % types.Length]}}","userId":"{{users}}-{{i % Users}}","itemId":"{{20000 + i % 3001}}","timestamp":"{{now.AddSeconds(-i):O}}","quantity":{{1 + i % 5}},"price":{{(i % 900) / 10.0 + 0.5}},"category":"kitchen","source":"web"}"""))
            .ToList();
        return ClickstreamBatch.FromEventHubs(payloads, run, 0, payloads.Count - 1, payloads.Select(_ => now).ToList());
    }

    private static ClickstreamBatch NewAttributedBatch()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var now = DateTimeOffset.UtcNow;
        // Four events per (user, item), oldest first: seen in an answer, clicked, added to the cart, bought without naming it.
        string[] types = [ClickstreamEventTypes.View, ClickstreamEventTypes.Click, ClickstreamEventTypes.AddToCart, ClickstreamEventTypes.Purchase];
        const string Answer = "0123456789abcdef:u:20261201-0300::home:home-ranking:challenger";
        var payloads = Enumerable.Range(0, BatchSize).Select(i => string.Create(CultureInfo.InvariantCulture,
                $$"""{"eventId":"{{run}}-{{i:D6}}","type":"{{types[i % 4]}}","userId":"{{run}}-{{i / 4 % Users}}","itemId":"{{20000 + (i / 4)}}","timestamp":"{{now.AddSeconds(i - BatchSize):O}}","quantity":{{1 + i % 5}},"price":{{(i % 900) / 10.0 + 0.5}},"source":"web"{{(i % 4 == 3 ? "" : $",\"recommendationId\":\"{Answer}\",\"position\":{1 + i % 10},\"placement\":\"home\"")}}}"""))
            .ToList();
        return ClickstreamBatch.FromEventHubs(payloads, run, 0, payloads.Count - 1, payloads.Select(_ => now).ToList());
    }
}
