using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Telemetry;

namespace SmartShop.Functions.Telemetry;

/// <summary>
/// Gives every invocation a request id: the caller's <c>x-request-id</c> when it is a safe token, otherwise the
/// W3C trace id (or a new id). HTTP responses echo it (and the <c>traceparent</c> of the invocation's span); it is
/// in the logging scope of everything the function logs and a tag on the current span.
/// </summary>
public sealed class RequestCorrelationMiddleware(ILogger<RequestCorrelationMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public const string RequestIdHeader = "x-request-id";
    public const string TraceParentHeader = "traceparent";
    public const string ScopeKey = "RequestId";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var httpContext = context.GetHttpContext();
        var activity = Activity.Current;
        var requestId = RequestCorrelation.Resolve(httpContext?.Request.Headers[RequestIdHeader].ToString(), activity);

        context.Items[RequestCorrelation.ItemKey] = requestId;
        activity?.SetTag(SmartShopTelemetry.Tags.RequestId, requestId);
        if (httpContext is not null)
        {
            httpContext.Items[RequestCorrelation.ItemKey] = requestId;
            httpContext.Response.Headers[RequestIdHeader] = requestId;
            if (activity is not null && activity.IdFormat == ActivityIdFormat.W3C)
            {
                httpContext.Response.Headers[TraceParentHeader] = activity.Id;
            }
        }

        using (logger.BeginScope(new Dictionary<string, object> { [ScopeKey] = requestId }))
        {
            await next(context).ConfigureAwait(false);
        }
    }
}

/// <summary>Reads the request id the middleware assigned; functions put it into response bodies (e.g. as the recommendation id).</summary>
public static class RequestCorrelation
{
    internal const string ItemKey = "SmartShop.RequestId";
    private const int MaxLength = 64;

    public static string? GetRequestId(FunctionContext context) =>
        context?.Items.TryGetValue(ItemKey, out var value) == true ? value as string : null;

    public static string? GetRequestId(HttpContext context) =>
        context?.Items.TryGetValue(ItemKey, out var value) == true ? value as string : null;

    /// <summary>The caller's id when it is 1-64 letters, digits, '-', '_', '.' or ':'; else the trace id; else a new id.</summary>
    internal static string Resolve(string? incoming, Activity? activity)
    {
        if (!string.IsNullOrEmpty(incoming) && incoming.Length <= MaxLength && incoming.All(IsSafe))
        {
            return incoming;
        }

        return activity is not null && activity.IdFormat == ActivityIdFormat.W3C
            ? activity.TraceId.ToHexString()
            : Guid.NewGuid().ToString("N");
    }

    // Anything else could inject into logs or headers.
    private static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':';
}
