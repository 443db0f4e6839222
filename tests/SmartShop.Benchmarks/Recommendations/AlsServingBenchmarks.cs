using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Perfolizer.Mathematics.OutlierDetection;
using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Benchmarks.Recommendations;

/// <summary>
/// Top-10 for one user over a 250k-item, 64-factor model (64 MB of item factors, larger than L3).
/// One call per measured iteration, outliers kept, so the percentile columns are per-request latencies.
/// </summary>
[Config(typeof(LatencyPercentilesConfig))]
[Outliers(OutlierMode.DontRemove)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 50, iterationCount: 500, invocationCount: 1)]
public class AlsServingBenchmarks
{
    private const int Users = 1_000;
    private const int Items = 250_000;
    private const int Factors = 64;

    private AlsModel _model = null!;
    private int[] _excluded = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * 0.2)).ToArray();
        _model = new AlsModel(Users, Items, Factors, 0.01f, 1f, Draw(Users * Factors), Draw(Items * Factors));
        _excluded = Enumerable.Range(0, 30).Select(_ => random.Next(Items)).ToArray();
    }

    [Benchmark]
    public ScoredItem[] TopTenExcludingHistory() => _model.TopK(_next++ % Users, 10, _excluded);

    private sealed class LatencyPercentilesConfig : ManualConfig
    {
        public LatencyPercentilesConfig() => AddColumn(BenchmarkDotNet.Columns.StatisticColumn.P50, new P99Column());
    }
}
