using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartShop.Core.Ingestion;

/// <summary>Why an event was refused: a stable code for counting and alerting, and a message for the dead letter.</summary>
public sealed record EventRejection(string Code, string Message)
{
    public const string PayloadTooLarge = "payload-too-large";
    public const string MalformedJson = "malformed-json";
    public const string MissingField = "missing-field";
    public const string WrongType = "wrong-type";
    public const string UnknownEventType = "unknown-event-type";
    public const string InvalidId = "invalid-id";
    public const string InvalidTimestamp = "invalid-timestamp";
    public const string TimestampInFuture = "timestamp-in-future";
    public const string TimestampTooOld = "timestamp-too-old";
    public const string OutOfRange = "out-of-range";
}

/// <summary>The outcome of validating one raw event: exactly one of <see cref="Event"/> and <see cref="Rejection"/> is set.</summary>
public readonly record struct ClickstreamValidationResult(ClickstreamEvent? Event, EventRejection? Rejection)
{
    public bool IsValid => Event is not null;
}

/// <summary>
/// Parses and validates raw storefront events (schema v2 JSON, which v1 events are, see docs/ingestion.md) against size, type, id, time and
/// range limits. Thread-safe; a bad event yields a rejection, never an exception.
/// </summary>
public sealed class ClickstreamEventValidator(ClickstreamValidationOptions options, TimeProvider timeProvider)
{
    public const int MaxIdLength = 128;

    /// <summary>Largest 1-based position of an item in a recommendation answer.</summary>
    public const int MaxPosition = 1_000;

    /// <summary>Longest placement label (home, product-page, cart, …).</summary>
    public const int MaxLabelLength = 64;

    /// <summary>What an id is, for messages: the one id alphabet of events, transactions, catalogue and API.</summary>
    public const string IdRule = "1-128 characters of A-Z a-z 0-9 - _ . : @";

    // ISO 8601 with optional fraction and offset (none = UTC).
    private const string IsoTimestamp = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK";

    private static readonly SearchValues<char> IdAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:@");

    private readonly HashSet<string> _types =
        new(ClickstreamEventTypes.Known.Concat(options.AdditionalTypes), StringComparer.Ordinal);

    public ClickstreamEventValidator() : this(new ClickstreamValidationOptions(), TimeProvider.System)
    {
    }

    public ClickstreamValidationOptions Options => options;

    public ClickstreamValidationResult Validate(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        // Cheap bound first: a UTF-8 body is at least as long as its char count and at most three times it.
        if (payload.Length > options.MaxEventBytes || Encoding.UTF8.GetByteCount(payload) > options.MaxEventBytes)
        {
            return Reject(EventRejection.PayloadTooLarge, $"event body is larger than {options.MaxEventBytes} bytes");
        }
        var bytes = Encoding.UTF8.GetBytes(payload);
        return ValidateUtf8(bytes);
    }

    public ClickstreamValidationResult Validate(ReadOnlySpan<byte> utf8Payload)
    {
        if (utf8Payload.Length > options.MaxEventBytes)
        {
            return Reject(EventRejection.PayloadTooLarge, $"event body is larger than {options.MaxEventBytes} bytes");
        }
        return ValidateUtf8(utf8Payload);
    }

    private ClickstreamValidationResult ValidateUtf8(ReadOnlySpan<byte> utf8)
    {
        var fields = new RawFields();
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Reject(EventRejection.MalformedJson, "event must be a JSON object");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (!fields.Set(name, ref reader, out var typeError))
                {
                    return Reject(EventRejection.WrongType, typeError!);
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Reject(EventRejection.MalformedJson, "event must be a single JSON object");
            }
        }
        catch (JsonException exception)
        {
            return Reject(EventRejection.MalformedJson, $"not valid JSON ({Truncate(exception.Message, 120)})");
        }
        catch (InvalidOperationException exception)
        {
            return Reject(EventRejection.MalformedJson, $"not valid JSON ({Truncate(exception.Message, 120)})");
        }
        return Check(fields);
    }

    private ClickstreamValidationResult Check(RawFields fields)
    {
        if (fields.EventId is null && fields.VisitorId is not null)
        {
            fields = fields.FromRetailRocket();
        }
        if (fields.EventId is null) return Missing("eventId");
        if (fields.Type is null) return Missing("type");
        if (fields.ItemId is null) return Missing("itemId");
        if (fields.Timestamp is null && fields.TimestampMilliseconds is null) return Missing("timestamp");
        if (fields.UserId is null && fields.SessionId is null) return Missing("userId (or sessionId)");

        foreach (var (name, value) in new[]
                 {
                     ("eventId", fields.EventId), ("itemId", fields.ItemId), ("userId", fields.UserId),
                     ("sessionId", fields.SessionId), ("transactionId", fields.TransactionId),
                     ("recommendationId", fields.RecommendationId),
                 })
        {
            if (value is not null && !IsSafeId(value))
            {
                return Reject(EventRejection.InvalidId,
                    $"{name} must be {IdRule}");
            }
        }

        var type = fields.Type.ToLowerInvariant();
        if (!_types.Contains(type))
        {
            return Reject(EventRejection.UnknownEventType,
                $"type '{Truncate(fields.Type, 40)}' is not one of {string.Join(", ", _types.Order(StringComparer.Ordinal))}");
        }

        DateTimeOffset timestamp;
        if (fields.TimestampMilliseconds is { } milliseconds)
        {
            if (milliseconds is < 0 or > 253_402_300_799_999)
            {
                return Reject(EventRejection.InvalidTimestamp, "timestamp in milliseconds is out of range");
            }
            timestamp = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        }
        else if (!DateTimeOffset.TryParseExact(fields.Timestamp, IsoTimestamp, CultureInfo.InvariantCulture,
                     DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp))
        {
            return Reject(EventRejection.InvalidTimestamp, "timestamp must be an ISO 8601 date and time (UTC)");
        }
        var now = timeProvider.GetUtcNow();
        if (timestamp > now + options.MaxClockSkew)
        {
            return Reject(EventRejection.TimestampInFuture,
                $"timestamp is more than {options.MaxClockSkew.TotalMinutes:0} minutes in the future");
        }
        if (timestamp < now - options.MaxEventAge)
        {
            return Reject(EventRejection.TimestampTooOld, $"timestamp is older than {options.MaxEventAge.TotalDays:0} days");
        }

        if (fields.Quantity is { } quantity && (quantity < 1 || quantity > options.MaxQuantity))
        {
            return Reject(EventRejection.OutOfRange, $"quantity must be between 1 and {options.MaxQuantity}");
        }
        if (fields.Price is { } price && (price < 0 || price > options.MaxPrice))
        {
            return Reject(EventRejection.OutOfRange, $"price must be between 0 and {options.MaxPrice}");
        }
        if (fields.Category is { } category
            && (category.Length > options.MaxCategoryLength || category.Any(char.IsControl)))
        {
            return Reject(EventRejection.OutOfRange,
                $"category must be at most {options.MaxCategoryLength} characters without control characters");
        }
        if (fields.Source is { } source && (source.Length > MaxIdLength || source.Any(char.IsControl)))
        {
            return Reject(EventRejection.OutOfRange, $"source must be at most {MaxIdLength} characters without control characters");
        }

        if (fields.Position is { } position && position is < 1 or > MaxPosition)
        {
            return Reject(EventRejection.OutOfRange, $"position must be between 1 and {MaxPosition}");
        }
        foreach (var (name, value, length) in new[] { ("placement", fields.Placement, MaxLabelLength), ("experimentId", fields.ExperimentId, 64), ("variant", fields.Variant, 32) })
        {
            if (value is not null && !Attribution.RecommendationContext.IsLabel(value, length))
            {
                return Reject(EventRejection.InvalidId, $"{name} must be 1-{length} characters of a-z 0-9 - _");
            }
        }
        if (fields.Revenue is { } revenue)
        {
            if (type != ClickstreamEventTypes.Purchase)
            {
                return Reject(EventRejection.OutOfRange, "revenue is only for purchases");
            }
            if (revenue < 0 || revenue > options.MaxPrice * options.MaxQuantity)
            {
                return Reject(EventRejection.OutOfRange, $"revenue must be between 0 and {options.MaxPrice * options.MaxQuantity}");
            }
        }

        return new ClickstreamValidationResult(
            new ClickstreamEvent(fields.EventId, type, fields.UserId, fields.SessionId, fields.ItemId, timestamp,
                fields.Quantity, fields.Price, fields.Category, fields.Source, fields.TransactionId)
            {
                RecommendationId = fields.RecommendationId,
                Position = fields.Position,
                Placement = fields.Placement,
                Revenue = fields.Revenue,
                ExperimentId = fields.ExperimentId,
                Variant = fields.Variant,
            },
            null);
    }

    /// <summary>Whether <paramref name="value"/> is an id (<see cref="IdRule"/>).</summary>
    public static bool IsValidId(string value) => IsSafeId(value);


    internal static bool IsSafeId(string value) =>
        value.Length is > 0 and <= MaxIdLength && !value.AsSpan().ContainsAnyExcept(IdAlphabet);

    private static ClickstreamValidationResult Missing(string field) =>
        Reject(EventRejection.MissingField, $"{field} is required");

    private static ClickstreamValidationResult Reject(string code, string message) => new(null, new EventRejection(code, message));

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length] + "…";

    /// <summary>The recognised properties as read; unknown properties are ignored for forward compatibility.</summary>
    private struct RawFields
    {
        public string? EventId, Type, UserId, SessionId, ItemId, Timestamp, Category, Source;
        public string? RecommendationId, Placement, ExperimentId, Variant;
        public long? TimestampMilliseconds;
        public int? Quantity, Position;
        public decimal? Price, Revenue;

        // RetailRocket shape: timestamp (ms), visitorid, event (view|addtocart|transaction), itemid, transactionid.
        public string? VisitorId, RetailRocketEvent, TransactionId;

        public bool Set(string name, ref Utf8JsonReader reader, out string? error)
        {
            error = null;
            switch (name)
            {
                case "eventId": return ReadId(ref reader, name, ref EventId, out error);
                case "type": return ReadString(ref reader, name, ref Type, out error);
                case "userId": return ReadId(ref reader, name, ref UserId, out error);
                case "sessionId": return ReadId(ref reader, name, ref SessionId, out error);
                case "itemId" or "itemid": return ReadId(ref reader, name, ref ItemId, out error);
                case "category": return ReadString(ref reader, name, ref Category, out error);
                case "source": return ReadString(ref reader, name, ref Source, out error);
                case "visitorid": return ReadId(ref reader, name, ref VisitorId, out error);
                case "event": return ReadString(ref reader, name, ref RetailRocketEvent, out error);
                case "transactionId" or "transactionid": return ReadId(ref reader, name, ref TransactionId, out error);
                case "timestamp":
                    if (reader.TokenType == JsonTokenType.Number)
                    {
                        if (!reader.TryGetInt64(out var milliseconds))
                        {
                            error = "timestamp must be an ISO 8601 string or whole milliseconds since 1970";
                            return false;
                        }
                        TimestampMilliseconds = milliseconds;
                        return true;
                    }
                    return ReadString(ref reader, name, ref Timestamp, out error);
                case "recommendationId": return ReadString(ref reader, name, ref RecommendationId, out error);
                case "placement": return ReadString(ref reader, name, ref Placement, out error);
                case "experimentId": return ReadString(ref reader, name, ref ExperimentId, out error);
                case "variant": return ReadString(ref reader, name, ref Variant, out error);
                case "quantity": return ReadWhole(ref reader, name, ref Quantity, out error);
                case "position": return ReadWhole(ref reader, name, ref Position, out error);
                case "price": return ReadNumber(ref reader, name, ref Price, out error);
                case "revenue": return ReadNumber(ref reader, name, ref Revenue, out error);
                default:
                    reader.Skip();
                    return true;
            }
        }

        /// <summary>Maps a RetailRocket-shaped event; its event id is derived so that a replayed row is a duplicate.</summary>
        public readonly RawFields FromRetailRocket()
        {
            var type = RetailRocketEvent is { } word ? ClickstreamEventTypes.FromAlias(word) ?? word : null;
            var stamp = TimestampMilliseconds?.ToString(CultureInfo.InvariantCulture) ?? Timestamp;
            return this with
            {
                Type = type,
                UserId = VisitorId,
                EventId = Truncated($"rr-{VisitorId}-{stamp}-{ItemId}-{RetailRocketEvent}"),
                Source = Source ?? "retailrocket",
            };
        }

        private static string Truncated(string id) => id.Length <= MaxIdLength ? id : id[..MaxIdLength];

        private static bool ReadId(ref Utf8JsonReader reader, string name, ref string? target, out string? error)
        {
            // Integer ids (RetailRocket's visitorid/itemid) are accepted and kept as their decimal text.
            if (reader.TokenType == JsonTokenType.Number)
            {
                error = null;
                if (!reader.TryGetInt64(out var number))
                {
                    error = $"{name} must be a string or a whole number";
                    return false;
                }
                target = number.ToString(CultureInfo.InvariantCulture);
                return true;
            }
            return ReadString(ref reader, name, ref target, out error);
        }

        private static bool ReadWhole(ref Utf8JsonReader reader, string name, ref int? target, out string? error)
        {
            error = null;
            if (reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value))
            {
                error = $"{name} must be a whole number";
                return false;
            }
            target = value;
            return true;
        }

        private static bool ReadNumber(ref Utf8JsonReader reader, string name, ref decimal? target, out string? error)
        {
            error = null;
            if (reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var value))
            {
                error = $"{name} must be a number";
                return false;
            }
            target = value;
            return true;
        }

        private static bool ReadString(ref Utf8JsonReader reader, string name, ref string? target, out string? error)
        {
            error = null;
            if (reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.String)
            {
                error = $"{name} must be a string";
                return false;
            }
            target = reader.GetString();
            return true;
        }
    }
}
