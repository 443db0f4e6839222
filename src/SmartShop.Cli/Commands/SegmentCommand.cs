using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;

namespace SmartShop.Cli.Commands;

/// <summary>What `segment` was asked to do, parsed and validated.</summary>
internal sealed record SegmentSettings
{
    public required FileInfo Data { get; init; }

    public required DirectoryInfo Out { get; init; }

    public bool DataIsCustomerTable { get; init; }

    /// <summary>How the transactions are read; its delimiter (else a comma) is also that of the table and clickstream files.</summary>
    public TransactionCsvOptions Csv { get; init; } = new();

    public char TableDelimiter => Csv.Delimiter?[0] ?? ',';

    public FileInfo? Clickstream { get; init; }

    public FileInfo? Customers { get; init; }

    public string? IdColumn { get; init; }

    public DateTime? AnalysisDate { get; init; }

    public DateTime? TrainBefore { get; init; }

    public SegmentationOptions Options { get; init; } = new();
}

/// <summary>`smartshop segment`: cluster customers, name the segments and write segments.json, assignments.csv and the model.</summary>
internal static class SegmentCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data") { Description = "Transactions CSV (.csv or .csv.gz), or a customer table with --format table.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for segments.json, assignments.csv and the model.", Required = true };
        var format = new Option<string>("--format") { Description = "transactions (default) or table (one row per customer, any columns).", DefaultValueFactory = _ => "transactions" };
        format.AcceptOnlyFromAmong("transactions", "table");
        var k = new Option<string>("--k") { Description = "auto (best silhouette over --min-k..--max-k) or a fixed number of segments.", DefaultValueFactory = _ => "auto" };
        var minK = new Option<int>("--min-k") { Description = "Smallest k tried by auto.", DefaultValueFactory = _ => 2 };
        var maxK = new Option<int>("--max-k") { Description = "Largest k tried by auto.", DefaultValueFactory = _ => 10 };
        var algorithm = new Option<string>("--algorithm") { Description = "kmeans (K-Means++, ML.NET) or hierarchical.", DefaultValueFactory = _ => "kmeans" };
        algorithm.AcceptOnlyFromAmong("kmeans", "hierarchical");
        var linkage = new Option<string>("--linkage") { Description = "Hierarchical linkage: ward, complete, average or single.", DefaultValueFactory = _ => "ward" };
        linkage.AcceptOnlyFromAmong("ward", "complete", "average", "single");
        var dataOptions = new DataOptions();
        var clickstream = new Option<FileInfo?>("--clickstream") { Description = "Clickstream CSV (customer_id, session_id, event_type, or a RetailRocket events file) adding page views, sessions, add-to-cart and view-to-purchase rates." };
        var customers = new Option<FileInfo?>("--customers") { Description = "Customer attribute table joined onto the transaction customers (numeric/categorical detected)." };
        var idColumn = new Option<string?>("--id-column") { Description = "Customer id column of a customer table (default: detected by name)." };
        var pca = new Option<int>("--pca") { Description = "Cluster on this many principal components (0 = off).", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 42 };
        var restarts = new Option<int>("--restarts") { Description = "K-Means restarts per candidate k during the auto-k search.", DefaultValueFactory = _ => 3 };
        var finalRestarts = new Option<int>("--final-restarts") { Description = "K-Means restarts for the chosen or fixed k and the stability runs.", DefaultValueFactory = _ => 10 };
        var analysisDate = new Option<string?>("--analysis-date") { Description = "Reference date for recency/tenure (yyyy-MM-dd); default the day after the last invoice used." };
        var trainBefore = new Option<string?>("--train-before") { Description = "Validity check: cluster on rows before this date (yyyy-MM-dd) and rank segments against the later spend." };

        var command = new Command("segment", "Segment customers (RFM, basket and behaviour features) with K-Means++ or hierarchical clustering.");
        foreach (var option in new Option[] { data, output, format, k, minK, maxK, algorithm, linkage, clickstream, customers, idColumn, pca, seed, restarts, finalRestarts, analysisDate, trainBefore })
        {
            command.Options.Add(option);
        }
        dataOptions.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var kText = parseResult.GetValue(k)!;
            var settings = new SegmentSettings
            {
                Data = parseResult.GetValue(data)!,
                Out = parseResult.GetValue(output)!,
                DataIsCustomerTable = parseResult.GetValue(format) == "table",
                Csv = dataOptions.Read(parseResult),
                Clickstream = parseResult.GetValue(clickstream),
                Customers = parseResult.GetValue(customers),
                IdColumn = parseResult.GetValue(idColumn),
                AnalysisDate = ParseDate(parseResult.GetValue(analysisDate), "--analysis-date"),
                TrainBefore = ParseDate(parseResult.GetValue(trainBefore), "--train-before"),
                Options = new SegmentationOptions
                {
                    K = ParseK(kText),
                    MinK = parseResult.GetValue(minK),
                    MaxK = parseResult.GetValue(maxK),
                    Algorithm = parseResult.GetValue(algorithm) == "hierarchical" ? SegmentationAlgorithm.Hierarchical : SegmentationAlgorithm.KMeans,
                    Linkage = Enum.Parse<Linkage>(parseResult.GetValue(linkage)!, ignoreCase: true),
                    PcaComponents = parseResult.GetValue(pca),
                    Seed = parseResult.GetValue(seed),
                    Restarts = parseResult.GetValue(restarts),
                    FinalRestarts = parseResult.GetValue(finalRestarts),
                    Source = parseResult.GetValue(data)!.Name,
                },
            };
            await RunAsync(settings, Console.Out, cancellationToken);
            return 0;
        });
        return command;
    }

    internal static async Task<SegmentationRun> RunAsync(SegmentSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var input = SegmentationInputReader.ReadFile(settings.Data.FullName, new SegmentationInputOptions
        {
            Format = settings.DataIsCustomerTable ? SegmentationInputFormat.Table : SegmentationInputFormat.Transactions,
            Csv = settings.Csv,
            IdColumn = settings.IdColumn,
            Features = new TransactionFeatureOptions { AnalysisDate = settings.AnalysisDate, TrainBefore = settings.TrainBefore },
        }, cancellationToken);
        var table = input.Table;
        var transactions = input.Transactions;
        if (input.Quality is { } report)
        {
            RecommendationInputs.WriteReport(settings.Data.Name, report, output);
        }

        if (transactions is not null && settings.Clickstream is not null)
        {
            var clicks = ClickstreamFeatureBuilder.ReadFile(settings.Clickstream.FullName, new ClickstreamOptions { Delimiter = settings.TableDelimiter });
            table = ClickstreamFeatureBuilder.JoinWithTransactions(transactions, clicks);
        }

        if (settings.Customers is not null)
        {
            var attributes = CustomerTableReader.ReadFile(settings.Customers.FullName, TableOptions(settings), cancellationToken).Features;
            table = table.LeftJoin(attributes, new double[attributes.FeatureCount]);
        }

        var run = SegmentationEngine.Run(table, settings.Options, transactions?.Summary, cancellationToken);
        var analysis = run.Analysis;
        if (settings.TrainBefore is { } cutoff && transactions is not null)
        {
            analysis = analysis with { Validation = SegmentationEngine.ValidateOnHoldout(analysis, transactions.HoldoutSpend, cutoff, transactions.Summary.HoldoutRows) };
        }

        await WriteOutputsAsync(settings.Out.FullName, analysis, run.Model, table, cancellationToken);
        WriteReport(analysis, output);
        output.WriteLine($"Wrote {Path.Combine(settings.Out.FullName, "segments.json")}, assignments.csv and the model (model.json, customer-features.csv).");
        return run with { Analysis = analysis };
    }

    internal static async Task WriteOutputsAsync(string directory, SegmentationAnalysis analysis, SegmentationModel model, CustomerFeatureTable table, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await using (var json = File.Create(Path.Combine(directory, "segments.json")))
        {
            // Assignments go to assignments.csv; the JSON keeps the run's description.
            var run = analysis with { Assignments = [], Notes = [.. analysis.Notes, "Per-customer assignments are in assignments.csv."] };
            await JsonSerializer.SerializeAsync(json, run, SegmentationModelStore.JsonOptions, cancellationToken);
        }

        await using (var csv = new StreamWriter(Path.Combine(directory, "assignments.csv")))
        {
            await csv.WriteLineAsync("customer,segment,persona");
            foreach (var a in analysis.Assignments)
            {
                await csv.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{DelimitedText.Quote(a.CustomerId, ',')},{a.Segment},{DelimitedText.Quote(a.Persona, ',')}"));
            }
        }

        await SegmentationModelStore.SaveAsync(directory, model, table, cancellationToken);
    }

    /// <summary>The segment table (size, centroid in original units, persona) and the metrics.</summary>
    internal static void WriteReport(SegmentationAnalysis analysis, TextWriter output)
    {
        var p = analysis.Parameters;
        var m = analysis.Metrics;
        var features = analysis.Input.FeatureNames;
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"== Segments: {analysis.Input.Customers:N0} customers, {p.Algorithm}{(p.Linkage is null ? string.Empty : $" ({p.Linkage})")}, k = {m.K} ({p.KSelection}{(p.KSelection == "fixed" ? string.Empty : $" over {p.MinK}..{p.MaxK}")}) =="));
        output.WriteLine("Centroids in original units:");
        var widths = features.Select(f => Math.Max(10, f.Length)).ToArray();
        var header = string.Join(' ', features.Select((f, i) => Fit(f, widths[i])));
        output.WriteLine($"{"seg",3} {"persona",-34} {"size",6} {"share",6}  {header}");
        foreach (var s in analysis.Segments)
        {
            var values = string.Join(' ', features.Select((f, i) => Fit(Clean(s.CentroidOriginal[f]).ToString("0.##", CultureInfo.InvariantCulture), widths[i])));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Id,3} {Trim(s.Persona, 34),-34} {s.Size,6} {s.Share,6:P0}  {values}"));
        }

        output.WriteLine();
        foreach (var s in analysis.Segments)
        {
            output.WriteLine($"  {s.Id} {s.Persona}: {s.Strategy}");
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Metrics: silhouette {Format(m.Silhouette, "0.000")} ({(m.SilhouetteSampled ? "sampled" : "exact")}, {m.SilhouettePoints} points), Davies–Bouldin {Format(m.DaviesBouldin, "0.000")}, Calinski–Harabasz {Format(m.CalinskiHarabasz, "0")}, inertia {m.Inertia:0.0}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Stability: adjusted Rand index between seeds {Format(m.StabilityAdjustedRandIndex, "0.000")} (min of {m.StabilityRunsAdjustedRandIndex.Count} runs); anomalies (distance > p99 = {m.AnomalyDistanceThreshold:0.00}): {m.Anomalies}"));
        if (m.Candidates.Count > 1)
        {
            output.WriteLine($"   k    inertia  silhouette  Davies–Bouldin  Calinski–Harabasz   (elbow of the inertia curve: k = {m.ElbowK?.ToString(CultureInfo.InvariantCulture) ?? "n/a"})");
            foreach (var c in m.Candidates)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.K,4} {c.Inertia,10:0.0} {Format(c.Silhouette, "0.000"),11} {Format(c.DaviesBouldin, "0.000"),15} {Format(c.CalinskiHarabasz, "0"),18}{(c.K == m.K ? "  <- chosen" : string.Empty)}"));
            }
        }

        if (analysis.RfmSegments.Count > 0)
        {
            output.WriteLine("RFM segments: " + string.Join(", ", analysis.RfmSegments.Select(r => $"{r.Segment} {r.Customers}")));
            // The two views reconciled: where each segment's customers sit in the RFM grid.
            var cross = PersonaRfmCrossTable.From(analysis);
            output.WriteLine("Segments × RFM segments (customers):");
            output.WriteLine($"{"seg",3} {"persona",-34} " + string.Join(" ", cross.RfmSegments.Select(c => $"{Trim(c, 12),12}")));
            foreach (var (segment, persona, customers) in cross.Rows)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{segment,3} {Trim(persona, 34),-34} ") + string.Join(" ", customers.Select(n => $"{n,12}")));
            }
        }

        foreach (var note in analysis.Notes)
        {
            output.WriteLine($"Note: {note}");
        }

        if (analysis.Validation is { } v)
        {
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== Validity: training rows before {v.TrainBefore:yyyy-MM-dd}, spend from then on ({v.HoldoutRows:N0} clean purchase rows) =="));
            output.WriteLine($"{"seg",3} {"persona",-34} {"customers",9} {"mean monetary",14} {"mean later spend",17} {"bought again",13}");
            foreach (var s in v.Segments.OrderByDescending(s => s.MeanMonetary))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Segment,3} {Trim(s.Persona, 34),-34} {s.Customers,9} {s.MeanMonetary,14:0.00} {s.MeanHoldoutSpend,17:0.00} {s.ShareWithHoldoutPurchase,13:P0}"));
            }

            output.WriteLine($"Spearman (segments by mean monetary vs mean later spend): {Format(v.Spearman, "0.000")}");
        }
    }

    private static CustomerTableOptions TableOptions(SegmentSettings settings) =>
        new() { Delimiter = settings.TableDelimiter, IdColumn = settings.IdColumn };

    private static int? ParseK(string text)
    {
        if (string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) && k >= 1
            ? k
            : throw new ArgumentException($"--k must be 'auto' or a positive whole number, not '{text}'.");
    }

    private static DateTime? ParseDate(string? text, string option) =>
        text is null ? null
        : DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw new ArgumentException($"{option} must be a date like 2011-07-01, not '{text}'.");

    private static string Format(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    // The inverse log of a z-centroid at zero can come back as −0.000…; print it as 0.
    private static double Clean(double value) => Math.Abs(value) < 0.005 ? 0 : value;

    private static string Fit(string text, int width) => text.Length >= width ? text[..width] : text.PadLeft(width);

    private static string Trim(string text, int width) => text.Length > width ? text[..width] : text;
}
