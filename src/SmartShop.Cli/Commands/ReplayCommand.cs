using System.CommandLine;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Messaging.EventHubs.Producer;
using Azure.Storage.Blobs;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop replay`: pushes a clickstream file (or the kept failed Event Hubs batches) through the ingestion pipeline into the lake.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var events = new Option<FileInfo?>("--events") { Description = "Clickstream file: JSON Lines (schema v2) or RetailRocket events CSV (this or --failed-batches)." };
        var failedBatches = new Option<bool>("--failed-batches") { Description = "Store the Event Hubs batches kept in the events-failed container after their last delivery attempt failed, then delete each one stored." };
        var format = new Option<string?>("--format") { Description = "jsonl or retailrocket (default: retailrocket for .csv, jsonl otherwise)." };
        var rate = new Option<double>("--rate") { Description = "Events per second to send at most (0 = as fast as storage takes them).", DefaultValueFactory = _ => 0 };
        var batchSize = new Option<int>("--batch-size") { Description = "Events per pipeline batch (1-5000).", DefaultValueFactory = _ => 500 };
        var storage = new Option<string>("--storage") { Description = "Storage connection string for the lake, dead letters, user activity and the dedupe ledger.", DefaultValueFactory = _ => "UseDevelopmentStorage=true" };
        var maxAgeDays = new Option<int>("--max-event-age-days") { Description = "Older events are dead-lettered; widen it for historical files (1-36500).", DefaultValueFactory = _ => 30 };
        var eventHubsNamespace = new Option<string?>("--event-hubs-namespace") { Description = "Publish to this Event Hubs namespace (e.g. shop.servicebus.windows.net, Entra ID sign-in) instead of the local pipeline." };
        var eventHub = new Option<string>("--event-hub") { Description = "Event hub to publish to, with --event-hubs-namespace.", DefaultValueFactory = _ => "clickstream" };
        var command = new Command("replay", "Replay a clickstream file through the ingestion pipeline (validation, dead letters, lake, user activity, dedupe).");
        foreach (var option in new Option[] { events, failedBatches, format, rate, batchSize, storage, maxAgeDays, eventHubsNamespace, eventHub })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var file = parseResult.GetValue(events);
            if (parseResult.GetValue(failedBatches))
            {
                if (file is not null || parseResult.GetValue(eventHubsNamespace) is { Length: > 0 })
                {
                    throw new ArgumentException("--failed-batches replays the events-failed container: give it without --events and --event-hubs-namespace.");
                }

                await RunFailedBatchesAsync(parseResult.GetValue(storage)!, parseResult.GetValue(maxAgeDays), Console.Out, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            if (file is null)
            {
                throw new ArgumentException("replay needs --events <file> or --failed-batches.");
            }

            var settings = new ReplaySettings(
                file,
                ParseFormat(parseResult.GetValue(format), file.Name),
                parseResult.GetValue(rate),
                parseResult.GetValue(batchSize),
                parseResult.GetValue(storage)!,
                parseResult.GetValue(maxAgeDays));
            if (parseResult.GetValue(eventHubsNamespace) is { Length: > 0 } fullyQualifiedNamespace)
            {
                settings.Validate();
                await using var producer = new EventHubProducerClient(fullyQualifiedNamespace, parseResult.GetValue(eventHub)!, new DefaultAzureCredential());
                await PublishAsync(settings, new ClickstreamEventHubsPublisher(producer), Console.Out, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            await RunAsync(settings, Console.Out, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>`--event-hubs-namespace`: sends the file's events to Event Hubs as a storefront would, paced by --rate.</summary>
    internal static async Task<PublishSummary> PublishAsync(ReplaySettings settings, ClickstreamEventHubsPublisher publisher, TextWriter console, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(settings.Events.FullName);
        var summary = await publisher.PublishAsync(ClickstreamFile.ReadPayloads(reader, settings.Format), settings.BatchSize, settings.Rate, cancellationToken).ConfigureAwait(false);
        var seconds = Math.Max(summary.Elapsed.TotalSeconds, 1e-9);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Events:N0} events published in {summary.Batches:N0} batches; {seconds:F1} s ({summary.Events / seconds:N0} events/s)."));
        return summary;
    }

    internal static async Task<ReplayTotals> RunAsync(ReplaySettings settings, TextWriter console, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        settings.Validate();
        var ingestor = CreateIngestor(settings, timeProvider);
        var totals = new ReplayTotals();
        var pacer = new EventRatePacer(settings.Rate);
        using var reader = new StreamReader(settings.Events.FullName);
        foreach (var batch in ClickstreamFile.ReadPayloads(reader, settings.Format).Chunk(settings.BatchSize))
        {
            await SendAsync(ingestor, batch, totals, settings, pacer, cancellationToken).ConfigureAwait(false);
        }

        var seconds = Math.Max(pacer.Elapsed.TotalSeconds, 1e-9);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{totals.Received:N0} events in {totals.Batches:N0} batches: {totals.Accepted:N0} stored, {totals.Rejected:N0} dead-lettered, {totals.Duplicates:N0} duplicates; {seconds:F1} s ({totals.Received / seconds:N0} events/s)."));
        if (totals.AcceptedByType.Count > 0)
        {
            console.WriteLine("stored by type: " + Describe(totals.AcceptedByType));
        }

        if (totals.RejectedByCode.Count > 0)
        {
            console.WriteLine("dead-lettered by reason: " + Describe(totals.RejectedByCode));
            if (totals.RejectedByCode.ContainsKey(EventRejection.TimestampTooOld))
            {
                console.WriteLine($"hint: historical files need --max-event-age-days wide enough for their oldest event (now {settings.MaxEventAgeDays}).");
            }
        }

        return totals;
    }

    /// <summary>
    /// `--failed-batches`: stores every batch kept in events-failed under its original Event Hubs identity (so a batch
    /// that did get stored counts nothing) and deletes each kept blob once its batch completed.
    /// </summary>
    internal static async Task<FailedBatchReplayResult> RunFailedBatchesAsync(
        string storageConnectionString, int maxEventAgeDays, TextWriter console, TimeProvider timeProvider, CancellationToken cancellationToken, string containerName = BlobContainers.EventsFailed)
    {
        ReplaySettings.ValidateMaxEventAge(maxEventAgeDays);
        var (blobs, _) = CliStorage.Clients(storageConnectionString);
        var ingestor = CreateIngestor(storageConnectionString, maxEventAgeDays, timeProvider);
        var result = await FailedBatchReplay.RunAsync(new FailedBatchStore(new BlobContainers(blobs), timeProvider, containerName), ingestor, cancellationToken).ConfigureAwait(false);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Batches:N0} failed batches replayed ({result.Received:N0} events): {result.Accepted:N0} stored, {result.Rejected:N0} dead-lettered, {result.Duplicates:N0} duplicates; {result.Deleted:N0} removed from {containerName}."));
        return result;
    }

    private static async Task SendAsync(ClickstreamIngestor ingestor, string[] batch, ReplayTotals totals, ReplaySettings settings, EventRatePacer pacer, CancellationToken cancellationToken)
    {
        // The age window is part of the batch identity: replaying with a wider one must revisit what it rejected.
        var context = string.Create(CultureInfo.InvariantCulture, $"replay max-event-age-days={settings.MaxEventAgeDays}");
        var summary = await ingestor.IngestAsync(ClickstreamBatch.FromContent(batch, "replay", context), cancellationToken).ConfigureAwait(false);
        totals.Add(summary);
        await pacer.WaitAsync(totals.Received, cancellationToken).ConfigureAwait(false);
    }

    private static ClickstreamIngestor CreateIngestor(ReplaySettings settings, TimeProvider timeProvider) =>
        CreateIngestor(settings.StorageConnectionString, settings.MaxEventAgeDays, timeProvider);

    private static ClickstreamIngestor CreateIngestor(string storageConnectionString, int maxEventAgeDays, TimeProvider timeProvider)
    {
        var (blobs, tables) = CliStorage.Clients(storageConnectionString);

        var validator = new ClickstreamEventValidator(new ClickstreamValidationOptions { MaxEventAge = TimeSpan.FromDays(maxEventAgeDays) }, timeProvider);
        var store = new TableDocumentLogStore(tables, new DocumentLogOptions(), timeProvider);
        return new ClickstreamIngestor(validator, new EventLakeWriter(new BlobContainers(blobs)), store, new ProcessedEventLedger(tables), timeProvider);
    }

    private static ClickstreamFileFormat ParseFormat(string? value, string fileName) => value?.ToLowerInvariant() switch
    {
        null or "" => ClickstreamFile.GuessFormat(fileName),
        "jsonl" => ClickstreamFileFormat.JsonLines,
        "retailrocket" => ClickstreamFileFormat.RetailRocket,
        _ => throw new ArgumentException($"--format must be jsonl or retailrocket (got '{value}')."),
    };

    private static string Describe(Dictionary<string, int> counts) =>
        string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}={c.Value:N0}")));
}

internal sealed record ReplaySettings(FileInfo Events, ClickstreamFileFormat Format, double Rate, int BatchSize, string StorageConnectionString, int MaxEventAgeDays)
{
    public void Validate()
    {
        if (!Events.Exists)
        {
            throw new FileNotFoundException($"--events: file '{Events.FullName}' does not exist.", Events.FullName);
        }

        if (BatchSize is < 1 or > 5000)
        {
            throw new ArgumentException($"--batch-size must be between 1 and 5000 (got {BatchSize}).");
        }

        if (Rate < 0 || double.IsNaN(Rate))
        {
            throw new ArgumentException($"--rate must be 0 (unlimited) or a positive number of events per second (got {Rate}).");
        }

        ValidateMaxEventAge(MaxEventAgeDays);
    }

    public static void ValidateMaxEventAge(int maxEventAgeDays)
    {
        if (maxEventAgeDays is < 1 or > 36_500)
        {
            throw new ArgumentException($"--max-event-age-days must be between 1 and 36500 (got {maxEventAgeDays}).");
        }
    }
}

internal sealed class ReplayTotals
{
    public int Batches { get; private set; }
    public long Received { get; private set; }
    public long Accepted { get; private set; }
    public long Rejected { get; private set; }
    public long Duplicates { get; private set; }
    public Dictionary<string, int> AcceptedByType { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int> RejectedByCode { get; } = new(StringComparer.Ordinal);

    public void Add(IngestionSummary summary)
    {
        Batches++;
        Received += summary.Received;
        Accepted += summary.Accepted;
        Rejected += summary.Rejected;
        Duplicates += summary.Duplicates;
        foreach (var (type, count) in summary.AcceptedByType)
        {
            AcceptedByType[type] = AcceptedByType.GetValueOrDefault(type) + count;
        }

        foreach (var (code, count) in summary.RejectedByCode)
        {
            RejectedByCode[code] = RejectedByCode.GetValueOrDefault(code) + count;
        }
    }
}
