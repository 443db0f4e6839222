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
BenchmarkSwitcher.FromAssembly(typeof(SmartShop.Benchmarks.Recommendations.RecommendationApiBenchmarks).Assembly).Run(args);
