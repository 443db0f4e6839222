using System.CommandLine;
using System.Globalization;
using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop demo`: the product's main job on the embedded sample (or a file), no cloud account needed.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var dataOption = new Option<FileInfo?>("--data")
        {
            Description = $"Transactions CSV (.csv or .csv.gz, any dialect); default: the embedded Online Retail sample, read with --preset {TransactionCsvOptions.OnlineRetailPreset}.",
        };
        var dataOptions = new DataOptions();
        var command = new Command("demo", "Load the sample transactions and show what SmartShop makes of them.");
        command.Options.Add(dataOption);
        dataOptions.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var data = parseResult.GetValue(dataOption);
            Run(data, dataOptions.Read(parseResult), Console.Out, cancellationToken);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Runs the demo; the embedded sample is Online Retail data, so it is read with that preset unless another is given.</summary>
    internal static void Run(FileInfo? data, TransactionCsvOptions csv, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (data is null && csv.Preset is null)
        {
            csv = csv with { Preset = TransactionCsvOptions.OnlineRetailPreset };
        }
        var reader = new TransactionCsvReader(csv);
        TransactionSet transactions;
        if (data is null)
        {
            output.WriteLine(EmbeddedSample.Attribution);
            using var text = InputFile.OpenText(EmbeddedSample.Open(), csv.Encoding);
            var report = new DataQualityReport();
            transactions = new TransactionSet(reader.Read(text, report, cancellationToken).ToList(), report);
        }
        else
        {
            transactions = reader.ReadAll(data.FullName, cancellationToken);
        }

        var summary = TransactionSummary.Compute(transactions.Rows);
        if (summary.CleanPurchases == 0)
        {
            // Say why, with the report's reasons, instead of failing later with "no customers to segment".
            var reasons = transactions.Report.DropLines().ToList();
            var kept = FormattableString.Invariant($"{transactions.Report.RowsAccepted:N0} of {transactions.Report.RowsRead:N0}");
            throw new InvalidDataException(
                $"No purchases to work with: {kept} rows kept, none with a customer id, a positive quantity and price and not cancelled" +
                (reasons.Count > 0 ? $"; dropped: {string.Join("; ", reasons)}." : "."));
        }
        output.WriteLine();
        output.WriteLine("== Data ==");
        RecommendationInputs.WriteReport(data?.Name ?? "sample", transactions.Report, output);
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
        ShowRecommendations(transactions.Rows, segmentation.Analysis.Assignments, output, cancellationToken);
    }

    // A lighter ranker than `train` uses: the demo should answer in seconds on a laptop.
    private static readonly RecommenderOptions DemoOptions = new()
    {
        RankerLabelWindowsDays = [60, 30],
        Ranker = new RankerOptions { Trees = 60 },
    };

    private static void ShowRecommendations(IReadOnlyList<Transaction> rows, IReadOnlyList<CustomerAssignment> segments, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine();
        output.WriteLine("== Training the recommender ==");
        var (progress, heartbeat) = RecommendationInputs.ProgressWithHeartbeat(output, "training", TimeSpan.FromSeconds(4));
        RecommenderModel model;
        using (heartbeat)
        {
            model = new RecommenderTrainer(DemoOptions).Train(InteractionSources.FromTransactions(rows), Catalogue.FromTransactions(rows), progress, cancellationToken);
        }

        var segmentTrending = SegmentTrending.Build(model, SegmentNames(segments));
        var recommender = new Recommender(model, segments: segmentTrending);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"== Recommendations ({model.Info.Ranker}, trained on {model.UserCount:N0} customers, {model.ItemCount:N0} products) =="));
        var busiest = rows.Where(t => t.IsCleanPurchase).GroupBy(t => t.CustomerId!).OrderByDescending(g => g.Select(t => t.InvoiceNo).Distinct().Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(3);
        foreach (var customer in busiest)
        {
            output.WriteLine($"Customer {customer.Key}:");
            foreach (var item in recommender.RecommendForUser(new UserRecommendationRequest { UserId = customer.Key, K = 5 }, cancellationToken))
            {
                output.WriteLine($"  {item.ItemId,-8} {item.Title,-36} ({item.Reason})");
            }
            output.WriteLine("  new to this customer:");
            foreach (var item in recommender.RecommendForUser(new UserRecommendationRequest { UserId = customer.Key, K = 3, ExcludePurchased = true }, cancellationToken))
            {
                output.WriteLine($"  {item.ItemId,-8} {item.Title,-36} ({item.Reason})");
            }
        }
        var viewed = rows.Where(t => t.IsCleanPurchase).GroupBy(t => t.StockCode).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        output.WriteLine($"A first-time visitor who just viewed {viewed}:");
        foreach (var item in recommender.RecommendForUser(new UserRecommendationRequest { K = 3, RecentItems = [viewed] }, cancellationToken))
        {
            output.WriteLine($"  {item.ItemId,-8} {item.Title,-36} ({item.Reason})");
        }
        foreach (var segment in segmentTrending.Segments)
        {
            output.WriteLine($"Popular in segment {segment}:");
            foreach (var item in recommender.Trending(new TrendingRequest { Segment = segment, K = 3 }, cancellationToken))
            {
                output.WriteLine($"  {item.ItemId,-8} {item.Title,-36} ({item.Reason})");
            }
        }
        output.WriteLine($"Frequently bought together with {viewed}:");
        foreach (var item in recommender.FrequentlyBoughtTogether(new ItemRequest { ItemId = viewed, K = 3 }, cancellationToken))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {item.ItemId,-8} {item.Title,-36} confidence {item.Confidence:P0}, lift {item.Lift:F1}, {item.Baskets} baskets"));
        }
    }

    /// <summary>Segments named by persona ("2 Champions"), so reasons read "popular in your segment (2 Champions)".</summary>
    private static Dictionary<string, string> SegmentNames(IReadOnlyList<CustomerAssignment> assignments) =>
        assignments.ToDictionary(a => a.CustomerId, a => string.Create(CultureInfo.InvariantCulture, $"{a.Segment} {a.Persona}"), StringComparer.Ordinal);
}
