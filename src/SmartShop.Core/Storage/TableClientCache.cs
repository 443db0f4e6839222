using Azure.Data.Tables;

namespace SmartShop.Core.Storage;

/// <summary>Table clients whose tables are created on first use, once per table.</summary>
internal sealed class TableClientCache(TableServiceClient serviceClient)
{
    private readonly CreatedOnFirstUse<TableClient> _tables = new();

    public Task<TableClient> GetAsync(string tableName, CancellationToken cancellationToken) =>
        _tables.GetAsync(tableName, CreateAsync, cancellationToken);

    private async Task<TableClient> CreateAsync(string tableName)
    {
        var table = serviceClient.GetTableClient(tableName);
        await table.CreateIfNotExistsAsync().ConfigureAwait(false);
        return table;
    }
}
