using System.Buffers;
using System.Text;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

/// <summary>Scheduled retrains read a window of the event lake (written by the ingestion's own lake writer).</summary>
public sealed class TrainingLakeTests : IDisposable
{
    // A random day in eight past centuries (the validator refuses future events), so another test's lake blobs in the
    // shared events container almost never fall in a window of this one's (windows span at most 62 days).
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(1200, 1, 1, 12, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(0, 290_000)));
    private readonly TrainingHarness _harness;

    public TrainingLakeTests() => _harness = new TrainingHarness(_clock);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task ALakeWindowTrainsRecommendationsOnceAndAnUnchangedLakeIsADuplicate()
    {
        // The subset's last 60 days: the run lists one lake prefix per day of the window.
        var end = TrainingFiles.Transactions.Max(t => t.InvoiceDate);
        var transactions = TrainingFiles.Transactions.Where(t => t.IsCleanPurchase && t.InvoiceDate > end.AddDays(-60)).ToList();
        var shift = _clock.Now.UtcDateTime.AddHours(-1) - transactions.Max(t => t.InvoiceDate);
        var lines = transactions.Select((t, i) => Line(new ClickstreamEvent(
            $"e{i}", ClickstreamEventTypes.Purchase, t.CustomerId, null, t.StockCode, new DateTimeOffset(t.InvoiceDate + shift, TimeSpan.Zero), t.Quantity, t.UnitPrice, TransactionId: t.InvoiceNo))).ToList();
        var writer = new EventLakeWriter(_harness.Containers);
        foreach (var batch in lines.Chunk(2000))
        {
            await writer.WriteAcceptedAsync(EventBatchId.FromContent(batch), _clock.Now.AddHours(-1), batch);
        }
        var window = TimeSpan.FromDays(Math.Ceiling((transactions.Max(t => t.InvoiceDate) - transactions.Min(t => t.InvoiceDate)).TotalDays) + 2);

        var report = await _harness.Runner.RunFromEventLakeAsync(window, "schedule");
        var again = await _harness.Runner.RunFromEventLakeAsync(window, "schedule");

        report.Decision.Should().Be(TrainingDecision.Promoted, report.Message);
        report.InputKind.Should().Be(TrainingInputKind.EventLake);
        report.Trigger.Should().Be("schedule");
        report.DataSummary["interactions"].Should().Be(lines.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        report.DataSummary["lakeBlobs"].Should().Be(((lines.Count + 1999) / 2000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        report.SegmentationVersion.Should().BeNull("events carry no transactions to segment");
        report.DataSummary["segmentation"].Should().StartWith("skipped");
        (await _harness.Registry.GetActiveAsync(_harness.Options.RecommendationsModel))!.Version.Should().Be(report.RecommendationsVersion);
        again.IsDuplicate.Should().BeTrue();
        again.RunId.Should().Be(report.RunId);
        (await _harness.RunLog.GetTrainingRunAsync(_harness.Options.RecommendationsModel, report.RunId))!.Trigger.Should().Be("schedule");
    }

    [Fact]
    public async Task AnEmptyWindowFailsWithAReason()
    {
        var report = await _harness.Runner.RunFromEventLakeAsync(TimeSpan.FromHours(1), "schedule");

        report.Decision.Should().Be(TrainingDecision.Failed);
        report.Error.Should().Contain("no valid events");
        (await _harness.Registry.GetActiveAsync(_harness.Options.RecommendationsModel)).Should().BeNull();
    }

    [Fact]
    public async Task AnUploadCanAddTheLakeWindowAndAnEventsFileTrainsRecommendationsOnly()
    {
        using var harness = new TrainingHarness(_clock, o =>
        {
            o.IncludeLakeInUploads = true;
            o.LakeWindowDays = 2;
        });
        var items = TrainingFiles.Transactions.Select(t => t.StockCode).Distinct().Take(5).ToList();
        var views = items.Select((item, i) => Line(new ClickstreamEvent(
            $"v{i}", ClickstreamEventTypes.View, "17850", null, item, _clock.Now.AddHours(-2).AddMinutes(i)))).ToList();
        await new EventLakeWriter(harness.Containers).WriteAcceptedAsync(EventBatchId.FromContent(views), _clock.Now.AddHours(-2), views);
        // The subset's purchases as a schema-v1 JSON lines file (an events upload, not transactions).
        var purchases = TrainingFiles.Transactions.Where(t => t.IsCleanPurchase).Select((t, i) => Line(new ClickstreamEvent(
            $"p{i}", ClickstreamEventTypes.Purchase, t.CustomerId, null, t.StockCode, new DateTimeOffset(t.InvoiceDate, TimeSpan.Zero), t.Quantity, t.UnitPrice, TransactionId: t.InvoiceNo))).ToList();

        var report = await harness.UploadAndRunAsync(Encoding.UTF8.GetBytes(string.Join('\n', purchases)), ".jsonl");

        report.Decision.Should().Be(TrainingDecision.Promoted, report.Message);
        report.InputKind.Should().Be(TrainingInputKind.ClickstreamJsonLines);
        report.DataSummary["lakeEvents"].Should().Be("5");
        report.DataSummary["interactions"].Should().Be((purchases.Count + 5).ToString(System.Globalization.CultureInfo.InvariantCulture));
        report.SegmentationVersion.Should().BeNull();
    }

    private static string Line(ClickstreamEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ClickstreamEventJson.WriteLine(buffer, e);
        return Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n');
    }
}
