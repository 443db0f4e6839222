using System.Globalization;
using System.Text.Json;
using SmartShop.Core.Data;

namespace SmartShop.Core.Recommendations;

/// <summary>Turns the supported inputs (transactions, RetailRocket events, JSON-lines clickstream) into interaction events.</summary>
public static class InteractionSources
{
    /// <summary>Clean purchases (the referee's rules) become purchase events; the invoice is the basket.</summary>
    public static IEnumerable<InteractionEvent> FromTransactions(IEnumerable<Transaction> transactions)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        foreach (var t in transactions)
        {
            if (t.IsCleanPurchase)
            {
                yield return new InteractionEvent(t.CustomerId!, t.StockCode, t.InvoiceDate, InteractionKind.Purchase, t.Quantity, (double)t.UnitPrice, t.InvoiceNo);
            }
        }
    }

    /// <summary>
    /// RetailRocket events CSV: timestamp (Unix ms),visitorid,event (view|addtocart|transaction),itemid,transactionid.
    /// Malformed rows are counted in <paramref name="report"/> and skipped; too many fail the file.
    /// </summary>
    public static List<InteractionEvent> ReadRetailRocket(TextReader reader, DataQualityReport report, double maxMalformedRatio = 0.10)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(report);
        var header = reader.ReadLine() ?? throw new InvalidDataException("RetailRocket file is empty.");
        var names = header.Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int Column(string name) => Array.IndexOf(names, name) is var i and >= 0
            ? i
            : throw new InvalidDataException($"RetailRocket header lacks '{name}' (expected timestamp,visitorid,event,itemid,transactionid).");
        int ts = Column("timestamp"), visitor = Column("visitorid"), kind = Column("event"), item = Column("itemid");
        var transaction = Array.IndexOf(names, "transactionid");
        var events = new List<InteractionEvent>();
        long line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            var f = text.Split(',');
            string? reason = null;
            if (f.Length < names.Length)
            {
                reason = "too few fields";
            }
            else if (!long.TryParse(f[ts], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) || ms < 0 || ms > 253402300799999)
            {
                reason = "bad timestamp";
            }
            else if (string.IsNullOrWhiteSpace(f[visitor]) || string.IsNullOrWhiteSpace(f[item]))
            {
                reason = "empty visitor or item";
            }
            else
            {
                InteractionKind? k = f[kind].Trim() switch
                {
                    "view" => InteractionKind.View,
                    "addtocart" => InteractionKind.AddToCart,
                    "transaction" => InteractionKind.Purchase,
                    _ => null,
                };
                if (k is null)
                {
                    reason = "unknown event type";
                }
                else
                {
                    var basket = transaction >= 0 && !string.IsNullOrWhiteSpace(f[transaction]) ? f[transaction].Trim() : null;
                    events.Add(new InteractionEvent(f[visitor].Trim(), f[item].Trim(), DateTime.UnixEpoch.AddMilliseconds(ms), k.Value, BasketId: basket));
                    report.Accept();
                }
            }
            if (reason is not null)
            {
                report.Reject(line, reason);
            }
        }
        ThrowIfMostlyMalformed(report, maxMalformedRatio, "RetailRocket events");
        return events;
    }

    private sealed record ClickstreamEvent(string? EventId, string? Type, string? UserId, string? ItemId, DateTimeOffset? Timestamp, double? Quantity, double? Price, string? Category);

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true, MaxDepth = 8 };

    /// <summary>
    /// JSON-lines clickstream: {eventId,type(view|addtocart|removefromcart|purchase),userId,itemId,timestamp,quantity?,price?,category?}.
    /// Duplicate event ids count once; malformed lines are counted and skipped.
    /// </summary>
    public static List<InteractionEvent> ReadClickstream(TextReader reader, DataQualityReport report, double maxMalformedRatio = 0.10)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(report);
        var events = new List<InteractionEvent>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            ClickstreamEvent? e;
            try
            {
                e = JsonSerializer.Deserialize<ClickstreamEvent>(text, JsonOptions);
            }
            catch (JsonException)
            {
                report.Reject(line, "not a JSON object");
                continue;
            }
            InteractionKind? kind = e?.Type?.Trim().ToLowerInvariant() switch
            {
                "view" => InteractionKind.View,
                "addtocart" => InteractionKind.AddToCart,
                "removefromcart" => InteractionKind.RemoveFromCart,
                "purchase" => InteractionKind.Purchase,
                _ => null,
            };
            if (e is null || kind is null || string.IsNullOrWhiteSpace(e.UserId) || string.IsNullOrWhiteSpace(e.ItemId) || e.Timestamp is null)
            {
                report.Reject(line, "missing or invalid type, userId, itemId or timestamp");
                continue;
            }
            if (e.Quantity is { } q && (!double.IsFinite(q) || q < 0) || e.Price is { } p && (!double.IsFinite(p) || p < 0))
            {
                report.Reject(line, "negative or non-finite quantity/price");
                continue;
            }
            report.Accept();
            if (e.EventId is { } id && !seen.Add(id))
            {
                continue;
            }
            events.Add(new InteractionEvent(e.UserId.Trim(), e.ItemId.Trim(), e.Timestamp.Value.UtcDateTime, kind.Value, e.Quantity ?? 1, e.Price ?? 0));
        }
        ThrowIfMostlyMalformed(report, maxMalformedRatio, "clickstream");
        return events;
    }

    private static void ThrowIfMostlyMalformed(DataQualityReport report, double maxMalformedRatio, string what)
    {
        if (report.RowsRead > 0 && report.MalformedRatio > maxMalformedRatio)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The {what} file is mostly malformed ({report.MalformedRatio:P1} of rows, limit {maxMalformedRatio:P0}): {report}"));
        }
    }
}
