using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Attribution;
using SmartShop.Core.Privacy;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Http;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Serving;

namespace SmartShop.Functions.Recommendations;

/// <summary>
/// The storefront's recommendation routes: bind → validate → ask the served <see cref="Recommender"/> → map. Each
/// request reads the served model once and finishes on it. Unknown users and items are answered by the engine's
/// fallbacks (trending), and the reasons say so. Every answer is logged as a prediction without waiting on storage.
/// </summary>
public sealed partial class RecommendationFunctions(
    ServingModels serving,
    IDocumentLogStore activityStore,
    DocumentLogWriter predictionLog,
    RecommendationCache cache,
    SmartShopTelemetry telemetry,
    TimeProvider timeProvider,
    ILogger<RecommendationFunctions> logger,
    ErasedCustomers erasedCustomers,
    ImpressionCounter? impressions = null)
{
    public const int MaxCartItems = 100;
    public const int MaxCartBodyBytes = 64 * 1024;
    /// <summary>Most values a list parameter (category, exclude) may carry.</summary>
    public const int MaxListValues = 50;
    /// <summary>The prediction log's user for answers that name no user.</summary>
    public const string AnonymousUser = "(anonymous)";

    public const string UserEndpoint = RecommendationEndpoints.User;
    public const string SimilarEndpoint = RecommendationEndpoints.Similar;
    public const string BoughtTogetherEndpoint = RecommendationEndpoints.BoughtTogether;
    public const string CartEndpoint = RecommendationEndpoints.Cart;
    public const string TrendingEndpoint = RecommendationEndpoints.Trending;

    public const string UnknownUserReason = "new customer: no purchase history yet";
    public const string UnknownItemReason = "the requested item is not in the model's catalogue; showing trending items";
    public const string UnknownCartReason = "no item in the cart is in the model's catalogue; showing trending items";
    public const string PopularReason = "popular with shoppers now (an experiment's control)";
    public const string NewItemReason = "a new item: no baskets with it yet; showing trending items";

    /// <summary>Longest wait for the user's recent activity before answering without it.</summary>
    public static readonly TimeSpan RecentActivityTimeout = TimeSpan.FromMilliseconds(500);

    private const int DefaultK = 10;

    private const string PlacementDescription = "Where the storefront shows the answer (home, product-page, cart, …): a label the answer's id keeps for the rollups.";

    private static readonly JsonSerializerOptions CartJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
    };

    [Function(nameof(GetUserRecommendations))]
    [ApiOperation("Recommendations", "Recommended for you: the user's top-k items, each with its reasons.",
        Description = "An unknown user gets the engine's cold-start answer (recent activity, else trending) and the reasons say so.")]
    [ApiRouteParameter("userId", "The customer id.")]
    [ApiQuery("k", typeof(int), "How many items.", Minimum = 1, Maximum = RecommendationRequestBase.MaxK, Default = "10")]
    [ApiQuery("placement", typeof(string), PlacementDescription)]
    [ApiQuery("category", typeof(string[]), "Only items of these categories (comma-separated).")]
    [ApiQuery("exclude", typeof(string[]), "Item ids never to return (comma-separated).")]
    [ApiQuery("diversity", typeof(double), "0 (pure relevance) to 1 (most diverse).", Minimum = 0, Maximum = 1)]
    [ApiResponse(StatusCodes.Status200OK, typeof(UserRecommendations))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["model-not-loaded"])]
    public async Task<IActionResult> GetUserRecommendations(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/users/{userId}/recommendations")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        if (RouteIds.Check(nameof(userId), userId) is { } badUser)
        {
            return badUser;
        }

        var query = QueryParameters.Read(request, "k", "category", "exclude", "diversity", "placement");
        var k = query.WholeNumber("k", DefaultK, 1, RecommendationRequestBase.MaxK);
        var placement = query.Label("placement");
        var categories = query.List("category", MaxListValues);
        var exclude = query.List("exclude", MaxListValues);
        var diversity = query.Number("diversity", 0, 1);
        if (!query.IsValid)
        {
            return query.Error;
        }

        if ((RouteIds.CheckAll("category", categories) ?? RouteIds.CheckAll("exclude", exclude)) is { } badList)
        {
            return badList;
        }

        if (serving.Recommendations is not { } served)
        {
            return RecommenderNotLoaded(request);
        }

        // A running experiment on this route picks the model (or strategy) by the user's variant.
        var route = serving.Experiments.Route(UserEndpoint, userId, served, timeProvider.GetUtcNow());
        served = route?.Model ?? served;
        var popular = route is { Variant.Strategy: Core.Experiments.Experiment.PopularStrategy };
        var recent = popular ? [] : await RecentItemsAsync(userId, cancellationToken).ConfigureAwait(false);
        var recommender = served.Recommender;
        // An erased customer's rows stay in a loaded model until the next training run: answered as an unknown user.
        var modelUserId = popular || await erasedCustomers.IsErasedAsync(userId, cancellationToken).ConfigureAwait(false) ? null : userId;
        var items = recommender.RecommendForUser(new UserRecommendationRequest
        {
            UserId = modelUserId,
            RecentItems = recent,
            K = k,
            Filters = Filters(categories, exclude),
            MaxPerCategory = MaxPerCategory(k, diversity),
        }, cancellationToken);
        var note = popular ? PopularReason : recent.Count == 0 && (modelUserId is null || !recommender.IsKnownUser(modelUserId)) ? UnknownUserReason : null;
        var mapped = Map(recommender, items, note);
        var response = new UserRecommendations(userId, Answer(UserEndpoint, userId, served, placement, mapped.Select(i => i.ItemId), started, route), served.Version, mapped)
        {
            ExperimentId = route?.Experiment.Id,
            Variant = route?.Variant.Name,
        };
        return new OkObjectResult(response);
    }

    [Function(nameof(GetSimilarItems))]
    [ApiOperation("Recommendations", "Items similar to an item (content and co-occurrence neighbours).")]
    [ApiRouteParameter("itemId", "The item (stock code).")]
    [ApiQuery("k", typeof(int), "How many items.", Minimum = 1, Maximum = RecommendationRequestBase.MaxK, Default = "10")]
    [ApiQuery("placement", typeof(string), PlacementDescription)]
    [ApiResponse(StatusCodes.Status200OK, typeof(SimilarItems))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["model-not-loaded"])]
    public IActionResult GetSimilarItems(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/items/{itemId}/similar")] HttpRequest request,
        string itemId,
        CancellationToken cancellationToken) =>
        AnswerAboutItem(request, itemId, SimilarEndpoint,
            (recommender, item, k) => Map(recommender, recommender.SimilarItems(new ItemRequest { ItemId = item.Id, K = k }, cancellationToken), null),
            trending => trending,
            (id, recommendationId, version, items) => new SimilarItems(id, recommendationId, version, items),
            cancellationToken);

    [Function(nameof(GetBoughtTogether))]
    [ApiOperation("Recommendations", "Items frequently bought together with an item, with support, confidence and lift.")]
    [ApiRouteParameter("itemId", "The item (stock code).")]
    [ApiQuery("k", typeof(int), "How many items.", Minimum = 1, Maximum = RecommendationRequestBase.MaxK, Default = "10")]
    [ApiQuery("placement", typeof(string), PlacementDescription)]
    [ApiResponse(StatusCodes.Status200OK, typeof(BoughtTogetherItems))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["model-not-loaded"])]
    public IActionResult GetBoughtTogether(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/items/{itemId}/bought-together")] HttpRequest request,
        string itemId,
        CancellationToken cancellationToken) =>
        AnswerAboutItem(request, itemId, BoughtTogetherEndpoint,
            (recommender, item, k) => recommender.IsModelItem(item.Id)
                ? [.. recommender.FrequentlyBoughtTogether(new ItemRequest { ItemId = item.Id, K = k }, cancellationToken).Select(i => BoughtTogether(recommender, i))]
                : [.. Map(recommender, recommender.Trending(new TrendingRequest { K = k }, cancellationToken), NewItemReason).Select(BoughtTogetherFromTrending)],
            BoughtTogetherFromTrending,
            (id, recommendationId, version, items) => new BoughtTogetherItems(id, recommendationId, version, items),
            cancellationToken);

    [Function(nameof(PostCartRecommendations))]
    [ApiOperation("Recommendations", "Completes a cart: items that go with the posted item ids.")]
    [ApiQuery("placement", typeof(string), PlacementDescription)]
    [ApiBody(typeof(CartRecommendationRequest))]
    [ApiResponse(StatusCodes.Status200OK, typeof(CartRecommendations))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter", "malformed-body"])]
    [ApiResponse(StatusCodes.Status413PayloadTooLarge, Codes = ["body-too-large"])]
    [ApiResponse(StatusCodes.Status415UnsupportedMediaType, Codes = ["unsupported-media-type"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["model-not-loaded"])]
    public async Task<IActionResult> PostCartRecommendations(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/cart/recommendations")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        if (!RequestBody.IsJson(request))
        {
            return ApiProblem.UnsupportedMediaType("application/json");
        }

        var query = QueryParameters.Read(request, "placement");
        var placement = query.Label("placement");
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (await RequestBody.ReadAsync(request, MaxCartBodyBytes, cancellationToken).ConfigureAwait(false) is not { } body)
        {
            return ApiProblem.TooLarge(MaxCartBodyBytes);
        }

        CartRecommendationRequest? posted;
        try
        {
            posted = JsonSerializer.Deserialize<CartRecommendationRequest>(body, CartJson);
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) ? "" : $" (at {e.Path})";
            return ApiProblem.MalformedBody($"Send a JSON object {{\"items\": [item ids], \"userId\"?: string, \"k\"?: 1-100}}{where}.");
        }

        if (!TryValidateCart(posted, out var cart, out var badCart))
        {
            return badCart;
        }

        if (serving.Recommendations is not { } served)
        {
            return RecommenderNotLoaded(request);
        }

        var recommender = served.Recommender;
        var items = recommender.CompleteCart(new CartRequest { CartItems = cart.Items, K = cart.K }, cancellationToken);
        var note = cart.Items.Any(id => recommender.FindItem(id) is not null) ? null : UnknownCartReason;
        var mapped = Map(recommender, items, note);
        var response = new CartRecommendations(cart.UserId, Answer(CartEndpoint, cart.UserId, served, placement, mapped.Select(i => i.ItemId), started), served.Version, mapped);
        return new OkObjectResult(response);
    }

    [Function(nameof(GetTrending))]
    [ApiOperation("Recommendations", "Trending items, overall or in a customer segment.")]
    [ApiQuery("k", typeof(int), "How many items.", Minimum = 1, Maximum = RecommendationRequestBase.MaxK, Default = "10")]
    [ApiQuery("placement", typeof(string), PlacementDescription)]
    [ApiQuery("category", typeof(string[]), "Only items of these categories (comma-separated).")]
    [ApiQuery("segment", typeof(string), "Trending among customers of this segment (needs the segmentation model).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(TrendingItems))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["model-not-loaded"])]
    public IActionResult GetTrending(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/trending")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var query = QueryParameters.Read(request, "k", "category", "segment", "placement");
        var k = query.WholeNumber("k", DefaultK, 1, RecommendationRequestBase.MaxK);
        var placement = query.Label("placement");
        var categories = query.List("category", MaxListValues);
        var segment = query.Text("segment");
        if (!query.IsValid)
        {
            return query.Error;
        }

        if ((RouteIds.CheckAll("category", categories) ?? (segment is null ? null : RouteIds.Check("segment", segment))) is { } badValue)
        {
            return badValue;
        }

        if (serving.Recommendations is not { } served)
        {
            return RecommenderNotLoaded(request);
        }

        if (segment is not null)
        {
            if (served.Trending is not { } trending)
            {
                return ApiProblem.ModelNotLoaded(request.HttpContext.Response, ModelStatusBoard.Segmentation);
            }

            if (!trending.Segments.Contains(segment, StringComparer.Ordinal))
            {
                return ApiProblem.InvalidParameter("segment", $"Unknown segment. Known segments: {string.Join(", ", trending.Segments)}.");
            }
        }

        var recommender = served.Recommender;
        var key = new RecommendationCacheKey(TrendingEndpoint, served.CacheVersion, segment is null ? null : served.SegmentationVersion, segment, k,
            categories.Count == 0 ? null : string.Join('\n', categories.Order(StringComparer.Ordinal)));
        var items = cache.GetOrCreate(key, () => Map(recommender,
            recommender.Trending(new TrendingRequest { K = k, Segment = segment, Filters = Filters(categories, []) }, cancellationToken), null));
        var response = new TrendingItems(segment, Answer(TrendingEndpoint, null, served, placement, items.Select(i => i.ItemId), started, segment: segment), served.Version, items);
        return new OkObjectResult(response);
    }

    /// <summary>
    /// The item routes: validate, answer from the cache or the served model (trending, with the reason, for an item the
    /// model does not know), log, and shape the response.
    /// </summary>
    private IActionResult AnswerAboutItem<T>(
        HttpRequest request,
        string itemId,
        string endpoint,
        Func<Recommender, CatalogueItem, int, IReadOnlyList<T>> answerKnown,
        Func<RecommendationItem, T> fromTrending,
        Func<string, string, string, IReadOnlyList<T>, object> respond,
        CancellationToken cancellationToken)
        where T : class, IRecommendedItem
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        if (RouteIds.Check(nameof(itemId), itemId) is { } badItem)
        {
            return badItem;
        }

        var query = QueryParameters.Read(request, "k", "placement");
        var k = query.WholeNumber("k", DefaultK, 1, RecommendationRequestBase.MaxK);
        var placement = query.Label("placement");
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (serving.Recommendations is not { } served)
        {
            return RecommenderNotLoaded(request);
        }

        var recommender = served.Recommender;
        var known = recommender.FindItem(itemId);
        // Every unknown item gets the same fallback: one entry for all of them (a null subject), so made-up ids cannot flood the cache.
        var items = cache.GetOrCreate(new RecommendationCacheKey(endpoint, served.CacheVersion, null, known?.Id, k, null), () => known is null
            ? [.. Map(recommender, recommender.Trending(new TrendingRequest { K = k }, cancellationToken), UnknownItemReason).Select(fromTrending)]
            : answerKnown(recommender, known, k));
        var recommendationId = Answer(endpoint, null, served, placement, items.Select(i => i.ItemId), started);
        return new OkObjectResult(respond(itemId, recommendationId, served.Version, items));
    }

    private static bool TryValidateCart(
        CartRecommendationRequest? posted, [NotNullWhen(true)] out ValidCart? cart, [NotNullWhen(false)] out ObjectResult? error)
    {
        cart = null;
        error = posted switch
        {
            null => ApiProblem.MalformedBody("Send a JSON object {\"items\": [item ids], \"userId\"?: string, \"k\"?: 1-100}."),
            { Items: null or [] } => ApiProblem.InvalidParameter("items", "Send at least one item id in 'items'."),
            { Items.Count: > MaxCartItems } => ApiProblem.InvalidParameter("items", string.Create(CultureInfo.InvariantCulture, $"A cart may list at most {MaxCartItems} items.")),
            { K: < 1 or > RecommendationRequestBase.MaxK } => ApiProblem.InvalidParameter("k",
                string.Create(CultureInfo.InvariantCulture, $"'k' must be an integer from 1 to {RecommendationRequestBase.MaxK}.")),
            _ => RouteIds.CheckAll("items", posted.Items) ?? (posted.UserId is null ? null : RouteIds.Check("userId", posted.UserId)),
        };
        if (error is not null)
        {
            return false;
        }

        cart = new ValidCart(posted!.Items!, posted.UserId, posted.K ?? DefaultK);
        return true;
    }

    private async Task<IReadOnlyList<string>> RecentItemsAsync(string userId, CancellationToken cancellationToken)
    {
        // Recent events only refine the answer: when the store fails or is slow the user still gets the model's list.
        using var deadline = new CancellationTokenSource(RecentActivityTimeout, timeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var activity = await activityStore.GetRecentActivityAsync(userId, timeout.Token).ConfigureAwait(false);
            return activity.Count == 0 ? [] : activity.Select(a => a.ItemId).Distinct(StringComparer.Ordinal).ToList();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogActivityTimedOut(logger, RecentActivityTimeout.TotalMilliseconds);
            return [];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogActivityUnavailable(logger, e);
            return [];
        }
    }

    private static RecommendationFilters? Filters(IReadOnlyList<string> categories, IReadOnlyList<string> exclude) =>
        categories.Count == 0 && exclude.Count == 0
            ? null
            : new RecommendationFilters
            {
                Categories = categories.Count == 0 ? null : categories.ToHashSet(StringComparer.Ordinal),
                // Model item ids are stored upper-cased (stock codes); exclude both spellings.
                ExcludeItems = exclude.Count == 0 ? null : exclude.Concat(exclude.Select(id => id.ToUpperInvariant())).ToHashSet(StringComparer.Ordinal),
            };

    /// <summary>diversity 0 (or absent): no cap; 1: one item per category; in between: at most ⌈k·(1−diversity)⌉ per category.</summary>
    private static int? MaxPerCategory(int k, double? diversity) =>
        diversity is { } d and > 0 ? Math.Max(1, (int)Math.Ceiling(k * (1 - d))) : null;

    private static RecommendationItem[] Map(Recommender recommender, IReadOnlyList<RecommendedItem> items, string? note)
    {
        var result = new RecommendationItem[items.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var item = items[i];
            var facts = recommender.FindItem(item.ItemId);
            result[i] = new RecommendationItem(item.ItemId, item.Score, note is null ? [item.Reason] : [item.Reason, note], facts?.Title ?? item.Title, facts?.Category,
                facts?.Price ?? 0m, facts?.Currency, facts?.ImageUrl, facts?.ProductUrl);
        }

        return result;
    }

    private static BoughtTogetherRecommendation BoughtTogether(Recommender recommender, BoughtTogetherItem item)
    {
        var facts = recommender.FindItem(item.ItemId);
        return new BoughtTogetherRecommendation(item.ItemId, item.Confidence, [item.Reason], facts?.Title ?? item.Title, facts?.Category, facts?.Price ?? 0m,
            item.Baskets, item.Support, item.Confidence, item.Lift, facts?.Currency, facts?.ImageUrl, facts?.ProductUrl);
    }

    private static BoughtTogetherRecommendation BoughtTogetherFromTrending(RecommendationItem trending) =>
        new(trending.ItemId, trending.Score, trending.Reasons, trending.Title, trending.Category, trending.Price, null, null, null, null,
            trending.Currency, trending.ImageUrl, trending.ProductUrl);

    private static IActionResult RecommenderNotLoaded(HttpRequest request) =>
        ApiProblem.ModelNotLoaded(request.HttpContext.Response, ModelStatusBoard.Recommendations);

    /// <summary>
    /// The answer's id, which carries what served it (<see cref="RecommendationContext"/>); logs the prediction and counts
    /// the impression for its rollup row, neither waiting on storage.
    /// </summary>
    private string Answer(
        string endpoint, string? userId, ServedRecommender served, string? placement, IEnumerable<string> itemIds, long started,
        ExperimentRoute? route = null, string? segment = null)
    {
        var now = timeProvider.GetUtcNow();
        var context = new RecommendationContext(
            endpoint, served.Version, segment ?? (userId is null ? null : served.Trending?.SegmentNameOf(userId)), placement, route?.Experiment.Id, route?.Variant.Name);
        var (recommendationId, carried) = context.Issue();
        var latency = Stopwatch.GetElapsedTime(started);
        // Queued, never awaited: a full queue drops the entry (counted by the writer) rather than slowing the answer.
        predictionLog.TryLogPrediction(new PredictionLogEntry(
            userId ?? AnonymousUser, recommendationId, now, endpoint, served.Version, itemIds.ToList(), latency.TotalMilliseconds));
        telemetry.RecordRecommendation(endpoint, served.Version, latency);
        // The row the id's own context names, exactly as ingestion will read it back from events.
        impressions?.Count(RollupKey.Of(DateOnly.FromDateTime(now.UtcDateTime), carried, userId));
        return recommendationId;
    }

    private sealed record ValidCart(IReadOnlyList<string> Items, string? UserId, int K);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "Recent activity could not be read; answering from the model alone")]
    private static partial void LogActivityUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Warning, Message = "Recent activity took longer than {TimeoutMilliseconds} ms; answering from the model alone")]
    private static partial void LogActivityTimedOut(ILogger logger, double timeoutMilliseconds);
}
