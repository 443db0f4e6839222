using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartShop.Core.Segmentation;

/// <summary>A loaded model directory: the model, a scorer and the features of the customers it was trained on.</summary>
public sealed record SavedSegmentation(SegmentationModel Model, SegmentPredictor Predictor, CustomerFeatureTable KnownCustomers)
{
    public CustomerExplanation ExplainCustomer(string customerId)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        var row = KnownCustomers.IndexOfCustomer(customerId);
        return row >= 0
            ? Predictor.Explain(KnownCustomers.Row(row), customerId)
            : throw new ArgumentException($"Customer '{customerId}' is not in the model's training data; post a feature vector instead.");
    }
}

/// <summary>
/// Saves and loads a segmentation model directory: model.json (preprocessing, centroids, personas, anomaly
/// threshold; versioned) and customer-features.csv (training customers in original units, for explain by id).
/// </summary>
public static class SegmentationModelStore
{
    public const string ModelFileName = "model.json";
    public const string CustomerFeaturesFileName = "customer-features.csv";

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task SaveAsync(string directory, SegmentationModel model, CustomerFeatureTable knownCustomers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(knownCustomers);
        Directory.CreateDirectory(directory);
        await using (var stream = File.Create(Path.Combine(directory, ModelFileName)))
        {
            await WriteModelAsync(stream, model, cancellationToken).ConfigureAwait(false);
        }

        await using var writer = new StreamWriter(Path.Combine(directory, CustomerFeaturesFileName));
        await writer.WriteLineAsync(string.Join(',', knownCustomers.FeatureNames.Prepend("customer").Select(h => DelimitedText.Quote(h, ',')))).ConfigureAwait(false);
        for (var i = 0; i < knownCustomers.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var values = knownCustomers.Row(i).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture));
            await writer.WriteLineAsync(DelimitedText.Quote(knownCustomers.CustomerIds[i], ',') + "," + string.Join(',', values)).ConfigureAwait(false);
        }
    }

    public static async Task<SavedSegmentation> LoadAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var modelPath = Path.Combine(directory, ModelFileName);
        if (!File.Exists(modelPath))
        {
            throw new InvalidDataException($"No segmentation model at '{modelPath}' (run `segment --out {directory}` first).");
        }

        SegmentationModel model;
        await using (var stream = File.OpenRead(modelPath))
        {
            model = await ReadModelAsync(stream, modelPath, cancellationToken).ConfigureAwait(false);
        }

        var predictor = new SegmentPredictor(model);
        var featuresPath = Path.Combine(directory, CustomerFeaturesFileName);
        var known = File.Exists(featuresPath)
            ? ReadKnownCustomers(featuresPath, model.FeatureNames)
            : new CustomerFeatureTable([], model.FeatureNames, []);
        return new SavedSegmentation(model, predictor, known);
    }

    /// <summary>Writes model.json content to any stream (a blob, an HTTP response).</summary>
    public static Task WriteModelAsync(Stream stream, SegmentationModel model, CancellationToken cancellationToken = default) =>
        JsonSerializer.SerializeAsync(stream, model, JsonOptions, cancellationToken);

    /// <summary>Reads model.json content from any stream; <paramref name="source"/> names it in error messages.</summary>
    public static async Task<SegmentationModel> ReadModelAsync(Stream stream, string source = "model", CancellationToken cancellationToken = default)
    {
        try
        {
            var model = await JsonSerializer.DeserializeAsync<SegmentationModel>(stream, JsonOptions, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"'{source}' is empty.");
            return model.FormatVersion == SegmentationModel.CurrentFormatVersion
                ? model
                : throw new InvalidDataException($"'{source}' has segmentation model format {model.FormatVersion}; this version reads format {SegmentationModel.CurrentFormatVersion}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{source}' is not a valid segmentation model: {ex.Message}", ex);
        }
    }

    private static CustomerFeatureTable ReadKnownCustomers(string path, IReadOnlyList<string> featureNames)
    {
        using var reader = new StreamReader(path);
        return ReadKnownCustomers(reader, featureNames, path);
    }

    /// <summary>Reads customer-features.csv content (the training customers of a model with <paramref name="featureNames"/>).</summary>
    public static CustomerFeatureTable ReadKnownCustomers(TextReader reader, IReadOnlyList<string> featureNames, string path = CustomerFeaturesFileName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(featureNames);
        var ids = new List<string>();
        var values = new List<double>();
        foreach (var (line, fields) in DelimitedText.ReadRecords(reader, ','))
        {
            if (line == 1)
            {
                if (!fields.Skip(1).SequenceEqual(featureNames, StringComparer.Ordinal))
                {
                    throw new InvalidDataException($"'{path}' does not match the model's features.");
                }

                continue;
            }

            ids.Add(fields[0]);
            values.AddRange(fields.Skip(1).Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }

        return new CustomerFeatureTable(ids, featureNames, [.. values]);
    }
}
