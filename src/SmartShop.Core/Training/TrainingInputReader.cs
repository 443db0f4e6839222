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

    public static TrainingInputKind Detect(string path)
    {
        using var reader = TransactionCsvReader.OpenText(path);
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
            return TrainingInputKind.ClickstreamJsonLines;
        }
        var columns = header.Split(',').Select(c => c.Trim().Trim('"').ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        if (string.Equals(header, RetailRocketHeader, StringComparison.OrdinalIgnoreCase))
        {
            return TrainingInputKind.RetailRocketEvents;
        }
        if (columns.Contains("invoiceno") || columns.Contains("stockcode"))
        {
            return TrainingInputKind.Transactions;
        }
        if (columns.Contains("id") && columns.Contains("title"))
        {
            return TrainingInputKind.Catalogue;
        }
        throw new InvalidDataException(
            $"Unrecognised training file: the first line '{Excerpt(header)}' is not a transactions header (InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country), " +
            $"a RetailRocket header ({RetailRocketHeader}), a catalogue header (id,title,category,price,in_stock) or a JSON event.");
    }

    public static TrainingData Read(string path, TrainingInputKind kind, CancellationToken cancellationToken)
    {
        var quality = new DataQualityReport();
        switch (kind)
        {
            case TrainingInputKind.Transactions:
                var transactions = new TransactionCsvReader().Read(path, quality, cancellationToken).ToList();
                var events = InteractionSources.FromTransactions(transactions).ToList();
                if (events.Count == 0)
                {
                    throw new InvalidDataException($"The transactions file has no clean purchases (customer, product code, quantity and price > 0, not cancelled): {quality}");
                }
                return new TrainingData(kind, events, transactions, null, quality);
            case TrainingInputKind.ClickstreamJsonLines:
            case TrainingInputKind.RetailRocketEvents:
                using (var reader = TransactionCsvReader.OpenText(path))
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

    private static string Excerpt(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 80), "…");
}
