using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/SmartShop.Benchmarks -- --filter '*'   (see docs/benchmarks.md)
if (args.Length > 0 && args[0] == "latency")
{
    SmartShop.Benchmarks.Recommendations.LatencyProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000, Console.Out);
    return;
}
if (args.Length > 0 && args[0] == "api-latency")
{
    await SmartShop.Benchmarks.Recommendations.RecommendationApiLatencyProbe.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000, Console.Out);
    return;
}
if (args.Length > 1 && args[0] == "read-transactions")
{
    // Read throughput of the transaction reader on a file (docs/benchmarks.md): rows per second, one pass.
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var options = new SmartShop.Core.Data.TransactionCsvOptions { Preset = args.Length > 2 ? args[2] : null };
    var set = new SmartShop.Core.Data.TransactionCsvReader(options).ReadAll(args[1]);
    Console.WriteLine(System.FormattableString.Invariant($"{set.Report.RowsRead:N0} rows read, {set.Rows.Count:N0} kept in {clock.Elapsed.TotalSeconds:F2} s: {set.Report.RowsRead / clock.Elapsed.TotalSeconds:N0} rows/s"));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(SmartShop.Benchmarks.Recommendations.RecommendationApiBenchmarks).Assembly).Run(args);
