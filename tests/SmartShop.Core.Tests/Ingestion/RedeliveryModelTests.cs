using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;
using static SmartShop.Core.Tests.Ingestion.IngestionHarness;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>
/// A model of one Event Hubs partition against the real pipeline on Azurite: a seeded stream of events (some invalid,
/// some resent with the same event id), delivered in batches of random size from the last checkpoint, with storage
/// writes failing at random (lake blob, dead letters, ledger claims, batch record, user state). The checkpoint
/// advances after a batch completes, or after its last retry failed (the host moves on: the batch is kept in
/// events-failed and replayed at the end). A redelivery after a failure starts at the checkpoint with a new size, and
/// once two ingestors process the same batch at the same time. Whatever happened, the lake (as its reader counts it),
/// each actor's recent activity and the ledger's batch records must equal the model.
/// </summary>
public sealed class RedeliveryModelTests
{
    private const int StreamLength = 240;
    private const int Actors = 12;
    private const int MaxRetries = 5;

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private static readonly StorageTarget[] Targets =
        [StorageTarget.LakeBlob, StorageTarget.DeadLetterBlob, StorageTarget.ClaimTransaction, StorageTarget.BatchRecord, StorageTarget.Activity];

    /// <summary>Fixed seeds: a failure names its seed, and the same seed replays the same stream, batches and faults.</summary>
    public static TheoryData<int> Seeds => [17, 2026, 90_210];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task EveryValidEventIsStoredExactlyOnceWhateverFailsAndHowEverItIsRedelivered(int seed)
    {
        // Arrange: the stream and what the model expects of it.
        var random = new Random(seed);
        var partition = UniquePartition();
        var stream = Stream(random, partition);
        var fault = new StorageFault();
        var instance = new IngestionHarness(fault);
        var other = new IngestionHarness();
        var failedBatches = new FailedBatchStore(other.Blobs, other.Clock, StorageEmulators.UniqueName("failed-"));
        // A lake day no other test writes to (the partition time is the enqueued time), so the reader sees this stream only.
        var enqueuedAt = new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(Math.Abs(partition.GetHashCode() % 40_000));
        var exhausted = random.Next(1, 6);
        var concurrent = random.Next(1, 6);
        concurrent = concurrent == exhausted ? concurrent + 1 : concurrent;
        var trace = new List<string>();

        // Act: deliver from the checkpoint until the partition is read to its end.
        long checkpoint = 0;
        var attempt = 0;
        var delivery = 0;
        while (checkpoint < StreamLength)
        {
            var last = Math.Min(checkpoint + random.Next(1, 26), StreamLength) - 1;
            var batch = ClickstreamBatch.FromEventHubs(
                stream.Payloads[(int)checkpoint..(int)(last + 1)], partition, checkpoint, last, Enumerable.Repeat(enqueuedAt, (int)(last - checkpoint + 1)).ToList());
            var outage = delivery == exhausted;
            ArmFault(fault, random, outage);
            try
            {
                if (delivery == concurrent && attempt == 0)
                {
                    fault.FailWhen(null);
                    await Task.WhenAll(instance.Ingestor.IngestAsync(batch), other.Ingestor.IngestAsync(batch));
                    trace.Add($"{batch.Id} stored by two ingestors at once");
                }
                else
                {
                    await instance.Ingestor.IngestAsync(batch);
                    trace.Add($"{batch.Id} stored on attempt {attempt}");
                }

                (checkpoint, attempt) = (last + 1, 0);
                delivery++;
            }
            catch (RequestFailedException e) when (e.Message.StartsWith("Injected", StringComparison.Ordinal))
            {
                trace.Add($"{batch.Id} failed on attempt {attempt}: {e.Message}");
                if (attempt == MaxRetries)
                {
                    // The function keeps the batch on its last attempt; the host then checkpoints past it.
                    await failedBatches.WriteAsync(batch, FailedBatchStore.Reason(e));
                    (checkpoint, attempt) = (last + 1, 0);
                    delivery++;
                }
                else
                {
                    attempt++;
                }
            }
            finally
            {
                fault.FailWhen(null);
            }
        }

        var replayed = await FailedBatchReplay.RunAsync(failedBatches, other.Ingestor);
        trace.Add($"{replayed.Batches} failed batches replayed");

        // Assert: the lake, each actor's state and the ledger agree with the model.
        var because = $"seed {seed}: {string.Join("; ", trace)}";
        replayed.Batches.Should().BeGreaterThan(0, because);
        trace.Count(t => t.Contains(" failed on attempt ", StringComparison.Ordinal)).Should().BeGreaterThan(MaxRetries + 1, "faults beyond the outage were injected; " + because);
        (await instance.LakeEventIdsAsync(partition, enqueuedAt)).Should().OnlyHaveUniqueItems(because).And.BeEquivalentTo(stream.ValidIds, because);
        foreach (var (actor, activities) in stream.Activity)
        {
            (await other.ActivityStore.GetRecentActivityAsync(actor)).Should().BeEquivalentTo(activities, $"{actor}, {because}");
        }

        var records = await CompletedBatchesAsync(partition);
        records.Should().OnlyContain(r => r.Received == r.Accepted + r.Rejected + r.Duplicates, because);
        records.Sum(r => r.Received).Should().Be(StreamLength, $"the completed batches tile the partition; {because}");
        records.Sum(r => r.Accepted).Should().Be(stream.ValidIds.Count, because);
        records.Sum(r => r.Rejected).Should().Be(stream.Invalid, because);
        records.Sum(r => r.Duplicates).Should().Be(StreamLength - stream.Invalid - stream.ValidIds.Count, because);
    }

    /// <summary>
    /// Arms a fault for one attempt: most attempts none; some fail the first or second write to one storage target;
    /// an outage fails every write.
    /// </summary>
    private static void ArmFault(StorageFault fault, Random random, bool outage)
    {
        if (outage)
        {
            fault.FailWhen(_ => true);
            return;
        }

        if (random.NextDouble() >= 0.4)
        {
            return;
        }

        var target = Targets[random.Next(Targets.Length)];
        var failAt = random.Next(1, 3);
        var seen = 0;
        fault.FailWhen(write => write.Target == target && Interlocked.Increment(ref seen) == failAt);
    }

    private static ModelStream Stream(Random random, string partition)
    {
        string[] types = ["view", "addtocart", "removefromcart", "purchase"];
        var payloads = new List<string>(StreamLength);
        var valid = new List<string>();
        var validIds = new HashSet<string>(StringComparer.Ordinal);
        var activity = new Dictionary<string, List<UserActivity>>(StringComparer.Ordinal);
        var invalid = 0;
        for (var i = 0; i < StreamLength; i++)
        {
            var roll = random.NextDouble();
            if (roll < 0.06)
            {
                payloads.Add(random.Next(2) == 0 ? "{\"eventId\":" : $$"""{"eventId":"{{partition}}-bad{{i}}","type":"teleport","userId":"u","itemId":"I","timestamp":"2026-11-24T11:00:00Z"}""");
                invalid++;
            }
            else if (roll < 0.14 && valid.Count > 0)
            {
                // The storefront resent an event: same id, same body.
                payloads.Add(valid[random.Next(valid.Count)]);
            }
            else
            {
                var actor = $"{partition}-a{random.Next(Actors)}";
                var item = $"I{random.Next(40)}";
                var type = types[random.Next(types.Length)];
                var timestamp = Now.AddSeconds(-(StreamLength - i));
                var payload = string.Create(CultureInfo.InvariantCulture,
                    $$"""{"eventId":"{{partition}}-e{{i}}","type":"{{type}}","userId":"{{actor}}","itemId":"{{item}}","timestamp":"{{timestamp:yyyy-MM-ddTHH:mm:ssZ}}"}""");
                payloads.Add(payload);
                valid.Add(payload);
                validIds.Add($"{partition}-e{i}");
                activity.TryAdd(actor, []);
                activity[actor].Add(new UserActivity(item, type, timestamp));
            }
        }

        return new ModelStream(payloads.ToArray(), validIds, activity, invalid);
    }

    private static async Task<List<IngestionSummary>> CompletedBatchesAsync(string partition)
    {
        var table = StorageEmulators.TableService().GetTableClient(ProcessedEventLedger.BatchesTable);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {"p" + partition + "-"} and PartitionKey lt {"p" + partition + "."}");
        var records = new List<IngestionSummary>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter))
        {
            records.Add(JsonSerializer.Deserialize<IngestionSummary>(entity.GetString("Summary"), WebJson)!);
        }

        return records;
    }

    private sealed record ModelStream(string[] Payloads, HashSet<string> ValidIds, Dictionary<string, List<UserActivity>> Activity, int Invalid);
}
