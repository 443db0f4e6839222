using System.Globalization;
using System.Text.Json;
using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Synthetic;

namespace SmartShop.Core.Experiments.Simulation;

/// <summary>
/// A shop whose shoppers' tastes are known: the synthetic generator's history (planted personas with category
/// affinities), a recommender trained on it, and each shopper's true preference for an item (their affinity for its
/// category, relative to the average). The answers do not depend on the visit (no recent activity is passed), so
/// each shopper's answer per strategy is computed once.
/// </summary>
public sealed class SimulatedShop
{
    public const string ModelStrategy = "model";
    public const string ModelVersion = "simulated";

    private readonly Dictionary<string, double[]> _affinity;
    private readonly Dictionary<string, int> _categoryIndex;
    private readonly Dictionary<string, string[]> _answers = new(StringComparer.Ordinal);

    private SimulatedShop(Recommender recommender, Catalogue catalogue, IReadOnlyList<string> customers, Dictionary<string, double[]> affinity, Dictionary<string, int> categoryIndex)
    {
        Recommender = recommender;
        Catalogue = catalogue;
        Customers = customers;
        _affinity = affinity;
        _categoryIndex = categoryIndex;
    }

    public Recommender Recommender { get; }

    public Catalogue Catalogue { get; }

    public IReadOnlyList<string> Customers { get; }

    /// <summary>Generates <paramref name="historyDays"/> of history for the customers, trains the recommender on it.</summary>
    public static SimulatedShop Create(int customers, ulong seed, int historyDays = 120, CancellationToken cancellationToken = default)
    {
        var directory = Directory.CreateTempSubdirectory("smartshop-simulate-").FullName;
        try
        {
            SyntheticRetailGenerator.WriteFiles(new SyntheticRetailOptions { Customers = customers, Products = 300, Days = historyDays, Seed = seed }, directory, cancellationToken);
            var catalogue = Catalogue.Load(Path.Combine(directory, SyntheticRetailGenerator.CatalogueFile));
            var rows = new TransactionCsvReader().ReadAll(Path.Combine(directory, SyntheticRetailGenerator.TransactionsFile), cancellationToken).Rows;
            var options = new RecommenderOptions() with { Als = null };
            var model = new RecommenderTrainer(options).Train(InteractionSources.FromTransactions(rows), catalogue, progress: null, cancellationToken);

            using var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, SyntheticRetailGenerator.GroundTruthFile)));
            var categories = truth.RootElement.GetProperty("categories").EnumerateArray().Select(c => c.GetString()!).ToList();
            var categoryIndex = categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            var affinity = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var customer in truth.RootElement.GetProperty("customers").EnumerateArray())
            {
                var weights = customer.GetProperty("affinities");
                affinity[customer.GetProperty("customerId").GetString()!] = categories.Select(c => weights.GetProperty(c).GetDouble() * categories.Count).ToArray();
            }
            return new SimulatedShop(new Recommender(model), catalogue, affinity.Keys.Order(StringComparer.Ordinal).ToList(), affinity, categoryIndex);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>How much the shopper likes the item: their category affinity over the average one (1 = indifferent).</summary>
    public double Preference(string customer, string itemId) =>
        Catalogue.Find(itemId)?.Category is { } category && _categoryIndex.TryGetValue(category, out var c) ? _affinity[customer][c] : 1;

    public decimal Price(string itemId) => Catalogue.Find(itemId)?.Price ?? 1m;

    /// <summary>The answer a strategy gives the shopper: <c>popular</c> (what the user route's control serves) or <c>model</c>.</summary>
    public IReadOnlyList<string> Answer(string strategy, string customer, int k)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{strategy}\n{customer}\n{k}");
        lock (_answers)
        {
            if (_answers.TryGetValue(key, out var cached))
            {
                return cached;
            }
        }
        var answer = Recommender.RecommendForUser(new UserRecommendationRequest
        {
            UserId = strategy == Experiment.PopularStrategy ? null : customer,
            K = k,
        }).Select(i => i.ItemId).ToArray();
        lock (_answers)
        {
            _answers[key] = answer;
        }
        return answer;
    }
}
