using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using SmartShop.Core.Ingestion;

namespace SmartShop.Benchmarks.Ingestion;

/// <summary>Validation + canonical serialisation of a batch of 1,000 realistic events on one thread (bar: ≥ 100,000 events/s).</summary>
[MemoryDiagnoser]
public class ClickstreamValidationBenchmarks
{
    private const int BatchSize = 1_000;
    private readonly ArrayBufferWriter<byte> _lake = new(1 << 20);
    private byte[][] _events = [];
    private ClickstreamEventValidator _validator = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        // The v1 types, so the figures compare across releases.
        string[] types = [ClickstreamEventTypes.View, ClickstreamEventTypes.AddToCart, ClickstreamEventTypes.RemoveFromCart, ClickstreamEventTypes.Purchase];
        _events = Enumerable.Range(0, BatchSize).Select(i => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $$"""{"eventId":"evt-{{i:D8}}","type":"{{types[i % types.Length]}}","userId":"{{12000 + i % 997}}","sessionId":"s-{{i / 7}}","itemId":"{{20000 + i % 3001}}","timestamp":"{{now.AddSeconds(-i):O}}","quantity":{{1 + i % 5}},"price":{{(i % 900) / 10.0 + 0.5}},"category":"kitchen","source":"web"}""")))
            .ToArray();
        _validator = new ClickstreamEventValidator();
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int ValidateAndSerialise()
    {
        _lake.ResetWrittenCount();
        var accepted = 0;
        foreach (var payload in _events)
        {
            var result = _validator.Validate(payload);
            if (result.Event is { } accepted1)
            {
                ClickstreamEventJson.WriteLine(_lake, accepted1);
                accepted++;
            }
        }
        return accepted;
    }
}
