using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Storage;
using SmartShop.Functions.Http;
using SmartShop.Functions.Serving;
using SmartShop.Functions.Tests.Auth;
using SmartShop.Functions.Tests.Privacy;
using SmartShop.Functions.Tests.Serving;
using SmartShop.Functions.Tests.Telemetry;
using Xunit.Abstractions;

namespace SmartShop.Functions.Tests.Http;

/// <summary>The app's HTTP functions with models loaded, against Azurite, with an Entra ID issuer configured for admin routes.</summary>
public sealed class FuzzedApi : IAsyncLifetime
{
    internal TestTokenIssuer Issuer { get; } = new();

    internal ApiHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The customer-data routes erase what they are asked to (known users among them): on storage of their own here.
        Host = new ApiHost(TestTokenIssuer.Settings, services =>
        {
            Issuer.Replace(services);
            IsolatedCustomerData.Register(services);
        });
        await ServingTestModels.PublishRecommenderAsync(Host.Registry, "r1");
        await ServingTestModels.PublishSegmentationAsync(Host.Registry, "s1");
        await Host.Refresh.RefreshAsync();
    }

    public Task DisposeAsync()
    {
        Host.Dispose();
        Issuer.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// At least 50,000 seeded hostile requests invoked directly on every HTTP function found by reflection (route values
/// bound from the route template, instances from the real service provider): no exception may escape a function, no
/// answer may be a 5xx, every 4xx must be a problem with a code, and every answer body must serialize.
/// </summary>
public sealed class ApiFuzzTests(FuzzedApi api, ITestOutputHelper output) : IClassFixture<FuzzedApi>
{
    private const int Seed = 20261124;
    private const int MinimumRequests = 50_000;

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task HostileRequestsNeverEscapeAsExceptionsOr5xx()
    {
        api.Host.Services.GetRequiredService<ServingModels>().Recommendations.Should().NotBeNull("the fuzz must reach past 503 model-not-loaded");
        var functions = OpenApiDocumentBuilder.HttpFunctions(typeof(ApiProblem).Assembly).ToList();
        functions.Should().HaveCountGreaterThan(5);
        var perFunction = (MinimumRequests + functions.Count - 1) / functions.Count;
        var plausible = ServingTestModels.KnownUsers.Take(20).Concat([ServingTestModels.PopularItem, "r1", "s1", "recommendations", "segmentation"]).ToList();
        var adminToken = api.Issuer.Token(["SmartShop.Admin"]);
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<(string Function, int Status), int>();

        var work = functions.SelectMany((function, f) => Enumerable.Range(0, perFunction).Select(i => (function, Seed + f * 100_000 + i))).ToList();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (item, _) =>
        {
            var (function, seed) = item;
            var outcome = await InvokeAsync(function.Method, function.Trigger, new HostileRequests(seed, plausible), () => adminToken);
            statuses.AddOrUpdate((function.Name, outcome.Status), 1, (_, n) => n + 1);
            if (outcome.Failure is not null)
            {
                failures.Enqueue($"{function.Name} seed {seed}: {outcome.Failure} [{outcome.Request}]");
            }
        });

        foreach (var group in statuses.GroupBy(s => s.Key.Function).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{group.Key}: " + string.Join(", ", group.OrderBy(s => s.Key.Status).Select(s => $"{s.Key.Status}×{s.Value}")));
        }

        statuses.Values.Sum().Should().BeGreaterThanOrEqualTo(MinimumRequests);
        failures.Should().BeEmpty($"{failures.Count} of {work.Count} hostile requests broke a function; first: {failures.Take(5).FirstOrDefault()}");
        statuses.Keys.Where(k => k.Status is >= 200 and < 300).Select(k => k.Function).Distinct().Should()
            .HaveCountGreaterThan(functions.Count / 2, "the plausible part of the mix must reach past validation in most functions");
    }

    [Theory]
    [InlineData(nameof(BrokenFunctions.Throws), "threw InvalidOperationException")]
    [InlineData(nameof(BrokenFunctions.Answers500), "answered 500")]
    [InlineData(nameof(BrokenFunctions.AnswersABare400), "without a problem code")]
    [InlineData(nameof(BrokenFunctions.AnswersUnserializable), "does not serialize")]
    [InlineData(nameof(BrokenFunctions.AnswersAnUndeclaredProblem), "do not declare")]
    public async Task TheHarnessReportsEachKindOfBreakage(string name, string failure)
    {
        var method = typeof(BrokenFunctions).GetMethod(name)!;
        var trigger = method.GetParameters()[0].GetCustomAttribute<HttpTriggerAttribute>()!;

        var outcome = await InvokeAsync(method, trigger, new HostileRequests(1, ["x"]), () => "token");

        outcome.Failure.Should().Contain(failure);
    }

    private async Task<(int Status, string? Failure, string Request)> InvokeAsync(MethodInfo method, HttpTriggerAttribute trigger, HostileRequests requests, Func<string> adminToken)
    {
        var http = new DefaultHttpContext { RequestServices = api.Host.Services };
        http.Response.Body = new MemoryStream();
        var request = http.Request;
        request.Method = (trigger.Methods?.FirstOrDefault() ?? "get").ToUpperInvariant();
        var routeValues = OpenApiDocumentBuilder.RouteParameters(trigger.Route ?? string.Empty).ToDictionary(p => p.Name, _ => requests.RouteValue(), StringComparer.OrdinalIgnoreCase);
        var knownQuery = method.GetCustomAttributes<ApiQueryAttribute>().Select(q => q.Name).ToList();
        request.QueryString = new QueryString(requests.Query(knownQuery));
        requests.Headers(request, method.GetCustomAttributes<ApiBodyAttribute>().Select(b => b.ContentType).ToList(), adminToken);
        var description = $"{request.Method} {trigger.Route} {Describe(routeValues)} query {Shorten(request.QueryString.Value)} content-type {Shorten(request.ContentType)} length {request.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "none"} body {request.Body.Length} bytes";

        try
        {
            var arguments = method.GetParameters().Select(p => Bind(p, http, routeValues)).ToArray();
            var instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(api.Host.Services, method.DeclaringType!);
            var returned = method.Invoke(instance, arguments);
            var result = returned switch
            {
                Task<IActionResult> task => await task,
                IActionResult actionResult => actionResult,
                _ => throw new InvalidOperationException($"unexpected return {returned?.GetType().Name ?? "null"}"),
            };
            return Judge(method, result, description);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return (0, $"threw {e.InnerException.GetType().Name}: {Shorten(e.InnerException.Message)}", description);
        }
        catch (Exception e)
        {
            return (0, $"threw {e.GetType().Name}: {Shorten(e.Message)}", description);
        }
    }

    private static (int Status, string? Failure, string Request) Judge(MethodInfo method, IActionResult result, string description)
    {
        var status = (result as IStatusCodeActionResult)?.StatusCode ?? StatusCodes.Status200OK;
        if (status >= 500)
        {
            var detail = result is ObjectResult { Value: ProblemDetails problem } ? $"{problem.Extensions["code"]}: {problem.Detail}" : result.GetType().Name;
            return (status, $"answered {status} ({detail})", description);
        }

        if (status >= 400 && (result is not ObjectResult { Value: ProblemDetails clientProblem } || !clientProblem.Extensions.ContainsKey("code")))
        {
            return (status, $"answered {status} without a problem code ({result.GetType().Name})", description);
        }

        // The OpenAPI document must tell clients every status and problem code they can get.
        if (status >= 400 && ((ProblemDetails)((ObjectResult)result).Value!).Extensions["code"] is string code
            && !method.GetCustomAttributes<ApiResponseAttribute>().Any(r => r.Status == status && r.Codes.Contains(code)))
        {
            return (status, $"answered {status} {code}, which its [ApiResponse] attributes do not declare", description);
        }

        if (result is ObjectResult { Value: { } value })
        {
            try
            {
                JsonSerializer.Serialize(value, value.GetType(), WebJson);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                return (status, $"answer does not serialize: {e.GetType().Name}: {Shorten(e.Message)}", description);
            }
        }

        return (status, null, description);
    }

    private static object? Bind(ParameterInfo parameter, HttpContext http, Dictionary<string, string> routeValues)
    {
        if (parameter.ParameterType == typeof(HttpRequest))
        {
            return http.Request;
        }

        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return CancellationToken.None;
        }

        if (parameter.ParameterType == typeof(FunctionContext))
        {
            return new TestFunctionContext(http);
        }

        if (parameter.ParameterType == typeof(string) && routeValues.TryGetValue(parameter.Name!, out var value))
        {
            return value;
        }

        throw new InvalidOperationException($"the fuzz test cannot bind parameter '{parameter.Name}' ({parameter.ParameterType.Name}); teach Bind about it");
    }

    private static string Describe(Dictionary<string, string> routeValues) =>
        string.Join(' ', routeValues.Select(p => $"{p.Key}={Shorten(p.Value)}"));

    private static string Shorten(string? text) =>
        text is null ? "null" : JsonSerializer.Serialize(text.Length <= 80 ? text : text[..80] + $"…({text.Length} chars)");
}

/// <summary>Functions broken in each way the fuzz harness must notice (not [Function]s: the host never sees them).</summary>
public sealed class BrokenFunctions
{
    public IActionResult Throws([HttpTrigger(AuthorizationLevel.Function, "get", Route = "broken/{id}")] HttpRequest request, string id) =>
        throw new InvalidOperationException(id);

    public IActionResult Answers500([HttpTrigger(AuthorizationLevel.Function, "get", Route = "broken")] HttpRequest request) =>
        ApiProblem.Create(StatusCodes.Status500InternalServerError, "oops", "Oops.", "Oops.");

    public IActionResult AnswersABare400([HttpTrigger(AuthorizationLevel.Function, "get", Route = "broken")] HttpRequest request) =>
        new BadRequestObjectResult("no");

    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["malformed-body"])]
    public IActionResult AnswersAnUndeclaredProblem([HttpTrigger(AuthorizationLevel.Function, "get", Route = "broken")] HttpRequest request) =>
        ApiProblem.InvalidParameter("x", "undeclared");

    public Task<IActionResult> AnswersUnserializable([HttpTrigger(AuthorizationLevel.Function, "post", Route = "broken")] HttpRequest request) =>
        Task.FromResult<IActionResult>(new OkObjectResult(new { element = default(JsonElement) }));
}
