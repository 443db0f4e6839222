using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary>What a function answered, as bytes on the wire: status, the headers the page reads, and the body.</summary>
internal sealed record RecordedResponse(int Status, string? ContentType, string? Location, byte[] Body)
{
    // The MVC result executors the Functions host's ASP.NET Core integration also uses, so bodies are serialised alike.
    private static readonly IServiceProvider Services = new ServiceCollection().AddLogging(l => l.ClearProviders()).AddMvcCore().Services.BuildServiceProvider();

    /// <summary>A request context for invoking a function directly; its response is what <see cref="CaptureAsync"/> reads.</summary>
    public static HttpContext NewContext(string method, string path, string query = "")
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1");
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>Writes a function's result into the response as the host would (its RequestServices need AddMvcCore).</summary>
    public static Task ExecuteAsync(HttpContext context, IActionResult result) =>
        result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

    /// <summary>Executes a function's result into <paramref name="context"/>'s response and records it.</summary>
    public static async Task<RecordedResponse> CaptureAsync(HttpContext context, IActionResult result)
    {
        await ExecuteAsync(context, result);
        var body = ((MemoryStream)context.Response.Body).ToArray();
        return new RecordedResponse(context.Response.StatusCode, context.Response.ContentType, context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null, body);
    }

    public async Task WriteToAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        if (ContentType is not null)
        {
            response.ContentType = ContentType;
        }

        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        await response.Body.WriteAsync(Body);
    }
}
