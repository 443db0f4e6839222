using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Privacy;
using SmartShop.Core.Segmentation;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Http;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Serving;
using N = SmartShop.Core.Segmentation.CustomerFeatureNames;

namespace SmartShop.Functions.Segmentation;

/// <summary>
/// The served segmentation model: <c>GET /api/v1/segments</c> (everything a dashboard charts),
/// <c>GET /api/v1/users/{userId}/segment</c> and <c>POST /api/v1/segments/predict</c> (segment with its explanation).
/// </summary>
public sealed class SegmentsFunctions(ServingModels serving, DocumentLogWriter logWriter, SmartShopTelemetry telemetry, TimeProvider timeProvider, AdminAuthorizer authorizer, ErasedCustomers erasedCustomers)
{
    /// <summary>Endpoint name of the prediction log and of the latency histogram (<c>smartshop.recommendation.latency</c>).</summary>
    public const string LogEndpoint = "segment";

    public const string PredictEndpoint = "segment-predict";
    public const int TopProducts = 10;
    private const int MaxBodyBytes = 16 * 1024;

    /// <summary>Upper bound on any feature value: far beyond real customers, still safe for the log and z-scaling.</summary>
    private const double MaxMagnitude = 1e12;

    /// <summary>Short names accepted for the transaction features whose model names carry a unit.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["recency"] = N.RecencyDays,
        ["tenure"] = N.TenureDays,
    };

    [Function(nameof(GetSegments))]
    [ApiOperation("Segments", "The active segmentation model: k, elbow curve, quality metrics, sizes, centroids, personas, PCA sample.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(ActiveSegmentation))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["model-not-loaded"])]
    public IActionResult GetSegments(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/segments")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = QueryParameters.Read(request);
        if (!query.IsValid)
        {
            return query.Error;
        }

        var served = serving.Segmentation;
        return served is null
            ? ApiProblem.ModelNotLoaded(request.HttpContext.Response, ModelStatusBoard.Segmentation)
            : new OkObjectResult(new ActiveSegmentation(served.Version, served.LoadedAt, SegmentationView.FromModel(served.Saved.Model)));
    }

    [Function(nameof(GetUserSegment))]
    [ApiOperation("Segments", "A known customer's segment, persona, confidence and explanation (admin only: it carries the customer's own figures).")]
    [ApiRouteParameter("userId", "The customer id.")]
    [ApiResponse(StatusCodes.Status200OK, typeof(SegmentExplanation))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status404NotFound, Codes = ["unknown-customer"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["model-not-loaded", "auth-unavailable"])]
    public async Task<IActionResult> GetUserSegment(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v1/users/{userId}/segment")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var query = QueryParameters.Read(request);
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (RouteIds.Check("userId", userId) is { } invalid)
        {
            return invalid;
        }

        var served = serving.Segmentation;
        if (served is null)
        {
            return ApiProblem.ModelNotLoaded(request.HttpContext.Response, ModelStatusBoard.Segmentation);
        }

        var known = served.Saved.KnownCustomers;
        var row = known.IndexOfCustomer(userId);
        // An erased customer's row stays in a loaded model until the next training run; it is answered as unknown.
        if (row < 0 || await erasedCustomers.IsErasedAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            return ApiProblem.NotFound("unknown-customer",
                $"Customer '{userId}' is not in the training data of segmentation {served.Version}; POST the customer's features to /api/v1/segments/predict instead.");
        }

        return new OkObjectResult(Respond(served, served.Saved.Predictor.Explain(known.Row(row), userId), userId, LogEndpoint, started));
    }

    [Function(nameof(PredictSegment))]
    [ApiOperation("Segments", "The segment of a posted feature vector (recency, frequency, monetary and behaviour features), with the segment's top products.")]
    [ApiBody(typeof(System.Text.Json.Nodes.JsonObject), Description = "{\"features\": {\"recency_days\": 12, \"frequency\": 4, ...}, \"userId\"?: string}")]
    [ApiResponse(StatusCodes.Status200OK, typeof(SegmentExplanation))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter", "malformed-body"])]
    [ApiResponse(StatusCodes.Status413PayloadTooLarge, Codes = ["body-too-large"])]
    [ApiResponse(StatusCodes.Status415UnsupportedMediaType, Codes = ["unsupported-media-type"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["model-not-loaded"])]
    public async Task<IActionResult> PredictSegment(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/segments/predict")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var query = QueryParameters.Read(request);
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (!RequestBody.IsJson(request))
        {
            return ApiProblem.UnsupportedMediaType("application/json");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return ApiProblem.TooLarge(MaxBodyBytes);
        }

        var served = serving.Segmentation;
        if (served is null)
        {
            return ApiProblem.ModelNotLoaded(request.HttpContext.Response, ModelStatusBoard.Segmentation);
        }

        var body = await RequestBody.ReadAsync(request.Body, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return ApiProblem.TooLarge(MaxBodyBytes);
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 4 });
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return ApiProblem.MalformedBody("The body is not valid JSON; send {\"features\": {\"recency_days\": 12, \"frequency\": 4, ...}}.");
        }

        var predictor = served.Saved.Predictor;
        var (values, userId, problem) = ReadFeatures(root, predictor.FeatureNames);
        return problem ?? new OkObjectResult(Respond(served, predictor.Explain(values, userId), userId, PredictEndpoint, started));
    }

    /// <summary>
    /// <c>{"features": {name: number, ...}, "userId"?: "..."}</c>: every model feature exactly once (the names are in
    /// <c>GET /api/v1/segments</c> → <c>result.features</c>), finite and within its range.
    /// </summary>
    private static (double[] Values, string? UserId, ObjectResult? Problem) ReadFeatures(JsonElement root, IReadOnlyList<string> featureNames)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ([], null, ApiProblem.MalformedBody("The body must be a JSON object: {\"features\": {...}, \"userId\": \"optional\"}."));
        }

        string? userId = null;
        JsonElement? features = null;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "features" when property.Value.ValueKind == JsonValueKind.Object:
                    features = property.Value;
                    break;
                case "userId" when property.Value.ValueKind == JsonValueKind.String:
                    userId = property.Value.GetString();
                    if (RouteIds.Check("userId", userId) is { } invalid)
                    {
                        return ([], null, invalid);
                    }

                    break;
                case "features":
                    return ([], null, ApiProblem.InvalidParameter("features", "'features' must be an object of feature name → number."));
                case "userId":
                    return ([], null, ApiProblem.InvalidParameter("userId", "'userId' must be a string."));
                default:
                    return ([], null, ApiProblem.InvalidParameter(ApiProblem.Echo(property.Name), $"Unknown property '{ApiProblem.Echo(property.Name)}'; the body has 'features' and optionally 'userId'."));
            }
        }

        if (features is not { } given)
        {
            return ([], null, ApiProblem.InvalidParameter("features", $"Send the customer's features: {{\"features\": {{{string.Join(", ", featureNames.Select(f => $"\"{f}\": …"))}}}}}."));
        }

        var values = new double[featureNames.Count];
        var seen = new bool[featureNames.Count];
        foreach (var property in given.EnumerateObject())
        {
            var name = Aliases.GetValueOrDefault(property.Name, property.Name);
            var index = IndexOf(featureNames, name);
            var parameter = "features." + ApiProblem.Echo(property.Name);
            if (index < 0)
            {
                return ([], null, ApiProblem.InvalidParameter(parameter, $"'{ApiProblem.Echo(property.Name)}' is not a feature of this model; its features are {string.Join(", ", featureNames)}."));
            }

            if (seen[index])
            {
                return ([], null, ApiProblem.InvalidParameter(parameter, $"'{name}' is given twice."));
            }

            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                return ([], null, ApiProblem.InvalidParameter(parameter, $"'{name}' must be a finite JSON number."));
            }

            var (min, max) = RangeOf(name);
            if (value < min || value > max)
            {
                return ([], null, ApiProblem.InvalidParameter(parameter, string.Create(CultureInfo.InvariantCulture, $"'{name}' must be from {min:G} to {max:G}; got {value:G}.")));
            }

            values[index] = value;
            seen[index] = true;
        }

        var missing = featureNames.Where((_, i) => !seen[i]).ToList();
        return missing.Count > 0
            ? ([], null, ApiProblem.InvalidParameter("features", $"Missing features: {string.Join(", ", missing)} (the model needs all of {string.Join(", ", featureNames)})."))
            : (values, userId, null);
    }

    /// <summary>Counts, days and values cannot be negative (net spend can: returns); rates are shares.</summary>
    private static (double Min, double Max) RangeOf(string feature) => feature switch
    {
        N.Monetary => (-MaxMagnitude, MaxMagnitude),
        N.AddToCartRate or N.ViewToPurchaseRate => (0, 1),
        N.RecencyDays or N.TenureDays or N.Frequency or N.AverageBasketValue or N.DistinctProducts or N.PageViews or N.Sessions => (0, MaxMagnitude),
        _ => (-MaxMagnitude, MaxMagnitude),
    };

    private SegmentExplanation Respond(ServedSegmentation served, CustomerExplanation explanation, string? userId, string endpoint, long started)
    {
        var segment = served.Saved.Model.Segments[explanation.Segment];
        var products = TopProductsOf(served, segment);
        var predictionId = Guid.NewGuid().ToString("N");
        var latency = Stopwatch.GetElapsedTime(started);
        if (userId is not null)
        {
            // Non-blocking: a full log queue drops the entry (counted by the writer), never delays the answer.
            logWriter.TryLogPrediction(new PredictionLogEntry(userId, predictionId, timeProvider.GetUtcNow(), endpoint, served.Version,
                products?.Select(p => p.ItemId).ToList() ?? [], latency.TotalMilliseconds));
        }

        telemetry.RecordRecommendation(endpoint, served.Version, latency);

        return new SegmentExplanation(
            userId,
            predictionId,
            served.Version,
            explanation.Segment,
            explanation.Persona,
            segment.Strategy,
            explanation.Confidence,
            explanation.Distance,
            explanation.Features,
            explanation.RunnerUpSegment is { } runnerUp ? new RunnerUpSegment(runnerUp, explanation.RunnerUpPersona!, explanation.RunnerUpDistance!.Value, explanation.MovesToRunnerUp) : null,
            explanation.IsAnomaly,
            explanation.AnomalyDescription,
            products);
    }

    /// <summary>The segment's trending items, when the served recommender's per-segment trending came from this segmentation version.</summary>
    private IReadOnlyList<RecommendedItem>? TopProductsOf(ServedSegmentation served, SegmentDefinition segment)
    {
        var recommendations = serving.Recommendations;
        if (recommendations?.Trending is null || recommendations.SegmentationVersion != served.Version)
        {
            return null;
        }

        // The trending table names segments "<id> <persona>" (ModelRefreshService builds it from this model).
        var name = string.Create(CultureInfo.InvariantCulture, $"{segment.Id} {segment.Persona}");
        return recommendations.Trending.Segments.Contains(name, StringComparer.Ordinal)
            ? recommendations.Recommender.Trending(new TrendingRequest { Segment = name, K = TopProducts })
            : null;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary><c>GET /api/v1/segments</c>: the served version and its <see cref="SegmentationView"/> (the same shape as an analysis result).</summary>
public sealed record ActiveSegmentation(string ModelVersion, DateTimeOffset LoadedAt, SegmentationView Result);

/// <summary>
/// A customer's segment and why: per-feature z-scores and shares of the distance, the runner-up and the nearest
/// achievable change that moves the customer there, the anomaly flag, and the segment's trending products (null when no recommender built from this
/// segmentation is served).
/// </summary>
public sealed record SegmentExplanation(
    string? UserId,
    string PredictionId,
    string ModelVersion,
    int Segment,
    string Persona,
    string Strategy,
    double Confidence,
    double Distance,
    IReadOnlyList<FeatureContribution> Features,
    RunnerUpSegment? RunnerUp,
    bool IsAnomaly,
    string? AnomalyDescription,
    IReadOnlyList<RecommendedItem>? TopProducts);

public sealed record RunnerUpSegment(int Segment, string Persona, double Distance, IReadOnlyList<FeatureMove> MovesToReach);
