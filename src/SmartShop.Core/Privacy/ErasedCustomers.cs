using System.Collections.Frozen;
using Azure.Data.Tables;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Privacy;

/// <summary>One erasure: the customer id and when its data was erased.</summary>
public sealed record ErasureRecord(string CustomerId, DateTimeOffset ErasedAt);

/// <summary>
/// The customers whose data was erased, kept in the Table <see cref="TableName"/> of the storage account (whichever
/// store holds the document logs), so that what erasure cannot rewrite in place is suppressed: the serving side treats
/// an erased customer's rows in a loaded model as unknown, and training drops the customer's rows and events. Records
/// are keyed by the (escaped) customer id: the list must outlive key rotation, and it holds nothing but the id and the
/// time (docs/privacy.md). Thread-safe; one instance per storage account.
/// </summary>
public sealed class ErasedCustomers
{
    public const string TableName = "SmartShopErasedCustomers";

    // The list is small (one row per erasure request): one partition, read whole.
    private const string Partition = "erased";

    private readonly TableClientCache? _tables;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _refreshInterval;
    private Lazy<Task>? _firstLoad;
    private Snapshot? _snapshot;
    private int _refreshing;

    /// <param name="refreshInterval">How old the in-memory list may get before <see cref="IsErasedAsync"/> reads it again (serving: the model poll interval).</param>
    public ErasedCustomers(TableServiceClient tables, TimeProvider timeProvider, TimeSpan refreshInterval)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(refreshInterval, TimeSpan.Zero);
        _tables = new TableClientCache(tables);
        _timeProvider = timeProvider;
        _refreshInterval = refreshInterval;
    }

    private ErasedCustomers(IEnumerable<string> ids, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _refreshInterval = TimeSpan.MaxValue;
        _snapshot = new Snapshot(ids.ToFrozenSet(StringComparer.Ordinal), DateTimeOffset.MinValue);
    }

    /// <summary>A list held in memory only, never read from storage (benchmarks, tests of code that only consults it).</summary>
    public static ErasedCustomers InMemory(params IEnumerable<string> ids) => new(ids, TimeProvider.System);

    /// <summary>Records an erasure (an existing record gets the newer time) and adds it to this instance's list at once.</summary>
    public async Task RecordAsync(string customerId, DateTimeOffset erasedAt, CancellationToken cancellationToken = default)
    {
        StorageKeys.Escape(customerId);
        if (_tables is null)
        {
            var held = Volatile.Read(ref _snapshot)!;
            Volatile.Write(ref _snapshot, held with { Ids = held.Ids.Append(customerId).ToFrozenSet(StringComparer.Ordinal) });
            return;
        }

        var table = await _tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition, StorageKeys.Escape(customerId))
        {
            [nameof(ErasureRecord.CustomerId)] = customerId,
            [nameof(ErasureRecord.ErasedAt)] = erasedAt,
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _snapshot) is { } current)
        {
            Volatile.Write(ref _snapshot, current with { Ids = current.Ids.Append(customerId).ToFrozenSet(StringComparer.Ordinal) });
        }
    }

    /// <summary>The erasure of <paramref name="customerId"/>, or null when it was never erased (read from storage).</summary>
    public async Task<ErasureRecord?> GetAsync(string customerId, CancellationToken cancellationToken = default)
    {
        if (_tables is null)
        {
            return Volatile.Read(ref _snapshot)!.Ids.Contains(customerId) ? new ErasureRecord(customerId, DateTimeOffset.MinValue) : null;
        }

        var table = await _tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, StorageKeys.Escape(customerId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ToRecord(response.Value!) : null;
    }

    /// <summary>Every erased customer id, read from storage now (training reads it once per run).</summary>
    public async Task<IReadOnlySet<string>> LoadAsync(CancellationToken cancellationToken = default)
    {
        if (_tables is null)
        {
            return Volatile.Read(ref _snapshot)!.Ids;
        }

        var table = await _tables.GetAsync(TableName, cancellationToken).ConfigureAwait(false);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), select: [nameof(ErasureRecord.CustomerId)], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            ids.Add(entity.GetString(nameof(ErasureRecord.CustomerId)));
        }

        var set = ids.ToFrozenSet(StringComparer.Ordinal);
        Volatile.Write(ref _snapshot, new Snapshot(set, _timeProvider.GetUtcNow()));
        return set;
    }

    /// <summary>
    /// Whether <paramref name="customerId"/> was erased, from the in-memory list. The first call waits for the list; later
    /// calls answer from memory and start a background re-read once the list is older than the refresh interval, so an
    /// erasure made on another instance (or by the CLI) takes effect within that interval without slowing a request.
    /// A list that cannot be read counts as empty until a re-read succeeds (a storefront answer never fails on it).
    /// </summary>
    public async ValueTask<bool> IsErasedAsync(string customerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null)
        {
            var first = Volatile.Read(ref _firstLoad);
            if (first is null)
            {
                var started = new Lazy<Task>(FirstLoadAsync);
                first = Interlocked.CompareExchange(ref _firstLoad, started, null) ?? started;
            }

            await first.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            snapshot = Volatile.Read(ref _snapshot)!;
        }
        else if (_timeProvider.GetUtcNow() - snapshot.LoadedAt >= _refreshInterval && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshInBackgroundAsync();
        }

        return snapshot.Ids.Contains(customerId);
    }

    /// <summary>Reads the list again now (tests; the retraining function after a run).</summary>
    public Task RefreshAsync(CancellationToken cancellationToken = default) => LoadAsync(cancellationToken);

    private async Task FirstLoadAsync()
    {
        try
        {
            await LoadAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException)
        {
            // Storage unreachable: answer from an empty list that counts as stale, so the next call reads again.
            Volatile.Write(ref _snapshot, new Snapshot(FrozenSet<string>.Empty, DateTimeOffset.MinValue));
        }
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            await LoadAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed re-read keeps the list it has; the next request past the interval tries again.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private static ErasureRecord ToRecord(TableEntity entity) =>
        new(entity.GetString(nameof(ErasureRecord.CustomerId)), entity.GetDateTimeOffset(nameof(ErasureRecord.ErasedAt))!.Value);

    private sealed record Snapshot(FrozenSet<string> Ids, DateTimeOffset LoadedAt);
}
