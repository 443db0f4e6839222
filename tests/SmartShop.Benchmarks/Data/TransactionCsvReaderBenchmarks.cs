using BenchmarkDotNet.Attributes;
using SmartShop.Core.Data;

namespace SmartShop.Benchmarks.Data;

/// <summary>Parsing throughput of the transaction reader on the bundled sample (63k rows, gzip).</summary>
[MemoryDiagnoser]
public class TransactionCsvReaderBenchmarks
{
    private byte[] _compressed = [];

    [GlobalSetup]
    public void Setup() =>
        _compressed = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "samples", "online-retail-sample.csv.gz"));

    [Benchmark]
    public int ReadSample()
    {
        using var text = InputFile.OpenText(new MemoryStream(_compressed));
        return new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset }).Read(text, new DataQualityReport()).Count();
    }
}
