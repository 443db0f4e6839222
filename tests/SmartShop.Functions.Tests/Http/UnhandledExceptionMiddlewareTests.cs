using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartShop.Functions.Http;
using SmartShop.Functions.Telemetry;
using SmartShop.Functions.Tests.Telemetry;

namespace SmartShop.Functions.Tests.Http;

public sealed class UnhandledExceptionMiddlewareTests
{
    private readonly RecordingLogger _logger = new();

    [Fact]
    public async Task AnUnhandledExceptionBecomesA500ProblemWithTheRequestIdAndNoInternals()
    {
        var http = NewHttpContext();
        var context = new TestFunctionContext(http);
        await new RequestCorrelationMiddleware(NullLogger<RequestCorrelationMiddleware>.Instance).Invoke(context,
            ctx => new UnhandledExceptionMiddleware(_logger).Invoke(ctx, _ => throw new InvalidOperationException("secret connection string xyz")));

        http.Response.StatusCode.Should().Be(StatusCodes.Status500InternalServerError);
        http.Response.ContentType.Should().StartWith(ApiProblem.ContentType);
        var body = ReadBody(http);
        body.Should().NotContain("secret").And.NotContain("InvalidOperationException");
        using var problem = JsonDocument.Parse(body);
        problem.RootElement.GetProperty("code").GetString().Should().Be("internal-error");
        problem.RootElement.GetProperty("status").GetInt32().Should().Be(500);
        problem.RootElement.GetProperty("requestId").GetString().Should().Be("req-1")
            .And.Be(http.Response.Headers[RequestCorrelationMiddleware.RequestIdHeader].ToString());
        _logger.Entries.Should().ContainSingle().Which.Should().Match<(LogLevel Level, Exception? Exception)>(
            e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
        _logger.Messages.Should().ContainSingle().Which.Should().Contain("GET GetUserRecommendations (request req-1)")
            .And.NotContain("cust-11706", "the path carries the customer id; the log names the function instead");
    }

    [Fact]
    public async Task ASuccessfulInvocationIsUntouched()
    {
        var http = NewHttpContext();

        await new UnhandledExceptionMiddleware(_logger).Invoke(new TestFunctionContext(http), _ =>
        {
            http.Response.StatusCode = StatusCodes.Status202Accepted;
            return Task.CompletedTask;
        });

        http.Response.StatusCode.Should().Be(StatusCodes.Status202Accepted);
        ReadBody(http).Should().BeEmpty();
        _logger.Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task NonHttpInvocationsRethrowSoTheHostRetries()
    {
        var invoke = () => new UnhandledExceptionMiddleware(_logger).Invoke(new TestFunctionContext(httpContext: null), _ => throw new TimeoutException("storage"));

        await invoke.Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task ACallerThatLeftGetsNo500()
    {
        using var aborted = new CancellationTokenSource();
        var http = NewHttpContext();
        http.RequestAborted = aborted.Token;
        await aborted.CancelAsync();

        await new UnhandledExceptionMiddleware(_logger).Invoke(new TestFunctionContext(http), _ => throw new OperationCanceledException(aborted.Token));

        http.Response.StatusCode.Should().Be(StatusCodes.Status200OK);
        _logger.Entries.Should().NotContain(e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task AnExceptionAfterTheResponseStartedIsRethrown()
    {
        var http = NewHttpContext();
        var started = new StartedResponseFeature();
        http.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(started);

        var invoke = () => new UnhandledExceptionMiddleware(_logger).Invoke(new TestFunctionContext(http), _ => throw new InvalidOperationException("late"));

        await invoke.Should().ThrowAsync<InvalidOperationException>();
    }

    private static DefaultHttpContext NewHttpContext()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/api/v1/users/cust-11706/recommendations";
        http.Request.Headers[RequestCorrelationMiddleware.RequestIdHeader] = "req-1";
        http.Response.Body = new MemoryStream();
        return http;
    }

    private static string ReadBody(HttpContext http)
    {
        http.Response.Body.Position = 0;
        return new StreamReader(http.Response.Body).ReadToEnd();
    }

    private sealed class RecordingLogger : ILogger<UnhandledExceptionMiddleware>
    {
        public List<(LogLevel Level, Exception? Exception)> Entries { get; } = [];

        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Record(logLevel, exception, formatter(state, exception));

        private void Record(LogLevel level, Exception? exception, string message)
        {
            Entries.Add((level, exception));
            Messages.Add(message);
        }
    }

    private sealed class StartedResponseFeature : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        public override bool HasStarted => true;
    }
}
