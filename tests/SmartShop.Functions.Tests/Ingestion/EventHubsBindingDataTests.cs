using SmartShop.Core.Ingestion;
using SmartShop.Functions.Ingestion;

namespace SmartShop.Functions.Tests.Ingestion;

public sealed class EventHubsBindingDataTests
{
    private static readonly string[] Events = ["{}", "{}"];

    [Fact]
    public void SequenceAndEnqueuedArraysWithANestedPartitionIdIdentifyTheBatch()
    {
        var batch = EventHubsBindingData.ToBatch(Events, new Dictionary<string, object?>
        {
            ["PartitionContext"] = """{"RunTimeInformation":{"PartitionId":"3"}}""",
            ["SequenceNumberArray"] = "[42,43]",
            ["EnqueuedTimeUtcArray"] = """["2026-11-24T10:00:00Z","2026-11-24T10:00:01Z"]""",
        });

        batch.Id.Value.Should().Be("p3-s00000000000000000042-00000000000000000043");
        batch.EnqueuedTimes.Should().Equal(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 24, 10, 0, 1, TimeSpan.Zero));
    }

    [Fact]
    public void ARedeliveryFromTheSameSequenceNumberWithFewerEventsIsAnotherBatch()
    {
        var four = EventHubsBindingData.ToBatch(["{}", "{}", "{}", "{}"], new Dictionary<string, object?>
        {
            ["PartitionContext"] = """{"PartitionId":"0"}""",
            ["SequenceNumberArray"] = "[100,101,102,103]",
        });
        var two = EventHubsBindingData.ToBatch(Events, new Dictionary<string, object?>
        {
            ["PartitionContext"] = """{"PartitionId":"0"}""",
            ["SequenceNumberArray"] = "[100,101]",
        });

        four.Id.Value.Should().Be("p0-s00000000000000000100-00000000000000000103");
        two.Id.Value.Should().Be("p0-s00000000000000000100-00000000000000000101");
        four.EventHubsRange.Should().Be(new EventHubsRange("0", 100, 103));
    }

    [Theory]
    [InlineData("""{"PartitionId":"../x"}""", "[1,2]")]
    [InlineData("not json", "[1,2]")]
    [InlineData("""{"PartitionId":"0"}""", "[]")]
    [InlineData("""{"PartitionId":"0"}""", "[7]")]
    [InlineData("""{"PartitionId":"0"}""", "[9,8]")]
    public void UnusableMetadataFallsBackToTheContentHash(string partitionContext, string sequenceNumbers)
    {
        var batch = EventHubsBindingData.ToBatch(Events, new Dictionary<string, object?>
        {
            ["PartitionContext"] = partitionContext,
            ["SequenceNumberArray"] = sequenceNumbers,
        });

        batch.Id.Value.Should().StartWith("h");
        batch.EnqueuedTimes.Should().BeNull();
    }
}
