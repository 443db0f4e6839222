using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace SmartShop.Functions.Http;

/// <summary>
/// RFC 7807 answers with a stable machine-readable <c>code</c> (also the last segment of <c>type</c>), so clients
/// branch on the code and never on the wording of the title or detail.
/// </summary>
public static class ApiProblem
{
    public const string ContentType = "application/problem+json";
    public const string TypePrefix = "https://smartshop.example/problems/";

    public static ObjectResult Create(int status, string code, string title, string detail)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        var problem = new ProblemDetails
        {
            Type = TypePrefix + code,
            Title = title,
            Status = status,
            Detail = detail,
            Extensions = { ["code"] = code },
        };
        var result = new ObjectResult(problem) { StatusCode = status };
        result.ContentTypes.Add(ContentType);
        return result;
    }

    /// <summary>A client-supplied name or id shortened to 64 characters, so a problem never echoes a huge input back.</summary>
    public static string Echo(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length <= 64 ? value : value[..64] + "…";
    }

    /// <summary>400 for one query, route or body parameter; the parameter's name travels in <c>parameter</c>.</summary>
    public static ObjectResult InvalidParameter(string parameter, string detail)
    {
        var result = Create(StatusCodes.Status400BadRequest, "invalid-parameter", $"Parameter '{parameter}' is invalid.", detail);
        ((ProblemDetails)result.Value!).Extensions["parameter"] = parameter;
        return result;
    }

    public static ObjectResult MalformedBody(string detail) =>
        Create(StatusCodes.Status400BadRequest, "malformed-body", "The body could not be read.", detail);

    public static ObjectResult NotFound(string code, string detail) =>
        Create(StatusCodes.Status404NotFound, code, "Not found.", detail);

    public static ObjectResult TooLarge(long limitBytes) =>
        Create(StatusCodes.Status413PayloadTooLarge, "body-too-large", "The request body is too large.",
            string.Create(CultureInfo.InvariantCulture, $"A request body may be at most {limitBytes} bytes."));

    public static ObjectResult UnsupportedMediaType(string expected) =>
        Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported content type.",
            $"Send the body as {expected}.");

    public static ObjectResult Forbidden(string detail) =>
        Create(StatusCodes.Status403Forbidden, "forbidden", "Not allowed.", detail);

    public static ObjectResult Unauthorized(string detail) =>
        Create(StatusCodes.Status401Unauthorized, "unauthorized", "Authentication required.", detail);

    /// <summary>503 with <c>Retry-After</c>: the app is up but the named model has not been loaded yet.</summary>
    public static IActionResult ModelNotLoaded(HttpResponse response, string model, int retryAfterSeconds = 30)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Create(StatusCodes.Status503ServiceUnavailable, "model-not-loaded", "No model is loaded yet.",
            $"The {model} model has not been loaded; retry after {retryAfterSeconds} seconds.");
    }
}
