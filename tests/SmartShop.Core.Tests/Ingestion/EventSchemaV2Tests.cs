using System.Buffers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Tests.Ingestion;

/// <summary>Schema v2: the attribution fields are read, checked and kept in the canonical line; v1 events are unchanged.</summary>
public sealed class EventSchemaV2Tests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly ClickstreamEventValidator _validator = new(new ClickstreamValidationOptions(), Clock);

    [Fact]
    public void AClickAndAPurchaseCarryTheirRecommendationThroughTheCanonicalLine()
    {
        var click = _validator.Validate("""{"eventId":"e1","type":"click","userId":"u1","itemId":"85123A","timestamp":"2026-12-04T11:00:00Z","recommendationId":"r-42","position":3,"placement":"product-page","experimentId":"home-ranking","variant":"personal"}""");
        var purchase = _validator.Validate("""{"eventId":"e2","type":"purchase","userId":"u1","itemId":"85123A","timestamp":"2026-12-04T11:05:00Z","quantity":2,"price":2.5,"revenue":4.75,"recommendationId":"r-42"}""");

        click.Event!.Should().Match<ClickstreamEvent>(e => e.Type == "click" && e.RecommendationId == "r-42" && e.Position == 3 && e.Placement == "product-page" && e.ExperimentId == "home-ranking" && e.Variant == "personal");
        purchase.Event!.Revenue.Should().Be(4.75m);
        var again = _validator.Validate(Line(click.Event!)).Event;
        again.Should().Be(click.Event, "the lake line reads back as the same event");
        _validator.Validate(Line(purchase.Event!)).Event.Should().Be(purchase.Event);
    }

    [Fact]
    public void AVersionOneEventIsStillValidAndWrittenAsBefore()
    {
        const string v1 = """{"eventId":"e3","type":"view","userId":"u1","itemId":"85123A","timestamp":"2026-12-04T11:00:00Z"}""";

        var read = _validator.Validate(v1).Event!;

        read.RecommendationId.Should().BeNull();
        Line(read).Should().Be("""{"eventId":"e3","type":"view","userId":"u1","itemId":"85123A","timestamp":"2026-12-04T11:00:00Z"}""" + "\n");
    }

    [Theory]
    [InlineData(""" "position":0 """, "out-of-range", "position must be between 1 and 1000")]
    [InlineData(""" "position":"3" """, "wrong-type", "position must be a whole number")]
    [InlineData(""" "placement":"Home Page" """, "invalid-id", "placement must be 1-64 characters of a-z 0-9 - _")]
    [InlineData(""" "variant":"B" """, "invalid-id", "variant must be 1-32 characters")]
    [InlineData(""" "recommendationId":"r 1" """, "invalid-id", "recommendationId must be")]
    [InlineData(""" "revenue":5 """, "out-of-range", "revenue is only for purchases")]
    public void ABadAttributionFieldIsRejectedWithItsCode(string field, string code, string message)
    {
        var result = _validator.Validate("""{"eventId":"e4","type":"click","userId":"u1","itemId":"85123A","timestamp":"2026-12-04T11:00:00Z",""" + field + "}");

        result.Rejection!.Code.Should().Be(code);
        result.Rejection.Message.Should().StartWith(message);
    }

    [Theory]
    [InlineData("view", "view")]
    [InlineData("Page_View", "view")]
    [InlineData("cart", "addtocart")]
    [InlineData("add_to_cart", "addtocart")]
    [InlineData("transaction", "purchase")]
    [InlineData("order", "purchase")]
    [InlineData("click", "click")]
    [InlineData("teleport", null)]
    public void OtherExportsWordsMapToTheOneVocabulary(string word, string? type) =>
        ClickstreamEventTypes.FromAlias(word).Should().Be(type);

    private static string Line(ClickstreamEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ClickstreamEventJson.WriteLine(buffer, e);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
