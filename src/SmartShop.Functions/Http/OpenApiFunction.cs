using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using SmartShop.Functions.Auth;

namespace SmartShop.Functions.Http;

/// <summary><c>GET /api/openapi.json</c>: the OpenAPI 3.0 document of every HTTP route of this app, built once per process.</summary>
public sealed class OpenApiFunction(IOptions<AuthOptions> authOptions)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    // One document per value of the only setting it depends on (routes are compiled in), built once even when the
    // first requests arrive together.
    private static readonly Lazy<string>[] Documents = [new(() => Serialize(false)), new(() => Serialize(true))];

    [Function(nameof(OpenApiDocument))]
    [ApiOperation("Operations", "This document: the OpenAPI 3.0 description of every route.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(JsonObject))]
    public IActionResult OpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request)
    {
        var bearer = authOptions.Value.IsConfigured;
        var document = Documents[bearer ? 1 : 0].Value;
        return new ContentResult { Content = document, ContentType = "application/json", StatusCode = StatusCodes.Status200OK };
    }

    private static string Serialize(bool bearerForAdmin) => Build(bearerForAdmin).ToJsonString(Indented);

    public static JsonObject Build(bool bearerForAdmin)
    {
        var assembly = typeof(OpenApiFunction).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0";
        return OpenApiDocumentBuilder.Build(assembly, bearerForAdmin, version);
    }
}
