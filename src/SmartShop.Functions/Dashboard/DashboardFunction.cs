using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using SmartShop.Functions.Http;

namespace SmartShop.Functions.Dashboard;

/// <summary>
/// Serves the dashboard page and its bundle at <c>/api/dashboard/</c>, anonymously: the page holds no data; it asks
/// for the function key and sends it with every API call.
/// </summary>
public sealed class DashboardFunction(DashboardAssets assets)
{
    public const string AssetNotFoundCode = "asset-not-found";
    public const string NotBuiltCode = "dashboard-not-built";

    // Content-Security-Policy: the bundle is self-hosted, so nothing else may load; API calls go to this origin only.
    private const string PagePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    // Asset names are flat file names; anything else (separators, dots leading a segment, escapes) is refused.
    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    [Function(nameof(Dashboard))]
    [ApiOperation("Dashboard", "The dashboard page and its static files (HTML, JavaScript, CSS); anonymous, it holds no data.",
        Description = "Open `/api/dashboard/` in a browser; the page asks for a function key (or reads it from the URL fragment `#key=…`) and sends it as `x-functions-key` with every API call.")]
    [ApiRouteParameter("path", "A file of the bundle (index.html, app.js, app.css); empty for the page.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(string), ContentType = "text/html", Description = "The file, with its content type, an ETag and Cache-Control: no-cache.")]
    [ApiResponse(StatusCodes.Status301MovedPermanently, Description = "/api/dashboard → /api/dashboard/ (relative asset URLs need the slash).")]
    [ApiResponse(StatusCodes.Status304NotModified, Description = "If-None-Match names the current ETag.")]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = [AssetNotFoundCode])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = [NotBuiltCode])]
    public IActionResult Dashboard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "dashboard/{*path}")] HttpRequest request,
        string? path)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!assets.IsBuilt)
        {
            return ApiProblem.Create(StatusCodes.Status503ServiceUnavailable, NotBuiltCode, "The dashboard is not part of this build.",
                "The app was built without the dashboard bundle (dashboard/dist). Restore it from git, or run npm ci && npm run build:dashboard, and rebuild.");
        }

        if (string.IsNullOrEmpty(path))
        {
            // Relative asset URLs in the page need the trailing slash: /api/dashboard → /api/dashboard/.
            var pathValue = request.PathBase.Add(request.Path).Value ?? string.Empty;
            if (pathValue.Length > 0 && !pathValue.EndsWith('/'))
            {
                return new RedirectResult(pathValue + "/" + request.QueryString, permanent: true);
            }

            path = DashboardAssets.IndexName;
        }

        if (path.Length > 64 || path.AsSpan().ContainsAnyExcept(NameCharacters) || path.StartsWith('.'))
        {
            return ApiProblem.InvalidParameter("path", "A dashboard asset is a plain file name such as app.js.");
        }

        if (assets.Find(path) is not { } asset)
        {
            return ApiProblem.NotFound(AssetNotFoundCode, $"The dashboard has no file named '{path}'.");
        }

        var headers = request.HttpContext.Response.Headers;
        // Asset names are not content-hashed: revalidate every time (cheap, a 304 answers an unchanged file).
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = PagePolicy;
            headers["Referrer-Policy"] = "no-referrer";
        }

        if (request.Headers.IfNoneMatch.Any(tag => tag is not null && (tag == asset.ETag || tag == "*")))
        {
            return new StatusCodeResult(StatusCodes.Status304NotModified);
        }

        return new FileContentResult(asset.Content, asset.ContentType) { EntityTag = EntityTagHeaderValue.Parse(asset.ETag) };
    }
}
