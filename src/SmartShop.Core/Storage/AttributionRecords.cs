using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmartShop.Core.Attribution;

namespace SmartShop.Core.Storage;

/// <summary>What a day's attribution partition holds: the facts written by ingestion and the impressions counted by serving.</summary>
public sealed record AttributionDay(DateOnly Day, IReadOnlyList<AttributionFact> Facts, IReadOnlyList<ImpressionCount> Impressions);

/// <summary>
/// How both document stores lay out attribution: partition = the UTC day (<c>yyyyMMdd</c>); one record per writer
/// (an ingested batch's facts, or a serving instance's impression counts) and chunk, its items as one JSON string of
/// at most <see cref="MaxChunkCharacters"/> characters (a Table storage string property holds 64 KiB of UTF-16).
/// Writing the same writer's records again replaces them, and readers count a fact once per event id.
/// </summary>
internal static class AttributionRecords
{
    public const int MaxChunkCharacters = 30_000;

    /// <summary>Records per entity group transaction: 50 chunks of 60 KB stay below its 4 MiB.</summary>
    public const int MaxChunksPerWrite = 50;

    private const string FactPrefix = "f|";
    private const string ImpressionPrefix = "i|";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Partition(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The fact records of one writer, per day partition.</summary>
    public static IEnumerable<(string Partition, IReadOnlyList<(string Id, string Items)> Records)> Facts(string writerId, IReadOnlyList<AttributionFact> facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var writer = StorageKeys.Escape(writerId);
        return facts.GroupBy(f => f.Key.Day)
            .Select(day => (Partition(day.Key), (IReadOnlyList<(string Id, string Items)>)Chunks(FactPrefix + writer, day.ToList())));
    }

    public static IReadOnlyList<(string Id, string Items)> Impressions(string instanceId, IReadOnlyList<ImpressionCount> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return Chunks(ImpressionPrefix + StorageKeys.Escape(instanceId), counts);
    }

    /// <summary>Adds one stored record's items to the day.</summary>
    public static void Read(string id, string? items, List<AttributionFact> facts, List<ImpressionCount> impressions)
    {
        if (items is null)
        {
            return;
        }
        if (id.StartsWith(FactPrefix, StringComparison.Ordinal))
        {
            facts.AddRange(JsonSerializer.Deserialize<List<AttributionFact>>(items, Json) ?? []);
        }
        else if (id.StartsWith(ImpressionPrefix, StringComparison.Ordinal))
        {
            impressions.AddRange(JsonSerializer.Deserialize<List<ImpressionCount>>(items, Json) ?? []);
        }
    }

    private static List<(string Id, string Items)> Chunks<T>(string prefix, IReadOnlyList<T> items)
    {
        var chunks = new List<(string Id, string Items)>();
        var current = new List<string>();
        var length = 2;
        foreach (var item in items)
        {
            var json = JsonSerializer.Serialize(item, Json);
            if (current.Count > 0 && length + json.Length + 1 > MaxChunkCharacters)
            {
                chunks.Add(Chunk(prefix, chunks.Count, current));
                current.Clear();
                length = 2;
            }
            current.Add(json);
            length += json.Length + 1;
        }
        if (current.Count > 0)
        {
            chunks.Add(Chunk(prefix, chunks.Count, current));
        }
        return chunks;
    }

    private static (string Id, string Items) Chunk(string prefix, int index, List<string> items) =>
        (string.Create(CultureInfo.InvariantCulture, $"{prefix}|{index:D4}"), "[" + string.Join(',', items) + "]");
}
