using System.Globalization;
using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Http;
using StoredAnalysis = SmartShop.Core.Storage.SegmentationAnalysis;

namespace SmartShop.Functions.Segmentation;

/// <summary>
/// <c>/api/v1/segmentation/analyses</c>: segment an uploaded CSV (multipart field <c>file</c>) or a stored blob (JSON
/// <c>{"blob":"uploads/x.csv"}</c>), then read the stored analyses, their assignments and merge trees. They hold
/// customers' data, so every route is an admin route (master key; plus an admin token when Entra ID is configured):
/// the storefront's function key reaches none of them.
/// </summary>
public sealed class AnalysesFunctions(AnalysisService service, QueuedAnalyses queue, AnalysesOptions options, AdminAuthorizer authorizer)
{
    public const string Route = "v1/segmentation/analyses";
    private const string ApiRoot = "/api/";
    private const int MaxJsonBodyBytes = 64 * 1024;
    private const int MaxFieldBytes = 4 * 1024;
    private const int MaxFields = 32;
    private const int MaxSourceNameLength = 256;
    private const int QueueUnavailableRetryAfterSeconds = 30;

    [Function(nameof(CreateAnalysis))]
    [ApiOperation("Segmentation analyses", "Segments an uploaded customer or transaction CSV (k or auto, algorithm, linkage, dialect, column mapping).",
        Description = "Upload the CSV as multipart/form-data in the field `file` with the parameters as form fields, or send JSON `{\"blob\": \"<container>/<name>\", \"k\": \"auto\", ...}` naming a stored blob. Parameters: k, minK, maxK, algorithm (kmeans|hierarchical), linkage, format (transactions|table), idColumn, map (Field=Header, repeatable), seed, and how the file is read: delimiter (default sniffed), decimalSeparator (. or ,), dateFormat, encoding (utf-8|latin1|windows-1252|utf-16), preset (online-retail|none), excludeItems (regex). Small inputs answer 201 with the analysis; large ones 202 with its status URL in Location.")]
    [ApiQuery("delimiter", typeof(string), "Field delimiter: one character or 'tab'; default sniffed from the header. Also a form field or JSON property.")]
    [ApiQuery("decimalSeparator", typeof(string), "'.' or ','.", Default = ".")]
    [ApiQuery("dateFormat", typeof(string), "A .NET date format such as 'dd.MM.yyyy HH:mm'; default ISO 8601 and yyyy-MM-dd HH:mm:ss.")]
    [ApiQuery("encoding", typeof(string), "utf-8, latin1, windows-1252 or utf-16.", Default = "utf-8")]
    [ApiQuery("preset", typeof(string), "online-retail or none.", Default = "none")]
    [ApiQuery("excludeItems", typeof(string), "A regular expression for item ids that are not merchandise.")]
    [ApiBody(typeof(string), ContentType = "multipart/form-data", Description = "A CSV in the form field 'file' plus parameters as form fields; or JSON naming a blob.")]
    [ApiBody(typeof(System.Text.Json.Nodes.JsonObject))]
    [ApiResponse(StatusCodes.Status201Created, typeof(AnalysisResource))]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(AnalysisResource), Description = "Accepted: large input, running in the background; poll the Location.")]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter", "malformed-body", "invalid-input"])]
    [ApiResponse(StatusCodes.Status413PayloadTooLarge, Codes = ["body-too-large", "input-too-large"])]
    [ApiResponse(StatusCodes.Status415UnsupportedMediaType, Codes = ["unsupported-media-type"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["analysis-queue-unavailable", "auth-unavailable"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    public async Task<IActionResult> CreateAnalysis(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        // How the file is read may also come in the query string (?delimiter=%3B&decimalSeparator=,).
        var query = QueryParameters.Read(request, [.. AnalysisParameters.ReadingNames]);
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (request.ContentLength > options.MaxUploadBytes)
        {
            return ApiProblem.TooLarge(options.MaxUploadBytes);
        }

        _ = MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType);
        var id = AnalysisService.NewId();
        AnalysisInput input;
        try
        {
            var received = mediaType?.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true
                ? await ReadMultipartAsync(id, request, mediaType, cancellationToken).ConfigureAwait(false)
                : RequestBody.IsJson(request)
                    ? await ReadJsonAsync(request, cancellationToken).ConfigureAwait(false)
                    : null;
            if (received is null)
            {
                return ApiProblem.UnsupportedMediaType("multipart/form-data (a CSV in the field 'file') or application/json ({\"blob\": \"uploads/<name>\"})");
            }

            if (received.Error is not null)
            {
                return received.Error;
            }

            input = received.Input!;
        }
        catch (UploadTooLargeException)
        {
            return ApiProblem.TooLarge(options.MaxUploadBytes);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // Broken multipart framing (truncated body, oversized or too many part headers).
            return ApiProblem.MalformedBody(e.Message);
        }

        // Query and body parameters are one set, checked as one (a name in both is given twice).
        var fields = input.Fields;
        foreach (var (name, values) in request.Query)
        {
            (fields.TryGetValue(name, out var list) ? list : fields[name] = []).AddRange(values.OfType<string>());
        }
        var parameters = AnalysisParameters.TryParse(fields, out var invalid);
        if (parameters is null)
        {
            await service.DiscardUploadAsync(id, cancellationToken).ConfigureAwait(false);
            return invalid!;
        }

        var pending = await service.CreatePendingAsync(id, input.BlobName, new AnalysisSummary(input.Source, input.Bytes, parameters, null, null, null, null), cancellationToken).ConfigureAwait(false);
        if (input.Bytes > options.BackgroundThresholdBytes)
        {
            return await EnqueueAsync(request, pending, cancellationToken).ConfigureAwait(false);
        }

        AnalysisOutcome outcome;
        try
        {
            outcome = await service.RunAsync(pending, synchronous: true, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client went away: nothing was promised, so nothing is kept.
            await service.DiscardAsync(pending, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (outcome.NeedsBackground)
        {
            // The compressed size looked small, the content is not: the queue runs it.
            return await EnqueueAsync(request, pending, cancellationToken).ConfigureAwait(false);
        }

        if (outcome.InputWasInvalid)
        {
            await service.DiscardAsync(pending, cancellationToken).ConfigureAwait(false);
            return outcome.InputWasTooLarge
                ? ApiProblem.Create(StatusCodes.Status413PayloadTooLarge, "input-too-large", "The input is over a size limit once read.", outcome.Record.Error!)
                : ApiProblem.Create(StatusCodes.Status400BadRequest, "invalid-input", "The input could not be segmented.", outcome.Record.Error!);
        }

        // The run hands back the result it stored: no read-back of the blob just written.
        return new CreatedResult(ApiRoot + SelfPath(id), ToResource(outcome.Record, outcome.Result is null ? null : SegmentationView.FromResult(outcome.Result)));
    }

    private async Task<IActionResult> EnqueueAsync(HttpRequest request, Core.Storage.SegmentationAnalysis pending, CancellationToken cancellationToken)
    {
        try
        {
            await queue.EnqueueAsync(pending.AnalysisId, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // Not queued, so not accepted: nothing is kept and the client may send it again.
            await service.DiscardAsync(pending, CancellationToken.None).ConfigureAwait(false);
            request.HttpContext.Response.Headers.RetryAfter = QueueUnavailableRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return ApiProblem.Create(StatusCodes.Status503ServiceUnavailable, "analysis-queue-unavailable", "The analysis could not be queued.",
                $"The background queue cannot be reached; retry after {QueueUnavailableRetryAfterSeconds} seconds.");
        }

        return new AcceptedResult(ApiRoot + SelfPath(pending.AnalysisId), ToResource(pending, null));
    }

    [Function(nameof(ListAnalyses))]
    [ApiOperation("Segmentation analyses", "Analysis summaries, newest first, one page at a time.")]
    [ApiQuery("pageSize", typeof(int), "Summaries per page.", Minimum = 1, Maximum = 100, Default = "20")]
    [ApiQuery("continuationToken", typeof(string), "The token of the previous page's answer.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(AnalysisList))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> ListAnalyses(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var query = QueryParameters.Read(request, "pageSize", "continuationToken");
        var pageSize = query.WholeNumber("pageSize", 20, 1, 100);
        var token = query.Text("continuationToken");
        if (!query.IsValid)
        {
            return query.Error;
        }

        Core.Storage.AnalysisPage page;
        try
        {
            page = await service.ListAsync(pageSize, token, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return ApiProblem.InvalidParameter("continuationToken", e.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
        }

        var next = page.ContinuationToken is null
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{ApiRoot}{Route}?pageSize={pageSize}&continuationToken={Uri.EscapeDataString(page.ContinuationToken)}");
        return new OkObjectResult(new AnalysisList(page.Items.Select(a => ToResource(a, null)).ToList(), page.ContinuationToken, next));
    }

    [Function(nameof(GetAnalysis))]
    [ApiOperation("Segmentation analyses", "One analysis: status, parameters and, once it succeeded, the full segmentation view.")]
    [ApiRouteParameter("id", "The analysis id (as answered by CreateAnalysis).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(AnalysisResource))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = ["analysis-not-found"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> GetAnalysis(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route + "/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var query = QueryParameters.Read(request);
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (MalformedId(id) is { } malformed)
        {
            return malformed;
        }

        var record = await service.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return UnknownAnalysis(id);
        }

        return new OkObjectResult(await DetailAsync(record, cancellationToken).ConfigureAwait(false));
    }

    [Function(nameof(GetAnalysisAssignments))]
    [ApiOperation("Segmentation analyses", "The segment of each customer of a finished analysis, paged.")]
    [ApiRouteParameter("id", "The analysis id (as answered by CreateAnalysis).")]
    [ApiQuery("page", typeof(int), "Page number.", Minimum = 1, Default = "1")]
    [ApiQuery("pageSize", typeof(int), "Customers per page.", Minimum = 1, Maximum = 1000, Default = "100")]
    [ApiResponse(StatusCodes.Status200OK, typeof(AnalysisAssignments))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = ["analysis-not-found"])]
    [ApiResponse(StatusCodes.Status409Conflict, Codes = ["analysis-not-ready"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> GetAnalysisAssignments(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route + "/{id}/assignments")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var query = QueryParameters.Read(request, "page", "pageSize");
        var page = query.WholeNumber("page", 1, 1, int.MaxValue);
        var pageSize = query.WholeNumber("pageSize", 100, 1, 1000);
        if (!query.IsValid)
        {
            return query.Error;
        }

        var (result, problem) = await FinishedResultAsync(id, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return problem!;
        }

        var all = result.Assignments;
        var items = all.Skip((int)Math.Min((long)(page - 1) * pageSize, int.MaxValue)).Take(pageSize).ToList();
        return new OkObjectResult(new AnalysisAssignments(id, page, pageSize, all.Count, items));
    }

    [Function(nameof(GetAnalysisDendrogram))]
    [ApiOperation("Segmentation analyses", "The merge tree of a finished hierarchical analysis.")]
    [ApiRouteParameter("id", "The analysis id (as answered by CreateAnalysis).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(AnalysisDendrogram))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = ["analysis-not-found", "no-dendrogram"])]
    [ApiResponse(StatusCodes.Status409Conflict, Codes = ["analysis-not-ready"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> GetAnalysisDendrogram(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route + "/{id}/dendrogram")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var query = QueryParameters.Read(request);
        if (!query.IsValid)
        {
            return query.Error;
        }

        var (result, problem) = await FinishedResultAsync(id, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return problem!;
        }

        if (result.Hierarchy is not { } hierarchy)
        {
            return ApiProblem.NotFound("no-dendrogram",
                $"Analysis '{id}' used {result.Parameters.Algorithm}; only hierarchical analyses have a merge tree (create one with algorithm=hierarchical).");
        }

        return new OkObjectResult(new AnalysisDendrogram(id, (result.Parameters.Linkage ?? "ward").ToLowerInvariant(), hierarchy.Sampled, hierarchy.LeafCount, hierarchy.LeafCustomerIds, hierarchy.Tree.Merges));
    }

    [Function(nameof(DeleteAnalysis))]
    [ApiOperation("Segmentation analyses", "Deletes an analysis and its stored result.")]
    [ApiRouteParameter("id", "The analysis id (as answered by CreateAnalysis).")]
    [ApiResponse(StatusCodes.Status204NoContent)]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = ["analysis-not-found"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> DeleteAnalysis(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Route + "/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var query = QueryParameters.Read(request);
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (MalformedId(id) is { } malformed)
        {
            return malformed;
        }

        return await service.DeleteAsync(id, cancellationToken).ConfigureAwait(false) ? new NoContentResult() : UnknownAnalysis(id);
    }

    /// <summary>400 for a route id this API can never have issued, before it reaches any storage call.</summary>
    private static ObjectResult? MalformedId(string id) =>
        AnalysisService.IsWellFormedId(id)
            ? null
            : ApiProblem.InvalidParameter("id", "An analysis id is 32 lower-case hexadecimal digits, as answered by CreateAnalysis.");

    /// <summary>The result of a succeeded analysis, or the problem to answer: 400 malformed id, 404 unknown, 409 not finished or failed.</summary>
    private async Task<(Core.Segmentation.SegmentationAnalysis? Result, ObjectResult? Problem)> FinishedResultAsync(string id, CancellationToken cancellationToken)
    {
        if (MalformedId(id) is { } malformed)
        {
            return (null, malformed);
        }

        var record = await service.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return (null, UnknownAnalysis(id));
        }

        if (record.Status != AnalysisStatus.Succeeded)
        {
            return (null, ApiProblem.Create(StatusCodes.Status409Conflict, "analysis-not-ready", "The analysis has no result.",
                $"Analysis '{id}' is {record.Status}{(record.Error is null ? string.Empty : $": {record.Error}")}."));
        }

        var result = await service.ReadResultAsync(id, cancellationToken).ConfigureAwait(false);
        return result is null ? (null, UnknownAnalysis(id)) : (result, null);
    }

    /// <summary>The analysis with its result view once it succeeded.</summary>
    private async Task<AnalysisResource> DetailAsync(StoredAnalysis record, CancellationToken cancellationToken)
    {
        var result = record.Status == AnalysisStatus.Succeeded ? await service.ReadResultAsync(record.AnalysisId, cancellationToken).ConfigureAwait(false) : null;
        return ToResource(record, result is null ? null : SegmentationView.FromResult(result));
    }

    private static ObjectResult UnknownAnalysis(string id) =>
        ApiProblem.NotFound("analysis-not-found", $"There is no analysis '{ApiProblem.Echo(id)}'.");

    private static string SelfPath(string id) => $"{Route}/{id}";

    private static AnalysisResource ToResource(StoredAnalysis record, SegmentationView? result)
    {
        var summary = AnalysisService.TryReadSummary(record);
        var self = ApiRoot + SelfPath(record.AnalysisId);
        var succeeded = record.Status == AnalysisStatus.Succeeded;
        return new AnalysisResource(
            record.AnalysisId,
            record.Status,
            record.CreatedAt,
            summary?.CompletedAt,
            summary?.Source ?? record.SourceBlobName,
            summary?.InputBytes,
            summary?.Parameters,
            summary?.K,
            summary?.Customers,
            summary?.Silhouette,
            record.Error,
            new AnalysisLinks(
                self,
                succeeded ? self + "/assignments" : null,
                succeeded && summary?.Parameters.Algorithm == "hierarchical" ? self + "/dendrogram" : null),
            result);
    }

    /// <summary>Multipart: the CSV part <c>file</c> streams into blob storage (counted against the limit); other parts are parameters.</summary>
    private async Task<Received> ReadMultipartAsync(string id, HttpRequest request, MediaTypeHeaderValue mediaType, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
        {
            return Received.Invalid(ApiProblem.MalformedBody("The multipart/form-data content type has no boundary."));
        }

        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        var fields = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        (string BlobName, long Bytes, string FileName)? file = null;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    return await FailAsync(id, ApiProblem.MalformedBody("Every multipart section needs a Content-Disposition: form-data header."), cancellationToken).ConfigureAwait(false);
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                if (name == "file")
                {
                    if (file is not null)
                    {
                        return await FailAsync(id, ApiProblem.InvalidParameter("file", "Send one file per analysis."), cancellationToken).ConfigureAwait(false);
                    }

                    var (blobName, bytes) = await service.StoreUploadAsync(id, section.Body, options.MaxUploadBytes, cancellationToken).ConfigureAwait(false);
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    fileName = string.IsNullOrWhiteSpace(fileName) ? "upload.csv" : Path.GetFileName(fileName);
                    file = (blobName, bytes, fileName.Length <= MaxSourceNameLength ? fileName : fileName[..MaxSourceNameLength]);
                    continue;
                }

                if (fields.Values.Sum(v => v.Count) >= MaxFields)
                {
                    return await FailAsync(id, ApiProblem.InvalidParameter(name, $"A form may carry at most {MaxFields} parameter fields."), cancellationToken).ConfigureAwait(false);
                }

                var value = await ReadFieldAsync(section.Body, cancellationToken).ConfigureAwait(false);
                if (value is null)
                {
                    return await FailAsync(id, ApiProblem.InvalidParameter(name, $"Form field '{name}' is longer than {MaxFieldBytes} bytes."), cancellationToken).ConfigureAwait(false);
                }

                if (!fields.TryGetValue(name, out var values))
                {
                    fields[name] = values = [];
                }

                values.Add(value);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not UploadTooLargeException && file is not null)
        {
            await service.DiscardUploadAsync(id, cancellationToken).ConfigureAwait(false);
            throw;
        }

        if (file is not { } stored)
        {
            return Received.Invalid(ApiProblem.InvalidParameter("file", "The form has no 'file' field: attach the CSV (transactions or a customer table) as 'file'."));
        }

        if (stored.Bytes == 0)
        {
            await service.DiscardUploadAsync(id, cancellationToken).ConfigureAwait(false);
            return Received.Invalid(ApiProblem.InvalidParameter("file", "The uploaded file is empty."));
        }

        return new Received(new AnalysisInput(stored.BlobName, stored.Bytes, stored.FileName, fields), null);
    }

    private async Task<Received> FailAsync(string id, ObjectResult problem, CancellationToken cancellationToken)
    {
        await service.DiscardUploadAsync(id, cancellationToken).ConfigureAwait(false);
        return Received.Invalid(problem);
    }

    /// <summary>
    /// JSON: <c>{"blob":"uploads/x.csv", "k":"auto", ...}</c> naming a blob in the uploads or training-data container,
    /// validated by <see cref="AnalysisService.TryParseInput"/> before any storage call.
    /// </summary>
    private async Task<Received> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request.Body, MaxJsonBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return Received.Invalid(ApiProblem.Create(StatusCodes.Status413PayloadTooLarge, "body-too-large", "The request body is too large.",
                $"A JSON request names a blob and its parameters and may be at most {MaxJsonBodyBytes} bytes; upload the CSV itself as multipart/form-data."));
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Received.Invalid(ApiProblem.MalformedBody("The body is not valid JSON; send an object such as {\"blob\": \"uploads/customers.csv\", \"k\": \"auto\"}."));
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return Received.Invalid(ApiProblem.MalformedBody("The body must be a JSON object such as {\"blob\": \"uploads/customers.csv\", \"k\": \"auto\"}."));
        }

        var fields = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string? blob = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == "blob")
            {
                blob = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                continue;
            }

            var values = property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray().ToList() : [property.Value];
            if (values.Any(v => v.ValueKind is not (JsonValueKind.String or JsonValueKind.Number)))
            {
                return Received.Invalid(ApiProblem.InvalidParameter(property.Name, $"'{property.Name}' must be a string or a number{(property.Name == "map" ? " (or an array of \"Field=Header\" strings)" : string.Empty)}."));
            }

            fields[property.Name] = values.Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToList();
        }

        if (string.IsNullOrWhiteSpace(blob))
        {
            return Received.Invalid(ApiProblem.InvalidParameter("blob", "Name the input as \"blob\": \"<container>/<name>\" (a string), or upload the CSV as multipart/form-data."));
        }

        if (!AnalysisService.TryParseInput(blob, out var reference, out var error))
        {
            return Received.Invalid(ApiProblem.InvalidParameter("blob", $"'blob' is not a readable blob name. {error}"));
        }

        var size = await service.GetBlobSizeAsync(reference, cancellationToken).ConfigureAwait(false);
        if (size is null)
        {
            return Received.Invalid(ApiProblem.InvalidParameter("blob", $"Blob '{reference}' does not exist."));
        }

        if (size > options.MaxUploadBytes)
        {
            return Received.Invalid(ApiProblem.TooLarge(options.MaxUploadBytes));
        }

        return new Received(new AnalysisInput(reference.ToString(), size.Value, reference.ToString(), fields), null);
    }

    /// <summary>A form field's text, or null when it is longer than <see cref="MaxFieldBytes"/>.</summary>
    private static async Task<string?> ReadFieldAsync(Stream body, CancellationToken cancellationToken) =>
        await RequestBody.ReadAsync(body, MaxFieldBytes, cancellationToken).ConfigureAwait(false) is { } bytes
            ? System.Text.Encoding.UTF8.GetString(bytes)
            : null;

    private sealed record AnalysisInput(string BlobName, long Bytes, string Source, Dictionary<string, List<string>> Fields);

    private sealed record Received(AnalysisInput? Input, ObjectResult? Error)
    {
        public static Received Invalid(ObjectResult error) => new(null, error);
    }
}
