using System.Buffers;
using System.Text.Json;

namespace SmartShop.Core.Ingestion;

/// <summary>The canonical schema-v2 JSON form of an accepted event, as the event lake stores it (one per line).</summary>
public static class ClickstreamEventJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static void Write(Utf8JsonWriter writer, ClickstreamEvent clickstreamEvent)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(clickstreamEvent);
        writer.WriteStartObject();
        writer.WriteString("eventId", clickstreamEvent.EventId);
        writer.WriteString("type", clickstreamEvent.Type);
        if (clickstreamEvent.UserId is not null) writer.WriteString("userId", clickstreamEvent.UserId);
        if (clickstreamEvent.SessionId is not null) writer.WriteString("sessionId", clickstreamEvent.SessionId);
        writer.WriteString("itemId", clickstreamEvent.ItemId);
        writer.WriteString("timestamp", clickstreamEvent.Timestamp.UtcDateTime);
        if (clickstreamEvent.Quantity is { } quantity) writer.WriteNumber("quantity", quantity);
        if (clickstreamEvent.Price is { } price) writer.WriteNumber("price", price);
        if (clickstreamEvent.Category is not null) writer.WriteString("category", clickstreamEvent.Category);
        if (clickstreamEvent.Source is not null) writer.WriteString("source", clickstreamEvent.Source);
        if (clickstreamEvent.TransactionId is not null) writer.WriteString("transactionId", clickstreamEvent.TransactionId);
        if (clickstreamEvent.RecommendationId is not null) writer.WriteString("recommendationId", clickstreamEvent.RecommendationId);
        if (clickstreamEvent.Position is { } position) writer.WriteNumber("position", position);
        if (clickstreamEvent.Placement is not null) writer.WriteString("placement", clickstreamEvent.Placement);
        if (clickstreamEvent.Revenue is { } revenue) writer.WriteNumber("revenue", revenue);
        if (clickstreamEvent.ExperimentId is not null) writer.WriteString("experimentId", clickstreamEvent.ExperimentId);
        if (clickstreamEvent.Variant is not null) writer.WriteString("variant", clickstreamEvent.Variant);
        writer.WriteEndObject();
    }

    /// <summary>Appends the event and a newline to <paramref name="buffer"/> (JSON Lines).</summary>
    public static void WriteLine(IBufferWriter<byte> buffer, ClickstreamEvent clickstreamEvent)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, clickstreamEvent);
        }
        buffer.Write("\n"u8);
    }
}
