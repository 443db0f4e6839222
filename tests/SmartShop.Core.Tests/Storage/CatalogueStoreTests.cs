using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Tests.Storage;

/// <summary>The catalogue change store against Azurite's Table service (a table of its own per test).</summary>
public sealed class CatalogueStoreTests
{
    private readonly CatalogueStore _store = new(StorageEmulators.TableService(), TimeProvider.System, StorageEmulators.UniqueName("catalogue"));

    private static CatalogueItem Item(string id, string title = "Mug") => new(id, title, "Home > Kitchen", 4.5m, true)
    {
        Description = "Glazed, ünïcode ✓",
        Currency = "GBP",
        ImageUrl = "https://cdn.example/" + id + ".jpg",
        ProductUrl = "https://shop.example/p/" + id,
        Attributes = new Dictionary<string, string> { ["colour"] = "red", ["size"] = "L" },
    };

    [Fact]
    public async Task AnUpsertedItemReadsBackFieldForField()
    {
        var item = Item("sku:a@b_c.1-x");

        await _store.UpsertAsync([item, Item("other")]);
        var stored = await _store.GetAsync(item.Id);

        stored!.IsDeleted.Should().BeFalse();
        stored.Item.Should().BeEquivalentTo(item);
        (await _store.GetAsync("SKU:A@B_C.1-X")).Should().BeNull("ids are compared exactly");
    }

    [Fact]
    public async Task BatchesLargerThanOneTransactionAreStoredWhole()
    {
        var items = Enumerable.Range(0, 250).Select(i => Item($"item-{i}")).ToList();

        await _store.UpsertAsync(items);
        var changes = await _store.ReadIfChangedAsync(null);

        changes!.Records.Select(r => r.Id).Should().BeEquivalentTo(items.Select(i => i.Id));
    }

    [Fact]
    public async Task TheVersionMovesOnEveryWriteAndOnlyThen()
    {
        var empty = await _store.ReadIfChangedAsync(null);
        empty!.Version.Should().Be(CatalogueStore.EmptyVersion);
        empty.Records.Should().BeEmpty();
        (await _store.ReadIfChangedAsync(CatalogueStore.EmptyVersion)).Should().BeNull();

        await _store.UpsertAsync([Item("a")]);
        var first = await _store.ReadIfChangedAsync(empty.Version);
        (await _store.ReadIfChangedAsync(first!.Version)).Should().BeNull("nothing changed since");

        await _store.DeleteAsync("a");
        var second = await _store.ReadIfChangedAsync(first.Version);

        second!.Version.Should().NotBe(first.Version);
        second.Records.Should().ContainSingle().Which.IsDeleted.Should().BeTrue("a deletion is kept so every instance learns of it");
    }

    [Fact]
    public async Task StockChangesUpdateAStoredItemOrStoreTheServedFacts()
    {
        await _store.UpsertAsync([Item("stored")]);

        var updated = await _store.SetInStockAsync("stored", inStock: false, current: null);
        var fromModel = await _store.SetInStockAsync("model-only", inStock: false, current: new CatalogueItem("model-only", "From the model", null, 1, true));
        var unknown = await _store.SetInStockAsync("unknown", inStock: false, current: null);

        updated!.InStock.Should().BeFalse();
        updated.ImageUrl.Should().Be("https://cdn.example/stored.jpg", "only the flag changes");
        (await _store.GetAsync("stored"))!.Item!.InStock.Should().BeFalse();
        fromModel!.Title.Should().Be("From the model");
        (await _store.GetAsync("model-only"))!.Item!.InStock.Should().BeFalse();
        unknown.Should().BeNull();
    }

    [Fact]
    public async Task ADeletedItemStaysDeletedUntilUpsertedAgain()
    {
        await _store.UpsertAsync([Item("gone")]);
        await _store.DeleteAsync("gone");

        (await _store.GetAsync("gone"))!.IsDeleted.Should().BeTrue();
        (await _store.SetInStockAsync("gone", true, current: Item("gone"))).Should().BeNull("a deleted item is not restocked");

        await _store.UpsertAsync([Item("gone", "Back")]);
        (await _store.GetAsync("gone"))!.Item!.Title.Should().Be("Back");
    }
}
