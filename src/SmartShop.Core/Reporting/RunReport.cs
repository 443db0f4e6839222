using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Reporting;

/// <summary>The recommender model manifest's descriptive part (manifest.json of a model bundle).</summary>
public sealed record TrainingRunSummary(
    string Format,
    int SchemaVersion,
    DateTime TrainedFrom,
    DateTime TrainedTo,
    string Ranker,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, double> Metrics,
    int Items,
    int Users);

/// <summary>
/// What a report shows: a segmentation analysis (segments.json), or a saved segmentation model's own training report
/// (model.json, when there is no segments.json), a recommender training run, or both (a retraining run stores both).
/// </summary>
public sealed record RunReportContent(string Title, SegmentationAnalysis? Segmentation, TrainingRunSummary? Training)
{
    public SegmentationModel? SegmentationModel { get; init; }
}

/// <summary>
/// Writes a self-contained HTML report of a segmentation run (segments.json of <c>smartshop segment</c>) or a training
/// run (manifest.json of a model bundle): the dashboard's chart renderer, Chart.js and the data are inlined, so the file
/// opens from disk or an e-mail with no network.
/// </summary>
public static class RunReport
{
    public const string SegmentationFile = "segments.json";

    /// <summary>The report's name inside a published model version (next to the model it describes).</summary>
    public const string ReportFileName = "report.html";

    /// <summary>False for a build made without Node.js: it carries no renderer, so no report can be written.</summary>
    public static bool IsAvailable => typeof(RunReport).Assembly.GetManifestResourceInfo("dashboard/report.js") is not null;

    /// <summary>Reads the run directory; throws <see cref="InvalidDataException"/> when it holds neither kind of run.</summary>
    public static async Task<RunReportContent> LoadAsync(string runDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        if (!Directory.Exists(runDirectory))
        {
            throw new DirectoryNotFoundException($"Run directory not found: {runDirectory}");
        }

        var segmentsPath = Path.Combine(runDirectory, SegmentationFile);
        var manifestPath = Path.Combine(runDirectory, ModelBundle.ManifestName);
        var modelPath = Path.Combine(runDirectory, SegmentationModelStore.ModelFileName);
        var segmentation = File.Exists(segmentsPath)
            ? await ReadJsonAsync<SegmentationAnalysis>(segmentsPath, cancellationToken).ConfigureAwait(false)
            : null;
        var training = File.Exists(manifestPath)
            ? await ReadJsonAsync<TrainingRunSummary>(manifestPath, cancellationToken).ConfigureAwait(false)
            : null;
        // A published segmentation version has a registry manifest of its own format, not a recommender's.
        if (training is not null && training.Format != ModelBundle.Format)
        {
            training = null;
        }

        // A segmentation as the registry stores it: model.json only, charted from the report the model carries.
        SegmentationModel? model = null;
        if (segmentation is null && File.Exists(modelPath))
        {
            await using var stream = File.OpenRead(modelPath);
            model = await SegmentationModelStore.ReadModelAsync(stream, modelPath, cancellationToken).ConfigureAwait(false);
            if (model.Report is null)
            {
                throw new InvalidDataException($"'{modelPath}' was saved without its training report, so it has nothing to chart; segment again to get one.");
            }
        }

        if (segmentation is null && model is null && training is null)
        {
            throw new InvalidDataException(
                $"'{runDirectory}' holds neither {SegmentationFile} or {SegmentationModelStore.ModelFileName} (written by 'smartshop segment') nor {ModelBundle.ManifestName} (a model bundle written by 'smartshop train').");
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDirectory)));
        return new RunReportContent($"SmartShop run report: {name}", segmentation, training) { SegmentationModel = model };
    }

    public static async Task WriteAsync(string runDirectory, string outputPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        var content = await LoadAsync(runDirectory, cancellationToken).ConfigureAwait(false);
        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(outputPath, Render(content), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
    }

    public static string Render(RunReportContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var script = ReportAsset("report.js");
        var style = ReportAsset("app.css");
        var model = content.SegmentationModel;
        var report = model?.Report;
        var data = JsonSerializer.Serialize(new
        {
            segmentation = content.Segmentation,
            // The same fields as segments.json where the model's report has them; the renderer reads either.
            segmentationModel = report is null ? null : new { algorithm = model!.Algorithm, linkage = model.Linkage, report.Input, report.Metrics, report.Segments, report.Projection },
            training = content.Training,
        }, SegmentationModelStore.JsonOptions);
        var subtitle = string.Join(" · ", new[]
        {
            content.Segmentation is { } s ? string.Create(CultureInfo.InvariantCulture, $"segmentation of {s.Input.Customers:N0} customers, {s.CreatedUtc:yyyy-MM-dd HH:mm} UTC") : null,
            report is not null ? string.Create(CultureInfo.InvariantCulture, $"segmentation model of {report.Input.Customers:N0} customers, trained {model!.TrainedUtc:yyyy-MM-dd HH:mm} UTC") : null,
            content.Training is { } t ? string.Create(CultureInfo.InvariantCulture, $"recommender trained on {t.TrainedFrom:yyyy-MM-dd} to {t.TrainedTo:yyyy-MM-dd}") : null,
        }.Where(part => part is not null));
        var html = new StringBuilder(script.Length + data.Length + style.Length + 1024);
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(WebUtility.HtmlEncode(content.Title)).Append("</title>\n")
            .Append("<style>\n").Append(style).Append("\n</style>\n</head>\n<body>\n")
            .Append("<header><h1>").Append(WebUtility.HtmlEncode(content.Title)).Append("</h1></header>\n")
            .Append("<p class=\"muted\">").Append(WebUtility.HtmlEncode(subtitle)).Append("</p>\n")
            .Append("<main id=\"report\"></main>\n")
            // '<' never appears raw inside the JSON (escaped as \u003C), so no string can close the script element.
            .Append("<script id=\"report-data\" type=\"application/json\">").Append(data.Replace("<", "\\u003C", StringComparison.Ordinal)).Append("</script>\n")
            .Append("<script>\n").Append(script.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("\n</script>\n")
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static async Task<T> ReadJsonAsync<T>(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<T>(stream, SegmentationModelStore.JsonOptions, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"'{path}' is empty.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"'{path}' is not a valid {Path.GetFileName(path)}: {exception.Message}", exception);
        }
    }

    /// <summary>A file of the dashboard bundle embedded at build time (msbuild/Dashboard.targets).</summary>
    private static string ReportAsset(string name)
    {
        using var stream = typeof(RunReport).Assembly.GetManifestResourceStream("dashboard/" + name)
            ?? throw new InvalidOperationException(
                $"This build has no report renderer (dashboard/{name}): dashboard/dist is missing from the source tree. Restore it from git, or run 'npm ci && npm run build:dashboard', and rebuild.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
