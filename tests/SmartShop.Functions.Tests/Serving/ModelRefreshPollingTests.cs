using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Telemetry;

namespace SmartShop.Functions.Tests.Serving;

/// <summary>
/// The hosted service on its own: it loads nothing until the instance serves HTTP, then serves the active version and
/// picks up a version activated while it runs after the next poll.
/// </summary>
public sealed class ModelRefreshPollingTests : IDisposable
{
    private const int PollSeconds = 5;
    private static readonly string Storage =
        Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";

    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ApiHost _host;

    public ModelRefreshPollingTests() => _host = new(
        new() { ["ModelRegistry:PollIntervalSeconds"] = PollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        services =>
        {
            var options = new BlobClientOptions();
            options.AddPolicy(new Recorder(_requests), HttpPipelinePosition.PerCall);
            services.AddSingleton(new BlobServiceClient(Storage, options));
        });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task NothingIsLoadedUntilTheFirstHttpInvocationThenTheActiveVersionAndItsSuccessorAreServed()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        _requests.Clear();
        await _host.Refresh.StartAsync(CancellationToken.None);
        try
        {
            // A blob- or Event Hubs-triggered invocation is no reason to load the serving models.
            await Middleware().Invoke(new TestFunctionContext(null), _ => Task.CompletedTask);
            // Without the gate the first registry read follows StartAsync within milliseconds; two seconds of silence say
            // the service is waiting (a bound on how long to watch, not a speed requirement).
            for (var waited = 0; waited < 40 && _requests.IsEmpty; waited++)
            {
                await Task.Delay(50);
            }

            _requests.Should().BeEmpty("an instance that has served no HTTP request reads nothing of the registry");
            _host.Serving.Recommendations.Should().BeNull();

            await Middleware().Invoke(new TestFunctionContext(new DefaultHttpContext()), _ => Task.CompletedTask);

            (await ServedVersionAsync("r1", TimeSpan.FromSeconds(20))).Should().Be("r1", "the first HTTP invocation starts the load");
            await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r2");
            (await ServedVersionAsync("r2", TimeSpan.FromSeconds(PollSeconds * 4))).Should().Be("r2", "the next poll sees the pointer's new ETag");
        }
        finally
        {
            await _host.Refresh.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task TheMiddlewareAlwaysCallsTheFunction()
    {
        var called = 0;

        await Middleware().Invoke(new TestFunctionContext(null), _ => Task.FromResult(called++));
        await Middleware().Invoke(new TestFunctionContext(new DefaultHttpContext()), _ => Task.FromResult(called++));

        called.Should().Be(2);
        _host.Services.GetRequiredService<ServingDemand>().Requested.IsCompleted.Should().BeTrue();
    }

    private ServingDemandMiddleware Middleware() => _host.Create<ServingDemandMiddleware>();

    private async Task<string?> ServedVersionAsync(string expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_host.Serving.Recommendations?.Version != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return _host.Serving.Recommendations?.Version;
    }

    private sealed class Recorder(ConcurrentQueue<string> requests) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => requests.Enqueue($"{message.Request.Method} {message.Request.Uri}");
    }
}
