using System.Globalization;
using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Synthetic;
using Xunit.Abstractions;

namespace SmartShop.Core.Tests.Synthetic;

/// <summary>The segmentation engine, run as `segment --clickstream` runs it, finds the planted personas.</summary>
public sealed class SyntheticPersonaRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public void SegmentationRecoversThePlantedPersonasOnFiveThousandCustomers()
    {
        var options = new SyntheticRetailOptions { Customers = 5_000, Products = 500, Days = 84, Seed = 2024 };
        using var transactions = new MemoryStream();
        using var retailRocket = new MemoryStream();
        using var groundTruth = new MemoryStream();
        SyntheticRetailGenerator.Generate(options, new SyntheticRetailStreams(Stream.Null, transactions, Stream.Null, retailRocket, groundTruth));
        transactions.Position = 0;
        retailRocket.Position = 0;

        var report = new DataQualityReport();
        var features = TransactionFeatureBuilder.Build(new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset }).Read(new StreamReader(transactions), report));
        var clicks = ClickstreamFeatureBuilder.Read(new SessionizedClickstreamReader(new StreamReader(retailRocket)));
        var table = ClickstreamFeatureBuilder.JoinWithTransactions(features, clicks);
        var run = SegmentationEngine.Run(table, new SegmentationOptions { K = 5, Seed = 1 });

        var personas = GroundTruthPersonas(groundTruth.ToArray());
        var assigned = run.Analysis.Assignments.Where(a => personas.ContainsKey(a.CustomerId)).ToList();
        var ari = ClusteringMetrics.AdjustedRandIndex(
            [.. assigned.Select(a => personas[a.CustomerId])],
            [.. assigned.Select(a => a.Segment)]);

        assigned.Should().HaveCountGreaterThan(4_500, "nearly every customer browses or buys in twelve weeks");
        var contingency = string.Join(" | ", assigned.GroupBy(a => (Planted: personas[a.CustomerId], a.Segment, a.Persona)).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ARI {ari:F3} over {assigned.Count} customers; (planted, segment, segment persona): {contingency}"));
        ari.Should().BeGreaterThanOrEqualTo(0.8, contingency);
    }

    private static Dictionary<string, int> GroundTruthPersonas(byte[] groundTruth)
    {
        using var json = System.Text.Json.JsonDocument.Parse(groundTruth);
        var names = Enum.GetValues<SyntheticPersona>().Select(p => p.ToName()).ToList();
        return json.RootElement.GetProperty("customers").EnumerateArray()
            .ToDictionary(c => c.GetProperty("customerId").GetString()!, c => names.IndexOf(c.GetProperty("persona").GetString()!));
    }

    /// <summary>
    /// Turns the RetailRocket-shaped rows into the segment command's clickstream CSV (customer_id, session_id,
    /// event_type), cutting a visitor's sessions at 30 minutes of inactivity, line by line.
    /// </summary>
    private sealed class SessionizedClickstreamReader(TextReader retailRocket) : TextReader
    {
        private readonly Dictionary<string, (long Last, int Session)> _visitors = new(StringComparer.Ordinal);
        private bool _headerDone;

        public override string? ReadLine()
        {
            if (!_headerDone)
            {
                retailRocket.ReadLine();
                _headerDone = true;
                return "customer_id,session_id,event_type";
            }
            if (retailRocket.ReadLine() is not { } line)
            {
                return null;
            }
            var fields = line.Split(',');
            var time = long.Parse(fields[0], CultureInfo.InvariantCulture);
            var visitor = fields[1];
            var state = _visitors.GetValueOrDefault(visitor, (Last: long.MinValue / 2, Session: 0));
            var session = time - state.Last > 30 * 60_000 ? state.Session + 1 : state.Session;
            _visitors[visitor] = (time, session);
            return string.Create(CultureInfo.InvariantCulture, $"{visitor},{visitor}-{session},{fields[2]}");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                retailRocket.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
