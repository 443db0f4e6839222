using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartShop.Functions.Dashboard;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary>
/// Kestrel on 127.0.0.1 (free port) standing in for the Functions host: <c>/api/dashboard/*</c> is answered by the real
/// <see cref="DashboardFunction"/>, <c>/api/v1/*</c> by responses recorded from the real API functions, keyed by method,
/// path and query. Like the host it refuses API calls without the function key (401).
/// </summary>
internal sealed class RecordedApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordedApiServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>Every API request the page made: method, path and query, its If-Match, the multipart form fields and file sizes.</summary>
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public static async Task<RecordedApiServer> StartAsync(IReadOnlyDictionary<string, RecordedResponse> recordings, string functionKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.AddMvcCore();
        builder.Services.AddSingleton<DashboardAssets>();
        builder.Services.AddSingleton<DashboardFunction>();
        var app = builder.Build();
        RecordedApiServer? server = null;

        app.Map("/api/dashboard/{**path}", (HttpContext context, string? path, DashboardFunction dashboard) =>
            RecordedResponse.ExecuteAsync(context, dashboard.Dashboard(context.Request, path)));
        app.Map("/api/{**rest}", async context =>
        {
            var request = context.Request;
            var key = request.Method + " " + request.Path + request.QueryString;
            var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
            server!.Received.Enqueue(new ReceivedRequest(
                key,
                request.Headers["x-functions-key"] == functionKey,
                request.Headers.IfMatch.ToString() is { Length: > 0 } ifMatch ? ifMatch : null,
                form?.ToDictionary(f => f.Key, f => f.Value.ToString()) ?? [],
                form?.Files.ToDictionary(f => f.Name, f => f.Length) ?? []));
            if (request.Headers["x-functions-key"] != functionKey)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            if (!recordings.TryGetValue(key, out var recorded))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsync($"no recorded response for {key}");
                return;
            }

            await recorded.WriteToAsync(context.Response);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new RecordedApiServer(app, address.TrimEnd('/'));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedRequest(string Key, bool HadKey, string? IfMatch, Dictionary<string, string> FormFields, Dictionary<string, long> FormFiles);
