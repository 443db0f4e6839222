using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;
using static SmartShop.Core.Tests.Ingestion.IngestionHarness;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>Claims on event ids: who owns an id decides whether a batch stores it or counts it as a duplicate.</summary>
public sealed class ProcessedEventLedgerTests
{
    private readonly ProcessedEventLedger _ledger = new(StorageEmulators.TableService());
    private readonly string _run = UniquePartition();

    [Fact]
    public async Task NewIdsAreClaimedAndAnIdClaimedByACompletedBatchIsADuplicate()
    {
        var a = Batch(1);
        var b = Batch(2);

        (await _ledger.ClaimAsync(a, Ids(1, 2), Now)).Should().BeEquivalentTo(Ids(1, 2));
        await _ledger.CompleteBatchAsync(a, Summary(a));

        (await _ledger.ClaimAsync(b, Ids(2, 3), Now)).Should().BeEquivalentTo(Ids(3));
    }

    [Fact]
    public async Task ARetryKeepsItsOwnClaimsAndAClaimOfABatchThatNeverCompletedIsTakenOver()
    {
        var a = Batch(1);
        var b = Batch(2);
        (await _ledger.ClaimAsync(a, Ids(1, 2), Now)).Should().BeEquivalentTo(Ids(1, 2));

        // A's retry (it failed before completing) still owns its ids and claims the new one.
        (await _ledger.ClaimAsync(a, Ids(1, 2, 3), Now)).Should().BeEquivalentTo(Ids(1, 2, 3));

        // B meets A's claim while A has not completed: A may never be retried, so B takes the id over.
        (await _ledger.ClaimAsync(b, Ids(2, 4), Now)).Should().BeEquivalentTo(Ids(2, 4));
        await _ledger.CompleteBatchAsync(b, Summary(b));

        // A's next retry leaves out what B stored: each event ends up in one completed batch.
        (await _ledger.ClaimAsync(a, Ids(1, 2, 3), Now)).Should().BeEquivalentTo(Ids(1, 3));
    }

    [Fact]
    public async Task ConcurrentClaimsOfTheSameNewIdsGiveEachIdToOneBatchWhenTheWinnerCompletes()
    {
        var batches = Enumerable.Range(1, 3).Select(Batch).ToList();
        var ids = Enumerable.Range(1, 200).ToArray();

        var claims = await Task.WhenAll(batches.Select(async batch =>
        {
            var owned = await _ledger.ClaimAsync(batch, Ids(ids), Now);
            await _ledger.CompleteBatchAsync(batch, Summary(batch));
            return owned;
        }));

        // An id may be taken over from a batch still in flight (the documented race), never lost.
        claims.SelectMany(c => c).Distinct().Should().BeEquivalentTo(Ids(ids));
        (await _ledger.ClaimAsync(Batch(9), Ids(ids), Now)).Should().BeEmpty("every id is owned by a completed batch");
    }

    private EventBatchId Batch(int sequence) => EventBatchId.FromEventHubs(_run, sequence, sequence);

    private string[] Ids(params int[] numbers) => numbers.Select(n => $"{_run}-e{n}").ToArray();

    private static IngestionSummary Summary(EventBatchId batch) =>
        new(batch.Value, "eventhubs", 0, 0, 0, 0, new Dictionary<string, int>(), new Dictionary<string, int>(), null, null, false);
}
