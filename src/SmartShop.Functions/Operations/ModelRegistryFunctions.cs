using System.Globalization;
using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Storage;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Http;

namespace SmartShop.Functions.Operations;

/// <summary>
/// The model registry over HTTP: <c>GET v1/models</c>, <c>GET v1/models/{version}</c> and the admin-only
/// <c>POST v1/models/{version}/activate</c>, which moves a kind's active pointer (the serving instances pick it up
/// on their next poll).
/// </summary>
public sealed partial class ModelRegistryFunctions(ModelRegistry registry, AdminAuthorizer authorizer, ILogger<ModelRegistryFunctions> logger)
{
    public const string KindParameter = "kind";
    public const string UnknownVersionCode = "unknown-model-version";
    public const string ConflictCode = "activation-conflict";

    private static readonly string Kinds = string.Join(", ", ModelStatusBoard.Slots);

    [Function(nameof(ListModels))]
    [ApiOperation("Models", "Every stored version of each model kind, newest first, with its metrics, training record and which one is active.")]
    [ApiQuery(KindParameter, typeof(string), "Only this model kind: recommendations or segmentation.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelCatalog))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    public async Task<IActionResult> ListModels(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/models")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ReadKinds(request, out var kinds) is { } invalid)
        {
            return invalid;
        }

        var models = new List<ModelKindVersions>();
        foreach (var kind in kinds)
        {
            var active = await registry.GetActiveAsync(kind, cancellationToken).ConfigureAwait(false);
            var versions = await registry.ListVersionsAsync(kind, cancellationToken).ConfigureAwait(false);
            models.Add(new ModelKindVersions(kind, ActivePointer.From(kind, active), versions.Select(v => ModelVersionView.From(v, active)).ToList()));
        }

        return new OkObjectResult(new ModelCatalog(models));
    }

    [Function(nameof(GetModelVersion))]
    [ApiOperation("Models", "One stored model version: metrics, training record and whether it is active.")]
    [ApiRouteParameter("version", "The version name (letters, digits, '.', '_', '-').")]
    [ApiQuery(KindParameter, typeof(string), "The model kind; without it both kinds are searched.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ModelVersionView))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter", "ambiguous-model-version"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = [UnknownVersionCode])]
    public async Task<IActionResult> GetModelVersion(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/models/{version}")] HttpRequest request,
        string version,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ReadKinds(request, out var kinds) is { } invalid)
        {
            return invalid;
        }

        if (!ModelRegistry.IsValidVersionName(version))
        {
            return MalformedVersion();
        }

        var found = new List<ModelVersionView>();
        foreach (var kind in kinds)
        {
            var versions = await registry.ListVersionsAsync(kind, cancellationToken).ConfigureAwait(false);
            if (versions.FirstOrDefault(v => v.Version == version) is { } match)
            {
                var active = await registry.GetActiveAsync(kind, cancellationToken).ConfigureAwait(false);
                found.Add(ModelVersionView.From(match, active));
            }
        }

        return found.Count switch
        {
            0 => UnknownVersion(version),
            1 => new OkObjectResult(found[0]),
            _ => ApiProblem.Create(StatusCodes.Status400BadRequest, "ambiguous-model-version", "The version exists for more than one kind.",
                $"Both kinds have a version '{version}'; name the kind with ?kind=({Kinds})."),
        };
    }

    [Function(nameof(ActivateModelVersion))]
    [ApiOperation("Models", "Makes a stored version the active one of its kind (admin only).",
        Description = "Moves the kind's active pointer under an ETag condition; serving instances load the new version on their next poll. Send `If-Match` with the ETag of the pointer you looked at to be sure you replace exactly that one.")]
    [ApiRouteParameter("version", "The version to activate.")]
    [ApiQuery(KindParameter, typeof(string), "The model kind.", Default = ModelStatusBoard.Recommendations)]
    [ApiHeader("If-Match", "The ETag of the active pointer this change replaces (from GET v1/models); 409 if it has changed since.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ActivePointer))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = [UnknownVersionCode])]
    [ApiResponse(StatusCodes.Status409Conflict, Codes = [ConflictCode])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["auth-unavailable"])]
    public async Task<IActionResult> ActivateModelVersion(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "v1/models/{version}/activate")] HttpRequest request,
        string version,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        if (ReadKinds(request, out var kinds) is { } invalid)
        {
            return invalid;
        }

        // Activation names one kind; recommendations unless ?kind= says otherwise.
        var kind = kinds.Count == 1 ? kinds[0] : ModelStatusBoard.Recommendations;

        if (!ModelRegistry.IsValidVersionName(version))
        {
            return MalformedVersion();
        }

        var current = await registry.GetActiveAsync(kind, cancellationToken).ConfigureAwait(false);
        var ifMatch = request.Headers.IfMatch.ToString().Trim();
        if (ifMatch.Length > 0 && ifMatch != "*" && current?.ETag != new ETag(ifMatch))
        {
            return Conflict(kind, "The active pointer has changed since the ETag in If-Match; read it again and retry.");
        }

        bool activated;
        try
        {
            // A recommendations version brings its run's segmentation along, so serving keeps one run's pair.
            activated = kind == ModelStatusBoard.Recommendations
                ? await registry.TryActivateRunAsync(kind, version, current?.ETag, ModelStatusBoard.Segmentation, cancellationToken).ConfigureAwait(false)
                : await registry.TryActivateAsync(kind, version, current?.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            return UnknownVersion(version);
        }

        if (!activated)
        {
            return Conflict(kind, "Another activation changed the active pointer at the same time; read it again and retry.");
        }

        var now = await registry.GetActiveAsync(kind, cancellationToken).ConfigureAwait(false);
        LogActivated(logger, kind, version, current?.Version);
        return new OkObjectResult(ActivePointer.From(kind, now));
    }

    /// <summary>The kinds a request covers (the one named by ?kind=, or all), or the 400 for a bad query string.</summary>
    private static ObjectResult? ReadKinds(HttpRequest request, out IReadOnlyList<string> kinds)
    {
        kinds = ModelStatusBoard.Slots;
        var query = QueryParameters.Read(request, KindParameter);
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (query.Text(KindParameter) is not { } kind)
        {
            return null;
        }

        if (!ModelStatusBoard.Slots.Contains(kind, StringComparer.Ordinal))
        {
            return ApiProblem.InvalidParameter(KindParameter, $"'{KindParameter}' must be one of: {Kinds}.");
        }

        kinds = [kind];
        return null;
    }

    private static ObjectResult UnknownVersion(string version) =>
        ApiProblem.NotFound(UnknownVersionCode, $"No model has a version '{version}'.");

    /// <summary>400 for a name no version can have, before it reaches the registry's storage.</summary>
    private static ObjectResult MalformedVersion() =>
        ApiProblem.InvalidParameter("version", "A version name is 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit.");

    private static ObjectResult Conflict(string kind, string detail)
    {
        var result = ApiProblem.Create(StatusCodes.Status409Conflict, ConflictCode, "The active model changed concurrently.", detail);
        ((ProblemDetails)result.Value!).Extensions[KindParameter] = kind;
        return result;
    }

    [LoggerMessage(EventId = 9201, Level = LogLevel.Information, Message = "Model {Kind} version {Version} activated (was {PreviousVersion})")]
    private static partial void LogActivated(ILogger logger, string kind, string version, string? previousVersion);
}

/// <summary>The answer of <c>GET v1/models</c>: one entry per model kind.</summary>
public sealed record ModelCatalog(IReadOnlyList<ModelKindVersions> Models);

/// <summary>A model kind's active pointer (null before any activation) and its versions, newest first.</summary>
public sealed record ModelKindVersions(string Kind, ActivePointer? Active, IReadOnlyList<ModelVersionView> Versions);

/// <summary>A stored version: <see cref="Metrics"/> and <see cref="Training"/> (run id, decision, champion metrics, drift) as its manifest has them.</summary>
public sealed record ModelVersionView(string Kind, string Version, DateTimeOffset CreatedAt, bool Active, JsonElement? Metrics, JsonElement? Training)
{
    public static ModelVersionView From(ModelVersionInfo info, ActiveModel? active)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new ModelVersionView(info.Model, info.Version, info.CreatedAt, active?.Version == info.Version, info.Metrics, info.Training);
    }
}

/// <summary>The version a kind serves, the one before it, when it was activated and the pointer's ETag (for If-Match).</summary>
public sealed record ActivePointer(string Kind, string Version, string? PreviousVersion, DateTimeOffset ActivatedAt, string ETag)
{
    public static ActivePointer? From(string kind, ActiveModel? active) =>
        active is null ? null : new ActivePointer(kind, active.Version, active.PreviousVersion, active.ActivatedAt, active.ETag.ToString());
}
