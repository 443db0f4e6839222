using System.Globalization;
using System.Text.Json;
using SmartShop.Core.Ingestion;

namespace SmartShop.Functions.Ingestion;

/// <summary>
/// Reads the Event Hubs trigger's binding data (PartitionContext, SystemPropertiesArray or the Sequence/Enqueued
/// arrays) to identify a batch by partition and its first and last sequence numbers. Without them the batch is identified by content.
/// </summary>
internal static class EventHubsBindingData
{
    public static ClickstreamBatch ToBatch(string[] events, IReadOnlyDictionary<string, object?> bindingData)
    {
        var partitionId = ReadPartitionId(bindingData);
        var (sequenceNumbers, enqueuedTimes) = ReadSystemProperties(bindingData, events.Length);
        // The identity is the whole range, so it needs one sequence number per event, in order.
        if (partitionId is not null && sequenceNumbers.Count == events.Length && events.Length > 0 && sequenceNumbers[0] >= 0 && sequenceNumbers[^1] >= sequenceNumbers[0])
        {
            return ClickstreamBatch.FromEventHubs(events, partitionId, sequenceNumbers[0], sequenceNumbers[^1], enqueuedTimes.Count == events.Length ? enqueuedTimes : null);
        }

        return ClickstreamBatch.FromContent(events, "eventhubs");
    }

    private static string? ReadPartitionId(IReadOnlyDictionary<string, object?> bindingData)
    {
        if (Parse(bindingData, "PartitionContext") is not { ValueKind: JsonValueKind.Object } context)
        {
            return null;
        }

        // The host serialises the partition id at the top level or under RunTimeInformation, depending on the version.
        foreach (var candidate in new[] { context, context.TryGetProperty("RunTimeInformation", out var runtime) ? runtime : default })
        {
            if (candidate.ValueKind == JsonValueKind.Object && candidate.TryGetProperty("PartitionId", out var id) && id.ValueKind == JsonValueKind.String)
            {
                var value = id.GetString();
                return string.IsNullOrEmpty(value) || !value.All(char.IsAsciiLetterOrDigit) ? null : value;
            }
        }

        return null;
    }

    private static (List<long> SequenceNumbers, List<DateTimeOffset> EnqueuedTimes) ReadSystemProperties(IReadOnlyDictionary<string, object?> bindingData, int count)
    {
        var sequenceNumbers = new List<long>(count);
        var enqueuedTimes = new List<DateTimeOffset>(count);
        if (Parse(bindingData, "SystemPropertiesArray") is { ValueKind: JsonValueKind.Array } properties)
        {
            foreach (var item in properties.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (item.TryGetProperty("SequenceNumber", out var sequence) && sequence.TryGetInt64(out var number))
                {
                    sequenceNumbers.Add(number);
                }

                if (item.TryGetProperty("EnqueuedTimeUtc", out var enqueued) && ReadTime(enqueued) is { } time)
                {
                    enqueuedTimes.Add(time);
                }
            }
        }

        if (sequenceNumbers.Count == 0 && Parse(bindingData, "SequenceNumberArray") is { ValueKind: JsonValueKind.Array } sequences)
        {
            sequenceNumbers.AddRange(sequences.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Number).Select(s => s.GetInt64()));
        }

        if (enqueuedTimes.Count == 0 && Parse(bindingData, "EnqueuedTimeUtcArray") is { ValueKind: JsonValueKind.Array } times)
        {
            enqueuedTimes.AddRange(times.EnumerateArray().Select(ReadTime).OfType<DateTimeOffset>());
        }

        return (sequenceNumbers, enqueuedTimes);
    }

    private static DateTimeOffset? ReadTime(JsonElement element) =>
        element.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    private static JsonElement? Parse(IReadOnlyDictionary<string, object?> bindingData, string key)
    {
        if (!bindingData.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }

        try
        {
            return value switch
            {
                JsonElement element => element,
                string text => ParseText(text),
                _ => JsonSerializer.SerializeToElement(value),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement ParseText(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
