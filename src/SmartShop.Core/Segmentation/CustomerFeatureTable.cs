namespace SmartShop.Core.Segmentation;

/// <summary>Customers × features in original units (row-major), the input of a segmentation run.</summary>
public sealed class CustomerFeatureTable
{
    private readonly double[] _values;
    private Dictionary<string, int>? _rowByCustomer;

    public CustomerFeatureTable(IReadOnlyList<string> customerIds, IReadOnlyList<string> featureNames, double[] values)
    {
        ArgumentNullException.ThrowIfNull(customerIds);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != customerIds.Count * featureNames.Count)
        {
            throw new ArgumentException(
                $"Expected {customerIds.Count} × {featureNames.Count} values but got {values.Length}.", nameof(values));
        }

        if (featureNames.Distinct(StringComparer.Ordinal).Count() != featureNames.Count)
        {
            throw new ArgumentException("Feature names must be unique.", nameof(featureNames));
        }

        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("Feature values must be finite numbers.", nameof(values));
            }
        }

        CustomerIds = customerIds;
        FeatureNames = featureNames;
        _values = values;
    }

    public IReadOnlyList<string> CustomerIds { get; }

    public IReadOnlyList<string> FeatureNames { get; }

    public int Count => CustomerIds.Count;

    public int FeatureCount => FeatureNames.Count;

    public double this[int row, int feature] => _values[(row * FeatureCount) + feature];

    public ReadOnlySpan<double> Row(int row) => _values.AsSpan(row * FeatureCount, FeatureCount);

    public int IndexOfFeature(string name)
    {
        for (var i = 0; i < FeatureNames.Count; i++)
        {
            if (string.Equals(FeatureNames[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public int IndexOfCustomer(string customerId)
    {
        _rowByCustomer ??= CustomerIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        return _rowByCustomer.TryGetValue(customerId, out var row) ? row : -1;
    }

    /// <summary>
    /// The same rows sorted by their feature values (then by id, which only orders identical profiles): clustering
    /// then depends on what customers did, never on how the shop names them or in which order its file lists them.
    /// </summary>
    public CustomerFeatureTable InCanonicalOrder()
    {
        var order = Enumerable.Range(0, Count).ToArray();
        var width = FeatureCount;
        Array.Sort(order, (a, b) =>
        {
            var byValues = Row(a).SequenceCompareTo(Row(b));
            return byValues != 0 ? byValues : CustomerIdComparer.Instance.Compare(CustomerIds[a], CustomerIds[b]);
        });
        var values = new double[_values.Length];
        for (var r = 0; r < order.Length; r++)
        {
            Row(order[r]).CopyTo(values.AsSpan(r * width, width));
        }
        return new CustomerFeatureTable(order.Select(i => CustomerIds[i]).ToList(), FeatureNames, values);
    }

    /// <summary>
    /// Full outer join on customer id. A customer missing on one side gets that side's fill values
    /// (e.g. zero page views for a buyer without clickstream).
    /// </summary>
    public CustomerFeatureTable OuterJoin(CustomerFeatureTable other, IReadOnlyList<double> fillLeft, IReadOnlyList<double> fillRight)
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(fillLeft);
        ArgumentNullException.ThrowIfNull(fillRight);
        if (fillLeft.Count != FeatureCount || fillRight.Count != other.FeatureCount)
        {
            throw new ArgumentException("Fill values must match the feature counts of both tables.");
        }

        var names = FeatureNames.Concat(other.FeatureNames).ToList();
        var ids = CustomerIds.Union(other.CustomerIds, StringComparer.Ordinal).OrderBy(id => id, CustomerIdComparer.Instance).ToList();
        var width = names.Count;
        var values = new double[ids.Count * width];
        for (var r = 0; r < ids.Count; r++)
        {
            var left = IndexOfCustomer(ids[r]);
            var right = other.IndexOfCustomer(ids[r]);
            for (var f = 0; f < FeatureCount; f++)
            {
                values[(r * width) + f] = left >= 0 ? this[left, f] : fillLeft[f];
            }

            for (var f = 0; f < other.FeatureCount; f++)
            {
                values[(r * width) + FeatureCount + f] = right >= 0 ? other[right, f] : fillRight[f];
            }
        }

        return new CustomerFeatureTable(ids, names, values);
    }

    /// <summary>Left join: keeps this table's customers; a customer missing in <paramref name="other"/> gets the fill values.</summary>
    public CustomerFeatureTable LeftJoin(CustomerFeatureTable other, IReadOnlyList<double> fillRight)
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(fillRight);
        var names = FeatureNames.Concat(other.FeatureNames).ToList();
        var width = names.Count;
        var values = new double[Count * width];
        for (var r = 0; r < Count; r++)
        {
            Row(r).CopyTo(values.AsSpan(r * width, FeatureCount));
            var right = other.IndexOfCustomer(CustomerIds[r]);
            for (var f = 0; f < other.FeatureCount; f++)
            {
                values[(r * width) + FeatureCount + f] = right >= 0 ? other[right, f] : fillRight[f];
            }
        }

        return new CustomerFeatureTable(CustomerIds, names, values);
    }
}

/// <summary>
/// The order customers are listed in (assignments, tables): ordinal, since ids are opaque strings, never numbers.
/// Clustering does not depend on it (<see cref="CustomerFeatureTable.InCanonicalOrder"/>).
/// </summary>
public sealed class CustomerIdComparer : IComparer<string>
{
    public static CustomerIdComparer Instance { get; } = new();

    public int Compare(string? x, string? y) => string.CompareOrdinal(x, y);
}

/// <summary>Names of the features the builders produce; personas and explanations look them up by name.</summary>
public static class CustomerFeatureNames
{
    public const string RecencyDays = "recency_days";
    public const string Frequency = "frequency";
    public const string Monetary = "monetary";
    public const string TenureDays = "tenure_days";
    public const string AverageBasketValue = "avg_basket_value";
    public const string DistinctProducts = "distinct_products";
    public const string PageViews = "page_views";
    public const string Sessions = "sessions";
    public const string AddToCartRate = "add_to_cart_rate";
    public const string ViewToPurchaseRate = "view_to_purchase_rate";

    /// <summary>
    /// The values a feature can take: its least and greatest value and whether it counts whole things (invoices, days,
    /// products, views). A feature of a customer's own table that is none of these may take any value.
    /// </summary>
    public static (double Min, double Max, bool Whole) Domain(string name) => name switch
    {
        Frequency or DistinctProducts => (1, double.PositiveInfinity, true),
        RecencyDays or TenureDays or PageViews or Sessions => (0, double.PositiveInfinity, true),
        Monetary or AverageBasketValue => (0, double.PositiveInfinity, false),
        AddToCartRate or ViewToPurchaseRate => (0, 1, false),
        _ => (double.NegativeInfinity, double.PositiveInfinity, false),
    };
}
