using System.Collections.Concurrent;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Attribution;

/// <summary>
/// Counts the answers one serving process gave per rollup row, in memory (no storage call on the request path), and
/// writes them as that process's cumulative counts per day (<see cref="IDocumentLogStore.WriteImpressionCountsAsync"/>):
/// a write that fails is made good by the next, and writing the same counts twice changes nothing.
/// </summary>
public sealed class ImpressionTally(IDocumentLogStore store) : IDisposable
{
    // One id per process: the counts of two instances (or of a restart) are separate records that add up.
    private readonly string _instanceId = "i-" + Guid.NewGuid().ToString("N")[..16];
    private readonly ConcurrentDictionary<RollupKey, long> _counts = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    // What the last successful write of each day said (touched under _flushing only).
    private readonly Dictionary<DateOnly, long> _writtenTotals = [];

    public void Count(RollupKey key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    /// <summary>Writes the days whose counts moved since they were last written.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var day in _counts.ToArray().GroupBy(c => c.Key.Day))
            {
                var counts = day.Select(c => new ImpressionCount(c.Key, c.Value)).ToList();
                // Counts only grow, so an unchanged total is an unchanged day: past days stop costing writes.
                var total = counts.Sum(c => c.Count);
                if (_writtenTotals.GetValueOrDefault(day.Key) == total)
                {
                    continue;
                }
                await store.WriteImpressionCountsAsync(_instanceId, day.Key, counts, cancellationToken).ConfigureAwait(false);
                _writtenTotals[day.Key] = total;
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    public void Dispose() => _flushing.Dispose();
}
