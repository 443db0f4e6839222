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
    // Read throughput of the transaction reader on a file (docs/benchmarks.md): one warm-up pass, then the best of 3.
    var options = new SmartShop.Core.Data.TransactionCsvOptions { Preset = args.Length > 2 ? args[2] : null };
    var best = double.MaxValue;
    var rows = 0L;
    var kept = 0;
    for (var pass = 0; pass < 4; pass++)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var set = new SmartShop.Core.Data.TransactionCsvReader(options).ReadAll(args[1]);
        var seconds = clock.Elapsed.TotalSeconds;
        (rows, kept) = (set.Report.RowsRead, set.Rows.Count);
        best = pass == 0 ? best : Math.Min(best, seconds);
    }
    Console.WriteLine(System.FormattableString.Invariant($"{rows:N0} rows read, {kept:N0} kept; best of 3 warm passes {best:F3} s: {rows / best:N0} rows/s"));
    return;
}
if (args.Length > 1 && args[0] == "load-bundle")
{
    // Loading a model bundle as a refresh does (docs/benchmarks.md): one warm-up load, then 5; time and bytes allocated per load.
    var best = double.MaxValue;
    var allocated = 0L;
    for (var pass = 0; pass < 6; pass++)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = SmartShop.Core.Recommendations.ModelBundle.Load(args[1]);
        var seconds = clock.Elapsed.TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        best = pass == 0 ? best : Math.Min(best, seconds);
        GC.KeepAlive(model);
    }
    Console.WriteLine(System.FormattableString.Invariant($"bundle {args[1]}: best of 5 loads {best:F3} s, {allocated / 1048576.0:F1} MiB allocated per load"));
    // What an experiment costs: the heap one served model keeps, and two side by side (a variant beside the active one).
    var baseline = GC.GetTotalMemory(forceFullCollection: true);
    var one = new SmartShop.Core.Recommendations.Recommender(SmartShop.Core.Recommendations.ModelBundle.Load(args[1]));
    var single = GC.GetTotalMemory(forceFullCollection: true) - baseline;
    var two = new SmartShop.Core.Recommendations.Recommender(SmartShop.Core.Recommendations.ModelBundle.Load(args[1]));
    var pair = GC.GetTotalMemory(forceFullCollection: true) - baseline;
    GC.KeepAlive(one);
    GC.KeepAlive(two);
    Console.WriteLine(System.FormattableString.Invariant($"retained heap: one served recommender {single / 1048576.0:F1} MiB, two side by side {pair / 1048576.0:F1} MiB"));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(SmartShop.Benchmarks.Recommendations.RecommendationApiBenchmarks).Assembly).Run(args);
