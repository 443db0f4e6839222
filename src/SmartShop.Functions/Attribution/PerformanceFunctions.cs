using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartShop.Core.Attribution;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Http;

namespace SmartShop.Functions.Attribution;

/// <summary><c>/api/v1/performance</c>: what the recommendations were shown and earned, per rollup row (admin only).</summary>
public sealed class PerformanceFunctions(RollupReader rollups, AdminAuthorizer authorizer, TimeProvider timeProvider)
{
    public const string Route = "v1/performance";
    private const int DefaultDays = 7;

    [Function(nameof(GetPerformance))]
    [ApiOperation("Performance", "Impressions, clicks, add-to-carts, purchases, attributed revenue and orders, and the assisted figures apart, per day × route × placement × model version × experiment variant × customer segment (admin only).",
        Description = "Impressions are the answers served (counted by each instance, written every 30 s). An event counts for the answer whose recommendationId it names; an add-to-cart or purchase that names none, for the shopper's latest click on the same item within the attribution window (Ingestion:AttributionWindowHours, 24 by default). A view naming an answer is an assisted view, and a purchase after one (with no click) an assisted purchase: reported apart, never in the attributed figures. Each event counts once, so redelivered or replayed batches change nothing.")]
    [ApiQuery("from", typeof(string), "First UTC day, yyyy-MM-dd (default: 6 days before to).")]
    [ApiQuery("to", typeof(string), "Last UTC day, yyyy-MM-dd (default: today). At most 92 days in all.")]
    [ApiQuery("endpoint", typeof(string), "Only this route: users/recommendations, items/similar, items/bought-together, cart/recommendations or trending.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(PerformanceView))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> GetPerformance(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var query = QueryParameters.Read(request, "from", "to", "endpoint");
        if (!query.IsValid)
        {
            return query.Error;
        }
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        if (Day(query.Text("to"), today) is not { } to)
        {
            return ApiProblem.InvalidParameter("to", "A day is yyyy-MM-dd.");
        }
        if (Day(query.Text("from"), to.AddDays(1 - DefaultDays)) is not { } from)
        {
            return ApiProblem.InvalidParameter("from", "A day is yyyy-MM-dd.");
        }
        if (to < from || to.DayNumber - from.DayNumber >= RollupReader.MaxDays)
        {
            return ApiProblem.InvalidParameter("from", $"from is on or before to, and the span is at most {RollupReader.MaxDays} days.");
        }
        var endpoint = query.Text("endpoint");
        if (endpoint is not null && !RecommendationEndpoints.All.Contains(endpoint))
        {
            return ApiProblem.InvalidParameter("endpoint", $"Known routes: {string.Join(", ", RecommendationEndpoints.All)}.");
        }
        return new OkObjectResult(await rollups.ReadViewAsync(from, to, endpoint, cancellationToken).ConfigureAwait(false));
    }

    private static DateOnly? Day(string? text, DateOnly absent) =>
        text is null ? absent : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
