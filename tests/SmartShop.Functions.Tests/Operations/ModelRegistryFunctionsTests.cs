using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Storage;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Tests.Auth;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Recommendations;

namespace SmartShop.Functions.Tests.Operations;

/// <summary>The model registry routes invoked directly against Azurite, each test with its own model container.</summary>
public sealed class ModelRegistryFunctionsTests : IDisposable
{
    private const string Recommendations = ModelStatusBoard.Recommendations;
    private const string Segmentation = ModelStatusBoard.Segmentation;

    private readonly TestTokenIssuer _issuer = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("smartshop-models-").FullName;
    private readonly ApiHost _host;

    public ModelRegistryFunctionsTests() => _host = new ApiHost();

    private ModelRegistry Registry => _host.Services.GetRequiredService<ModelRegistry>();

    [Fact]
    public async Task ListsBothKindsNewestFirstWithMetricsTrainingAndTheActiveVersion()
    {
        await UploadAsync(Recommendations, "r1", ndcg: 0.40);
        await UploadAsync(Recommendations, "r2", ndcg: 0.43, training: """{"runId":"run-7","decision":"promoted","championMetrics":{"ndcg":0.40},"drift":{"psi":0.02}}""");
        await UploadAsync(Segmentation, "s1", ndcg: 0.1);
        (await Registry.TryActivateAsync(Recommendations, "r1")).Should().BeTrue();

        var catalog = ApiResults.Ok<ModelCatalog>(await Functions().ListModels(ApiHost.Request("GET"), default));

        catalog.Models.Select(m => m.Kind).Should().Equal(Recommendations, Segmentation);
        var recommendations = catalog.Models[0];
        recommendations.Versions.Select(v => v.Version).Should().Equal("r2", "r1");
        recommendations.Versions.Select(v => v.Active).Should().Equal(false, true);
        recommendations.Active!.Version.Should().Be("r1");
        recommendations.Active.ETag.Should().NotBeNullOrEmpty();
        recommendations.Versions[0].Metrics!.Value.GetProperty("ndcg").GetDouble().Should().Be(0.43);
        recommendations.Versions[0].Training!.Value.GetProperty("decision").GetString().Should().Be("promoted");
        recommendations.Versions[1].Training.Should().BeNull();
        catalog.Models[1].Active.Should().BeNull();
        catalog.Models[1].Versions.Should().ContainSingle().Which.Version.Should().Be("s1");
    }

    [Theory]
    [InlineData("?kind=segmentation", StatusCodes.Status200OK, null)]
    [InlineData("?kind=everything", StatusCodes.Status400BadRequest, "invalid-parameter")]
    [InlineData("?kinds=segmentation", StatusCodes.Status400BadRequest, "invalid-parameter")]
    [InlineData("?kind=segmentation&kind=recommendations", StatusCodes.Status400BadRequest, "invalid-parameter")]
    public async Task TheKindFilterIsStrict(string query, int status, string? code)
    {
        var result = await Functions().ListModels(ApiHost.Request("GET", query), default);

        if (code is null)
        {
            ApiResults.Ok<ModelCatalog>(result).Models.Should().ContainSingle().Which.Kind.Should().Be(Segmentation);
        }
        else
        {
            ApiResults.Problem(result, status, code);
        }
    }

    [Fact]
    public async Task GetsOneVersionSearchingBothKinds()
    {
        await UploadAsync(Segmentation, "seg-2026.11", ndcg: 0.2, training: """{"runId":"run-9"}""");

        var view = ApiResults.Ok<ModelVersionView>(await Functions().GetModelVersion(ApiHost.Request("GET"), "seg-2026.11", default));

        view.Kind.Should().Be(Segmentation);
        view.Active.Should().BeFalse();
        view.Training!.Value.GetProperty("runId").GetString().Should().Be("run-9");
    }

    [Fact]
    public async Task AnUnknownVersionIs404()
    {
        ApiResults.Problem(await Functions().GetModelVersion(ApiHost.Request("GET"), "nope", default), StatusCodes.Status404NotFound, ModelRegistryFunctions.UnknownVersionCode);
    }

    [Theory]
    [InlineData("../recommendations/active")]
    [InlineData("..")]
    [InlineData("%2e%2e")]
    [InlineData("v1\n")]
    [InlineData("")]
    public async Task AVersionNameNoVersionCanHaveIs400(string version)
    {
        ApiResults.Problem(await Functions().GetModelVersion(ApiHost.Request("GET"), version, default), StatusCodes.Status400BadRequest, "invalid-parameter");
    }

    [Fact]
    public async Task AVersionNameUsedByBothKindsNeedsTheKind()
    {
        await UploadAsync(Recommendations, "v1", ndcg: 0.3);
        await UploadAsync(Segmentation, "v1", ndcg: 0.3);

        ApiResults.Problem(await Functions().GetModelVersion(ApiHost.Request("GET"), "v1", default), StatusCodes.Status400BadRequest, "ambiguous-model-version");
        ApiResults.Ok<ModelVersionView>(await Functions().GetModelVersion(ApiHost.Request("GET", "?kind=segmentation"), "v1", default)).Kind.Should().Be(Segmentation);
    }

    [Fact]
    public async Task ActivationMovesThePointerAndAnswersIt()
    {
        await UploadAsync(Recommendations, "r1", ndcg: 0.4);
        await UploadAsync(Recommendations, "r2", ndcg: 0.5);
        await Registry.TryActivateAsync(Recommendations, "r1");

        var pointer = ApiResults.Ok<ActivePointer>(await Functions().ActivateModelVersion(ApiHost.Request("POST"), "r2", default));

        pointer.Should().Match<ActivePointer>(p => p.Kind == Recommendations && p.Version == "r2" && p.PreviousVersion == "r1");
        (await Registry.GetActiveAsync(Recommendations))!.ETag.ToString().Should().Be(pointer.ETag);
    }

    [Fact]
    public async Task ActivationOfASegmentationVersionNamesTheKind()
    {
        await UploadAsync(Segmentation, "s1", ndcg: 0.1);

        ApiResults.Problem(await Functions().ActivateModelVersion(ApiHost.Request("POST"), "s1", default), StatusCodes.Status404NotFound, ModelRegistryFunctions.UnknownVersionCode);
        ApiResults.Ok<ActivePointer>(await Functions().ActivateModelVersion(ApiHost.Request("POST", "?kind=segmentation"), "s1", default)).Version.Should().Be("s1");
    }

    [Fact]
    public async Task AStaleIfMatchIs409AndChangesNothing()
    {
        await UploadAsync(Recommendations, "r1", ndcg: 0.4);
        await UploadAsync(Recommendations, "r2", ndcg: 0.5);
        await Registry.TryActivateAsync(Recommendations, "r1");
        var seen = (await Registry.GetActiveAsync(Recommendations))!.ETag.ToString();
        await Registry.TryActivateAsync(Recommendations, "r2");

        var result = await Functions().ActivateModelVersion(ApiHost.Request("POST", configure: r => r.Headers.IfMatch = seen), "r1", default);

        ApiResults.Problem(result, StatusCodes.Status409Conflict, ModelRegistryFunctions.ConflictCode);
        (await Registry.GetActiveAsync(Recommendations))!.Version.Should().Be("r2");
    }

    [Fact]
    public async Task ConcurrentActivationsHaveOneWinnerPerPointerVersionAndTheRestAre409()
    {
        foreach (var version in new[] { "a", "b", "c", "d", "e", "f" })
        {
            await UploadAsync(Recommendations, version, ndcg: 0.1);
        }

        await Registry.TryActivateAsync(Recommendations, "a");
        var before = (await Registry.GetActiveAsync(Recommendations))!.ETag.ToString();
        var results = await Task.WhenAll(new[] { "b", "c", "d", "e", "f" }.Select(v =>
            Functions().ActivateModelVersion(ApiHost.Request("POST", configure: r => r.Headers.IfMatch = before), v, default)));

        var statuses = results.Select(r => ((ObjectResult)r).StatusCode).ToList();
        statuses.Should().OnlyContain(s => s == 200 || s == 409);
        statuses.Count(s => s == 200).Should().Be(1, "all five replace the same pointer (If-Match); only one may win");
        var winner = results.Select(r => ((ObjectResult)r).Value).OfType<ActivePointer>().Single();
        (await Registry.GetActiveAsync(Recommendations))!.Version.Should().Be(winner.Version);
    }

    [Fact]
    public async Task WithAnIssuerConfiguredActivationNeedsAnAdminToken()
    {
        using var host = new ApiHost(TestTokenIssuer.Settings, _issuer.Replace);
        var registry = host.Services.GetRequiredService<ModelRegistry>();
        await registry.UploadVersionAsync(Recommendations, "r1", WriteBundle("r1", 0.1, null));
        var functions = host.Create<ModelRegistryFunctions>();

        ApiResults.Problem(await functions.ActivateModelVersion(ApiHost.Request("POST"), "r1", default), StatusCodes.Status401Unauthorized, "unauthorized");
        ApiResults.Problem(await functions.ActivateModelVersion(Bearer(_issuer.Token(["Reader"])), "r1", default), StatusCodes.Status403Forbidden, "forbidden");
        (await registry.GetActiveAsync(Recommendations)).Should().BeNull();
        ApiResults.Ok<ActivePointer>(await functions.ActivateModelVersion(Bearer(_issuer.Token(["SmartShop.Admin"])), "r1", default)).Version.Should().Be("r1");
    }

    public void Dispose()
    {
        _host.Dispose();
        _issuer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static HttpRequest Bearer(string token) => ApiHost.Request("POST", configure: r => r.Headers.Authorization = "Bearer " + token);

    private ModelRegistryFunctions Functions() => _host.Create<ModelRegistryFunctions>();

    private async Task UploadAsync(string kind, string version, double ndcg, string? training = null)
    {
        await Registry.UploadVersionAsync(kind, version, WriteBundle(kind + "-" + version, ndcg, training));
        // Versions are ordered by their creation stamp (millisecond precision).
        await Task.Delay(5);
    }

    private string WriteBundle(string name, double ndcg, string? training)
    {
        var directory = Path.Combine(_directory, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "model.bin"), name);
        var manifest = $$"""{"format":"test","metrics":{"ndcg":{{ndcg.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}{{(training is null ? "" : ",\"training\":" + training)}}}""";
        File.WriteAllText(Path.Combine(directory, ModelRegistry.ManifestFileName), manifest);
        return directory;
    }

}
