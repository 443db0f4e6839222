using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Storage;

/// <summary>A stored catalogue change: the item as the shop last sent it, or a deletion (<see cref="Item"/> null).</summary>
public sealed record CatalogueRecord(string Id, CatalogueItem? Item, DateTimeOffset ChangedAt)
{
    public bool IsDeleted => Item is null;
}

/// <summary>Every stored record and the version (change marker ETag) they were read at.</summary>
public sealed record CatalogueChanges(string Version, IReadOnlyList<CatalogueRecord> Records);

/// <summary>
/// The catalogue changes the admin routes make, in Table storage of the app's account: one entity per item (partition
/// "item", row = the escaped id; a deletion is kept as a tombstone so every instance learns of it) and a change marker
/// rewritten after every write. Serving instances poll the marker (one point read) and re-read the items only when its
/// ETag moved (and now and then regardless, should a marker write have been lost after its items were written). Writes
/// go item(s) first, marker second, and readers read the marker first, so a reader never records a version newer than
/// the items it read.
/// </summary>
public sealed class CatalogueStore(TableServiceClient serviceClient, TimeProvider timeProvider, string tableName = CatalogueStore.DefaultTableName)
{
    public const string DefaultTableName = "SmartShopCatalogue";

    /// <summary>The version reported while nothing has ever been written.</summary>
    public const string EmptyVersion = "empty";

    private const string ItemPartition = "item";
    private const string MarkerPartition = "change";
    private const string MarkerRow = "latest";
    private const int MaxTransactionSize = 100;
    private const int MaxConcurrencyRetries = 8;

    private static readonly JsonSerializerOptions AttributeJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TableClientCache _tables = new(serviceClient);

    public string TableName => tableName;

    /// <summary>Stores the items (replacing what was stored under their ids, deletions included), then moves the marker.</summary>
    public async Task UpsertAsync(IReadOnlyList<CatalogueItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        // One entity group transaction per 100 items (a transaction may touch an entity once: the last of a repeated id wins).
        var distinct = items.Reverse().DistinctBy(i => i.Id, StringComparer.Ordinal).Reverse().ToList();
        var written = 0;
        try
        {
            foreach (var chunk in distinct.Chunk(MaxTransactionSize))
            {
                var actions = chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(i.Id, i, now))).ToList();
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                written++;
            }
        }
        finally
        {
            // A batch that failed half-way still announces the chunks it stored (the caller sends the batch again).
            if (written > 0)
            {
                await MoveMarkerAsync(table, now, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The stored record of an item (a deletion included), or null when the store never heard of it.</summary>
    public async Task<CatalogueRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(ItemPartition, StorageKeys.Escape(id), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    /// <summary>
    /// Sets an item's stock flag. A stored item is updated in place (optimistic concurrency); an item the store does not
    /// hold is stored from <paramref name="current"/> (the served facts). Null when the item is deleted or unknown.
    /// </summary>
    public async Task<CatalogueItem?> SetInStockAsync(string id, bool inStock, CatalogueItem? current, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var key = StorageKeys.Escape(id);
        for (var attempt = 0; ; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(ItemPartition, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            var now = timeProvider.GetUtcNow();
            try
            {
                CatalogueItem updated;
                if (found.HasValue)
                {
                    if (FromEntity(found.Value!).Item is not { } stored)
                    {
                        return null;
                    }

                    updated = stored with { InStock = inStock };
                    await table.UpdateEntityAsync(ToEntity(id, updated, now), found.Value!.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    if (current is null)
                    {
                        return null;
                    }

                    updated = current with { InStock = inStock };
                    await table.AddEntityAsync(ToEntity(id, updated, now), cancellationToken).ConfigureAwait(false);
                }

                await MoveMarkerAsync(table, now, cancellationToken).ConfigureAwait(false);
                return updated;
            }
            catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict && attempt < MaxConcurrencyRetries)
            {
                // Another writer got there first: read again and apply the flag to what it wrote.
            }
        }
    }

    /// <summary>Records the item as deleted (a tombstone every instance reads), then moves the marker.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        await table.UpsertEntityAsync(ToEntity(id, null, now), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        await MoveMarkerAsync(table, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every record, unless the marker still has <paramref name="seenVersion"/> (then null: nothing changed since).
    /// </summary>
    public async Task<CatalogueChanges?> ReadIfChangedAsync(string? seenVersion, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var marker = await table.GetEntityIfExistsAsync<TableEntity>(MarkerPartition, MarkerRow, ["PartitionKey"], cancellationToken).ConfigureAwait(false);
        var version = marker.HasValue ? marker.Value!.ETag.ToString() : EmptyVersion;
        if (string.Equals(version, seenVersion, StringComparison.Ordinal))
        {
            return null;
        }

        // Read even without a marker: the first write's marker update may be the one that was lost.
        var records = new List<CatalogueRecord>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ItemPartition}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            records.Add(FromEntity(entity));
        }

        return new CatalogueChanges(version, records);
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => _tables.GetAsync(tableName, cancellationToken);

    private static async Task MoveMarkerAsync(TableClient table, DateTimeOffset now, CancellationToken cancellationToken) =>
        await table.UpsertEntityAsync(new TableEntity(MarkerPartition, MarkerRow) { ["ChangedAt"] = now }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);

    private static TableEntity ToEntity(string id, CatalogueItem? item, DateTimeOffset now)
    {
        var entity = new TableEntity(ItemPartition, StorageKeys.Escape(id))
        {
            ["Id"] = id,
            ["ChangedAt"] = now,
            ["Deleted"] = item is null,
        };
        if (item is null)
        {
            return entity;
        }

        // One property per field: each stays far below Table storage's 32K characters per string.
        entity["Title"] = item.Title;
        entity["Description"] = item.Description;
        entity["Category"] = item.Category;
        entity["Price"] = item.Price.ToString(CultureInfo.InvariantCulture);
        entity["Currency"] = item.Currency;
        entity["ImageUrl"] = item.ImageUrl;
        entity["ProductUrl"] = item.ProductUrl;
        entity["InStock"] = item.InStock;
        entity["IsProduct"] = item.IsProduct;
        entity["Attributes"] = item.Attributes is null ? null : JsonSerializer.Serialize(item.Attributes, AttributeJson);
        return entity;
    }

    private static CatalogueRecord FromEntity(TableEntity entity)
    {
        var id = entity.GetString("Id");
        var changedAt = entity.GetDateTimeOffset("ChangedAt") ?? entity.Timestamp ?? DateTimeOffset.MinValue;
        if (entity.GetBoolean("Deleted") == true)
        {
            return new CatalogueRecord(id, null, changedAt);
        }

        var attributes = entity.GetString("Attributes") is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json, AttributeJson) : null;
        var item = new CatalogueItem(id, entity.GetString("Title"), entity.GetString("Category"),
            decimal.Parse(entity.GetString("Price"), NumberStyles.Number, CultureInfo.InvariantCulture), entity.GetBoolean("InStock") ?? true)
        {
            Description = entity.GetString("Description"),
            Currency = entity.GetString("Currency"),
            ImageUrl = entity.GetString("ImageUrl"),
            ProductUrl = entity.GetString("ProductUrl"),
            IsProduct = entity.GetBoolean("IsProduct") ?? true,
            Attributes = attributes is null ? null : new Dictionary<string, string>(attributes, StringComparer.Ordinal),
        };
        return new CatalogueRecord(id, item, changedAt);
    }
}
