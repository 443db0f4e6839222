using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartShop.Core.Experiments;
using SmartShop.Core.Storage;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Http;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Recommendations;

namespace SmartShop.Functions.Experiments;

/// <summary>
/// <c>/api/v1/experiments</c>: online experiments between recommendation strategies, created, listed, read and stopped
/// by an admin (master key; plus an admin token when Entra ID is configured). Definitions are stored under ETag
/// conditions: a create never replaces an experiment and a stop replaces the version it read.
/// </summary>
public sealed class ExperimentsFunctions(ExperimentStore store, ExperimentReport report, ModelRegistry registry, AdminAuthorizer authorizer, TimeProvider timeProvider)
{
    public const string Route = "v1/experiments";
    public const int MaxBodyBytes = 16 * 1024;
    public const string ExistsCode = "experiment-exists";
    public const string NotFoundCode = "experiment-not-found";
    public const string ConflictCode = "experiment-conflict";


    /// <summary>The recommendation endpoints an experiment may target (those that route by variant), as their routes name them.</summary>
    public static IReadOnlyList<string> Endpoints { get; } = [RecommendationFunctions.UserEndpoint];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [Function(nameof(CreateExperiment))]
    [ApiOperation("Experiments", "Starts an online experiment between recommendation strategies (admin only).",
        Description = "Variants: a name, a traffic weight and either a stored recommendations model version or a built-in strategy (popular). The first variant is the control. Users (or sessions) are assigned by a hash of the experiment id and their id: the same variant on every request and instance. Primary metric and guardrails: ctr, conversion, revenue-per-mille.")]
    [ApiBody(typeof(ExperimentRequest))]
    [ApiResponse(StatusCodes.Status201Created, typeof(Experiment))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter", "malformed-body", ModelRegistryFunctions.UnknownVersionCode])]
    [ApiResponse(StatusCodes.Status409Conflict, Codes = [ExistsCode])]
    [ApiResponse(StatusCodes.Status413PayloadTooLarge, Codes = ["body-too-large"])]
    [ApiResponse(StatusCodes.Status415UnsupportedMediaType, Codes = ["unsupported-media-type"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> CreateExperiment(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        if (QueryParameters.Read(request) is { IsValid: false } query)
        {
            return query.Error;
        }
        if (!RequestBody.IsJson(request))
        {
            return ApiProblem.UnsupportedMediaType("application/json (an experiment definition)");
        }
        if (await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false) is not { } body)
        {
            return ApiProblem.TooLarge(MaxBodyBytes);
        }

        ExperimentRequest? posted;
        try
        {
            posted = JsonSerializer.Deserialize<ExperimentRequest>(body, Json);
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) ? "" : $" (at {e.Path})";
            return ApiProblem.MalformedBody($"Send a JSON object {{\"id\", \"variants\": [{{\"name\", \"weight\", \"modelVersion\" or \"strategy\"}}], \"endpoints\", \"primaryMetric\", ...}}{where}.");
        }
        if (posted is null)
        {
            return ApiProblem.MalformedBody("Send a JSON object, not null.");
        }

        var experiment = posted.ToExperiment(timeProvider.GetUtcNow());
        if (experiment.Problems(Endpoints.ToList()) is { Count: > 0 } problems)
        {
            return ApiProblem.InvalidParameter("body", string.Join(" ", problems.Take(5)));
        }
        var versions = (await registry.ListVersionsAsync(ModelStatusBoard.Recommendations, cancellationToken).ConfigureAwait(false)).Select(v => v.Version).ToHashSet(StringComparer.Ordinal);
        if (experiment.Variants.FirstOrDefault(v => v.ModelVersion is { } version && !versions.Contains(version)) is { } unknown)
        {
            return ApiProblem.Create(StatusCodes.Status400BadRequest, ModelRegistryFunctions.UnknownVersionCode, "Unknown model version.",
                $"Variant '{unknown.Name}' names a recommendations version the registry does not hold; GET v1/models lists them.");
        }

        if (await store.TryCreateAsync(experiment, cancellationToken).ConfigureAwait(false) is not { } created)
        {
            return ApiProblem.Create(StatusCodes.Status409Conflict, ExistsCode, "The experiment exists.", $"An experiment '{experiment.Id}' exists; choose another id.");
        }
        request.HttpContext.Response.Headers.ETag = created.ETag;
        return new CreatedResult($"/api/{Route}/{created.Id}", created);
    }

    [Function(nameof(ListExperiments))]
    [ApiOperation("Experiments", "Every experiment, by id, with whether it is running now (admin only).")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ExperimentList))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> ListExperiments(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        if (QueryParameters.Read(request) is { IsValid: false } query)
        {
            return query.Error;
        }
        var now = timeProvider.GetUtcNow();
        var experiments = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        return new OkObjectResult(new ExperimentList(experiments.Select(e => new ExperimentSummary(e, e.IsRunning(now))).ToList()));
    }

    [Function(nameof(GetExperiment))]
    [ApiOperation("Experiments", "One experiment's definition; the ETag header is its version (admin only).")]
    [ApiRouteParameter("experimentId", "1-64 lower-case letters, digits or '-'.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ExperimentSummary))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = [NotFoundCode])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> GetExperiment(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route + "/{experimentId}")] HttpRequest request,
        string experimentId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await PrepareAsync(request, experimentId, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }
        if (await store.GetAsync(experimentId, cancellationToken).ConfigureAwait(false) is not { } experiment)
        {
            return Unknown(experimentId);
        }
        request.HttpContext.Response.Headers.ETag = experiment.ETag;
        return new OkObjectResult(new ExperimentSummary(experiment, experiment.IsRunning(timeProvider.GetUtcNow())));
    }

    [Function(nameof(StopExperiment))]
    [ApiOperation("Experiments", "Stops a running experiment now: every user sees the active model again (admin only).")]
    [ApiRouteParameter("experimentId", "1-64 lower-case letters, digits or '-'.")]
    [ApiHeader("If-Match", "The ETag of the definition this stop replaces (from GET); 409 if it has changed since.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ExperimentSummary))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = [NotFoundCode])]
    [ApiResponse(StatusCodes.Status409Conflict, Codes = [ConflictCode])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> StopExperiment(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Route + "/{experimentId}/stop")] HttpRequest request,
        string experimentId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await PrepareAsync(request, experimentId, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }
        if (await store.GetAsync(experimentId, cancellationToken).ConfigureAwait(false) is not { } experiment)
        {
            return Unknown(experimentId);
        }
        var now = timeProvider.GetUtcNow();
        var ifMatch = request.Headers.IfMatch.ToString().Trim();
        if (ifMatch.Length > 0 && ifMatch != "*" && ifMatch != experiment.ETag)
        {
            return Conflict();
        }
        if (!experiment.IsRunning(now))
        {
            // Already over: stopping it again changes nothing.
            return new OkObjectResult(new ExperimentSummary(experiment, false));
        }
        if (await store.TryReplaceAsync(experiment with { StoppedAt = now }, cancellationToken).ConfigureAwait(false) is not { } stopped)
        {
            return Conflict();
        }
        request.HttpContext.Response.Headers.ETag = stopped.ETag;
        return new OkObjectResult(new ExperimentSummary(stopped, false));
    }

    [Function(nameof(GetExperimentResults))]
    [ApiOperation("Experiments", "What each variant earned so far: impressions, clicks, add-to-carts, purchases, revenue, rates with 95 % intervals, the difference to the control, the sample-ratio check and a verdict (admin only).",
        Description = "From the rollups: impressions are the answers served per variant (counted by each instance, written every 30 s); clicks, add-to-carts and purchases are the ingested events attributed to the variant's answers when they arrived (by the recommendationId they name, or a click on the same item within the attribution window), each event once, so a replay changes nothing. Also per day, for charts. Covers the experiment's days, at most its last 92.")]
    [ApiRouteParameter("experimentId", "1-64 lower-case letters, digits or '-'.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ExperimentResultsView))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = [NotFoundCode])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> GetExperimentResults(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route + "/{experimentId}/results")] HttpRequest request,
        string experimentId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await PrepareAsync(request, experimentId, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }
        if (await store.GetAsync(experimentId, cancellationToken).ConfigureAwait(false) is not { } experiment)
        {
            return Unknown(experimentId);
        }

        return new OkObjectResult(await report.BuildAsync(experiment, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The refusal for an unauthorised caller, a query parameter (these routes take none) or a malformed id; null to go on.</summary>
    private async Task<IActionResult?> PrepareAsync(HttpRequest request, string experimentId, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Read(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        if (!query.IsValid)
        {
            return query.Error;
        }
        return Experiment.IsValidId(experimentId)
            ? null
            : ApiProblem.InvalidParameter("experimentId", "An experiment id is 1-64 lower-case letters, digits or '-'.");
    }

    private static ObjectResult Unknown(string experimentId) => ApiProblem.NotFound(NotFoundCode, $"There is no experiment '{experimentId}'.");

    private static ObjectResult Conflict() =>
        ApiProblem.Create(StatusCodes.Status409Conflict, ConflictCode, "The experiment has changed.", "The experiment changed since the ETag in If-Match (or during this call); read it again and retry.");
}

/// <summary>An experiment definition as posted; <c>startsAt</c> defaults to now.</summary>
public sealed record ExperimentRequest(
    string? Id,
    IReadOnlyList<ExperimentVariant>? Variants,
    IReadOnlyList<string>? Endpoints,
    DateTimeOffset? StartsAt,
    DateTimeOffset? StopsAt,
    string? PrimaryMetric,
    IReadOnlyList<string>? Guardrails)
{
    /// <summary>Set: a canary (two model versions, the active one first), promoted or rolled back by its results.</summary>
    public CanaryPolicy? Canary { get; init; }

    public Experiment ToExperiment(DateTimeOffset now) =>
        new(Id ?? "", Variants ?? [], Endpoints ?? [], StartsAt ?? now, StopsAt, PrimaryMetric ?? Experiment.Ctr, Guardrails ?? []) { Canary = Canary };
}

public sealed record ExperimentSummary(Experiment Experiment, bool Running);

public sealed record ExperimentList(IReadOnlyList<ExperimentSummary> Items);
