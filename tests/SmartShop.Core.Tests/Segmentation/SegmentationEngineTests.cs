using System.Text.Json;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class SegmentationEngineTests
{
    [Fact]
    public void AutoKFindsTheThreeGroupsAndNamesThem()
    {
        var table = SegmentationTestData.RfmGroups();

        var run = SegmentationEngine.Run(table);

        var analysis = run.Analysis;
        analysis.Metrics.K.Should().Be(3);
        analysis.Metrics.Candidates.Select(c => c.K).Should().Equal(2, 3, 4, 5, 6, 7, 8, 9, 10);
        analysis.Metrics.Candidates.Select(c => c.Inertia).Should().BeInDescendingOrder();
        analysis.Metrics.StabilityAdjustedRandIndex.Should().BeGreaterThanOrEqualTo(0.95);
        analysis.Segments.Select(s => s.Persona).Should().BeEquivalentTo("Champions", "New", "Hibernating");
        analysis.Segments.Sum(s => s.Size).Should().Be(table.Count);
        analysis.Assignments.Should().HaveCount(table.Count);
        analysis.Projection.Should().HaveCount(table.Count);
        analysis.RfmSegments.Sum(r => r.Customers).Should().Be(table.Count);
        var champions = analysis.Segments.Single(s => s.Persona == "Champions");
        champions.CentroidOriginal[CustomerFeatureNames.Monetary].Should().BeInRange(6000, 10000);
    }

    [Theory]
    [InlineData(Linkage.Ward)]
    [InlineData(Linkage.Complete)]
    [InlineData(Linkage.Average)]
    [InlineData(Linkage.Single)]
    public void HierarchicalReturnsTheMergeTree(Linkage linkage)
    {
        var table = SegmentationTestData.RfmGroups(perGroup: 30);

        var run = SegmentationEngine.Run(table, new SegmentationOptions { Algorithm = SegmentationAlgorithm.Hierarchical, Linkage = linkage, K = 3 });

        run.Analysis.Hierarchy!.Sampled.Should().BeFalse();
        run.Analysis.Hierarchy.Tree.Merges.Should().HaveCount(table.Count - 1);
        run.Analysis.Segments.Select(s => s.Size).Should().Equal(30, 30, 30);
        run.Analysis.Parameters.Linkage.Should().Be(linkage.ToString());
    }

    [Fact]
    public void HierarchicalAboveTheExactLimitSamplesAndSaysSo()
    {
        var table = SegmentationTestData.RfmGroups(perGroup: 40);

        var run = SegmentationEngine.Run(table, new SegmentationOptions { Algorithm = SegmentationAlgorithm.Hierarchical, K = 3, ExactLimit = 60 });

        run.Analysis.Hierarchy!.Sampled.Should().BeTrue();
        run.Analysis.Hierarchy.LeafCount.Should().Be(60);
        run.Analysis.Metrics.SilhouetteSampled.Should().BeTrue();
        run.Analysis.Notes.Should().Contain(n => n.Contains("sample", StringComparison.Ordinal));
        run.Analysis.Assignments.Should().HaveCount(120);
        run.Analysis.Segments.Select(s => s.Size).Should().Equal(40, 40, 40);
    }

    [Fact]
    public void AnalysisRoundTripsThroughJson()
    {
        var run = SegmentationEngine.Run(SegmentationTestData.RfmGroups(perGroup: 20), new SegmentationOptions { K = 3 });

        var json = JsonSerializer.Serialize(run.Analysis, SegmentationModelStore.JsonOptions);
        var back = JsonSerializer.Deserialize<SegmentationAnalysis>(json, SegmentationModelStore.JsonOptions)!;

        JsonSerializer.Serialize(back, SegmentationModelStore.JsonOptions).Should().Be(json);
        back.Assignments.Should().HaveCount(60);
    }

    [Fact]
    public void EmptyInputIsAClearError()
    {
        var empty = new CustomerFeatureTable([], ["a"], []);

        var act = () => SegmentationEngine.Run(empty);

        act.Should().Throw<InvalidDataException>().WithMessage("*no customers*");
    }

    [Fact]
    public void KLargerThanTheCustomersIsAClearError()
    {
        var table = SegmentationTestData.Table([1, 2, 3, 4, 5, 6], 2);

        var act = () => SegmentationEngine.Run(table, new SegmentationOptions { K = 5 });

        act.Should().Throw<InvalidDataException>().WithMessage("k = 5 exceeds the number of customers (3).");
    }

    [Fact]
    public void KLargerThanTheDistinctProfilesIsAClearError()
    {
        var table = SegmentationTestData.Table([1, 1, 1, 1, 2, 2], 2);

        var act = () => SegmentationEngine.Run(table, new SegmentationOptions { K = 3 });

        act.Should().Throw<InvalidDataException>().WithMessage("*distinct customer profiles (2)*");
    }

    [Fact]
    public void IdenticalCustomersGiveOneDocumentedSegment()
    {
        var table = SegmentationTestData.Table([3, 7, 3, 7, 3, 7, 3, 7], 2);

        var run = SegmentationEngine.Run(table);

        run.Analysis.Metrics.K.Should().Be(1);
        run.Analysis.Metrics.Silhouette.Should().BeNull();
        run.Analysis.Segments.Single().Size.Should().Be(4);
        run.Analysis.Notes.Should().ContainSingle(n => n.Contains("same profile", StringComparison.Ordinal));
        new SegmentPredictor(run.Model).Explain([3, 7]).Confidence.Should().Be(1);
    }

    [Fact]
    public void OneCustomerGivesOneSegment()
    {
        var table = SegmentationTestData.Table([3, 7], 2);

        var run = SegmentationEngine.Run(table);

        run.Analysis.Metrics.K.Should().Be(1);
        run.Analysis.Assignments.Single().Segment.Should().Be(0);
        JsonSerializer.Serialize(run.Analysis, SegmentationModelStore.JsonOptions).Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void HoldoutValidationRanksSegmentsByLaterSpend()
    {
        var table = SegmentationTestData.RfmGroups(perGroup: 20);
        var run = SegmentationEngine.Run(table, new SegmentationOptions { K = 3 });
        var monetary = table.IndexOfFeature(CustomerFeatureNames.Monetary);
        var later = Enumerable.Range(0, table.Count).ToDictionary(i => table.CustomerIds[i], i => table[i, monetary] / 2);

        var validation = SegmentationEngine.ValidateOnHoldout(run.Analysis, later, new DateTime(2011, 7, 1), 10);

        validation.Spearman.Should().BeApproximately(1, 1e-12);
        validation.Segments.Sum(s => s.Customers).Should().Be(60);
    }

    [Fact]
    public async Task PcaModelsClusterOnComponentsAndSurviveSaving()
    {
        var table = SegmentationTestData.RfmGroups(perGroup: 30);
        var run = SegmentationEngine.Run(table, new SegmentationOptions { PcaComponents = 2 });
        var directory = Directory.CreateTempSubdirectory("seg-pca-");
        try
        {
            await SegmentationModelStore.SaveAsync(directory.FullName, run.Model, table);
            var saved = await SegmentationModelStore.LoadAsync(directory.FullName);

            run.Analysis.Metrics.K.Should().Be(3);
            run.Model.Segments[0].Centroid.Should().HaveCount(2);
            run.Model.Segments[0].CentroidZ.Should().HaveCount(6);
            var e = saved.ExplainCustomer(table.CustomerIds[0]);
            e.Segment.Should().Be(run.Analysis.Assignments[0].Segment);
            e.Features.Sum(f => f.ShareOfDistance).Should().BeApproximately(1, 1e-9);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
