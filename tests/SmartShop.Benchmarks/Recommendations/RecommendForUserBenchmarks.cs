using BenchmarkDotNet.Attributes;
using SmartShop.Core.Recommendations;

namespace SmartShop.Benchmarks.Recommendations;

/// <summary>Top-10 for warm users (no recent events), cycling over every user of the model; mean per request.</summary>
[MemoryDiagnoser]
public class RecommendForUserBenchmarks
{
    private const int RequestsPerInvoke = 1_000;
    private Recommender _recommender = null!;
    private UserRecommendationRequest[] _requests = [];
    private UserRecommendationRequest[] _discoveryRequests = [];

    [GlobalSetup]
    public void Setup()
    {
        var (recommender, users) = RecommendationBenchmarkModel.Load();
        _recommender = recommender;
        _requests = [.. users.Select(u => new UserRecommendationRequest { UserId = u, K = 10 })];
        _discoveryRequests = [.. users.Select(u => new UserRecommendationRequest { UserId = u, K = 10, ExcludePurchased = true })];
    }

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public int WarmUserTop10()
    {
        var total = 0;
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            total += _recommender.RecommendForUser(_requests[i % _requests.Length]).Count;
        }
        return total;
    }

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public int WarmUserTop10ExcludePurchased()
    {
        var total = 0;
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            total += _recommender.RecommendForUser(_discoveryRequests[i % _discoveryRequests.Length]).Count;
        }
        return total;
    }
}
