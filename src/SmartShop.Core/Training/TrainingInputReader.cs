using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Training;

/// <summary>A training file, read: interactions for the recommender, transactions (when the file had them) for segmentation.</summary>
internal sealed record TrainingData(
    TrainingInputKind Kind,
    List<InteractionEvent> Events,
    IReadOnlyList<Transaction>? Transactions,
    Catalogue? Catalogue,
    DataQualityReport Quality);

/// <summary>Detects a training file's kind from its first line (gzip is undone first) and reads it with the product's own parsers.</summary>
internal static class TrainingInputReader
{
    private const string RetailRocketHeader = "timestamp,visitorid,event,itemid,transactionid";

    public static TrainingInputKind Detect(string path, TransactionCsvOptions csv)
    {
        using var reader = InputFile.OpenText(path, csv.Encoding, csv.Limits);
        string? line;
        do
        {
            line = reader.ReadLine();
        }
        while (line is not null && string.IsNullOrWhiteSpace(line));
        if (line is null)
        {
            throw new InvalidDataException("The training file is empty.");
        }

        var header = line.Trim().TrimStart('\uFEFF');
        if (header.StartsWith('{'))
        {
            return IsCatalogueObject(header) ? TrainingInputKind.Catalogue : TrainingInputKind.ClickstreamJsonLines;
        }
        var delimiter = csv.Delimiter?[0] ?? TransactionHeader.SniffDelimiter(header);
        var columns = TransactionHeader.Split(header, delimiter.ToString()).Select(c => c.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        if (string.Equals(header, RetailRocketHeader, StringComparison.OrdinalIgnoreCase))
        {
            return TrainingInputKind.RetailRocketEvents;
        }
        if (columns.Contains(csv.Columns.InvoiceNo.ToLowerInvariant()) || columns.Contains(csv.Columns.StockCode.ToLowerInvariant()))
        {
            return TrainingInputKind.Transactions;
        }
        if (columns.Contains("id") && columns.Contains("title"))
        {
            return TrainingInputKind.Catalogue;
        }
        throw new InvalidDataException(
            $"Unrecognised training file: {HeaderText.Describe(columns.ToList())}; that is not a transactions header ({csv.Columns.InvoiceNo}, {csv.Columns.StockCode}, ... as mapped in Training:Data:Columns), " +
            $"a RetailRocket header ({RetailRocketHeader}), a catalogue header (id,title,category,price,in_stock) or a JSON event.");
    }

    // A catalogue line has an id and a title; an event has an eventId and a type (docs/catalogue.md, docs/ingestion.md).
    private static bool IsCatalogueObject(string line)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var root = json.RootElement;
            return root.ValueKind == System.Text.Json.JsonValueKind.Object
                && root.TryGetProperty("id", out _) && root.TryGetProperty("title", out _)
                && !root.TryGetProperty("eventId", out _);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    public static TrainingData Read(string path, TrainingInputKind kind, TransactionCsvOptions csv, CancellationToken cancellationToken)
    {
        var quality = new DataQualityReport();
        switch (kind)
        {
            case TrainingInputKind.Transactions:
                var transactions = new TransactionCsvReader(csv).Read(path, quality, cancellationToken).ToList();
                var events = InteractionSources.FromTransactions(transactions).ToList();
                if (events.Count == 0)
                {
                    throw new InvalidDataException($"The transactions file has no purchases (a customer id, quantity and price > 0, not cancelled): {quality}");
                }
                return new TrainingData(kind, events, transactions, null, quality);
            case TrainingInputKind.ClickstreamJsonLines:
            case TrainingInputKind.RetailRocketEvents:
                using (var reader = InputFile.OpenText(path, limits: csv.Limits))
                {
                    var read = kind == TrainingInputKind.RetailRocketEvents
                        ? InteractionSources.ReadRetailRocket(reader, quality)
                        : InteractionSources.ReadClickstream(reader, quality);
                    return read.Count > 0
                        ? new TrainingData(kind, read, null, null, quality)
                        : throw new InvalidDataException($"The events file has no valid events: {quality}");
                }
            case TrainingInputKind.Catalogue:
                var catalogue = Catalogue.Load(path);
                return catalogue.Items.Count > 0
                    ? new TrainingData(kind, [], null, catalogue, quality)
                    : throw new InvalidDataException("The catalogue file has a header but no products.");
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a file kind.");
        }
    }

}
