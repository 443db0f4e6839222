using System.Text.Json;
using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Tests.Infrastructure;

namespace SmartShop.Functions.Tests.Serving;

/// <summary>
/// Small models trained once per test run on the first rows of the bundled Online Retail sample, and a publisher that
/// puts them into a registry the way the production publisher does (bundle or segmentation folder + manifest, upload, activate).
/// </summary>
internal static class ServingTestModels
{
    public const int SampleRows = 12_000;

    private static readonly Lazy<IReadOnlyList<Transaction>> LazyRows = new(() =>
        new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset }).ReadAll(Repository.Path("samples", "online-retail-sample.csv.gz")).Rows.Take(SampleRows).ToList());

    // A light ranker and no ALS: these tests check serving, not model quality.
    private static readonly Lazy<RecommenderModel> LazyRecommender = new(() => new RecommenderTrainer(new RecommenderOptions
    {
        Als = null,
        RankerLabelWindowsDays = [30],
        Ranker = new RankerOptions { Trees = 10, EnsembleSize = 1 },
        MaxDegreeOfParallelism = 2,
    }).Train(InteractionSources.FromTransactions(Rows), Catalogue.FromTransactions(Rows)));

    private static readonly Lazy<(SegmentationModel Model, CustomerFeatureTable Customers)> LazySegmentation = new(() =>
    {
        var customers = TransactionFeatureBuilder.Build(Rows).Features;
        return (SegmentationEngine.Run(customers, new SegmentationOptions { K = 3 }).Model, customers);
    });

    public static IReadOnlyList<Transaction> Rows => LazyRows.Value;

    public static RecommenderModel Recommender => LazyRecommender.Value;

    public static IReadOnlyList<string> KnownUsers => Recommender.Users;

    /// <summary>The item bought most often in the subset: has neighbours and co-purchases.</summary>
    public static string PopularItem { get; } = new Lazy<string>(() => Rows.Where(t => t.IsCleanPurchase)
        .GroupBy(t => t.StockCode).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key).Value;

    /// <summary>Saves the recommender as a bundle, uploads it as <paramref name="version"/> and activates it (unless told not to).</summary>
    public static async Task PublishRecommenderAsync(ModelRegistry registry, string version, Action<string>? tamper = null, bool activate = true)
    {
        var directory = TempDirectory();
        try
        {
            ModelBundle.Save(Recommender, directory);
            tamper?.Invoke(directory);
            await UploadAndActivateAsync(registry, ModelStatusBoard.Recommendations, version, directory, activate);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Saves the segmentation with its manifest, uploads it as <paramref name="version"/> and activates it (unless told not to).</summary>
    public static async Task PublishSegmentationAsync(ModelRegistry registry, string version, bool activate = true)
    {
        var directory = TempDirectory();
        try
        {
            var (model, customers) = LazySegmentation.Value;
            await SegmentationModelStore.SaveAsync(directory, model, customers);
            await File.WriteAllTextAsync(Path.Combine(directory, ModelRegistry.ManifestFileName),
                JsonSerializer.Serialize(new { format = "smartshop-segmentation", metrics = new { k = model.Segments.Count } }));
            await UploadAndActivateAsync(registry, ModelStatusBoard.Segmentation, version, directory, activate);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task UploadAndActivateAsync(ModelRegistry registry, string model, string version, string directory, bool activate)
    {
        await registry.UploadVersionAsync(model, version, directory);
        if (!activate)
        {
            return;
        }
        (await registry.TryActivateAsync(model, version)).Should().BeTrue("nothing else activates this test's registry");
    }

    private static string TempDirectory() => Directory.CreateTempSubdirectory("smartshop-test-model-").FullName;
}
