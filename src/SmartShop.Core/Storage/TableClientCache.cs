using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace SmartShop.Core.Storage;

/// <summary>Table clients whose tables are created on first use, once per table.</summary>
internal sealed class TableClientCache(TableServiceClient serviceClient)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);

    public Task<TableClient> GetAsync(string tableName, CancellationToken cancellationToken)
    {
        var lazy = _tables.GetOrAdd(tableName, name => new Lazy<Task<TableClient>>(async () =>
        {
            var table = serviceClient.GetTableClient(name);
            await table.CreateIfNotExistsAsync().ConfigureAwait(false);
            return table;
        }));
        if (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            // A failed creation (storage briefly unreachable) must not poison the cache for the retry.
            _tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(tableName, lazy));
        }

        return lazy.Value.WaitAsync(cancellationToken);
    }
}
