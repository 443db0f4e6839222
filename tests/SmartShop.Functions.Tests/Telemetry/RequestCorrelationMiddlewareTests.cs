using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using SmartShop.Functions.Telemetry;

namespace SmartShop.Functions.Tests.Telemetry;

public sealed class RequestCorrelationMiddlewareTests
{
    [Fact]
    public async Task EchoesASafeCallerRequestIdInTheResponseTheContextAndTheLogScope()
    {
        var logs = new ScopeCapturingLogger();
        var http = new DefaultHttpContext();
        http.Request.Headers[RequestCorrelationMiddleware.RequestIdHeader] = "checkout-42.a:b_c";
        var context = new TestFunctionContext(http);
        string? seenByFunction = null;

        await new RequestCorrelationMiddleware(logs).Invoke(context, ctx =>
        {
            seenByFunction = RequestCorrelation.GetRequestId(ctx);
            logs.Log(LogLevel.Information, default, "inside the function", null, (s, _) => s);
            return Task.CompletedTask;
        });

        http.Response.Headers[RequestCorrelationMiddleware.RequestIdHeader].ToString().Should().Be("checkout-42.a:b_c");
        seenByFunction.Should().Be("checkout-42.a:b_c");
        RequestCorrelation.GetRequestId(http).Should().Be("checkout-42.a:b_c");
        logs.ScopesAtLog.Should().ContainSingle().Which[RequestCorrelationMiddleware.ScopeKey].Should().Be("checkout-42.a:b_c");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bad id with spaces")]
    [InlineData("line\nbreak")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task ReplacesAMissingOrUnsafeIdWithTheTraceIdAndTagsTheSpan(string? incoming)
    {
        using var source = new ActivitySource("SmartShop.Tests." + Guid.NewGuid().ToString("N"));
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var activity = source.StartActivity("invocation")!;
        var http = new DefaultHttpContext();
        if (incoming is not null)
        {
            http.Request.Headers[RequestCorrelationMiddleware.RequestIdHeader] = incoming;
        }

        await new RequestCorrelationMiddleware(new ScopeCapturingLogger()).Invoke(new TestFunctionContext(http), _ => Task.CompletedTask);

        var requestId = http.Response.Headers[RequestCorrelationMiddleware.RequestIdHeader].ToString();
        requestId.Should().Be(activity.TraceId.ToHexString());
        http.Response.Headers[RequestCorrelationMiddleware.TraceParentHeader].ToString().Should().Be(activity.Id);
        activity.GetTagItem(Core.Telemetry.SmartShopTelemetry.Tags.RequestId).Should().Be(requestId);
    }

    [Fact]
    public async Task NonHttpInvocationsGetAFreshIdWithoutASpan()
    {
        var context = new TestFunctionContext(httpContext: null);
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            await new RequestCorrelationMiddleware(new ScopeCapturingLogger()).Invoke(context, _ => Task.CompletedTask);
        }
        finally
        {
            Activity.Current = previous;
        }

        RequestCorrelation.GetRequestId(context).Should().MatchRegex("^[0-9a-f]{32}$");
    }

    /// <summary>Records the scope state active when something is logged.</summary>
    private sealed class ScopeCapturingLogger : ILogger<RequestCorrelationMiddleware>
    {
        private readonly AsyncLocal<IReadOnlyDictionary<string, object>?> _scope = new();

        public List<IReadOnlyDictionary<string, object>> ScopesAtLog { get; } = [];

        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            var previous = _scope.Value;
            _scope.Value = state as IReadOnlyDictionary<string, object>;
            return new Restore(() => _scope.Value = previous);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (_scope.Value is { } scope)
            {
                ScopesAtLog.Add(scope);
            }
        }

        private sealed class Restore(Action action) : IDisposable
        {
            public void Dispose() => action();
        }
    }
}

/// <summary>A function invocation with, optionally, the ASP.NET Core HttpContext the HTTP integration attaches.</summary>
internal sealed class TestFunctionContext : FunctionContext
{
    public TestFunctionContext(HttpContext? httpContext)
    {
        if (httpContext is not null)
        {
            // The key under which the ASP.NET Core integration stores the HttpContext (read by GetHttpContext()).
            Items["HttpRequestContext"] = httpContext;
        }
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => "test";

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => throw new NotSupportedException();

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; } = null!;

    public override FunctionDefinition FunctionDefinition { get; } = new NamedFunction("GetUserRecommendations");

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new NotSupportedException();
}

/// <summary>Only a name: what the middlewares read of the function they run.</summary>
internal sealed class NamedFunction(string name) : FunctionDefinition
{
    public override string Name => name;

    public override string Id => name;

    public override string PathToAssembly => "";

    public override string EntryPoint => name;

    public override System.Collections.Immutable.ImmutableArray<FunctionParameter> Parameters => [];

    public override System.Collections.Immutable.IImmutableDictionary<string, BindingMetadata> InputBindings => System.Collections.Immutable.ImmutableDictionary<string, BindingMetadata>.Empty;

    public override System.Collections.Immutable.IImmutableDictionary<string, BindingMetadata> OutputBindings => System.Collections.Immutable.ImmutableDictionary<string, BindingMetadata>.Empty;
}
