using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SmartShop.Core.Recommendations.Als;
using SmartShop.Core.Synthetic;

namespace SmartShop.Benchmarks.Recommendations;

/// <summary>
/// One full ALS iteration (user then item half-step), 64 factors, 3 CG steps, on a MovieLens-20M-sized
/// synthetic matrix (140k users × 27k items, 20M non-zeros, Zipf item popularity). Each measured operation
/// takes seconds, so the job measures a handful of single invocations instead of BenchmarkDotNet's default.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class AlsTrainingBenchmarks
{
    private static readonly Lazy<CsrMatrix> Matrix = new(() => SyntheticInteractionMatrix.PowerLaw(140_000, 27_000, 20_000_000, seed: 7));

    private AlsTrainingSession _session = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _session = new ImplicitAlsTrainer(new ImplicitAlsOptions { Factors = 64, CgSteps = 3, MaxDegreeOfParallelism = Threads })
            .StartSession(Matrix.Value);

    [Benchmark]
    public void Iteration() => _session.RunIteration();
}
