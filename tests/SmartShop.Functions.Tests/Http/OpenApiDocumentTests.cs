using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using SmartShop.Core.Recommendations;
using SmartShop.Functions.Http;
using SmartShop.Functions.Tests.Auth;

namespace SmartShop.Functions.Tests.Http;

/// <summary>
/// The OpenAPI document against the build's functions.metadata (what the host really routes): every HTTP function
/// has exactly its path and methods with a summary, a 2xx and a problem response, and the document has nothing else.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string[] Verbs = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private static readonly Lazy<JsonArray> Metadata = new(() =>
    {
        var outputDirectory = typeof(OpenApiDocumentTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FunctionsAppOutput").Value!;
        return JsonNode.Parse(File.ReadAllText(Path.Combine(outputDirectory, "functions.metadata")))!.AsArray();
    });

    private static IEnumerable<(string Name, JsonObject Trigger)> HttpTriggers() =>
        from function in Metadata.Value.OfType<JsonObject>()
        from binding in function["bindings"]!.AsArray().OfType<JsonObject>()
        where (string?)binding["type"] == "httpTrigger"
        select ((string)function["name"]!, binding);

    [Fact]
    public void EveryHttpFunctionHasExactlyItsPathAndMethodsAndNothingElseIsDescribed()
    {
        var document = Served(bearer: false);
        var expected = HttpTriggers()
            .SelectMany(t => t.Trigger["methods"]!.AsArray().Select(m => (Path: OpenApiDocumentBuilder.PathOf((string)t.Trigger["route"]!), Verb: (string)m!, t.Name)))
            .OrderBy(o => o.Path + " " + o.Verb, StringComparer.Ordinal)
            .ToList();

        var described = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => Verbs.Contains(o.Key)).Select(o => (Path: p.Key, Verb: o.Key, Name: (string)o.Value!["operationId"]!)))
            .OrderBy(o => o.Path + " " + o.Verb, StringComparer.Ordinal)
            .ToList();

        expected.Should().NotBeEmpty();
        described.Should().Equal(expected);
    }

    [Fact]
    public void DocumentsBuiltConcurrentlyAreAllTheSame()
    {
        // The first requests after start can build it at the same time (the fuzz test found a shared, thread-unsafe
        // reflection cache this way).
        var documents = new string[64];
        Parallel.For(0, documents.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => documents[i] = OpenApiFunction.Build(bearerForAdmin: i % 2 == 0).ToJsonString());

        documents.Where((_, i) => i % 2 == 0).Distinct().Should().ContainSingle();
        documents.Where((_, i) => i % 2 == 1).Distinct().Should().ContainSingle();
    }

    [Fact]
    public void EveryOperationHasASummaryASuccessAndAProblemResponse()
    {
        foreach (var (path, verb, operation) in Operations(Served(bearer: false)))
        {
            var name = $"{verb.ToUpperInvariant()} {path}";
            ((string?)operation["summary"]).Should().NotBeNullOrWhiteSpace(name);
            var responses = operation["responses"]!.AsObject();
            responses.Select(r => r.Key).Should().Contain(s => s.StartsWith('2'), name);
            responses.Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400)
                .Should().NotBeEmpty(name)
                .And.OnlyContain(r => r.Value!["content"]![ApiProblem.ContentType] != null, $"{name}: errors are problem details");
            responses["500"]!["x-problem-codes"]!.AsArray().Select(c => (string)c!).Should().Contain(UnhandledExceptionMiddleware.Code);
        }
    }

    [Fact]
    public void SecurityFollowsTheAuthLevel()
    {
        var byName = HttpTriggers().ToDictionary(t => t.Name, t => (string)t.Trigger["authLevel"]!);
        foreach (var bearer in new[] { false, true })
        {
            var document = Served(bearer);
            foreach (var (_, _, operation) in Operations(document))
            {
                var security = operation["security"]!.AsArray().Select(s => string.Join('+', s!.AsObject().Select(p => p.Key))).ToList();
                var expected = byName[(string)operation["operationId"]!] switch
                {
                    "Anonymous" => [],
                    "Admin" => [bearer ? "masterKey+bearer" : "masterKey"],
                    _ => new List<string> { "functionKey", "functionKeyQuery" },
                };
                security.Should().Equal(expected, (string)operation["operationId"]!);
            }

            document["components"]!["securitySchemes"]!.AsObject().ContainsKey("bearer").Should().Be(bearer);
        }
    }

    [Fact]
    public void EveryReferenceResolvesAndSchemasUseWebNaming()
    {
        var document = Served(bearer: false);
        var schemas = document["components"]!["schemas"]!.AsObject();
        var references = Descendants(document).OfType<JsonObject>().Where(o => o.ContainsKey("$ref")).Select(o => (string)o["$ref"]!).Distinct().ToList();

        const string Prefix = "#/components/schemas/";
        references.Should().NotBeEmpty().And.OnlyContain(r => r.StartsWith(Prefix, StringComparison.Ordinal));
        references.Select(r => r.Substring(Prefix.Length)).Should().OnlyContain(name => schemas.ContainsKey(name));
        var catalog = schemas["ModelCatalog"]!["properties"]!.AsObject();
        catalog.Select(p => p.Key).Should().Equal("models");
        schemas["ActivePointer"]!["properties"]!.AsObject().Select(p => p.Key).Should().Equal("kind", "version", "previousVersion", "activatedAt", "eTag");
        schemas["ActivePointer"]!["properties"]!["previousVersion"]!["nullable"]!.GetValue<bool>().Should().BeTrue();
        schemas["ActivePointer"]!["required"]!.AsArray().Select(r => (string)r!).Should().NotContain("previousVersion").And.Contain("version");
        schemas["ClickstreamEvent"]!["properties"]!.AsObject().ContainsKey("actorId").Should().BeFalse("a computed property is not part of a request body");
    }

    [Fact]
    public void TheCatalogueItemSchemaStatesTheBoundsTheRoutesEnforce()
    {
        var document = Served(bearer: true);
        var item = document["components"]!["schemas"]!["CatalogueItemJson"]!.AsObject();
        var properties = item["properties"]!.AsObject();

        item["required"]!.AsArray().Select(r => (string)r!).Should().Equal("id", "title", "price");
        properties["id"]!["maxLength"]!.GetValue<int>().Should().Be(CatalogueItemRules.MaxIdLength);
        properties["id"]!["pattern"]!.GetValue<string>().Should().Be(CatalogueItemRules.IdPattern);
        properties["id"]!.AsObject().ContainsKey("nullable").Should().BeFalse();
        properties["price"]!["maximum"]!.GetValue<double>().Should().Be((double)CatalogueItemRules.MaxPrice);
        properties["price"]!.AsObject().ContainsKey("nullable").Should().BeFalse();
        properties["description"]!["maxLength"]!.GetValue<int>().Should().Be(CatalogueItemRules.MaxDescriptionLength);
        properties["attributes"]!["maxProperties"]!.GetValue<int>().Should().Be(CatalogueItemRules.MaxAttributes);
        var upsert = document["paths"]!["/v1/catalogue/items"]!["put"]!;
        upsert["requestBody"]!["content"]!["application/json"]!["schema"]!["type"]!.GetValue<string>().Should().Be("array");
        upsert["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["200", "400", "401", "403", "413", "415", "503"]);
    }

    [Fact]
    public void RouteTemplatesBecomeOpenApiPaths()
    {
        OpenApiDocumentBuilder.PathOf("v1/items/{itemId}/similar").Should().Be("/v1/items/{itemId}/similar");
        OpenApiDocumentBuilder.PathOf("v1/analyses/{id:guid}/x/{page:int?}").Should().Be("/v1/analyses/{id}/x/{page}");
        OpenApiDocumentBuilder.PathOf("files/{*path}").Should().Be("/files/{path}");
        OpenApiDocumentBuilder.RouteParameters("a/{n:int}/{s}").Should().Equal(("n", "int"), ("s", ""));
    }

    private static JsonObject Served(bool bearer)
    {
        using var host = new ApiHost(bearer ? TestTokenIssuer.Settings : null);
        var result = host.Create<OpenApiFunction>().OpenApiDocument(ApiHost.Request("GET"));
        var content = result.Should().BeOfType<ContentResult>().Subject;
        content.StatusCode.Should().Be(200);
        content.ContentType.Should().Be("application/json");
        var document = JsonNode.Parse(content.Content!)!.AsObject();
        ((string)document["openapi"]!).Should().StartWith("3.0.");
        return document;
    }

    private static IEnumerable<(string Path, string Verb, JsonObject Operation)> Operations(JsonObject document) =>
        from path in document["paths"]!.AsObject()
        from operation in path.Value!.AsObject()
        where Verbs.Contains(operation.Key)
        select (path.Key, operation.Key, operation.Value!.AsObject());

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }
}
