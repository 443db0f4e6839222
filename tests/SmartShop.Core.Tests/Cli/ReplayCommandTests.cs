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

    private static ReplaySettings Settings(FileInfo file, ClickstreamFileFormat format, int batchSize = 500, int maxAgeDays = 120) =>
        new(file, format, Rate: 0, batchSize, StorageEmulators.StorageConnectionString, maxAgeDays);

    private FileInfo Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllLines(path, lines);
        return new FileInfo(path);
    }
}
