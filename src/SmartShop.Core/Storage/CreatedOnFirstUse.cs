using System.Collections.Concurrent;

namespace SmartShop.Core.Storage;

/// <summary>
/// Clients of named storage resources (tables, blob containers, Cosmos containers) whose resource is created on
/// first use: once per name, and again after a failed creation. Thread-safe.
/// </summary>
public sealed class CreatedOnFirstUse<TClient>
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TClient>>> _clients = new(StringComparer.Ordinal);

    public Task<TClient> GetAsync(string name, Func<string, Task<TClient>> create, CancellationToken cancellationToken)
    {
        var lazy = _clients.GetOrAdd(name, static (key, create) => new Lazy<Task<TClient>>(() => create(key)), create);
        if (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            // A failed creation (storage briefly unreachable) must not poison the cache for the retry.
            _clients.TryRemove(new KeyValuePair<string, Lazy<Task<TClient>>>(name, lazy));
        }

        return lazy.Value.WaitAsync(cancellationToken);
    }
}
