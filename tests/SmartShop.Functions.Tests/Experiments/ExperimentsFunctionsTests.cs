using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Experiments;
using SmartShop.Core.Storage;
using SmartShop.Functions.Experiments;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Recommendations;

namespace SmartShop.Functions.Tests.Experiments;

/// <summary>The experiment admin routes invoked directly against Azurite.</summary>
public sealed class ExperimentsFunctionsTests : IDisposable
{
    private static readonly System.Text.Json.JsonSerializerOptions WebJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    private readonly string _directory = Directory.CreateTempSubdirectory("smartshop-experiments-").FullName;
    private readonly ApiHost _host = new();
    private readonly string _id = "exp-" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private ExperimentsFunctions Functions => _host.Create<ExperimentsFunctions>();

    private string Body(string variantB = """{"name": "personal", "weight": 1, "modelVersion": "r1"}""", string extra = "") => $$"""
        {"id": "{{_id}}", "variants": [{"name": "control", "weight": 1, "strategy": "popular"}, {{variantB}}],
         "endpoints": ["users/recommendations"], "primaryMetric": "ctr", "guardrails": ["revenue-per-mille"]{{extra}}}
        """;

    [Fact]
    public async Task AnExperimentIsCreatedOnceReadListedAndStoppedUnderItsETag()
    {
        await UploadVersionAsync("r1");

        var created = await Functions.CreateExperiment(ApiHost.Post("/api/v1/experiments", Body()), default);
        var again = await Functions.CreateExperiment(ApiHost.Post("/api/v1/experiments", Body()), default);

        var experiment = created.Should().BeOfType<CreatedResult>().Subject.Value.Should().BeOfType<Experiment>().Subject;
        experiment.Id.Should().Be(_id);
        experiment.Control.Strategy.Should().Be("popular");
        ApiResults.Problem(again, StatusCodes.Status409Conflict, ExperimentsFunctions.ExistsCode);
        var read = ApiResults.Ok<ExperimentSummary>(await Functions.GetExperiment(ApiHost.Get("/x"), _id, default));
        read.Running.Should().BeTrue("it starts now by default");
        ApiResults.Ok<ExperimentList>(await Functions.ListExperiments(ApiHost.Get("/x"), default)).Items.Should().Contain(s => s.Experiment.Id == _id);

        var stale = await Functions.StopExperiment(ApiHost.Request("POST", configure: r => r.Headers.IfMatch = "\"0x0\""), _id, default);
        var stopped = ApiResults.Ok<ExperimentSummary>(await Functions.StopExperiment(ApiHost.Request("POST", configure: r => r.Headers.IfMatch = read.Experiment.ETag), _id, default));

        ApiResults.Problem(stale, StatusCodes.Status409Conflict, ExperimentsFunctions.ConflictCode);
        stopped.Running.Should().BeFalse();
        stopped.Experiment.StoppedAt.Should().NotBeNull();
        ApiResults.Ok<ExperimentSummary>(await Functions.GetExperiment(ApiHost.Get("/x"), _id, default)).Running.Should().BeFalse();
    }

    [Fact]
    public async Task AnExperimentWithNothingServedYetHasResultsThatSaySo()
    {
        await UploadVersionAsync("r1");
        await Functions.CreateExperiment(ApiHost.Post("/api/v1/experiments", Body()), default);

        var results = ApiResults.Ok<ExperimentResultsView>(await Functions.GetExperimentResults(ApiHost.Get("/x"), _id, default));
        var json = System.Text.Json.JsonSerializer.Serialize(results, WebJson);

        results.Results.Variants.Should().OnlyContain(v => v.Impressions == 0 && v.Clicks == 0);
        results.Results.SampleRatioMismatch.Should().BeFalse();
        results.Results.Verdict.Should().StartWith("No significant difference between personal and control on CTR yet (0.0 points, 95 % CI none yet, p = 1)");
        json.Should().Contain("\"ciLow\":null", "no interval without data, and the answer still serialises");
        ApiResults.Problem(await Functions.GetExperimentResults(ApiHost.Get("/x", "windowHours=0"), _id, default), StatusCodes.Status400BadRequest, "invalid-parameter");
        ApiResults.Problem(await Functions.GetExperimentResults(ApiHost.Get("/x"), "no-such-experiment", default), StatusCodes.Status404NotFound, ExperimentsFunctions.NotFoundCode);
    }

    [Theory]
    [InlineData("""{"name": "personal", "weight": 0, "modelVersion": "r1"}""", "", "invalid-parameter", "Variant 'personal': the weight is a positive number.")]
    [InlineData("""{"name": "personal", "weight": 1}""", "", "invalid-parameter", "give either a model version or a strategy")]
    [InlineData("""{"name": "personal", "weight": 1, "modelVersion": "never-trained"}""", "", ModelRegistryFunctions.UnknownVersionCode, "names a recommendations version the registry does not hold")]
    [InlineData("""{"name": "personal", "weight": 1, "modelVersion": "r1"}""", """, "colour": "red" """, "malformed-body", "Send a JSON object")]
    public async Task AnInvalidDefinitionIsA400ThatSaysWhy(string variant, string extra, string code, string detail)
    {
        await UploadVersionAsync("r1");

        var result = await Functions.CreateExperiment(ApiHost.Post("/api/v1/experiments", Body(variant, extra)), default);

        ApiResults.Problem(result, StatusCodes.Status400BadRequest, code).Detail.Should().Contain(detail);
        ApiResults.Problem(await Functions.GetExperiment(ApiHost.Get("/x"), _id, default), StatusCodes.Status404NotFound, ExperimentsFunctions.NotFoundCode);
    }

    [Theory]
    [InlineData("../models")]
    [InlineData("UPPER")]
    [InlineData("a%2Fb")]
    public async Task AnIdThatIsNotAnIdIsRefusedBeforeStorage(string id)
    {
        ApiResults.Problem(await Functions.GetExperiment(ApiHost.Get("/x"), id, default), StatusCodes.Status400BadRequest, "invalid-parameter");
        ApiResults.Problem(await Functions.StopExperiment(ApiHost.Request("POST"), id, default), StatusCodes.Status400BadRequest, "invalid-parameter");
    }

    private async Task UploadVersionAsync(string version)
    {
        var bundle = Path.Combine(_directory, version);
        Directory.CreateDirectory(bundle);
        await File.WriteAllTextAsync(Path.Combine(bundle, "model.bin"), version);
        await File.WriteAllTextAsync(Path.Combine(bundle, ModelRegistry.ManifestFileName), """{"format":"test","metrics":{}}""");
        var registry = _host.Services.GetRequiredService<ModelRegistry>();
        if (!(await registry.ListVersionsAsync(ModelStatusBoard.Recommendations)).Any(v => v.Version == version))
        {
            await registry.UploadVersionAsync(ModelStatusBoard.Recommendations, version, bundle);
        }
    }
}
