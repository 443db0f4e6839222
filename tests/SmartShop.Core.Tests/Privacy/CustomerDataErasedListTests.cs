using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using SmartShop.Core.Privacy;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Core.Tests.Storage;
using SmartShop.Core.Tests.Training;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Privacy;

/// <summary>The erased-customers list (Table storage): how serving instances learn of an erasure, and how training honours it.</summary>
public sealed class CustomerDataErasedListTests
{
    [Fact]
    public async Task AnErasureOnAnotherInstanceIsSeenOnceTheRefreshIntervalHasPassed()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var serving = new ErasedCustomers(StorageEmulators.TableService(), clock, TimeSpan.FromSeconds(60));
        var cli = new ErasedCustomers(StorageEmulators.TableService(), clock, TimeSpan.Zero);
        var customer = StorageEmulators.UniqueName("erased-");
        (await serving.IsErasedAsync(customer)).Should().BeFalse();

        await cli.RecordAsync(customer, clock.Now);

        (await cli.IsErasedAsync(customer)).Should().BeTrue("the instance that erased knows at once");
        (await serving.IsErasedAsync(customer)).Should().BeFalse("within the interval the serving instance answers from its list");
        clock.Now += TimeSpan.FromSeconds(61);
        var seen = false;
        for (var attempt = 0; attempt < 50 && !seen; attempt++)
        {
            seen = await serving.IsErasedAsync(customer);
            if (!seen)
            {
                await Task.Delay(100);
            }
        }

        seen.Should().BeTrue("a request past the interval starts a re-read, and a later request sees it");
        (await cli.GetAsync(customer))!.ErasedAt.Should().Be(clock.Now - TimeSpan.FromSeconds(61));
    }

    [Fact]
    public async Task TrainingDropsTheRowsOfErasedCustomersAndCountsThem()
    {
        var erasedIds = TrainingFiles.Transactions.Where(t => t.IsCleanPurchase).Select(t => t.CustomerId!).Distinct().Take(2).ToList();
        var rows = TrainingFiles.Transactions.Count(t => t.CustomerId is { } id && erasedIds.Contains(id));
        using var harness = new TrainingHarness();
        using var meters = new TestMeterFactory();
        using var telemetry = new SmartShopTelemetry(meters);
        var runner = new TrainingRunner(harness.Containers, harness.Registry, harness.RunLog, telemetry, harness.Options, TimeProvider.System,
            NullLogger<TrainingRunner>.Instance, TrainingFiles.FastRecipes, ErasedCustomers.InMemory(erasedIds));

        var report = await runner.RunFromBlobAsync(await harness.UploadAsync(TrainingFiles.Good()));

        report.Decision.Should().Be(TrainingDecision.Promoted, report.Message);
        report.DataSummary["erasedTransactionRowsDropped"].Should().Be(rows.ToString(CultureInfo.InvariantCulture));
        int.Parse(report.DataSummary["erasedInteractionsDropped"], CultureInfo.InvariantCulture).Should().BePositive();
        report.DataSummary["erasedCustomersDropped"].Should().Be("2");
        report.DataSummary.Values.Should().NotContain(v => erasedIds.Any(id => v.Contains(id, StringComparison.Ordinal)));
        var users = await harness.Registry.ReadVersionFileAsync(harness.Options.RecommendationsModel, report.RecommendationsVersion!, ModelBundle.UsersFileName);
        users!.ToObjectFromJson<string[]>().Should().NotIntersectWith(erasedIds).And.NotBeEmpty();
        var features = await harness.Registry.ReadVersionFileAsync(harness.Options.SegmentationModel, report.SegmentationVersion!, Core.Segmentation.SegmentationModelStore.CustomerFeaturesFileName);
        features!.ToString().Split('\n').Select(line => line.Split(',')[0]).Should().NotIntersectWith(erasedIds);
    }
}
