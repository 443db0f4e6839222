using BenchmarkDotNet.Attributes;
using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;

namespace SmartShop.Benchmarks.Segmentation;

/// <summary>
/// One prediction with its full explanation (target ≤ 20 µs) from a model trained on the bundled sample,
/// cycling through the sample's customers; plus a whole auto-k segmentation of the sample's features.
/// </summary>
[MemoryDiagnoser]
public class SegmentPredictorBenchmarks
{
    private CustomerFeatureTable _features = null!;
    private SegmentPredictor _predictor = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "samples", "online-retail-sample.csv.gz");
        var rows = new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset }).Read(path, new DataQualityReport()).ToList();
        _features = TransactionFeatureBuilder.Build(rows).Features;
        _predictor = new SegmentPredictor(SegmentationEngine.Run(_features, new SegmentationOptions { K = 6 }).Model);
    }

    [Benchmark]
    public CustomerExplanation ExplainOneCustomer()
    {
        var row = _next++ % _features.Count;
        return _predictor.Explain(_features.Row(row), _features.CustomerIds[row]);
    }

    [Benchmark]
    public int PredictOneCustomer()
    {
        var row = _next++ % _features.Count;
        return _predictor.Predict(_features.Row(row));
    }

    [Benchmark]
    public SegmentationRun SegmentSampleAutoK() => SegmentationEngine.Run(_features);
}
