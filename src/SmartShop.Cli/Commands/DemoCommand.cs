using System.CommandLine;
using System.Globalization;
using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop demo`: the product's main job on the embedded sample (or a file), no cloud account needed.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var dataOption = new Option<FileInfo?>("--data")
        {
            Description = "Transactions CSV (Online Retail schema, .csv or .csv.gz); default: the embedded sample.",
        };
        var command = new Command("demo", "Load the sample transactions and show what SmartShop makes of them.");
        command.Options.Add(dataOption);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var data = parseResult.GetValue(dataOption);
            Run(data, Console.Out, cancellationToken);
            return Task.FromResult(0);
        });
        return command;
    }

    internal static void Run(FileInfo? data, TextWriter output, CancellationToken cancellationToken)
    {
        var reader = new TransactionCsvReader();
        TransactionSet transactions;
        if (data is null)
        {
            output.WriteLine(EmbeddedSample.Attribution);
            using var text = TransactionCsvReader.OpenText(EmbeddedSample.Open());
            var report = new DataQualityReport();
            transactions = new TransactionSet(reader.Read(text, report, cancellationToken).ToList(), report);
        }
        else
        {
            transactions = reader.ReadAll(data.FullName, cancellationToken);
        }

        var summary = TransactionSummary.Compute(transactions.Rows);
        output.WriteLine();
        output.WriteLine("== Data ==");
        output.WriteLine(transactions.Report.ToString());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.CleanPurchases:N0} clean purchases by {summary.Customers:N0} customers of {summary.Products:N0} products " +
            $"in {summary.Invoices:N0} invoices, {summary.First:yyyy-MM-dd} to {summary.Last:yyyy-MM-dd}; " +
            $"{summary.Cancellations:N0} cancellation lines, {summary.AnonymousRows:N0} anonymous rows."));
        output.WriteLine();
        output.WriteLine("== Most popular products (distinct customers) ==");
        foreach (var product in summary.TopProducts)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {product.StockCode,-8} {product.Customers,5}  {product.Description}"));
        }

        var segmentation = SegmentationEngine.Run(TransactionFeatureBuilder.Build(transactions.Rows).Features, cancellationToken: cancellationToken);
        SegmentCommand.WriteReport(segmentation.Analysis, output);
    }
}
