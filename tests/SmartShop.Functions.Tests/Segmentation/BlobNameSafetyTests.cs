using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartShop.Core.Privacy;
using SmartShop.Core.Storage;
using SmartShop.Functions.Operations;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Serving;
using static SmartShop.Functions.Tests.Segmentation.AnalysisRequests;

namespace SmartShop.Functions.Tests.Segmentation;

/// <summary>
/// Names and ids from clients against every route that takes one, with the app's real registrations on Azurite: a
/// canary blob in every container must keep its ETag, every hostile name is a 400 before any storage call, and a
/// pipeline policy sees every storage request, none of which may leave the containers and names the route owns.
/// </summary>
[Collection(AnalysisUploads.Collection)]
public sealed partial class BlobNameSafetyTests : IAsyncLifetime
{
    private static readonly string Storage =
        Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";

    private readonly RequestRecorder _requests = new();
    private readonly Dictionary<(string Container, string Name), ETag> _canaries = [];
    private ApiHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = new ApiHost(replace: services =>
        {
            var blobs = new BlobClientOptions();
            blobs.AddPolicy(_requests, HttpPipelinePosition.PerCall);
            services.AddSingleton(new BlobServiceClient(Storage, blobs));
            var tables = new TableClientOptions();
            tables.AddPolicy(_requests, HttpPipelinePosition.PerCall);
            services.AddSingleton(new TableServiceClient(Storage, tables));
        });
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();

        // The canaries are written past the recorder, so that only the routes' own requests are judged.
        var direct = new BlobServiceClient(Storage);
        foreach (var container in BlobContainers.All.Append(RegistryContainer))
        {
            var client = direct.GetBlobContainerClient(container);
            await client.CreateIfNotExistsAsync();
            var name = $"canary-{Guid.NewGuid():N}.csv";
            var uploaded = await client.GetBlobClient(name).UploadAsync(BinaryData.FromString(Transactions));
            _canaries[(container, name)] = uploaded.Value.ETag;
        }

        _requests.Clear();
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    private string RegistryContainer => _host.Services.GetRequiredService<IOptions<ModelRegistryOptions>>().Value.ContainerName;

    [Fact]
    public async Task HostileBlobNamesAreRefusedBeforeAnyStorageCallAndNothingIsDeleted()
    {
        var functions = _host.Create<AnalysesFunctions>();
        var names = _canaries.Keys.SelectMany(c => HostileNames(c.Container, c.Name)).ToList();
        names.Should().HaveCountGreaterThan(150);

        foreach (var name in names)
        {
            foreach (var k in new[] { "auto", "-1" })
            {
                // "-1" is an invalid parameter: that path used to discard the named blob as if it were an upload.
                var body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["blob"] = name, ["k"] = k });
                var result = await functions.CreateAnalysis(ApiHost.Post(Route, body), default);

                var problem = Value<ProblemDetails>(result, StatusCodes.Status400BadRequest);
                problem.Extensions["code"].Should().Be("invalid-parameter", "'{0}' must be refused", name);
                problem.Extensions["parameter"].Should().Be("blob");
                _canaries.Keys.Should().NotContain(c => problem.Detail!.Contains(c.Name, StringComparison.Ordinal), "a refusal does not echo the name");
            }
        }

        _requests.Recorded.Should().BeEmpty("a refused name never reaches storage");
        await CanariesAreUntouchedAsync();
    }

    [Fact]
    public async Task HostileRouteIdsAndVersionNamesAre400WithoutStorageCalls()
    {
        var analyses = _host.Create<AnalysesFunctions>();
        var models = _host.Create<ModelRegistryFunctions>();
        var ids = _canaries.Keys.SelectMany(c => HostileNames(c.Container, c.Name)).Concat(["..", ".", "%2e%2e", new string('A', 32), new string('a', 31)]).ToList();

        foreach (var id in ids)
        {
            ProblemCode(await analyses.GetAnalysis(ApiHost.Get("/x"), id, default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
            ProblemCode(await analyses.DeleteAnalysis(ApiHost.Get("/x"), id, default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
            ProblemCode(await analyses.GetAnalysisAssignments(ApiHost.Get("/x"), id, default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
            ProblemCode(await analyses.GetAnalysisDendrogram(ApiHost.Get("/x"), id, default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
            if (!ModelRegistry.IsValidVersionName(id))
            {
                ProblemCode(await models.GetModelVersion(ApiHost.Request("GET"), id, default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
                ProblemCode(await models.ActivateModelVersion(ApiHost.Request("POST"), id, default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
            }
        }

        _requests.Recorded.Should().BeEmpty();
        await CanariesAreUntouchedAsync();
    }

    [Fact]
    public async Task UploadsAreStoredAndDeletedUnderTheNameDerivedFromTheAnalysisId()
    {
        var functions = _host.Create<AnalysesFunctions>();
        var target = _canaries.Keys.First(c => c.Container == RegistryContainer);
        var fileName = $"../../{target.Container}/{target.Name}";

        // Refused parameters, then an accepted analysis that is deleted: neither may touch anything but its own upload.
        ProblemCode(await functions.CreateAnalysis(MultipartNamed(fileName, ("format", "table"), ("k", "-1")), default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
        var created = Value<AnalysisResource>(await functions.CreateAnalysis(MultipartNamed(fileName, ("format", "table"), ("k", "2")), default), StatusCodes.Status201Created);
        (await functions.DeleteAnalysis(ApiHost.Get("/x"), created.Id, default)).Should().BeOfType<NoContentResult>();

        var blobRequests = _requests.Recorded.Where(r => r.Uri.Port == new BlobServiceClient(Storage).Uri.Port).ToList();
        blobRequests.Should().NotBeEmpty();
        blobRequests.Should().OnlyContain(r => IsOwnedByAnalyses(r), "requests: {0}", string.Join("\n", blobRequests));
        blobRequests.Where(r => r.Method == "DELETE").Should().NotBeEmpty().And.OnlyContain(r => OwnDeletion().IsMatch(r.Uri.AbsolutePath));
        blobRequests.Should().Contain(r => r.Method == "DELETE" && r.Uri.AbsolutePath.EndsWith($"/uploads/analyses/{created.Id}.csv", StringComparison.Ordinal));
        await CanariesAreUntouchedAsync();
    }

    [Fact]
    public async Task HostileUserAndItemIdsOnlyEverAddressTheirOwnTableKeys()
    {
        var recommendations = _host.Create<RecommendationFunctions>();
        var ids = _canaries.Keys.SelectMany(c => HostileNames(c.Container, c.Name)).Take(60).ToList();

        foreach (var id in ids)
        {
            var users = await recommendations.GetUserRecommendations(ApiHost.Get("/x"), id, default);
            ((IStatusCodeActionResult)users).StatusCode.Should().BeOneOf(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);
            var similar = recommendations.GetSimilarItems(ApiHost.Get("/x"), id, default);
            ((IStatusCodeActionResult)similar).StatusCode.Should().BeOneOf(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);
        }

        _requests.Recorded.Should().NotBeEmpty("known-shape ids are looked up in the recent-activity table");
        foreach (var request in _requests.Recorded)
        {
            var segments = request.Uri.AbsolutePath.Trim('/').Split('/');
            segments.Should().HaveCount(2, "a table request names the account and one table entity or query: {0}", request);
            // The app creates its table once ("POST …/Tables"); everything else reads the user's own activity entity,
            // or the erased-customers list, read whole at an address no id reaches (docs/privacy.md).
            if ((segments[1] != "Tables" || request.Method != "POST") && segments[1] != ErasedCustomers.TableName + "()")
            {
                segments[1].Should().StartWith(TableDocumentLogStore.RecentActivityTable + "(");
                request.Method.Should().Be("GET");
            }
        }

        await CanariesAreUntouchedAsync();
    }

    /// <summary>Ways to spell "the canary, from a drop zone": traversal, encodings, separators and look-alikes.</summary>
    private static IEnumerable<string> HostileNames(string container, string name)
    {
        string[] dotDot = ["..", "%2e%2e", "%2E%2E", ".%2e", "%252e%252e", "\uFF0E\uFF0E", "\u2024\u2024", "\u2025", ". .", "..\u200B"];
        string[] slash = ["/", "%2F", "%2f", "\\", "\u2215", "\u2044", "%5C"];
        foreach (var dots in dotDot)
        {
            foreach (var separator in slash)
            {
                yield return string.Join(separator, "uploads", "analyses", dots, dots, container, name);
            }
        }

        yield return $"uploads/analyses/../../{container}/{name}";
        yield return $"training-data/../{container}/{name}";
        yield return $"uploads/./../{container}/{name}";
        yield return $"/{container}/{name}";
        yield return $"uploads//../{container}/{name}";
        yield return $"uploads/{name}/..";
        yield return $"uploads/analyses/{name}";
        if (container is not (BlobContainers.Uploads or BlobContainers.TrainingData))
        {
            yield return $"{container}/{name}";
        }
    }

    private HttpRequest MultipartNamed(string fileName, params (string Name, string Value)[] fields)
    {
        var request = Multipart(CustomerTable.Replace(";", ",", StringComparison.Ordinal), fields);
        var body = new StreamReader(request.Body).ReadToEnd().Replace("filename=customers.csv", $"filename=\"{fileName}\"", StringComparison.Ordinal);
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
        return request;
    }

    private static bool IsOwnedByAnalyses(RecordedRequest request)
    {
        var segments = request.Uri.AbsolutePath.Trim('/').Split('/');
        return segments.Length switch
        {
            2 => segments[1] is BlobContainers.Uploads or BlobContainers.Analyses,
            3 => segments[1] == BlobContainers.Analyses,
            4 => segments[1] == BlobContainers.Uploads && segments[2] == "analyses",
            _ => false,
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex("^/[^/]+/(uploads/analyses/[0-9a-f]{32}\\.csv|analyses/[0-9a-f]{32}\\.json)$")]
    private static partial System.Text.RegularExpressions.Regex OwnDeletion();

    private async Task CanariesAreUntouchedAsync()
    {
        var direct = new BlobServiceClient(Storage);
        foreach (var ((container, name), etag) in _canaries)
        {
            var properties = await direct.GetBlobContainerClient(container).GetBlobClient(name).GetPropertiesAsync();
            properties.Value.ETag.Should().Be(etag, "the canary {0}/{1} must be unchanged", container, name);
        }
    }

    private sealed record RecordedRequest(string Method, Uri Uri)
    {
        public override string ToString() => $"{Method} {Uri}";
    }

    /// <summary>Every storage request the app's clients send, in order.</summary>
    private sealed class RequestRecorder : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentQueue<RecordedRequest> _recorded = new();

        public IReadOnlyList<RecordedRequest> Recorded => _recorded.ToList();

        public void Clear() => _recorded.Clear();

        public override void OnSendingRequest(HttpMessage message) =>
            _recorded.Enqueue(new RecordedRequest(message.Request.Method.Method, message.Request.Uri.ToUri()));
    }
}
