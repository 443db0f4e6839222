using SmartShop.Core.Ingestion;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Training;

/// <summary>
/// Compares a reference population with a recent one, feature by feature (pure computation; <see cref="DriftMonitor"/>
/// gathers the inputs). Customer features: the active segmentation model's training table against the same features
/// computed over the recent window. Event distributions: the recent window's event-type mix and item-popularity
/// deciles against the window before it.
/// </summary>
public static class DriftAnalysis
{
    public const string CustomerScope = "customer";
    public const string EventScope = "event";
    public const string EventTypeMix = "event_type_mix";
    public const string ItemPopularityDeciles = "item_popularity_deciles";

    /// <summary>Fewer values than this on either side make a PSI too noisy to report.</summary>
    public const int MinimumSample = 20;

    /// <summary>
    /// Customer features whose value does not grow with the length of the observed period, so a short recent window
    /// can be compared with a model trained on months of history. Counts, recency and tenure are left out: their PSI
    /// between a week and a year would measure the window length, not a change in behaviour.
    /// </summary>
    public static IReadOnlyList<string> WindowComparableFeatures { get; } =
    [
        CustomerFeatureNames.AverageBasketValue,
        CustomerFeatureNames.AddToCartRate,
        CustomerFeatureNames.ViewToPurchaseRate,
    ];

    /// <summary>
    /// PSI of each named feature both tables have (all shared features when <paramref name="features"/> is null).
    /// Basket value is compared among buyers only (a browser's 0 is "no basket", not a cheap one). A feature with
    /// fewer than <see cref="MinimumSample"/> values on either side is skipped.
    /// </summary>
    public static IReadOnlyList<FeatureDrift> CompareCustomers(CustomerFeatureTable reference, CustomerFeatureTable recent, DriftThresholds thresholds, IEnumerable<string>? features = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(thresholds);
        var drifts = new List<FeatureDrift>();
        foreach (var feature in (features ?? reference.FeatureNames).Where(f => reference.IndexOfFeature(f) >= 0 && recent.IndexOfFeature(f) >= 0))
        {
            var expected = Column(reference, feature);
            var actual = Column(recent, feature);
            if (expected.Length < MinimumSample || actual.Length < MinimumSample)
            {
                continue;
            }

            var psi = DriftStability.Numeric(expected, actual);
            drifts.Add(new FeatureDrift(CustomerScope, feature, psi, thresholds.LevelOf(psi), expected.Length, actual.Length));
        }

        return drifts;
    }

    /// <summary>
    /// The <see cref="WindowComparableFeatures"/> of every identified user (events with a user id) in a window:
    /// basket value = purchase value per order (orders by transaction id, else one per purchase event; 0 without
    /// purchases), add-to-cart and view-to-purchase rates = add-to-cart and purchase events per view (0 without views),
    /// the same definitions as <see cref="ClickstreamFeatureBuilder"/> and <see cref="TransactionFeatureBuilder"/>.
    /// </summary>
    public static CustomerFeatureTable WindowCustomerFeatures(IEnumerable<ClickstreamEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var users = new Dictionary<string, UserWindow>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.UserId is not { } userId)
            {
                continue;
            }

            if (!users.TryGetValue(userId, out var user))
            {
                user = new UserWindow();
                users.Add(userId, user);
            }

            switch (e.Type)
            {
                case ClickstreamEventTypes.View:
                case ClickstreamEventTypes.Click:
                    user.Views++;
                    break;
                case ClickstreamEventTypes.AddToCart:
                    user.Carts++;
                    break;
                case ClickstreamEventTypes.Purchase:
                    user.Purchases++;
                    user.Spend += (double)((e.Price ?? 0) * (e.Quantity ?? 1));
                    user.Orders.Add(e.TransactionId ?? e.EventId);
                    break;
            }
        }

        var ids = users.Keys.Order(CustomerIdComparer.Instance).ToList();
        var width = WindowComparableFeatures.Count;
        var values = new double[ids.Count * width];
        for (var i = 0; i < ids.Count; i++)
        {
            var user = users[ids[i]];
            values[i * width] = user.Orders.Count > 0 ? user.Spend / user.Orders.Count : 0;
            values[(i * width) + 1] = user.Views > 0 ? (double)user.Carts / user.Views : 0;
            values[(i * width) + 2] = user.Views > 0 ? (double)user.Purchases / user.Views : 0;
        }

        return new CustomerFeatureTable(ids, WindowComparableFeatures, values);
    }

    /// <summary>PSI of the event-type mix and of the item-popularity deciles (decile bins from the reference window).</summary>
    public static IReadOnlyList<FeatureDrift> CompareEvents(IReadOnlyList<ClickstreamEvent> reference, IReadOnlyList<ClickstreamEvent> recent, DriftThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (reference.Count < MinimumSample || recent.Count < MinimumSample)
        {
            return [];
        }

        var typeMix = DriftStability.Categorical(CountBy(reference, e => e.Type), CountBy(recent, e => e.Type));
        var deciles = ItemDeciles(reference);
        var popularity = DriftStability.Categorical(CountBy(reference, e => DecileOf(deciles, e.ItemId)), CountBy(recent, e => DecileOf(deciles, e.ItemId)));
        return
        [
            new FeatureDrift(EventScope, EventTypeMix, typeMix, thresholds.LevelOf(typeMix), reference.Count, recent.Count),
            new FeatureDrift(EventScope, ItemPopularityDeciles, popularity, thresholds.LevelOf(popularity), reference.Count, recent.Count),
        ];
    }

    /// <summary>
    /// Items ranked by their event count in the reference window (ties by id) and cut into ten equal-sized groups:
    /// d01 holds the most popular tenth. Items the reference never saw fall into "new" when the decile is looked up.
    /// </summary>
    internal static Dictionary<string, string> ItemDeciles(IReadOnlyList<ClickstreamEvent> reference)
    {
        var ranked = CountBy(reference, e => e.ItemId)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key).ToList();
        var deciles = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var rank = 0; rank < ranked.Count; rank++)
        {
            deciles[ranked[rank]] = $"d{(rank * 10 / ranked.Count) + 1:00}";
        }

        return deciles;
    }

    private static string DecileOf(Dictionary<string, string> deciles, string itemId) => deciles.GetValueOrDefault(itemId, "new");

    private static Dictionary<string, long> CountBy(IEnumerable<ClickstreamEvent> events, Func<ClickstreamEvent, string> key)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var k = key(e);
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }

        return counts;
    }

    private static double[] Column(CustomerFeatureTable table, string feature)
    {
        var index = table.IndexOfFeature(feature);
        var buyersOnly = feature == CustomerFeatureNames.AverageBasketValue;
        var column = new List<double>(table.Count);
        for (var row = 0; row < table.Count; row++)
        {
            var value = table[row, index];
            if (!buyersOnly || value > 0)
            {
                column.Add(value);
            }
        }

        return [.. column];
    }

    private sealed class UserWindow
    {
        public int Views { get; set; }

        public int Carts { get; set; }

        public int Purchases { get; set; }

        public double Spend { get; set; }

        public HashSet<string> Orders { get; } = new(StringComparer.Ordinal);
    }
}
