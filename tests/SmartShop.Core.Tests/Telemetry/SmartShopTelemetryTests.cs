using System.Diagnostics;
using SmartShop.Core.Telemetry;
using SmartShop.Core.Tests.Storage;
using Names = SmartShop.Core.Telemetry.SmartShopTelemetry.Names;
using Tags = SmartShop.Core.Telemetry.SmartShopTelemetry.Tags;

namespace SmartShop.Core.Tests.Telemetry;

public sealed class SmartShopTelemetryTests : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void EveryMetricIsEmittedWithItsNameAndDimensions()
    {
        using var recorder = new MeasurementRecorder(_meters);
        using var telemetry = new SmartShopTelemetry(_meters);

        telemetry.RecordRecommendation("recommendations", "v7", TimeSpan.FromMilliseconds(12.5));
        telemetry.RecordCacheLookup("recommendations", hit: true);
        telemetry.RecordCacheLookup("recommendations", hit: false);
        telemetry.RecordEventsAccepted("clickstream", 40);
        telemetry.RecordEventsRejected("unknown_type", 2);
        telemetry.RecordIngestionLag(TimeSpan.FromSeconds(3));
        telemetry.RecordTraining("recommendations", "promoted", TimeSpan.FromMinutes(2), new Dictionary<string, double> { ["precision@10"] = 0.11 });
        telemetry.RecordModelPromoted("recommendations", "v8");
        telemetry.RecordModelRejected("segmentation", "worse_than_active");
        telemetry.RecordDriftScore("recommendations", "basket_size", 0.31);
        telemetry.RecordLogDropped("predictions", "queue_full");

        var measurements = recorder.Measurements;
        Expect(Names.RecommendationLatency, 12.5, (Tags.Endpoint, "recommendations"), (Tags.ModelVersion, "v7"));
        Expect(Names.CacheLookups, 1, (Tags.Cache, "recommendations"), (Tags.CacheResult, "hit"));
        Expect(Names.CacheLookups, 1, (Tags.Cache, "recommendations"), (Tags.CacheResult, "miss"));
        Expect(Names.EventsAccepted, 40, (Tags.Source, "clickstream"));
        Expect(Names.EventsRejected, 2, (Tags.Reason, "unknown_type"));
        Expect(Names.IngestionLag, 3);
        Expect(Names.TrainingDuration, 120, (Tags.Model, "recommendations"), (Tags.Outcome, "promoted"));
        Expect(Names.TrainingMetric, 0.11, (Tags.Model, "recommendations"), (Tags.Metric, "precision@10"));
        Expect(Names.ModelPromoted, 1, (Tags.Model, "recommendations"), (Tags.ModelVersion, "v8"));
        Expect(Names.ModelRejected, 1, (Tags.Model, "segmentation"), (Tags.Reason, "worse_than_active"));
        Expect(Names.DriftScore, 0.31, (Tags.Model, "recommendations"), (Tags.Feature, "basket_size"));
        Expect(Names.LogDropped, 1, (Tags.Log, "predictions"), (Tags.Reason, "queue_full"));
        measurements.Should().HaveCount(12);
        measurements.Should().AllSatisfy(m => m.Name.Should().StartWith("smartshop."));

        void Expect(string name, double value, params (string Key, string Value)[] tags) =>
            measurements.Should().ContainSingle(m => m.Name == name && m.Tags.Count == tags.Length && tags.All(t => m.Tags.ContainsKey(t.Key) && m.Tags[t.Key] == t.Value))
                .Which.Value.Should().BeApproximately(value, 1e-9, name);
    }

    [Fact]
    public void SpansComeFromTheSmartShopSource()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SmartShopTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var name = "training " + Guid.NewGuid().ToString("N");

        using (SmartShopTelemetry.ActivitySource.StartActivity(name))
        {
        }

        spans.Should().ContainSingle(a => a.OperationName == name).Which.Source.Name.Should().Be("SmartShop");
    }

    [Fact]
    public void UserIdsArePseudonymisedWithTheKeyOrLeftOut()
    {
        using var keyed = new SmartShopTelemetry(_meters, userIdHashKey: "secret-1");
        using var otherKey = new SmartShopTelemetry(_meters, userIdHashKey: "secret-2");
        using var unkeyed = new SmartShopTelemetry(_meters);

        var hash = keyed.PseudonymizeUserId("17850");

        hash.Should().MatchRegex("^[0-9a-f]{16}$").And.NotContain("17850");
        keyed.PseudonymizeUserId("17850").Should().Be(hash);
        keyed.PseudonymizeUserId("17851").Should().NotBe(hash);
        otherKey.PseudonymizeUserId("17850").Should().NotBe(hash);
        unkeyed.PseudonymizeUserId("17850").Should().BeNull();
    }
}
