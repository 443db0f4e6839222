using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

/// <summary>Synthetic inputs for the segmentation tests.</summary>
internal static class SegmentationTestData
{
    /// <summary>Gaussian blobs around the given centres (row-major n × d), with the true labels.</summary>
    public static (double[] Data, int[] Labels) Blobs(double[][] centres, int perBlob, double spread, int seed)
    {
        var random = new Random(seed);
        var d = centres[0].Length;
        var data = new double[centres.Length * perBlob * d];
        var labels = new int[centres.Length * perBlob];
        var row = 0;
        for (var c = 0; c < centres.Length; c++)
        {
            for (var i = 0; i < perBlob; i++, row++)
            {
                labels[row] = c;
                for (var f = 0; f < d; f++)
                {
                    data[(row * d) + f] = centres[c][f] + (spread * Gaussian(random));
                }
            }
        }

        return (data, labels);
    }

    public static CustomerFeatureTable Table(double[] data, int d, params string[] names)
    {
        var n = data.Length / d;
        var ids = Enumerable.Range(1, n).Select(i => (10000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return new CustomerFeatureTable(ids, names.Length == d ? names : Enumerable.Range(0, d).Select(f => $"f{f}").ToArray(), data);
    }

    /// <summary>Three customer groups on RFM-like features with clearly different profiles.</summary>
    public static CustomerFeatureTable RfmGroups(int perGroup = 60, int seed = 7)
    {
        var random = new Random(seed);
        var names = new[]
        {
            CustomerFeatureNames.RecencyDays, CustomerFeatureNames.Frequency, CustomerFeatureNames.Monetary,
            CustomerFeatureNames.TenureDays, CustomerFeatureNames.AverageBasketValue, CustomerFeatureNames.DistinctProducts,
        };

        // (recency, frequency, monetary, tenure, basket, products): champions, new, hibernating.
        var profiles = new[]
        {
            new[] { 5.0, 20, 8000, 300, 400, 120 },
            new[] { 10.0, 1, 150, 15, 150, 8 },
            new[] { 250.0, 2, 300, 300, 150, 10 },
        };
        var values = new List<double>();
        foreach (var profile in profiles)
        {
            for (var i = 0; i < perGroup; i++)
            {
                values.AddRange(profile.Select(v => Math.Max(0, v * (1 + (0.1 * Gaussian(random))))));
            }
        }

        return Table([.. values], names.Length, names);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
