using System.Buffers;
using System.Text;
using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Tests.Ingestion;

public sealed class ClickstreamEventValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static ClickstreamEventValidator Validator(ClickstreamValidationOptions? options = null) =>
        new(options ?? new ClickstreamValidationOptions(), new FixedClock(Now));

    private const string Valid =
        """{"eventId":"e-1","type":"view","userId":"17850","itemId":"85123A","timestamp":"2026-11-24T11:59:00Z","sessionId":"s-9","price":2.55,"quantity":1,"category":"home","source":"web"}""";

    [Fact]
    public void AcceptsAValidEventWithEveryField()
    {
        var result = Validator().Validate(Valid);

        result.IsValid.Should().BeTrue();
        result.Event.Should().Be(new ClickstreamEvent("e-1", "view", "17850", "s-9", "85123A",
            new DateTimeOffset(2026, 11, 24, 11, 59, 0, TimeSpan.Zero), 1, 2.55m, "home", "web"));
    }

    [Theory]
    [InlineData("""{"type":"view","userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z"}""", EventRejection.MissingField, "eventId")]
    [InlineData("""{"eventId":"e","type":"view","itemId":"i","timestamp":"2026-11-24T11:00:00Z"}""", EventRejection.MissingField, "userId")]
    [InlineData("""{"eventId":"e","type":"teleport","userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z"}""", EventRejection.UnknownEventType, "teleport")]
    [InlineData("""{"eventId":"e","type":"view","userId":"u","itemId":"i","timestamp":"yesterday"}""", EventRejection.InvalidTimestamp, "ISO 8601")]
    [InlineData("""{"eventId":"e","type":"view","userId":"u","itemId":"i","timestamp":"2026-11-24T12:06:00Z"}""", EventRejection.TimestampInFuture, "5 minutes")]
    [InlineData("""{"eventId":"e","type":"view","userId":"u","itemId":"i","timestamp":"2025-01-01T00:00:00Z"}""", EventRejection.TimestampTooOld, "30 days")]
    [InlineData("""{"eventId":"e","type":"view","userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z","quantity":"2"}""", EventRejection.WrongType, "quantity")]
    [InlineData("""{"eventId":"e","type":"view","userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z","quantity":0}""", EventRejection.OutOfRange, "quantity")]
    [InlineData("""{"eventId":"e","type":"view","userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z","price":-1}""", EventRejection.OutOfRange, "price")]
    [InlineData("""{"eventId":"e","type":["view"],"userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z"}""", EventRejection.WrongType, "type")]
    [InlineData("""{"eventId":"e f","type":"view","userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z"}""", EventRejection.InvalidId, "eventId")]
    [InlineData("""{"eventId":"e","type":"view","userId":"u\u0000","itemId":"i","timestamp":"2026-11-24T11:00:00Z"}""", EventRejection.InvalidId, "userId")]
    [InlineData("""{"eventId":"e","type":"view","userId":"ü","itemId":"i","timestamp":"2026-11-24T11:00:00Z"}""", EventRejection.InvalidId, "userId")]
    [InlineData("""{"eventId":"e","type":"purchase","userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z","transactionId":"o 1"}""", EventRejection.InvalidId, "transactionId")]
    [InlineData("""{"eventId":"e","type":"view","userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z","category":"a\tb"}""", EventRejection.OutOfRange, "category")]
    [InlineData("""{"eventId":"e","type":"view",""", EventRejection.MalformedJson, "JSON")]
    [InlineData("""[1,2,3]""", EventRejection.MalformedJson, "object")]
    [InlineData("""{"a":1} {"b":2}""", EventRejection.MalformedJson, "single")]
    [InlineData("", EventRejection.MalformedJson, "JSON")]
    public void RejectsBadEventsWithAStableCodeAndAPreciseMessage(string payload, string code, string messagePart)
    {
        var result = Validator().Validate(payload);

        result.IsValid.Should().BeFalse();
        result.Rejection!.Code.Should().Be(code);
        result.Rejection.Message.Should().Contain(messagePart);
    }

    [Fact]
    public void RejectsIdsLongerThan128Characters()
    {
        var payload = Valid.Replace("\"e-1\"", $"\"{new string('a', 129)}\"", StringComparison.Ordinal);

        Validator().Validate(payload).Rejection!.Code.Should().Be(EventRejection.InvalidId);
    }

    [Fact]
    public void RejectsBodiesOverTheSizeLimitBeforeParsing()
    {
        var payload = Valid.Replace("\"web\"", $"\"{new string('x', 1024 * 1024)}\"", StringComparison.Ordinal);

        var result = Validator().Validate(payload);

        result.Rejection!.Code.Should().Be(EventRejection.PayloadTooLarge);
    }

    [Fact]
    public void CountsTheLimitInUtf8BytesNotCharacters()
    {
        var options = new ClickstreamValidationOptions { MaxEventBytes = 400 };
        var payload = Valid.Replace("\"home\"", $"\"{new string('é', 150)}\"", StringComparison.Ordinal);

        payload.Length.Should().BeLessThan(400);
        Encoding.UTF8.GetByteCount(payload).Should().BeGreaterThan(400);
        Validator(options).Validate(payload).Rejection!.Code.Should().Be(EventRejection.PayloadTooLarge);
    }

    [Fact]
    public void KeepsTheTransactionIdOfAPurchase()
    {
        var result = Validator().Validate("""{"eventId":"e","type":"purchase","userId":"u","itemId":"i","timestamp":"2026-11-24T11:00:00Z","transactionId":"o-1"}""");

        result.Event!.TransactionId.Should().Be("o-1");
        var buffer = new ArrayBufferWriter<byte>();
        ClickstreamEventJson.WriteLine(buffer, result.Event);
        Validator().Validate(Encoding.UTF8.GetString(buffer.WrittenSpan)).Event.Should().Be(result.Event, "the lake's JSON reads back to the same event");
    }

    [Fact]
    public void MapsRetailRocketShapedEventsWithADeterministicId()
    {
        var ms = Now.AddMinutes(-1).ToUnixTimeMilliseconds();
        var payload = $$"""{"timestamp":{{ms}},"visitorid":257597,"event":"transaction","itemid":355908,"transactionid":4000}""";

        var first = Validator().Validate(payload);
        var second = Validator().Validate(payload);

        first.Event!.Type.Should().Be(ClickstreamEventTypes.Purchase);
        first.Event.UserId.Should().Be("257597");
        first.Event.ItemId.Should().Be("355908");
        first.Event.Timestamp.Should().Be(Now.AddMinutes(-1));
        first.Event.Source.Should().Be("retailrocket");
        first.Event.TransactionId.Should().Be("4000");
        first.Event.EventId.Should().Be(second.Event!.EventId).And.StartWith("rr-257597-");
    }

    [Fact]
    public void AcceptsAnonymousSessionsAndConfiguredExtraTypes()
    {
        var options = new ClickstreamValidationOptions { AdditionalTypes = ["wishlist"] };
        var payload = """{"eventId":"e","type":"WishList","sessionId":"s-1","itemId":"i","timestamp":"2026-11-24T11:00:00+01:00"}""";

        var result = Validator(options).Validate(payload);

        result.Event!.Type.Should().Be("wishlist");
        result.Event.ActorId.Should().Be("s-1");
        result.Event.Timestamp.Should().Be(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void CanonicalJsonLineRoundTripsThroughTheValidator()
    {
        var original = Validator().Validate(Valid).Event!;
        var buffer = new ArrayBufferWriter<byte>();

        ClickstreamEventJson.WriteLine(buffer, original);
        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);

        line.Should().EndWith("\n").And.NotContain("\n\n");
        Validator().Validate(line.TrimEnd('\n')).Event.Should().Be(original);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
