using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;
using SmartShop.Functions.Http;

namespace SmartShop.Functions.Segmentation;

/// <summary>
/// What an analysis was asked to do, validated; stored with the analysis so a background run reads the same values.
/// Form fields and JSON properties share these names (<see cref="Names"/>).
/// </summary>
public sealed record AnalysisParameters(
    string Format,
    string? Delimiter,
    IReadOnlyList<string> Map,
    string? IdColumn,
    string K,
    int MinK,
    int MaxK,
    string Algorithm,
    string? Linkage,
    int Seed,
    string? DecimalSeparator = null,
    string? DateFormat = null,
    string? Encoding = null,
    string? Preset = null,
    string? ExcludeItems = null)
{
    public const int LargestK = 50;
    private const int MaxFieldLength = 256;
    private const int MaxMappings = 8;

    /// <summary>How the file is read; these may also be query parameters of the upload.</summary>
    public static IReadOnlyList<string> ReadingNames { get; } = ["delimiter", "decimalSeparator", "dateFormat", "encoding", "preset", "excludeItems"];

    public static IReadOnlyList<string> Names { get; } =
        ["k", "minK", "maxK", "algorithm", "linkage", "delimiter", "format", "idColumn", "map", "seed", "decimalSeparator", "dateFormat", "encoding", "preset", "excludeItems"];

    /// <summary>Validates raw field values (each name at most once except <c>map</c>); the first problem is a 400 answer.</summary>
    public static AnalysisParameters? TryParse(IReadOnlyDictionary<string, List<string>> fields, out ObjectResult? error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        error = null;
        foreach (var (name, values) in fields)
        {
            if (!Names.Contains(name, StringComparer.Ordinal))
            {
                error = ApiProblem.InvalidParameter(ApiProblem.Echo(name), $"Unknown parameter '{ApiProblem.Echo(name)}'. Known parameters: file or blob, {string.Join(", ", Names)}.");
                return null;
            }

            if (values.Count > (name == "map" ? MaxMappings : 1))
            {
                error = ApiProblem.InvalidParameter(name, name == "map" ? $"At most {MaxMappings} column mappings." : $"Parameter '{name}' is given {values.Count} times; give it once.");
                return null;
            }

            if (values.Any(v => v.Length > MaxFieldLength))
            {
                error = ApiProblem.InvalidParameter(name, $"Parameter '{name}' is longer than {MaxFieldLength} characters.");
                return null;
            }
        }

        string? One(string name) => fields.TryGetValue(name, out var v) && v.Count > 0 && v[0].Trim().Length > 0 ? v[0].Trim() : null;

        var format = One("format")?.ToLowerInvariant() ?? "transactions";
        if (format is not ("transactions" or "table"))
        {
            error = ApiProblem.InvalidParameter("format", "'format' must be 'transactions' (invoice rows) or 'table' (one row per customer).");
            return null;
        }

        var delimiter = One("delimiter");
        delimiter = delimiter is "tab" or "\\t" ? "\t" : delimiter;
        if (delimiter is not null && (delimiter.Length != 1 || char.IsLetterOrDigit(delimiter[0]) || delimiter[0] is '"' or '\r' or '\n'))
        {
            error = ApiProblem.InvalidParameter("delimiter", "'delimiter' must be one character such as ',', ';' or '|', or 'tab'.");
            return null;
        }

        var decimalSeparator = One("decimalSeparator");
        if (decimalSeparator is not (null or "." or ","))
        {
            error = ApiProblem.InvalidParameter("decimalSeparator", "'decimalSeparator' must be '.' or ','.");
            return null;
        }
        var dialect = new AnalysisParameters(format, delimiter, [], null, "auto", 2, 2, "kmeans", null, 0,
            decimalSeparator, One("dateFormat"), One("encoding"), One("preset")?.ToLowerInvariant(), One("excludeItems"));
        try
        {
            _ = dialect.CsvOptions();
        }
        catch (ArgumentException exception)
        {
            var message = exception.Message;
            var parameter = message.Contains("date format", StringComparison.Ordinal) ? "dateFormat"
                : message.Contains("encoding", StringComparison.Ordinal) ? "encoding"
                : message.Contains("preset", StringComparison.Ordinal) ? "preset"
                : message.Contains("exclude-items", StringComparison.Ordinal) ? "excludeItems"
                : "delimiter";
            error = ApiProblem.InvalidParameter(parameter, message.Replace("exclude-items", "excludeItems", StringComparison.Ordinal));
            return null;
        }

        var map = fields.TryGetValue("map", out var mappings) ? mappings.Select(m => m.Trim()).Where(m => m.Length > 0).ToList() : [];
        if (map.Count > 0 && format == "table")
        {
            error = ApiProblem.InvalidParameter("map", "'map' renames transaction columns; a customer table takes 'idColumn' instead.");
            return null;
        }

        try
        {
            TransactionColumns.FromMappings(map);
        }
        catch (ArgumentException exception)
        {
            error = ApiProblem.InvalidParameter("map", exception.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
            return null;
        }

        var idColumn = One("idColumn");
        if (idColumn is not null && format != "table")
        {
            error = ApiProblem.InvalidParameter("idColumn", "'idColumn' applies to format=table; map transaction columns with 'map' (e.g. CustomerId=Customer ID).");
            return null;
        }

        var k = One("k")?.ToLowerInvariant() ?? "auto";
        if (k != "auto" && !(int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var fixedK) && fixedK is >= 1 and <= LargestK))
        {
            error = ApiProblem.InvalidParameter("k", string.Create(CultureInfo.InvariantCulture, $"'k' must be 'auto' or an integer from 1 to {LargestK}."));
            return null;
        }

        var minK = Integer(One("minK"), "minK", 2, 2, LargestK, ref error);
        var maxK = Integer(One("maxK"), "maxK", 10, 2, LargestK, ref error);
        var seed = Integer(One("seed"), "seed", 42, 0, int.MaxValue, ref error);
        if (error is not null)
        {
            return null;
        }

        if (maxK < minK)
        {
            error = ApiProblem.InvalidParameter("maxK", "'maxK' must not be below 'minK'.");
            return null;
        }

        var algorithm = One("algorithm")?.ToLowerInvariant() ?? "kmeans";
        if (algorithm is not ("kmeans" or "hierarchical"))
        {
            error = ApiProblem.InvalidParameter("algorithm", "'algorithm' must be 'kmeans' or 'hierarchical'.");
            return null;
        }

        var linkage = One("linkage")?.ToLowerInvariant();
        if (linkage is not null && algorithm != "hierarchical")
        {
            error = ApiProblem.InvalidParameter("linkage", "'linkage' applies to algorithm=hierarchical only.");
            return null;
        }

        if (algorithm == "hierarchical")
        {
            linkage ??= "ward";
            if (linkage is not ("ward" or "complete" or "average" or "single"))
            {
                error = ApiProblem.InvalidParameter("linkage", "'linkage' must be ward, complete, average or single.");
                return null;
            }
        }

        return dialect with { Map = map, IdColumn = idColumn, K = k, MinK = minK, MaxK = maxK, Algorithm = algorithm, Linkage = linkage, Seed = seed };
    }

    public SegmentationInputOptions ToInputOptions() => new()
    {
        Format = Format == "table" ? SegmentationInputFormat.Table : SegmentationInputFormat.Transactions,
        Csv = CsvOptions() with { Columns = TransactionColumns.FromMappings(Map) },
        IdColumn = IdColumn,
    };

    /// <summary>How the uploaded file is read: the same settings, and the same conversion, as the CLI's and the training's.</summary>
    /// <exception cref="ArgumentException">A reading parameter is unusable.</exception>
    public TransactionCsvOptions CsvOptions() => new TransactionReadSettings
    {
        Delimiter = Delimiter ?? "",
        DecimalSeparator = DecimalSeparator ?? ".",
        DateFormat = DateFormat ?? "",
        Encoding = Encoding ?? "utf-8",
        Preset = Preset ?? "",
        ExcludeItems = ExcludeItems ?? "",
    }.ToOptions();

    public SegmentationOptions ToSegmentationOptions(string source) => new()
    {
        K = K == "auto" ? null : int.Parse(K, CultureInfo.InvariantCulture),
        MinK = MinK,
        MaxK = MaxK,
        Algorithm = Algorithm == "hierarchical" ? SegmentationAlgorithm.Hierarchical : SegmentationAlgorithm.KMeans,
        Linkage = Linkage is null ? Core.Segmentation.Linkage.Ward : Enum.Parse<Linkage>(Linkage, ignoreCase: true),
        Seed = Seed,
        Source = source,
    };

    private static int Integer(string? text, string name, int defaultValue, int min, int max, ref ObjectResult? error)
    {
        if (text is null || error is not null)
        {
            return defaultValue;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        error = ApiProblem.InvalidParameter(name, string.Create(CultureInfo.InvariantCulture, $"'{name}' must be an integer from {min} to {max}."));
        return defaultValue;
    }
}
