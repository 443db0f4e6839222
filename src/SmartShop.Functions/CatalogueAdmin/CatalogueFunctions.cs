using System.Globalization;
using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Http;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Serving;

namespace SmartShop.Functions.CatalogueAdmin;

/// <summary>
/// <c>/api/v1/catalogue/items</c>: the shop keeps the served catalogue current without a retrain: upsert a batch of items,
/// mark one out of (or back in) stock, delete one, read one. Changes are stored in <see cref="CatalogueStore"/> and every
/// instance lays them over its model on its next registry poll. Admin routes (master key; plus an admin token when
/// Entra ID is configured): the storefront's function key reaches none of them.
/// </summary>
public sealed class CatalogueFunctions(CatalogueStore store, ServingModels serving, AdminAuthorizer authorizer, IOptions<ModelRegistryOptions> registry)
{
    public const string Route = "v1/catalogue/items";
    /// <summary>Most items one upsert may carry.</summary>
    public const int MaxBatchItems = 500;
    /// <summary>Largest upsert body.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const int StoreUnavailableRetryAfterSeconds = 30;
    private const string ItemIdDescription = "The item id: 1-128 characters of A-Z a-z 0-9 - _ . : @, compared exactly (case matters).";

    [Function(nameof(UpsertCatalogueItems))]
    [ApiOperation("Catalogue", "Adds or replaces a batch of catalogue items (a JSON array).",
        Description = "Each item replaces what is stored under its id (a deleted id comes back). Fields: id, title and price required; description, category (path), currency (ISO 4217), imageUrl, productUrl (http/https), inStock and isProduct (default true), attributes (string → string, at most 32). At most 500 items and 1 MiB per request. Every instance serves the change within one model-registry poll interval (ModelRegistry:PollIntervalSeconds).")]
    [ApiBody(typeof(CatalogueItemJson[]))]
    [ApiResponse(StatusCodes.Status200OK, typeof(CatalogueUpsertResult))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter", "malformed-body"])]
    [ApiResponse(StatusCodes.Status413PayloadTooLarge, Codes = ["body-too-large"])]
    [ApiResponse(StatusCodes.Status415UnsupportedMediaType, Codes = ["unsupported-media-type"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable", "catalogue-unavailable"])]
    public async Task<IActionResult> UpsertCatalogueItems(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var query = QueryParameters.Read(request);
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (!RequestBody.IsJson(request))
        {
            return ApiProblem.UnsupportedMediaType("application/json (an array of catalogue items)");
        }

        if (await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false) is not { } body)
        {
            return ApiProblem.TooLarge(MaxBodyBytes);
        }

        List<CatalogueItemJson?>? posted;
        try
        {
            posted = JsonSerializer.Deserialize<List<CatalogueItemJson?>>(body, CatalogueItemJson.Options);
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) ? "" : $" (at {e.Path})";
            return ApiProblem.MalformedBody($"Send a JSON array of items [{{\"id\": string, \"title\": string, \"price\": number, ...}}]{where}.");
        }

        if (Validate(posted, out var items) is { } invalid)
        {
            return invalid;
        }

        return await StoreCallAsync(request, async () =>
        {
            await store.UpsertAsync(items, cancellationToken).ConfigureAwait(false);
            return new OkObjectResult(new CatalogueUpsertResult(items.Count, [.. items.Select(i => i.Id)], registry.Value.PollIntervalSeconds));
        }).ConfigureAwait(false);
    }

    [Function(nameof(GetCatalogueItem))]
    [ApiOperation("Catalogue", "One catalogue item as it is served now (stored change, uploaded catalogue or the model's facts).")]
    [ApiRouteParameter("itemId", ItemIdDescription)]
    [ApiResponse(StatusCodes.Status200OK, typeof(CatalogueItemResource))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = ["item-not-found"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable", "catalogue-unavailable"])]
    public async Task<IActionResult> GetCatalogueItem(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route + "/{itemId}")] HttpRequest request,
        string itemId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await PrepareAsync(request, itemId, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        return await StoreCallAsync(request, async () =>
        {
            var stored = await store.GetAsync(itemId, cancellationToken).ConfigureAwait(false);
            return stored switch
            {
                { Item: { } item } => Found(item, CatalogueItemResource.StoredSource, stored.ChangedAt),
                { IsDeleted: true } => Deleted(itemId),
                _ => Served(itemId) is { } served ? Found(served, CatalogueItemResource.ServedSource, null) : Unknown(itemId),
            };
        }).ConfigureAwait(false);
    }

    [Function(nameof(MarkCatalogueItemOutOfStock))]
    [ApiOperation("Catalogue", "Marks an item out of stock: it stops being recommended within one poll interval.")]
    [ApiRouteParameter("itemId", ItemIdDescription)]
    [ApiResponse(StatusCodes.Status200OK, typeof(CatalogueItemResource))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = ["item-not-found"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable", "catalogue-unavailable"])]
    public Task<IActionResult> MarkCatalogueItemOutOfStock(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Route + "/{itemId}/out-of-stock")] HttpRequest request,
        string itemId,
        CancellationToken cancellationToken) =>
        SetInStockAsync(request, itemId, inStock: false, cancellationToken);

    [Function(nameof(MarkCatalogueItemInStock))]
    [ApiOperation("Catalogue", "Marks an item back in stock: it may be recommended again within one poll interval.")]
    [ApiRouteParameter("itemId", ItemIdDescription)]
    [ApiResponse(StatusCodes.Status200OK, typeof(CatalogueItemResource))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = ["item-not-found"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable", "catalogue-unavailable"])]
    public Task<IActionResult> MarkCatalogueItemInStock(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Route + "/{itemId}/in-stock")] HttpRequest request,
        string itemId,
        CancellationToken cancellationToken) =>
        SetInStockAsync(request, itemId, inStock: true, cancellationToken);

    [Function(nameof(DeleteCatalogueItem))]
    [ApiOperation("Catalogue", "Deletes an item: it stops being recommended and is answered as unknown within one poll interval.",
        Description = "An upsert of the same id brings it back.")]
    [ApiRouteParameter("itemId", ItemIdDescription)]
    [ApiResponse(StatusCodes.Status204NoContent)]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = ["item-not-found"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable", "catalogue-unavailable"])]
    public async Task<IActionResult> DeleteCatalogueItem(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Route + "/{itemId}")] HttpRequest request,
        string itemId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await PrepareAsync(request, itemId, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        return await StoreCallAsync(request, async () =>
        {
            var stored = await store.GetAsync(itemId, cancellationToken).ConfigureAwait(false);
            if (stored is { IsDeleted: true })
            {
                return Deleted(itemId);
            }

            if (stored is null && Served(itemId) is null)
            {
                return Unknown(itemId);
            }

            await store.DeleteAsync(itemId, cancellationToken).ConfigureAwait(false);
            return new NoContentResult();
        }).ConfigureAwait(false);
    }

    private async Task<IActionResult> SetInStockAsync(HttpRequest request, string itemId, bool inStock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await PrepareAsync(request, itemId, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        return await StoreCallAsync(request, async () =>
        {
            var updated = await store.SetInStockAsync(itemId, inStock, Served(itemId), cancellationToken).ConfigureAwait(false);
            return updated is null ? Unknown(itemId) : Found(updated, CatalogueItemResource.StoredSource, null);
        }).ConfigureAwait(false);
    }

    /// <summary>Authorization, no query parameters, a well-formed id: null when the request may go on.</summary>
    private async Task<IActionResult?> PrepareAsync(HttpRequest request, string itemId, CancellationToken cancellationToken)
    {
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var query = QueryParameters.Read(request);
        if (!query.IsValid)
        {
            return query.Error;
        }

        return CatalogueItemRules.IsValidId(itemId)
            ? null
            : ApiProblem.InvalidParameter("itemId", $"'itemId' must be 1-{CatalogueItemRules.MaxIdLength} characters of A-Z a-z 0-9 - _ . : @.");
    }

    /// <summary>The item as the served recommender knows it (uploaded catalogue or model), exact id match only.</summary>
    private CatalogueItem? Served(string itemId) =>
        serving.Recommendations?.Recommender.FindItem(itemId) is { } item && string.Equals(item.Id, itemId, StringComparison.Ordinal) ? item : null;

    private static ObjectResult? Validate(List<CatalogueItemJson?>? posted, out List<CatalogueItem> items)
    {
        items = [];
        if (posted is null or { Count: 0 })
        {
            return ApiProblem.InvalidParameter("items", "Send a JSON array with at least one item.");
        }

        if (posted.Count > MaxBatchItems)
        {
            return ApiProblem.InvalidParameter("items", string.Create(CultureInfo.InvariantCulture, $"An upsert may carry at most {MaxBatchItems} items; send {posted.Count} in several requests."));
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < posted.Count; i++)
        {
            var parameter = string.Create(CultureInfo.InvariantCulture, $"items[{i}]");
            if (!CatalogueItemRules.TryCreate(posted[i], out var item, out var error))
            {
                return ApiProblem.InvalidParameter(parameter, $"{parameter}: {error}");
            }

            if (!seen.TryAdd(item.Id, i))
            {
                return ApiProblem.InvalidParameter(parameter, string.Create(CultureInfo.InvariantCulture, $"{parameter}: id '{item.Id}' is already items[{seen[item.Id]}]; send each id once."));
            }

            items.Add(item);
        }

        return null;
    }

    private static async Task<IActionResult> StoreCallAsync(HttpRequest request, Func<Task<IActionResult>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            request.HttpContext.Response.Headers.RetryAfter = StoreUnavailableRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return ApiProblem.Create(StatusCodes.Status503ServiceUnavailable, "catalogue-unavailable", "The catalogue store cannot be reached.",
                $"The catalogue table could not be read or written; retry after {StoreUnavailableRetryAfterSeconds} seconds.");
        }
    }

    private static OkObjectResult Found(CatalogueItem item, string source, DateTimeOffset? changedAt) =>
        new(new CatalogueItemResource(CatalogueItemRules.ToJson(item), source, item.IsRecommendable, changedAt));

    private static ObjectResult Unknown(string itemId) =>
        ApiProblem.NotFound("item-not-found", $"Item '{ApiProblem.Echo(itemId)}' is neither in the catalogue changes nor in the served catalogue.");

    private static ObjectResult Deleted(string itemId) =>
        ApiProblem.NotFound("item-not-found", $"Item '{ApiProblem.Echo(itemId)}' was deleted; upsert it to bring it back.");
}

/// <summary>The answer of an upsert: how many items were stored and within how many seconds every instance serves them.</summary>
public sealed record CatalogueUpsertResult(int Upserted, IReadOnlyList<string> ItemIds, int ServedWithinSeconds);

/// <summary>One catalogue item, where it comes from, and whether it may be recommended (in stock and merchandise).</summary>
/// <param name="Source"><c>stored</c>: a change made through these routes; <c>served</c>: the uploaded catalogue or the model's facts.</param>
/// <param name="ChangedAt">When the stored change was made (null for served facts and for the answer to a stock change).</param>
public sealed record CatalogueItemResource(CatalogueItemJson Item, string Source, bool Recommendable, DateTimeOffset? ChangedAt)
{
    public const string StoredSource = "stored";
    public const string ServedSource = "served";
}
