using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using SmartShop.Functions.Telemetry;

namespace SmartShop.Functions.Http;

/// <summary>
/// The safety net under every HTTP function: an exception a function did not handle becomes a 500 problem with code
/// <c>internal-error</c> and the request id (so support can find the log entry) and nothing of the exception itself;
/// the exception is logged. Other triggers are untouched: their exceptions must reach the host, which retries.
/// </summary>
public sealed partial class UnhandledExceptionMiddleware(ILogger<UnhandledExceptionMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public const string Code = "internal-error";

    private static readonly JsonSerializerOptions ProblemJson = new(JsonSerializerDefaults.Web);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        if (http is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller left; there is nobody to answer and nothing went wrong on our side.
            LogCallerLeft(logger, http.Request.Method, context.FunctionDefinition.Name);
        }
        catch (Exception exception) when (!http.Response.HasStarted)
        {
            var requestId = RequestCorrelation.GetRequestId(context) ?? RequestCorrelation.GetRequestId(http) ?? http.TraceIdentifier;
            LogUnhandled(logger, exception, http.Request.Method, context.FunctionDefinition.Name, requestId);
            var problem = (ProblemDetails)ApiProblem.Create(StatusCodes.Status500InternalServerError, Code, "An unexpected error occurred.",
                "The request failed on the server. Quote the request id when you report it.").Value!;
            problem.Extensions["requestId"] = requestId;
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await http.Response.WriteAsJsonAsync(problem, ProblemJson, ApiProblem.ContentType, http.RequestAborted).ConfigureAwait(false);
        }
    }

    // The function's name, never the request path: paths carry customer and item ids, which stay out of logs.
    [LoggerMessage(EventId = 9001, Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Function} (request {RequestId}); answered 500 internal-error")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string function, string requestId);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Debug, Message = "{Method} {Function} was cancelled by the caller")]
    private static partial void LogCallerLeft(ILogger logger, string method, string function);
}
