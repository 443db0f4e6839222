using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace SmartShop.Functions.Serving;

/// <summary>
/// Whether this instance serves HTTP. On Flex Consumption, triggers scale in their own instance groups (HTTP, blob,
/// Event Hubs, timers), so an instance only running ingestion or training never needs the serving models: they cost
/// up to gigabytes and seconds of start-up. <see cref="ModelRefreshService"/> waits for the first HTTP invocation.
/// </summary>
public sealed class ServingDemand
{
    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Requested => _requested.Task;

    public void Signal() => _requested.TrySetResult();
}

/// <summary>Signals <see cref="ServingDemand"/> on an HTTP invocation; other triggers pass through untouched.</summary>
public sealed class ServingDemandMiddleware(ServingDemand demand) : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is not null)
        {
            demand.Signal();
        }

        return next(context);
    }
}
