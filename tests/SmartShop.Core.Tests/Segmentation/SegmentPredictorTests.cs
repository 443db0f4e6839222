using System.Text.Json;
using SmartShop.Core.Segmentation;
using N = SmartShop.Core.Segmentation.CustomerFeatureNames;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class SegmentPredictorTests
{
    private static readonly SegmentationRun Run = SegmentationEngine.Run(SegmentationTestData.RfmGroups(), new SegmentationOptions { K = 3 });

    [Fact]
    public void ConfidenceFollowsTheDocumentedFormula()
    {
        var predictor = new SegmentPredictor(Run.Model);
        var table = SegmentationTestData.RfmGroups();

        var e = predictor.Explain(table.Row(0));

        e.Confidence.Should().BeApproximately(1 - (e.Distance / e.RunnerUpDistance!.Value), 1e-12);
        e.Confidence.Should().BeInRange(0, 1);
        e.Features.Sum(f => f.ShareOfDistance).Should().BeApproximately(1, 1e-9);
        e.Persona.Should().Be("Champions");
    }

    [Fact]
    public void TheSuggestedMoveIsAchievableAndPutsTheCustomerInTheRunnerUp()
    {
        var predictor = new SegmentPredictor(Run.Model);
        var names = Run.Model.FeatureNames.ToList();
        foreach (var row in new[] { 5, 70, 130 })
        {
            var customer = SegmentationTestData.RfmGroups().Row(row).ToArray();
            var e = predictor.Explain(customer);

            e.MovesToRunnerUp.Should().NotBeEmpty();
            var moved = customer.ToArray();
            foreach (var move in e.MovesToRunnerUp)
            {
                var (min, max, whole) = CustomerFeatureNames.Domain(move.Feature);
                move.To.Should().BeInRange(min, max, $"{move.Feature} can take the suggested value");
                if (whole)
                {
                    move.To.Should().Be(Math.Round(move.To), $"{move.Feature} counts whole things");
                }
                moved[names.IndexOf(move.Feature)] = move.To;
            }
            predictor.Predict(moved).Should().Be(e.RunnerUpSegment!.Value, "the listed changes together move the customer there");
        }
    }

    [Fact]
    public void FarAwayHighValueLapsedCustomerIsAnAnomalyAtChurnRisk()
    {
        var predictor = new SegmentPredictor(Run.Model);
        var names = Run.Model.FeatureNames.ToList();
        var customer = new double[names.Count];
        customer[names.IndexOf(N.RecencyDays)] = 400;
        customer[names.IndexOf(N.Frequency)] = 40;
        customer[names.IndexOf(N.Monetary)] = 500_000;
        customer[names.IndexOf(N.TenureDays)] = 400;
        customer[names.IndexOf(N.AverageBasketValue)] = 12_000;
        customer[names.IndexOf(N.DistinctProducts)] = 300;

        var e = predictor.Explain(customer, "vip");

        e.IsAnomaly.Should().BeTrue();
        e.AnomalyDescription.Should().Be("high-value customer at churn risk");
        predictor.Explain(SegmentationTestData.RfmGroups().Row(5)).IsAnomaly.Should().BeFalse();
    }

    [Fact]
    public void WrongVectorLengthIsRejected()
    {
        var predictor = new SegmentPredictor(Run.Model);

        var act = () => predictor.Explain([1.0, 2.0]);

        act.Should().Throw<ArgumentException>().WithMessage("*Expected 6 feature values*");
    }

    [Fact]
    public async Task SavedModelScoresExactlyLikeTheOriginal()
    {
        var directory = Directory.CreateTempSubdirectory("seg-model-");
        try
        {
            var table = SegmentationTestData.RfmGroups();
            await SegmentationModelStore.SaveAsync(directory.FullName, Run.Model, table);

            var saved = await SegmentationModelStore.LoadAsync(directory.FullName);

            var original = new SegmentPredictor(Run.Model).Explain(table.Row(42), table.CustomerIds[42]);
            var loaded = saved.ExplainCustomer(table.CustomerIds[42]);
            JsonSerializer.Serialize(loaded).Should().Be(JsonSerializer.Serialize(original));
            var unknown = () => saved.ExplainCustomer("nobody");
            unknown.Should().Throw<ArgumentException>().WithMessage("*nobody*");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ModelFromAnotherFormatVersionOrBrokenJsonIsRejectedClearly()
    {
        using var stream = new MemoryStream();
        await SegmentationModelStore.WriteModelAsync(stream, Run.Model with { FormatVersion = 99 });
        stream.Position = 0;

        var wrongVersion = () => SegmentationModelStore.ReadModelAsync(stream, "blob");
        var broken = () => SegmentationModelStore.ReadModelAsync(new MemoryStream("{ not json"u8.ToArray()), "blob");

        await wrongVersion.Should().ThrowAsync<InvalidDataException>().WithMessage("*format 99*");
        await broken.Should().ThrowAsync<InvalidDataException>().WithMessage("'blob' is not a valid segmentation model*");
    }
}
