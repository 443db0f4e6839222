using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Recommendations;

/// <summary>A model bundle that is missing, corrupt or written by an incompatible version.</summary>
public sealed class ModelBundleException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// The on-disk model: a directory with manifest.json (format, schema version, training window, parameters, metrics,
/// and per-file type, length and SHA-256) plus one little-endian binary file per array and JSON files for strings.
/// No BinaryFormatter, nothing executable: loading verifies every checksum and the model's internal consistency.
/// </summary>
public static class ModelBundle
{
    public const string Format = "smartshop-recommender";
    public const int SchemaVersion = 2;
    public const string ManifestName = "manifest.json";
    /// <summary>The ids of the users the model was trained on (a JSON array of strings).</summary>
    public const string UsersFileName = "users.json";
    // Implicit ALS factors in AlsModel's own format (header + user then item factors, float32le).
    private const string AlsFile = "als.factors";
    private const string AlsType = "alsm";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
    };

    private sealed record FileEntry(string Name, string Type, long Length, string Sha256);

    private sealed record RankerEntry(string Name, int FeatureCount, float Bias, string[] FeatureNames);

    private sealed record ItemStrings(string[] Ids, string[] Titles, string?[] Categories);

    private sealed record Manifest(
        string Format,
        int SchemaVersion,
        DateTime TrainedFrom,
        DateTime TrainedTo,
        DateTime Now,
        string Ranker,
        IReadOnlyDictionary<string, string> Parameters,
        IReadOnlyDictionary<string, double> Metrics,
        int Items,
        int Users,
        IReadOnlyList<RankerEntry> Rankers,
        IReadOnlyList<FileEntry> Files);

    public static void Save(RecommenderModel model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Model bundles are written on little-endian machines only.");
        }
        Directory.CreateDirectory(directory);
        var files = new List<FileEntry>();
        void Array<T>(string name, T[] values) where T : unmanaged
        {
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            File.WriteAllBytes(Path.Combine(directory, name + ".bin"), bytes.ToArray());
            files.Add(new FileEntry(name + ".bin", TypeName<T>(), values.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }
        void JsonFile<T>(string name, T value)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Json);
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
            files.Add(new FileEntry(name, "json", bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }
        void Blob(string name, string type, byte[] bytes)
        {
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
            files.Add(new FileEntry(name, type, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }
        void Rows(string name, SparseRows rows)
        {
            Array(name + ".offsets", rows.Offsets);
            Array(name + ".items", rows.Items);
            Array(name + ".values", rows.Values);
        }

        JsonFile("items.json", new ItemStrings(model.ItemIds, model.Titles, model.Categories));
        JsonFile(UsersFileName, model.UserIds);
        Array("items.price", model.Prices);
        Array("items.instock", model.InStock.Select(b => (byte)(b ? 1 : 0)).ToArray());
        Rows("default", model.Default.Rows);
        Array("default.sources", model.Default.Sources);
        Array("default.anchors", model.Default.Anchors);
        Rows("discovery", model.Discovery.Rows);
        Array("discovery.sources", model.Discovery.Sources);
        Array("discovery.anchors", model.Discovery.Anchors);
        Rows("purchased", model.Purchased);
        Rows("similar", model.Similar);
        Rows("content", model.Content);
        Rows("associations", model.Associations.Rows);
        Array("associations.support", model.Associations.Support);
        Array("associations.lift", model.Associations.Lift);
        Array("associations.baskets", model.Associations.Baskets);
        Array("trending.order", model.TrendingOrder);
        Array("trending.scores", model.TrendingScores);
        Array("popular.order", model.PopularOrder);
        Array("popular.scores", model.PopularScores);
        if (model.Als is not null)
        {
            using var factors = new MemoryStream();
            model.Als.Write(factors);
            Blob(AlsFile, AlsType, factors.ToArray());
        }
        var rankers = new List<RankerEntry>();
        foreach (var (name, ranker) in new[] { ("ranker.default", model.DefaultRanker), ("ranker.discovery", model.DiscoveryRanker) })
        {
            if (ranker is null)
            {
                continue;
            }
            rankers.Add(new RankerEntry(name, ranker.FeatureCount, ranker.Bias, CandidateFeatureBuilder.FeatureNames));
            Array(name + ".nodestart", ranker.TreeNodeStart);
            Array(name + ".leafstart", ranker.TreeLeafStart);
            Array(name + ".feature", ranker.SplitFeature);
            Array(name + ".threshold", ranker.SplitThreshold);
            Array(name + ".left", ranker.LeftChild);
            Array(name + ".right", ranker.RightChild);
            Array(name + ".leaf", ranker.LeafValue);
        }
        var info = model.Info;
        var manifest = new Manifest(Format, SchemaVersion, info.TrainedFrom, info.TrainedTo, info.Now, info.Ranker, info.Parameters, info.Metrics,
            model.ItemCount, model.UserCount, rankers, files);
        // The manifest goes last: a bundle whose manifest exists was written completely.
        File.WriteAllBytes(Path.Combine(directory, ManifestName), JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
    }

    public static RecommenderModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var manifestPath = Path.Combine(directory, ManifestName);
        if (!File.Exists(manifestPath))
        {
            throw new ModelBundleException($"Not a model bundle: {manifestPath} does not exist.");
        }
        Manifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllBytes(manifestPath), Json)
                ?? throw new ModelBundleException("The bundle manifest is empty.");
        }
        catch (JsonException e)
        {
            throw new ModelBundleException($"The bundle manifest is not valid JSON: {e.Message}", e);
        }
        if (manifest.Format != Format)
        {
            throw new ModelBundleException($"Not a SmartShop recommender bundle (format '{manifest.Format}').");
        }
        if (manifest.SchemaVersion != SchemaVersion)
        {
            throw new ModelBundleException($"Incompatible bundle schema version {manifest.SchemaVersion}; this build reads version {SchemaVersion}. Retrain the model.");
        }
        var entries = (manifest.Files ?? []).ToDictionary(f => f.Name, StringComparer.Ordinal);
        (string Path, long Length, string Sha256) Entry(string name, string type)
        {
            if (!entries.TryGetValue(name, out var entry))
            {
                throw new ModelBundleException($"The bundle manifest does not list '{name}'.");
            }
            if (entry.Type != type)
            {
                throw new ModelBundleException($"Bundle file '{name}' has type {entry.Type}, expected {type}.");
            }
            var path = Path.Combine(directory, name);
            if (!File.Exists(path))
            {
                throw new ModelBundleException($"Bundle file '{name}' is missing.");
            }
            return (path, entry.Length, entry.Sha256);
        }
        void Verify(string name, string sha256, ReadOnlySpan<byte> content)
        {
            if (!Convert.ToHexStringLower(SHA256.HashData(content)).Equals(sha256, StringComparison.Ordinal))
            {
                throw new ModelBundleException($"Bundle file '{name}' is corrupt (SHA-256 mismatch).");
            }
        }
        byte[] Read(string name, string type)
        {
            var (path, _, sha256) = Entry(name, type);
            var bytes = File.ReadAllBytes(path);
            Verify(name, sha256, bytes);
            return bytes;
        }
        // Read straight into the array it becomes: a byte[] then a typed copy would hold every array twice while loading,
        // beside the model still serving.
        T[] Array<T>(string name) where T : unmanaged
        {
            var file = name + ".bin";
            var (path, length, sha256) = Entry(file, TypeName<T>());
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            if (length < 0 || RandomAccess.GetLength(handle) != length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())
            {
                throw new ModelBundleException($"Bundle file '{file}' has the wrong length.");
            }
            var values = new T[length];
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            for (var read = 0; read < bytes.Length;)
            {
                var got = RandomAccess.Read(handle, bytes[read..], read);
                read += got > 0 ? got : throw new ModelBundleException($"Bundle file '{file}' was truncated while it was read.");
            }
            Verify(file, sha256, bytes);
            return values;
        }
        // The largest file: hashed as a stream, then parsed from the file, never held as bytes.
        AlsModel ReadAls()
        {
            var (path, _, sha256) = Entry(AlsFile, AlsType);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            if (!Convert.ToHexStringLower(SHA256.HashData(stream)).Equals(sha256, StringComparison.Ordinal))
            {
                throw new ModelBundleException($"Bundle file '{AlsFile}' is corrupt (SHA-256 mismatch).");
            }
            stream.Position = 0;
            var als = AlsModel.Read(stream);
            return stream.Position == stream.Length ? als : throw new InvalidDataException($"{AlsFile} has trailing bytes.");
        }
        T JsonFile<T>(string name)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(Read(name, "json"), Json) ?? throw new ModelBundleException($"Bundle file '{name}' is empty.");
            }
            catch (JsonException e)
            {
                throw new ModelBundleException($"Bundle file '{name}' is not valid JSON: {e.Message}", e);
            }
        }
        SparseRows Rows(string name) => new(Array<int>(name + ".offsets"), Array<int>(name + ".items"), Array<float>(name + ".values"));

        try
        {
            var items = JsonFile<ItemStrings>("items.json");
            var rankers = (manifest.Rankers ?? []).ToDictionary(r => r.Name, StringComparer.Ordinal);
            TreeEnsembleScorer? Ranker(string name)
            {
                if (!rankers.TryGetValue(name, out var entry))
                {
                    return null;
                }
                if (entry.FeatureCount != CandidateFeatureBuilder.FeatureCount || !entry.FeatureNames.SequenceEqual(CandidateFeatureBuilder.FeatureNames))
                {
                    throw new ModelBundleException($"Ranker '{name}' was trained on different features; retrain the model.");
                }
                return new TreeEnsembleScorer(entry.FeatureCount, Array<int>(name + ".nodestart"), Array<int>(name + ".leafstart"), Array<int>(name + ".feature"),
                    Array<float>(name + ".threshold"), Array<int>(name + ".left"), Array<int>(name + ".right"), Array<float>(name + ".leaf"), entry.Bias);
            }
            var model = new RecommenderModel
            {
                Info = new ModelInfo
                {
                    TrainedFrom = manifest.TrainedFrom,
                    TrainedTo = manifest.TrainedTo,
                    Now = manifest.Now,
                    Ranker = manifest.Ranker,
                    Parameters = manifest.Parameters ?? new Dictionary<string, string>(),
                    Metrics = manifest.Metrics ?? new Dictionary<string, double>(),
                },
                ItemIds = items.Ids,
                Titles = items.Titles,
                Categories = items.Categories,
                Prices = Array<float>("items.price"),
                InStock = [.. Array<byte>("items.instock").Select(b => b != 0)],
                UserIds = JsonFile<string[]>(UsersFileName),
                Default = new RankedLists(Rows("default"), Array<byte>("default.sources"), Array<int>("default.anchors")),
                Discovery = new RankedLists(Rows("discovery"), Array<byte>("discovery.sources"), Array<int>("discovery.anchors")),
                Purchased = Rows("purchased"),
                Similar = Rows("similar"),
                Content = Rows("content"),
                Associations = new AssociationRows(Rows("associations"), Array<float>("associations.support"), Array<float>("associations.lift"), Array<int>("associations.baskets")),
                TrendingOrder = Array<int>("trending.order"),
                TrendingScores = Array<float>("trending.scores"),
                PopularOrder = Array<int>("popular.order"),
                PopularScores = Array<float>("popular.scores"),
                DefaultRanker = Ranker("ranker.default"),
                DiscoveryRanker = Ranker("ranker.discovery"),
                Als = entries.ContainsKey(AlsFile) ? ReadAls() : null,
            };
            if (model.ItemCount != manifest.Items || model.UserCount != manifest.Users)
            {
                throw new ModelBundleException("Bundle item or user counts disagree with the manifest.");
            }
            if (model.Associations.Support.Length != model.Associations.Rows.Items.Length || model.Associations.Lift.Length != model.Associations.Rows.Items.Length
                || model.Associations.Baskets.Length != model.Associations.Rows.Items.Length)
            {
                throw new ModelBundleException("Bundle association arrays disagree in length.");
            }
            model.Validate();
            return model;
        }
        catch (ArgumentException e)
        {
            throw new ModelBundleException($"The bundle is inconsistent: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new ModelBundleException($"The bundle is inconsistent: {e.Message}", e);
        }
    }


    private static string TypeName<T>() where T : unmanaged => typeof(T) == typeof(int) ? "int32le"
        : typeof(T) == typeof(float) ? "float32le"
        : typeof(T) == typeof(byte) ? "uint8"
        : throw new NotSupportedException($"No bundle encoding for {typeof(T).Name}.");
}
