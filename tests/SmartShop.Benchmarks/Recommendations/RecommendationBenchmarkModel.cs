using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;

namespace SmartShop.Benchmarks.Recommendations;

/// <summary>
/// The model the serving benchmarks use: trained on the file named by SMARTSHOP_BENCH_DATA (e.g. the full Online Retail
/// CSV), or on the bundled sample when the variable is unset.
/// </summary>
internal static class RecommendationBenchmarkModel
{
    public const string DataVariable = "SMARTSHOP_BENCH_DATA";

    public static string DataPath =>
        Environment.GetEnvironmentVariable(DataVariable) is { Length: > 0 } path
            ? path
            : Path.Combine(AppContext.BaseDirectory, "samples", "online-retail-sample.csv.gz");

    public static (Recommender Recommender, string[] WarmUsers) Load()
    {
        var rows = new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset }).ReadAll(DataPath).Rows;
        var model = new RecommenderTrainer().Train(InteractionSources.FromTransactions(rows), Catalogue.FromTransactions(rows));
        return (new Recommender(model), [.. model.Users]);
    }
}
