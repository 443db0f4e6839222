using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using SmartShop.Core.Synthetic;

namespace SmartShop.Benchmarks.Synthetic;

/// <summary>
/// Generation throughput on one core: every file (catalogue, transactions, events.jsonl, RetailRocket CSV, ground
/// truth) is formatted and written to <see cref="Stream.Null"/>, so the figure is the generator's, not the disk's.
/// The Events/s column divides the clickstream events of one run by its mean time.
/// </summary>
[Config(typeof(Columns))]
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SyntheticRetailGeneratorBenchmarks
{
    internal static readonly SyntheticRetailOptions Options = new() { Customers = 2_000, Products = 1_000, Days = 90, Seed = 1 };

    [Benchmark]
    public long GenerateToNullStreams() => Generate().Events;

    internal static SyntheticRetailSummary Generate() =>
        SyntheticRetailGenerator.Generate(Options, new SyntheticRetailStreams(Stream.Null, Stream.Null, Stream.Null, Stream.Null, Stream.Null));

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new EventsPerSecondColumn());
    }

    private sealed class EventsPerSecondColumn : IColumn
    {
        // The benchmark runs in a child process; the host regenerates once (deterministically) to know the count.
        private readonly Lazy<long> _events = new(() => Generate().Events);

        public string Id => nameof(EventsPerSecondColumn);

        public string ColumnName => "Events/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Clickstream events written per second (events of one run / mean time)";

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return mean is null ? "NA" : $"{_events.Value / (mean.Value / 1e9):N0} ({_events.Value:N0} events)";
        }
    }
}
