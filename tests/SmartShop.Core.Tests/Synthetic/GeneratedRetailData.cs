using System.Text.Json;
using SmartShop.Core.Data;
using SmartShop.Core.Synthetic;

namespace SmartShop.Core.Tests.Synthetic;

/// <summary>One generated data set held in memory, with its files parsed the way a consumer would.</summary>
internal sealed class GeneratedRetailData
{
    private GeneratedRetailData(SyntheticRetailOptions options, SyntheticRetailSummary summary, byte[][] files)
    {
        Options = options;
        Summary = summary;
        Catalogue = files[0];
        Transactions = files[1];
        Events = files[2];
        RetailRocket = files[3];
        GroundTruth = files[4];
    }

    public SyntheticRetailOptions Options { get; }

    public SyntheticRetailSummary Summary { get; }

    public byte[] Catalogue { get; }

    public byte[] Transactions { get; }

    public byte[] Events { get; }

    public byte[] RetailRocket { get; }

    public byte[] GroundTruth { get; }

    public static GeneratedRetailData Create(SyntheticRetailOptions options)
    {
        var streams = Enumerable.Range(0, 5).Select(_ => new MemoryStream()).ToArray();
        var summary = SyntheticRetailGenerator.Generate(options, new SyntheticRetailStreams(streams[0], streams[1], streams[2], streams[3], streams[4]));
        return new GeneratedRetailData(options, summary, [.. streams.Select(s => s.ToArray())]);
    }

    public IReadOnlyList<Transaction> ReadTransactions(DataQualityReport report, TransactionCsvOptions? options = null) =>
        new TransactionCsvReader(options).Read(new StreamReader(new MemoryStream(Transactions)), report).ToList();

    public IEnumerable<string> Lines(byte[] file)
    {
        using var reader = new StreamReader(new MemoryStream(file));
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    /// <summary>customerId → planted persona name.</summary>
    public Dictionary<string, string> Personas()
    {
        using var json = JsonDocument.Parse(GroundTruth);
        return json.RootElement.GetProperty("customers").EnumerateArray()
            .ToDictionary(c => c.GetProperty("customerId").GetString()!, c => c.GetProperty("persona").GetString()!);
    }

    public List<string[]> Bundles()
    {
        using var json = JsonDocument.Parse(GroundTruth);
        return [.. json.RootElement.GetProperty("bundles").EnumerateArray()
            .Select(b => b.GetProperty("items").EnumerateArray().Select(i => i.GetString()!).ToArray())];
    }
}
