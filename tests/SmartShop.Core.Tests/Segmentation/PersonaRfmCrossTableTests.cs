using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class PersonaRfmCrossTableTests
{
    [Fact]
    public void EverySegmentsCustomersAreCountedInTheirRfmSegment()
    {
        var analysis = SegmentationEngine.Run(SegmentationTestData.RfmGroups(), new SegmentationOptions { K = 3 }).Analysis;

        var cross = PersonaRfmCrossTable.From(analysis);

        cross.RfmSegments.Should().Equal(analysis.RfmSegments.Select(r => r.Segment));
        cross.Rows.Select(r => r.Segment).Should().Equal(analysis.Segments.Select(s => s.Id).Order());
        foreach (var (segment, persona, customers) in cross.Rows)
        {
            customers.Sum().Should().Be(analysis.Assignments.Count(a => a.Segment == segment));
            persona.Should().Be(analysis.Segments.Single(s => s.Id == segment).Persona);
        }
        cross.RfmSegments.Select((c, i) => cross.Rows.Sum(r => r.Customers[i])).Should().Equal(analysis.RfmSegments.Select(r => r.Customers));
    }
}
