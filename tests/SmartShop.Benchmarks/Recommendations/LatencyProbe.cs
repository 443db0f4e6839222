using System.Diagnostics;
using System.Globalization;
using SmartShop.Core.Recommendations;

namespace SmartShop.Benchmarks.Recommendations;

/// <summary>
/// Per-request latency distribution (p50/p99/max) of warm-user top-10, which BenchmarkDotNet's per-iteration means
/// cannot show: `dotnet run -c Release --project tests/SmartShop.Benchmarks -- latency [requests]`.
/// </summary>
internal static class LatencyProbe
{
    public static void Run(int requests, TextWriter output)
    {
        var (recommender, users) = RecommendationBenchmarkModel.Load();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model from {RecommendationBenchmarkModel.DataPath}: {users.Length:N0} warm users"));
        var items = recommender.Model.Items;
        var scenarios = new (string Name, Func<string, int, UserRecommendationRequest> Request)[]
        {
            ("warm user top-10", (u, _) => new UserRecommendationRequest { UserId = u, K = 10 }),
            ("warm user top-10 (exclude purchased)", (u, _) => new UserRecommendationRequest { UserId = u, K = 10, ExcludePurchased = true }),
            ("warm user top-10 with 3 recent items", (u, i) => new UserRecommendationRequest { UserId = u, K = 10, RecentItems = [items[i % items.Count], items[(i * 7) % items.Count], items[(i * 13) % items.Count]] }),
        };
        foreach (var (name, request) in scenarios)
        {
            var batch = users.Select((u, i) => request(u, i)).ToArray();
            for (var i = 0; i < Math.Min(requests, 20_000); i++)
            {
                recommender.RecommendForUser(batch[i % batch.Length]);
            }
            var ticks = new long[requests];
            for (var i = 0; i < requests; i++)
            {
                var start = Stopwatch.GetTimestamp();
                recommender.RecommendForUser(batch[i % batch.Length]);
                ticks[i] = Stopwatch.GetTimestamp() - start;
            }
            Array.Sort(ticks);
            double Micro(long t) => t * 1e6 / Stopwatch.Frequency;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {requests:N0} requests, p50 {Micro(ticks[requests / 2]):F1} µs, p99 {Micro(ticks[(int)(requests * 0.99)]):F1} µs, max {Micro(ticks[^1]):F1} µs"));
        }
    }
}
