using System.CommandLine;
using System.Globalization;
using SmartShop.Cli;
using SmartShop.Cli.Commands;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;

namespace SmartShop.Core.Tests.Cli;

public sealed class ReplayCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("replay-cli-");
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task AJsonLinesFileIsStoredOnceEvenWhenReplayedWithAnotherBatchSize()
    {
        var file = Write("events.jsonl", Enumerable.Range(0, 7).Select(i => string.Create(CultureInfo.InvariantCulture,
            $$"""{"eventId":"{{_run}}-{{i}}","type":"view","userId":"{{_run}}-u{{i % 2}}","itemId":"I{{i}}","timestamp":"{{Now.AddDays(-90).AddMinutes(i):yyyy-MM-ddTHH:mm:ssZ}}"}""")).Append("{broken"));
        using var console = new StringWriter();

        var first = await ReplayCommand.RunAsync(Settings(file, ClickstreamFileFormat.JsonLines, batchSize: 3), console, new ManualTimeProvider(Now), CancellationToken.None);
        var again = await ReplayCommand.RunAsync(Settings(file, ClickstreamFileFormat.JsonLines, batchSize: 5), console, new ManualTimeProvider(Now), CancellationToken.None);

        first.Should().BeEquivalentTo(new { Batches = 3, Received = 8L, Accepted = 7L, Rejected = 1L, Duplicates = 0L });
        again.Should().BeEquivalentTo(new { Batches = 2, Received = 8L, Accepted = 0L, Duplicates = 7L });
        console.ToString().Should().Contain("7 stored, 1 dead-lettered").And.Contain("malformed-json=1");
        var store = new TableDocumentLogStore(StorageEmulators.TableService(), new DocumentLogOptions(), new ManualTimeProvider(Now));
        (await store.GetRecentActivityAsync($"{_run}-u0")).Should().HaveCount(4);
        (await store.GetRecentActivityAsync($"{_run}-u1")).Should().HaveCount(3);
    }

    [Fact]
    public async Task RetailRocketRowsAreMappedAndTooOldEventsExplainTheAgeOption()
    {
        var millis = Now.AddDays(-40).ToUnixTimeMilliseconds();
        var file = Write("events.csv", ["timestamp,visitorid,event,itemid,transactionid",
            $"{millis},{_run},view,10001,", $"{millis + 1000},{_run},transaction,10001,536365", "1,2,3"]);
        using var console = new StringWriter();

        var totals = await ReplayCommand.RunAsync(Settings(file, ClickstreamFileFormat.RetailRocket, maxAgeDays: 30), console, new ManualTimeProvider(Now), CancellationToken.None);
        var wider = await ReplayCommand.RunAsync(Settings(file, ClickstreamFileFormat.RetailRocket, maxAgeDays: 60), console, new ManualTimeProvider(Now), CancellationToken.None);

        totals.RejectedByCode.Should().BeEquivalentTo(new Dictionary<string, int> { [EventRejection.TimestampTooOld] = 2, [EventRejection.MalformedJson] = 1 });
        console.ToString().Should().Contain("--max-event-age-days");
        wider.AcceptedByType.Should().BeEquivalentTo(new Dictionary<string, int> { ["view"] = 1, ["purchase"] = 1 });
    }

    [Theory]
    [InlineData("--format", "xml", "--format must be jsonl or retailrocket")]
    [InlineData("--batch-size", "0", "--batch-size must be between 1 and 5000")]
    public async Task BadArgumentsGiveOnePreciseLineAndExitCode2(string option, string value, string message)
    {
        var file = Write("e.jsonl", ["{}"]);
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            var root = new RootCommand("test");
            root.Subcommands.Add(ReplayCommand.Create());
            (await CommandLineRunner.RunAsync(root, ["replay", "--events", file.FullName, option, value, "--storage", StorageEmulators.StorageConnectionString]))
                .Should().Be(CommandLineRunner.InputError);
        }
        finally
        {
            Console.SetError(original);
        }

        error.ToString().Should().Contain(message);
    }

    [Fact]
    public async Task FailedBatchesAreStoredOnceUnderTheirOriginalIdentityEvenWhenReplayedTwice()
    {
        // Arrange: two batches kept after their last attempt failed; the first was stored meanwhile by a redelivery.
        var clock = new ManualTimeProvider(Now);
        var containers = new BlobContainers(StorageEmulators.BlobService());
        var store = new FailedBatchStore(containers, clock, StorageEmulators.UniqueName("failed-"));
        var ingestor = new ClickstreamIngestor(new ClickstreamEventValidator(new ClickstreamValidationOptions(), clock), new EventLakeWriter(containers),
            new TableDocumentLogStore(StorageEmulators.TableService(), new DocumentLogOptions(), clock), new ProcessedEventLedger(StorageEmulators.TableService()), clock);
        // A lake day no other test writes to, so the lake reader sees only this test's blobs.
        var enqueuedAt = new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(0, 10_000));
        var stored = FailedBatch(0, enqueuedAt, $"{_run}-e0", $"{_run}-e1");
        var lost = FailedBatch(2, enqueuedAt, $"{_run}-e2", "{broken", $"{_run}-e3");
        await ingestor.IngestAsync(stored);
        await store.WriteAsync(stored, "RequestFailedException: outage");
        await store.WriteAsync(lost, "RequestFailedException: outage");
        using var console = new StringWriter();

        // Act
        var first = await ReplayCommand.RunFailedBatchesAsync(StorageEmulators.StorageConnectionString, 30, console, clock, CancellationToken.None, store.ContainerName);
        var again = await ReplayCommand.RunFailedBatchesAsync(StorageEmulators.StorageConnectionString, 30, console, clock, CancellationToken.None, store.ContainerName);

        // Assert
        first.Should().BeEquivalentTo(new { Batches = 2, Deleted = 2, Accepted = 2L, Rejected = 1L, Duplicates = 2L });
        first.Summaries.Select(s => s.AlreadyIngested).Should().Equal(true, false);
        again.Should().BeEquivalentTo(new { Batches = 0, Deleted = 0, Accepted = 0L });
        console.ToString().Should().Contain("2 failed batches replayed (5 events): 2 stored, 1 dead-lettered, 2 duplicates; 2 removed from");
        var lake = await new SmartShop.Core.Training.EventLakeReader(containers).ReadAsync(enqueuedAt, enqueuedAt);
        lake.Events.Select(e => e.EventId).Where(id => id.StartsWith(_run, StringComparison.Ordinal)).Should()
            .BeEquivalentTo([$"{_run}-e0", $"{_run}-e1", $"{_run}-e2", $"{_run}-e3"]);
    }

    [Theory]
    [InlineData("--failed-batches and --events", "give it without --events")]
    [InlineData("neither", "replay needs --events <file> or --failed-batches")]
    public async Task FailedBatchesWithAFileOrNothingToReplayIsOnePreciseLineAndExitCode2(string arguments, string message)
    {
        var file = Write("e.jsonl", ["{}"]);
        string[] args = arguments == "neither"
            ? ["replay", "--storage", StorageEmulators.StorageConnectionString]
            : ["replay", "--failed-batches", "--events", file.FullName, "--storage", StorageEmulators.StorageConnectionString];
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            var root = new RootCommand("test");
            root.Subcommands.Add(ReplayCommand.Create());
            (await CommandLineRunner.RunAsync(root, args)).Should().Be(CommandLineRunner.InputError);
        }
        finally
        {
            Console.SetError(original);
        }

        error.ToString().Should().Contain(message);
        error.ToString().Trim().Split('\n').Should().ContainSingle();
    }

    private ClickstreamBatch FailedBatch(long firstSequenceNumber, DateTimeOffset enqueuedAt, params string[] eventIdsOrPayloads)
    {
        var payloads = eventIdsOrPayloads.Select((id, i) => id.StartsWith('{') ? id : string.Create(CultureInfo.InvariantCulture,
            $$"""{"eventId":"{{id}}","type":"view","userId":"{{_run}}-u","itemId":"I{{i}}","timestamp":"{{Now.AddMinutes(-10 + i):yyyy-MM-ddTHH:mm:ssZ}}"}""")).ToList();
        return ClickstreamBatch.FromEventHubs(payloads, _run, firstSequenceNumber, firstSequenceNumber + payloads.Count - 1, payloads.Select(_ => enqueuedAt).ToList());
    }

    private static ReplaySettings Settings(FileInfo file, ClickstreamFileFormat format, int batchSize = 500, int maxAgeDays = 120) =>
        new(file, format, Rate: 0, batchSize, StorageEmulators.StorageConnectionString, maxAgeDays);

    private FileInfo Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllLines(path, lines);
        return new FileInfo(path);
    }
}
