using SmartShop.Core.Ingestion;
using SmartShop.Core.Telemetry;

namespace SmartShop.Functions.Ingestion;

internal static class IngestionMetrics
{
    /// <summary>Counts what the delivery changed (duplicates add nothing) and the enqueue → lake lag of each stored event.</summary>
    public static void Record(SmartShopTelemetry telemetry, IngestionSummary summary)
    {
        if (summary.Accepted > 0)
        {
            telemetry.RecordEventsAccepted(summary.Source, summary.Accepted);
        }

        foreach (var (code, count) in summary.RejectedByCode)
        {
            telemetry.RecordEventsRejected(code, count);
        }

        foreach (var lag in summary.IngestionLags)
        {
            telemetry.RecordIngestionLag(lag);
        }
    }

    /// <summary>"view=3, purchase=1" for logs (the dictionaries are small: one entry per type or rejection code).</summary>
    public static string Describe(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
}
