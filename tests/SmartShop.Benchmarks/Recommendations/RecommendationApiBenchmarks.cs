using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Mvc;
using SmartShop.Core.Storage;

namespace SmartShop.Benchmarks.Recommendations;

/// <summary>
/// <c>GET v1/users/{userId}/recommendations</c> invoked in process (fresh DefaultHttpContext per request, real function
/// class, prediction logged, latency recorded), cycling over every user of the model; mean per request.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class RecommendationApiBenchmarks
{
    private const int RequestsPerInvoke = 1_000;
    private RecommendationApiFixture _api = null!;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new P99Column());
    }

    [GlobalSetup]
    public void Setup() => _api = RecommendationApiFixture.CreateAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _api.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public async Task<int> UserRecommendationsTop10()
    {
        var total = 0;
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            var user = _api.Users[i % _api.Users.Length];
            var result = await _api.Functions.GetUserRecommendations(RecommendationApiFixture.Get("?k=10"), user, CancellationToken.None).ConfigureAwait(false);
            total += result is OkObjectResult ? 1 : 0;
        }
        return total;
    }
}

/// <summary>
/// Per-request p50/p99/max of the user recommendations function (what BenchmarkDotNet's per-iteration means cannot show):
/// `dotnet run -c Release --project tests/SmartShop.Benchmarks -- api-latency [requests]`.
/// </summary>
internal static class RecommendationApiLatencyProbe
{
    private static readonly JsonSerializerOptions ResponseJson = new(JsonSerializerDefaults.Web);

    public static async Task RunAsync(int requests, TextWriter output)
    {
        await using var api = await RecommendationApiFixture.CreateAsync().ConfigureAwait(false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model from {RecommendationBenchmarkModel.DataPath}: {api.Users.Length:N0} warm users, {api.Items.Count:N0} items; activity store in memory"));
        var now = DateTimeOffset.UtcNow;
        var visitors = Enumerable.Range(0, api.Users.Length).Select(i => $"visitor-{i}").ToArray();
        for (var i = 0; i < api.Users.Length; i++)
        {
            // Visitors the model never saw, each with three recent views.
            api.Store.SetActivity(visitors[i], [.. new[] { i, i * 7, i * 13 }.Select((item, j) => new UserActivity(api.Items[item % api.Items.Count], "view", now.AddMinutes(-j)))]);
        }

        var scenarios = new (string Name, string[] Users, bool Serialize)[]
        {
            ("warm user top-10", api.Users, false),
            ("warm user top-10 + JSON response body", api.Users, true),
            ("unknown visitor top-10 from 3 recent views", visitors, false),
        };
        foreach (var (name, users, serialize) in scenarios)
        {
            async Task<long> Once(int i)
            {
                var start = Stopwatch.GetTimestamp();
                var result = (OkObjectResult)await api.Functions.GetUserRecommendations(RecommendationApiFixture.Get("?k=10"), users[i % users.Length], CancellationToken.None).ConfigureAwait(false);
                if (serialize)
                {
                    JsonSerializer.SerializeToUtf8Bytes(result.Value, ResponseJson);
                }
                return Stopwatch.GetTimestamp() - start;
            }

            for (var i = 0; i < Math.Min(requests, 20_000); i++)
            {
                await Once(i).ConfigureAwait(false);
            }
            var ticks = new long[requests];
            for (var i = 0; i < requests; i++)
            {
                ticks[i] = await Once(i).ConfigureAwait(false);
            }
            Array.Sort(ticks);
            double Micro(long t) => t * 1e6 / Stopwatch.Frequency;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {requests:N0} requests, p50 {Micro(ticks[requests / 2]):F1} µs, p99 {Micro(ticks[(int)(requests * 0.99)]):F1} µs, max {Micro(ticks[^1]):F1} µs"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"predictions written to the in-memory store so far: {api.Store.PredictionsWritten:N0}, dropped (queue full): {api.DroppedPredictions:N0}"));
    }
}
