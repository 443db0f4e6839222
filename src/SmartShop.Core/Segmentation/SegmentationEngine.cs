using N = SmartShop.Core.Segmentation.CustomerFeatureNames;

namespace SmartShop.Core.Segmentation;

public sealed record SegmentationRun(SegmentationAnalysis Analysis, SegmentationModel Model);

/// <summary>Runs a segmentation: preprocessing, clustering (auto or fixed k), metrics, personas, RFM and assignments.</summary>
public static class SegmentationEngine
{
    public static SegmentationRun Run(
        CustomerFeatureTable table,
        SegmentationOptions? options = null,
        TransactionInputSummary? transactionSummary = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new SegmentationOptions();
        Validate(table, options);
        table = table.InCanonicalOrder();

        var n = table.Count;
        var d = table.FeatureCount;
        var pre = FeaturePreprocessor.Fit(table, new PreprocessingOptions { SkewnessThreshold = options.SkewnessThreshold, PcaComponents = options.PcaComponents });
        var z = pre.TransformAllToZ(table);
        var m = pre.ModelDimension;
        var x = pre.ZToModelAll(z, n);
        var distinct = CountDistinctRows(x, n, m);
        var notes = new List<string>();

        if (options.K is { } fixedK)
        {
            if (fixedK > n)
            {
                throw new InvalidDataException($"k = {fixedK} exceeds the number of customers ({n}).");
            }

            if (fixedK > distinct)
            {
                throw new InvalidDataException($"k = {fixedK} exceeds the number of distinct customer profiles ({distinct}); identical customers cannot be split.");
            }
        }

        var rng = new Random(options.Seed);
        var sampled = n > options.ExactLimit;
        var metricRows = sampled ? SampleIndices(n, options.ExactLimit, rng) : Enumerable.Range(0, n).ToArray();
        if (sampled)
        {
            notes.Add(options.Algorithm == SegmentationAlgorithm.Hierarchical
                ? $"{n} customers exceed the exact limit of {options.ExactLimit}: the merge tree and the silhouette use a seeded sample of {options.ExactLimit}; the other customers are assigned to the nearest cut centroid."
                : $"{n} customers exceed the exact limit of {options.ExactLimit}: the silhouette is computed on a seeded sample of {options.ExactLimit} (clustering uses every customer).");
        }

        var (lowK, highK) = options.K is { } k0 ? (k0, k0) : (Math.Max(2, options.MinK), Math.Min(options.MaxK, distinct));
        if (highK < lowK)
        {
            notes.Add(distinct <= 1
                ? "All customers have the same profile (or there is only one customer): a single segment; silhouette and the other indices are undefined."
                : $"Too few distinct profiles ({distinct}) for k ≥ {lowK}: a single segment.");
            lowK = highK = 1;
        }

        float[]? condensed = null;
        if (highK >= 2)
        {
            condensed = ClusteringMetrics.PairwiseDistances(x, m, metricRows);
        }

        HierarchySummary? hierarchy = null;
        MergeTree? tree = null;
        if (options.Algorithm == SegmentationAlgorithm.Hierarchical && n >= 2)
        {
            var sampleData = Gather(x, m, metricRows);
            tree = HierarchicalClusterer.BuildTree(sampleData, metricRows.Length, m, options.Linkage, cancellationToken);
            hierarchy = new HierarchySummary(sampled, metricRows.Length, metricRows.Select(i => table.CustomerIds[i]).ToList(), tree);
        }

        KCandidate Score(ClusterAssignment clusters) => new(
            clusters.K,
            clusters.Inertia,
            condensed is null ? null : ClusteringMetrics.Silhouette(condensed, metricRows.Length, metricRows.Select(i => clusters.Labels[i]).ToArray(), clusters.K),
            ClusteringMetrics.DaviesBouldin(x, n, m, clusters),
            ClusteringMetrics.CalinskiHarabasz(x, n, m, clusters));

        // Candidates are independent (own seeds), so they run in parallel; the choice below is sequential and deterministic.
        var kCount = highK - lowK + 1;
        var fits = new ClusterAssignment[kCount];
        var candidateArray = new KCandidate[kCount];
        Parallel.For(0, kCount, new ParallelOptions { CancellationToken = cancellationToken }, index =>
        {
            var restarts = kCount == 1 ? options.FinalRestarts : options.Restarts;
            fits[index] = Cluster(x, n, m, lowK + index, options, options.Seed, restarts, tree, metricRows);
            candidateArray[index] = Score(fits[index]);
        });

        var candidates = candidateArray.ToList();
        var best = 0;
        for (var index = 1; index < kCount; index++)
        {
            if ((candidates[index].Silhouette ?? double.MinValue) > (candidates[best].Silhouette ?? double.MinValue))
            {
                best = index;
            }
        }

        // Auto k searched with few restarts; the chosen k gets the full restarts (its seeds include the search's).
        if (kCount > 1 && options.Algorithm == SegmentationAlgorithm.KMeans && options.FinalRestarts > options.Restarts)
        {
            var refit = KMeansClusterer.Fit(x, n, m, candidates[best].K, options.Seed, options.FinalRestarts);
            if (refit.Inertia < fits[best].Inertia)
            {
                fits[best] = refit;
                candidates[best] = Score(refit);
            }
        }

        var final = fits[best];
        var chosenCandidate = candidates[best];

        var stability = new List<double>();
        if (final.K >= 2 && (options.Algorithm == SegmentationAlgorithm.KMeans || sampled))
        {
            var runs = new double[options.StabilityRuns];
            Parallel.For(0, options.StabilityRuns, new ParallelOptions { CancellationToken = cancellationToken }, run =>
            {
                var seed = unchecked(options.Seed + ((run + 1) * 104_729));
                var rows = sampled ? SampleIndices(n, options.ExactLimit, new Random(seed)) : metricRows;
                var alternative = options.Algorithm == SegmentationAlgorithm.KMeans
                    ? KMeansClusterer.Fit(x, n, m, final.K, seed, options.FinalRestarts)
                    : Cluster(x, n, m, final.K, options, seed, options.FinalRestarts, HierarchicalClusterer.BuildTree(Gather(x, m, rows), rows.Length, m, options.Linkage, cancellationToken), rows);
                runs[run] = ClusteringMetrics.AdjustedRandIndex(final.Labels, alternative.Labels);
            });
            stability.AddRange(runs);
        }
        else if (final.K >= 2)
        {
            notes.Add("Exact hierarchical clustering is deterministic: no seed stability to report.");
        }

        // Segment profiles: z-centroids are member means of the z-values (equal to the centroid without PCA).
        var k1 = final.K;
        var sizes = new int[k1];
        var zCentroids = new double[k1 * d];
        var rawMeans = new double[k1 * d];
        for (var i = 0; i < n; i++)
        {
            var c = final.Labels[i];
            sizes[c]++;
            for (var f = 0; f < d; f++)
            {
                zCentroids[(c * d) + f] += z[(i * d) + f];
                rawMeans[(c * d) + f] += table[i, f];
            }
        }

        for (var c = 0; c < k1; c++)
        {
            for (var f = 0; f < d; f++)
            {
                zCentroids[(c * d) + f] /= sizes[c];
                rawMeans[(c * d) + f] /= sizes[c];
            }
        }

        var names = table.FeatureNames;
        var personas = PersonaRules.AssignAll(Enumerable.Range(0, k1)
            .Select(c => (IReadOnlyDictionary<string, double>)ToDictionary(names, zCentroids.AsSpan(c * d, d)))
            .ToList());

        var distances = new double[n];
        for (var i = 0; i < n; i++)
        {
            distances[i] = Math.Sqrt(ClusterGeometry.SquaredDistance(x.AsSpan(i * m, m), final.Centroids.AsSpan(final.Labels[i] * m, m)));
        }

        var threshold = Percentile(distances, 0.99);
        var model = new SegmentationModel(
            SegmentationModel.CurrentFormatVersion,
            options.Algorithm.ToString(),
            options.Algorithm == SegmentationAlgorithm.Hierarchical ? options.Linkage.ToString() : null,
            pre,
            Enumerable.Range(0, k1).Select(c => new SegmentDefinition(
                c,
                personas[c].Name,
                personas[c].Strategy,
                final.Centroids.AsSpan(c * m, m).ToArray(),
                zCentroids.AsSpan(c * d, d).ToArray())).ToList(),
            threshold,
            DateTime.UtcNow);

        var predictor = new SegmentPredictor(model);
        var rfm = Rfm(table);
        var assignments = new CustomerAssignment[n];
        var anomalies = 0;
        for (var i = 0; i < n; i++)
        {
            var explanation = predictor.Explain(table.Row(i));
            anomalies += explanation.IsAnomaly ? 1 : 0;

            // The stored label wins over re-prediction (they differ only for hierarchical non-Ward cuts).
            var segment = final.Labels[i];
            assignments[i] = new CustomerAssignment(
                table.CustomerIds[i],
                segment,
                personas[segment].Name,
                distances[i],
                segment == explanation.Segment ? explanation.Confidence : 0,
                distances[i] > threshold,
                rfm?[i]);
        }

        var segments = Enumerable.Range(0, k1).Select(c => new SegmentSummary(
            c,
            personas[c].Name,
            personas[c].Strategy,
            personas[c].Rule,
            sizes[c],
            (double)sizes[c] / n,
            ToDictionary(names, Enumerable.Range(0, d).Select(f => pre.ZToOriginal(f, zCentroids[(c * d) + f])).ToArray()),
            ToDictionary(names, zCentroids.AsSpan(c * d, d)),
            ToDictionary(names, rawMeans.AsSpan(c * d, d)))).ToList();

        var metrics = new SegmentationMetrics(
            final.K,
            final.Inertia,
            chosenCandidate.Silhouette,
            condensed is null ? 0 : metricRows.Length,
            sampled,
            chosenCandidate.DaviesBouldin,
            chosenCandidate.CalinskiHarabasz,
            candidates,
            ClusteringMetrics.ElbowK(candidates),
            stability.Count > 0 ? stability.Min() : null,
            stability,
            threshold,
            assignments.Count(a => a.IsAnomaly));

        var parameters = new SegmentationParameters(
            options.Algorithm.ToString(),
            options.Algorithm == SegmentationAlgorithm.Hierarchical ? options.Linkage.ToString() : null,
            options.K is null ? "auto (best silhouette)" : "fixed",
            lowK,
            highK,
            final.K,
            options.Restarts,
            options.FinalRestarts,
            options.Seed,
            options.PcaComponents,
            pre.Features);

        var analysis = new SegmentationAnalysis(
            SegmentationAnalysis.CurrentFormatVersion,
            model.TrainedUtc,
            new SegmentationInputSummary(options.Source, n, distinct, names, transactionSummary),
            parameters,
            metrics,
            segments,
            rfm is null ? [] : rfm.GroupBy(r => r.Segment).Select(g => new RfmSegmentCount(g.Key, g.Count())).OrderByDescending(g => g.Customers).ToList(),
            assignments.OrderBy(a => a.CustomerId, CustomerIdComparer.Instance).ToArray(),
            Projection(table, z, d, final.Labels, options),
            hierarchy,
            null,
            notes);
        model = model with { Report = new SegmentationModelReport(analysis.Input, metrics, segments, analysis.Projection) };
        return new SegmentationRun(analysis, model);
    }

    /// <summary>
    /// Compares segments ranked by mean training monetary with the same segments ranked by their customers'
    /// mean spend after the cutoff (customers without a later purchase count as 0).
    /// </summary>
    public static HoldoutValidation ValidateOnHoldout(SegmentationAnalysis analysis, IReadOnlyDictionary<string, double> holdoutSpend, DateTime trainBefore, long holdoutRows)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(holdoutSpend);
        var rows = analysis.Segments.Select(s =>
        {
            var members = analysis.Assignments.Where(a => a.Segment == s.Id).ToList();
            var spend = members.Select(a => holdoutSpend.GetValueOrDefault(a.CustomerId)).ToList();
            return new SegmentHoldout(
                s.Id,
                s.Persona,
                members.Count,
                s.MeanOriginal.GetValueOrDefault(N.Monetary),
                spend.Count == 0 ? 0 : spend.Average(),
                spend.Count == 0 ? 0 : spend.Count(v => v > 0) / (double)spend.Count);
        }).ToList();
        var spearman = ClusteringMetrics.Spearman(rows.Select(r => r.MeanMonetary).ToList(), rows.Select(r => r.MeanHoldoutSpend).ToList());
        return new HoldoutValidation(trainBefore, holdoutRows, rows, spearman);
    }

    private static void Validate(CustomerFeatureTable table, SegmentationOptions options)
    {
        if (table.Count == 0)
        {
            throw new InvalidDataException("There are no customers to segment (no customer with a clean purchase in the input).");
        }

        if (table.FeatureCount == 0)
        {
            throw new InvalidDataException("There are no features to segment on.");
        }

        if (options.K is < 1)
        {
            throw new InvalidDataException($"k must be at least 1 (got {options.K}).");
        }

        if (options.MinK < 1 || options.MaxK < options.MinK)
        {
            throw new InvalidDataException($"The k range {options.MinK}..{options.MaxK} is empty.");
        }

        if (options.Restarts < 1 || options.FinalRestarts < 1 || options.ExactLimit < 2)
        {
            throw new InvalidDataException("Restarts must be at least 1 and the exact limit at least 2.");
        }
    }

    private static ClusterAssignment Cluster(double[] x, int n, int m, int k, SegmentationOptions options, int seed, int restarts, MergeTree? tree, int[] treeRows)
    {
        if (k == 1)
        {
            return ClusterGeometry.FromLabels(x, n, m, new int[n]);
        }

        if (options.Algorithm == SegmentationAlgorithm.KMeans)
        {
            return KMeansClusterer.Fit(x, n, m, k, seed, restarts);
        }

        var cut = tree!.Cut(k);
        if (treeRows.Length == n)
        {
            return ClusterGeometry.CanonicalOrder(ClusterGeometry.FromLabels(x, n, m, cut), x, n, m);
        }

        var sampleCentroids = ClusterGeometry.FromLabels(Gather(x, m, treeRows), treeRows.Length, m, cut);
        var assigned = ClusterGeometry.AssignToNearest(x, n, m, sampleCentroids.Centroids, sampleCentroids.K);
        return ClusterGeometry.CanonicalOrder(assigned, x, n, m);
    }

    private static double[] Gather(double[] x, int m, int[] rows)
    {
        var result = new double[rows.Length * m];
        for (var i = 0; i < rows.Length; i++)
        {
            x.AsSpan(rows[i] * m, m).CopyTo(result.AsSpan(i * m, m));
        }

        return result;
    }

    private static int[] SampleIndices(int n, int size, Random rng)
    {
        var all = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(all);
        var sample = all[..size];
        Array.Sort(sample);
        return sample;
    }

    private static int CountDistinctRows(double[] x, int n, int m)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            seen.Add(string.Join('|', x.AsSpan(i * m, m).ToArray().Select(v => Math.Round(v, 9).ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        }

        return seen.Count;
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var position = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    private static Dictionary<string, double> ToDictionary(IReadOnlyList<string> names, ReadOnlySpan<double> values)
    {
        var result = new Dictionary<string, double>(names.Count, StringComparer.Ordinal);
        for (var f = 0; f < names.Count; f++)
        {
            result[names[f]] = values[f];
        }

        return result;
    }

    private static IReadOnlyList<RfmScore>? Rfm(CustomerFeatureTable table)
    {
        var r = table.IndexOfFeature(N.RecencyDays);
        var f = table.IndexOfFeature(N.Frequency);
        var mo = table.IndexOfFeature(N.Monetary);
        if (r < 0 || f < 0 || mo < 0)
        {
            return null;
        }

        var n = table.Count;
        return RfmScoring.Score(
            Enumerable.Range(0, n).Select(i => table[i, r]).ToList(),
            Enumerable.Range(0, n).Select(i => table[i, f]).ToList(),
            Enumerable.Range(0, n).Select(i => table[i, mo]).ToList());
    }

    /// <summary>First two principal components of the z-values for a seeded sample of customers (a 2-D map of the segments).</summary>
    private static List<ProjectionPoint> Projection(CustomerFeatureTable table, double[] z, int d, int[] labels, SegmentationOptions options)
    {
        var n = table.Count;
        if (d < 2 || n < 2 || options.ProjectionSampleSize <= 0)
        {
            return [];
        }

        var pca = PrincipalComponents.Fit(z, n, d, 2);
        var rows = n > options.ProjectionSampleSize ? SampleIndices(n, options.ProjectionSampleSize, new Random(options.Seed)) : Enumerable.Range(0, n).ToArray();
        var points = new List<ProjectionPoint>(rows.Length);
        foreach (var i in rows)
        {
            double px = 0, py = 0;
            for (var f = 0; f < d; f++)
            {
                px += pca.Loadings[f] * z[(i * d) + f];
                py += pca.Loadings[d + f] * z[(i * d) + f];
            }

            points.Add(new ProjectionPoint(table.CustomerIds[i], labels[i], px, py));
        }

        return points;
    }
}
