using SmartShop.Core.Data;

namespace SmartShop.Core.Segmentation;

public enum SegmentationInputFormat
{
    /// <summary>Transaction rows (Online Retail schema, column names mappable): RFM and basket features are derived.</summary>
    Transactions,

    /// <summary>One row per customer, any numeric or categorical columns (<see cref="CustomerTableReader"/>).</summary>
    Table,
}

public sealed record SegmentationInputOptions
{
    public SegmentationInputFormat Format { get; init; } = SegmentationInputFormat.Transactions;

    /// <summary>How transactions are read (dialect, columns, rules); its delimiter, when set, is also the table's.</summary>
    public TransactionCsvOptions Csv { get; init; } = new();

    /// <summary>The customer id column (table format); null detects it by name.</summary>
    public string? IdColumn { get; init; }

    public TransactionFeatureOptions Features { get; init; } = new();
}

/// <summary>The customers to segment, with what reading them found (transaction summary and data quality, or the table's column decisions).</summary>
public sealed record SegmentationInput(
    CustomerFeatureTable Table,
    TransactionFeatures? Transactions,
    DataQualityReport? Quality,
    IReadOnlyList<CustomerTableColumn> Columns);

/// <summary>Reads a segmentation input (transactions or a customer table, plain or gzip) into customer features.</summary>
public static class SegmentationInputReader
{
    public static SegmentationInput ReadFile(string path, SegmentationInputOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Input file not found: {path}", path);
        }

        using var reader = InputFile.OpenText(path, options.Csv.Encoding, options.Csv.Limits);
        return Read(reader, options, cancellationToken);
    }

    public static SegmentationInput Read(TextReader reader, SegmentationInputOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Format == SegmentationInputFormat.Table)
        {
            var table = CustomerTableReader.Read(reader, new CustomerTableOptions { Delimiter = options.Csv.Delimiter?[0] ?? ',', IdColumn = options.IdColumn, Limits = options.Csv.Limits }, cancellationToken);
            return new SegmentationInput(table.Features, null, null, table.Columns);
        }

        var csv = new TransactionCsvReader(options.Csv);
        var report = new DataQualityReport(csv.Options.MaxReportedRows);
        var transactions = TransactionFeatureBuilder.Build(csv.Read(reader, report, cancellationToken), options.Features);
        return new SegmentationInput(transactions.Features, transactions, report, []);
    }
}
