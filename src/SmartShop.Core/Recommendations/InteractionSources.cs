using System.Globalization;
using SmartShop.Core.Data;
using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Recommendations;

/// <summary>Turns the supported inputs (transactions, RetailRocket events, JSON-lines clickstream) into interaction events.</summary>
public static class InteractionSources
{
    // Files are history: any age is fine (the limit must stay representable when subtracted from the clock).
    private static readonly ClickstreamEventValidator HistoricalValidator =
        new(new ClickstreamValidationOptions { MaxEventAge = TimeSpan.FromDays(365.25 * 1000) }, TimeProvider.System);

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
    /// RetailRocket events CSV: timestamp (Unix ms),visitorid,event (view|addtocart|transaction),itemid,transactionid,
    /// read and validated exactly as ingestion does (<see cref="ClickstreamFile"/>, <see cref="ClickstreamEventValidator"/>)
    /// except that historical events are never too old. Malformed rows are counted in <paramref name="report"/> and
    /// skipped; too many fail the file. A repeated row counts once.
    /// </summary>
    public static List<InteractionEvent> ReadRetailRocket(TextReader reader, DataQualityReport report, double maxMalformedRatio = 0.10)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(report);
        if (reader.Peek() < 0)
        {
            throw new InvalidDataException("RetailRocket file is empty.");
        }
        return Read(reader, ClickstreamFileFormat.RetailRocket, report, maxMalformedRatio, "RetailRocket events");
    }

    /// <summary>
    /// JSON-lines clickstream in the ingestion schema (docs/ingestion.md: eventId, type view|addtocart|removefromcart|purchase,
    /// userId or sessionId, itemId, timestamp, quantity?, price?, ...), validated as ingestion does except that
    /// historical events are never too old. Duplicate event ids count once; malformed lines are counted and skipped.
    /// </summary>
    public static List<InteractionEvent> ReadClickstream(TextReader reader, DataQualityReport report, double maxMalformedRatio = 0.10)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(report);
        return Read(reader, ClickstreamFileFormat.JsonLines, report, maxMalformedRatio, "clickstream");
    }

    private static List<InteractionEvent> Read(TextReader reader, ClickstreamFileFormat format, DataQualityReport report, double maxMalformedRatio, string what)
    {
        var events = new List<InteractionEvent>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, payload) in ClickstreamFile.ReadNumberedPayloads(reader, format))
        {
            var result = HistoricalValidator.Validate(payload);
            if (result.Event is not { } e)
            {
                report.Reject(line, result.Rejection!.Message);
                continue;
            }
            report.Accept();
            if (seen.Add(e.EventId))
            {
                events.Add(FromClickstream(e));
            }
        }
        ThrowIfMostlyMalformed(report, maxMalformedRatio, what);
        return events;
    }

    /// <summary>The interaction a validated clickstream event is (the actor is the user, else the session).</summary>
    public static InteractionEvent FromClickstream(ClickstreamEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new InteractionEvent(e.ActorId, e.ItemId, e.Timestamp.UtcDateTime, KindOf(e.Type), e.Quantity ?? 1, (double)(e.Price ?? 0), e.TransactionId);
    }

    private static InteractionKind KindOf(string type) => type switch
    {
        ClickstreamEventTypes.View or ClickstreamEventTypes.Click => InteractionKind.View,
        ClickstreamEventTypes.AddToCart => InteractionKind.AddToCart,
        ClickstreamEventTypes.RemoveFromCart => InteractionKind.RemoveFromCart,
        ClickstreamEventTypes.Purchase => InteractionKind.Purchase,
        _ => throw new InvalidDataException($"Event type '{type}' has no interaction kind."),
    };

    private static void ThrowIfMostlyMalformed(DataQualityReport report, double maxMalformedRatio, string what)
    {
        if (report.RowsRead > 0 && report.MalformedRatio > maxMalformedRatio)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The {what} file is mostly malformed ({report.MalformedRatio:P1} of rows, limit {maxMalformedRatio:P0}): {report}"));
        }
    }
}
