using SmartShop.Core.Data;
using SmartShop.Core.Ingestion;

namespace SmartShop.Core.Segmentation;

public sealed record ClickstreamOptions
{
    public char Delimiter { get; init; } = ',';

    public string CustomerColumn { get; init; } = "customer_id";

    public string SessionColumn { get; init; } = "session_id";

    public string EventColumn { get; init; } = "event_type";
}

/// <summary>
/// Behaviour features from a clickstream file (one event per line): page views (event view/page_view),
/// sessions (distinct session ids), add-to-cart rate (add_to_cart events per view) and view-to-purchase
/// conversion (purchase events per view); rates are 0 without views. Other event types are counted and ignored.
/// </summary>
public static class ClickstreamFeatureBuilder
{
    private static readonly TimeSpan SessionGap = TimeSpan.FromMinutes(30);

    public static IReadOnlyList<string> FeatureNames { get; } =
    [
        CustomerFeatureNames.PageViews,
        CustomerFeatureNames.Sessions,
        CustomerFeatureNames.AddToCartRate,
        CustomerFeatureNames.ViewToPurchaseRate,
    ];

    private static readonly string[] RetailRocketColumns = ["timestamp", "visitorid", "event"];

    private static bool IsRetailRocket(string[] header) =>
        RetailRocketColumns.All(name => header.Any(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase)));

    public static CustomerFeatureTable ReadFile(string path, ClickstreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"Clickstream file '{path}' does not exist.");
        }

        using var reader = InputFile.OpenText(path);
        return Read(reader, options);
    }

    public static CustomerFeatureTable Read(TextReader reader, ClickstreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new ClickstreamOptions();
        using var records = DelimitedText.ReadRecords(reader, options.Delimiter).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException("The clickstream file is empty (no header line).");
        }

        var header = records.Current.Fields;
        // A RetailRocket events file (timestamp,visitorid,event,itemid,transactionid) has no session column:
        // its sessions are runs of a visitor's events with no gap longer than 30 minutes.
        var retailRocket = options == new ClickstreamOptions() && IsRetailRocket(header);
        var customer = Column(header, retailRocket ? "visitorid" : options.CustomerColumn);
        var session = retailRocket ? -1 : Column(header, options.SessionColumn);
        var timestamp = retailRocket ? Column(header, "timestamp") : -1;
        var eventType = Column(header, retailRocket ? "event" : options.EventColumn);
        var stats = new Dictionary<string, (int Views, int Carts, int Purchases, HashSet<string> Sessions)>(StringComparer.Ordinal);
        var times = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Length != header.Length)
            {
                throw new InvalidDataException($"Clickstream line {line}: expected {header.Length} fields but found {fields.Length}.");
            }

            if (fields[customer].Length == 0)
            {
                continue;
            }
            if (!TransactionCsvReader.TryNormaliseCustomerId(fields[customer], out var normalised) || normalised is null)
            {
                throw new InvalidDataException($"Clickstream line {line}: the customer id is not an id ({Ingestion.ClickstreamEventValidator.IdRule}).");
            }
            var id = normalised;

            if (!stats.TryGetValue(id, out var s))
            {
                s = (0, 0, 0, new HashSet<string>(StringComparer.Ordinal));
            }

            if (retailRocket)
            {
                if (!long.TryParse(fields[timestamp], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms))
                {
                    throw new InvalidDataException($"Clickstream line {line}: timestamp is not Unix milliseconds.");
                }
                (times.TryGetValue(id, out var list) ? list : times[id] = []).Add(ms);
            }
            else
            {
                s.Sessions.Add(fields[session]);
            }
            switch (ClickstreamEventTypes.FromAlias(fields[eventType]))
            {
                case ClickstreamEventTypes.View or ClickstreamEventTypes.Click:
                    s.Views++;
                    break;
                case ClickstreamEventTypes.AddToCart:
                    s.Carts++;
                    break;
                case ClickstreamEventTypes.Purchase:
                    s.Purchases++;
                    break;
            }

            stats[id] = s;
        }

        foreach (var (id, list) in times)
        {
            list.Sort();
            var sessions = stats[id].Sessions;
            for (var i = 0; i < list.Count; i++)
            {
                if (i == 0 || list[i] - list[i - 1] > SessionGap.TotalMilliseconds)
                {
                    sessions.Add(list[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        var ids = stats.Keys.Order(CustomerIdComparer.Instance).ToList();
        var values = new double[ids.Count * FeatureNames.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            var s = stats[ids[i]];
            var row = values.AsSpan(i * FeatureNames.Count, FeatureNames.Count);
            row[0] = s.Views;
            row[1] = s.Sessions.Count;
            row[2] = s.Views > 0 ? (double)s.Carts / s.Views : 0;
            row[3] = s.Views > 0 ? (double)s.Purchases / s.Views : 0;
        }

        return new CustomerFeatureTable(ids, FeatureNames, values);
    }

    /// <summary>
    /// Outer join with transaction features: browsers who never bought get recency = the whole window
    /// (analysis date − first invoice), zero frequency/monetary/tenure/basket/products; buyers without
    /// clickstream get zero views, sessions and rates. View-to-purchase conversion counts the larger of the
    /// clickstream's purchase events and the customer's invoices (capped at 1), so it works when the
    /// clickstream does not log purchases.
    /// </summary>
    public static CustomerFeatureTable JoinWithTransactions(TransactionFeatures transactions, CustomerFeatureTable clickstream)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentNullException.ThrowIfNull(clickstream);
        var summary = transactions.Summary;
        var window = summary.FirstInvoice is { } first ? (summary.AnalysisDate.Date - first.Date).Days : 0;
        var fillTransactions = TransactionFeatureBuilder.FeatureNames
            .Select(name => name == CustomerFeatureNames.RecencyDays ? window : 0.0)
            .ToList();
        var joined = transactions.Features.OuterJoin(clickstream, fillTransactions, new double[clickstream.FeatureCount]);

        var frequency = joined.IndexOfFeature(CustomerFeatureNames.Frequency);
        var views = joined.IndexOfFeature(CustomerFeatureNames.PageViews);
        var conversion = joined.IndexOfFeature(CustomerFeatureNames.ViewToPurchaseRate);
        var width = joined.FeatureCount;
        var values = new double[joined.Count * width];
        for (var i = 0; i < joined.Count; i++)
        {
            var row = values.AsSpan(i * width, width);
            joined.Row(i).CopyTo(row);
            if (row[views] > 0)
            {
                var purchases = Math.Max(row[conversion] * row[views], row[frequency]);
                row[conversion] = Math.Min(1, purchases / row[views]);
            }
        }

        return new CustomerFeatureTable(joined.CustomerIds, joined.FeatureNames, values);
    }

    private static int Column(string[] header, string name)
    {
        var index = Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
        return index >= 0
            ? index
            : throw new InvalidDataException($"Clickstream column '{name}' is missing; {HeaderText.Describe(header)}.");
    }
}
