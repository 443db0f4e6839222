using System.Reflection;
using System.Text.Json.Nodes;

namespace SmartShop.Functions.Tests.Contract;

/// <summary>
/// The build's functions.metadata is what the Functions host reads: trigger types, routes, auth levels, hub and
/// container names and connection setting names. These tests pin that contract (in stand-in and package mode alike).
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly Lazy<JsonArray> Metadata = new(Load);

    private static JsonArray Load()
    {
        var outputDirectory = typeof(FunctionsMetadataTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FunctionsAppOutput").Value!;
        var path = Path.Combine(outputDirectory, "functions.metadata");
        File.Exists(path).Should().BeTrue($"the Functions app build writes {path}");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray();
    }

    private static JsonObject Function(string name) =>
        Metadata.Value.Select(f => f!.AsObject()).SingleOrDefault(f => (string?)f["name"] == name)
        ?? throw new InvalidOperationException($"functions.metadata has no function named {name}");

    private static JsonObject Trigger(string functionName) =>
        Function(functionName)["bindings"]!.AsArray().Select(b => b!.AsObject())
            .Single(b => ((string)b["type"]!).EndsWith("Trigger", StringComparison.Ordinal));

    [Fact]
    public void DeclaresExactlyTheKnownFunctions()
    {
        var names = Metadata.Value.Select(f => (string)f!["name"]!).Order(StringComparer.Ordinal);

        names.Should().Equal(new[]
        {
            "Dashboard", "Health", "IngestClickstream", "OnTrainingDataUploaded", "PostEvents",
            "ListModels", "GetModelVersion", "GetPerformance", "ActivateModelVersion", "OpenApiDocument",
            "GetUserRecommendations", "GetSimilarItems", "GetBoughtTogether", "PostCartRecommendations", "GetTrending",
            "CreateAnalysis", "ListAnalyses", "GetAnalysis", "GetAnalysisAssignments", "GetAnalysisDendrogram", "DeleteAnalysis", "RunQueuedAnalysis",
            "GetSegments", "GetUserSegment", "PredictSegment",
            "ExportCustomerData", "EraseCustomerData",
            "ScheduledRetrain", "CheckDrift",
            "UpsertCatalogueItems", "GetCatalogueItem", "MarkCatalogueItemOutOfStock", "MarkCatalogueItemInStock", "DeleteCatalogueItem",
            "CreateExperiment", "ListExperiments", "GetExperiment", "StopExperiment", "GetExperimentResults", "JudgeCanaries",
        }.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ClickstreamIsABatchedEventHubTriggerWithIdentityConnectionAndRetry()
    {
        var trigger = Trigger("IngestClickstream");

        trigger["type"]!.GetValue<string>().Should().Be("eventHubTrigger");
        trigger["eventHubName"]!.GetValue<string>().Should().Be("%ClickstreamHubName%");
        trigger["connection"]!.GetValue<string>().Should().Be("EventHubConnection");
        trigger["consumerGroup"]!.GetValue<string>().Should().Be("%ClickstreamConsumerGroup%");
        trigger["cardinality"]!.GetValue<string>().Should().Be("Many");
        trigger["dataType"]!.GetValue<string>().Should().Be("String");
        var retry = Function("IngestClickstream")["retry"]!.AsObject();
        retry["strategy"]!.GetValue<string>().Should().Be("exponentialBackoff");
        retry["maxRetryCount"]!.GetValue<int>().Should().Be(5);
    }

    [Fact]
    public void PostEventsIsAFunctionKeyPostOnV1Events()
    {
        var trigger = Trigger("PostEvents");

        trigger["type"]!.GetValue<string>().Should().Be("httpTrigger");
        trigger["route"]!.GetValue<string>().Should().Be("v1/events");
        trigger["authLevel"]!.GetValue<string>().Should().Be("Function");
        trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal("post");
    }

    [Fact]
    public void TrainingDataIsAnEventGridSourcedBlobTrigger()
    {
        var trigger = Trigger("OnTrainingDataUploaded");

        trigger["type"]!.GetValue<string>().Should().Be("blobTrigger");
        trigger["path"]!.GetValue<string>().Should().Be("training-data/{name}");
        trigger["connection"]!.GetValue<string>().Should().Be("AzureWebJobsStorage");
        trigger["source"]!.GetValue<string>().Should().Be("EventGrid");
    }

    [Fact]
    public void LargeAnalysesRunFromAStorageQueueTrigger()
    {
        var trigger = Trigger("RunQueuedAnalysis");

        trigger["type"]!.GetValue<string>().Should().Be("queueTrigger");
        trigger["queueName"]!.GetValue<string>().Should().Be("segmentation-analyses");
        trigger["connection"]!.GetValue<string>().Should().Be("AzureWebJobsStorage");
    }

    [Theory]
    [InlineData("ScheduledRetrain", "%TrainingSchedule%")]
    [InlineData("CheckDrift", "%DriftCheckSchedule%")]
    [InlineData("JudgeCanaries", "%CanarySchedule%")]
    public void ScheduledTrainingWorkIsATimerTriggerOnAFlatAppSetting(string function, string schedule)
    {
        var trigger = Trigger(function);

        trigger["type"]!.GetValue<string>().Should().Be("timerTrigger");
        // A flat name: the host does not resolve %Section__Key% binding expressions.
        trigger["schedule"]!.GetValue<string>().Should().Be(schedule);
        trigger["runOnStartup"].Should().BeNull("a restart must not start a training run");
    }

    [Fact]
    public void DashboardIsAnAnonymousGetOfStaticFiles()
    {
        var trigger = Trigger("Dashboard");

        trigger["type"]!.GetValue<string>().Should().Be("httpTrigger");
        trigger["route"]!.GetValue<string>().Should().Be("dashboard/{*path}");
        trigger["authLevel"]!.GetValue<string>().Should().Be("Anonymous");
        trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal("get");
    }

    [Fact]
    public void HealthIsAnAnonymousGet()
    {
        var trigger = Trigger("Health");

        trigger["type"]!.GetValue<string>().Should().Be("httpTrigger");
        trigger["route"]!.GetValue<string>().Should().Be("health");
        trigger["authLevel"]!.GetValue<string>().Should().Be("Anonymous");
        trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal("get");
    }

    [Theory]
    [InlineData("ListModels", "v1/models", "Function", "get")]
    [InlineData("GetModelVersion", "v1/models/{version}", "Function", "get")]
    [InlineData("ActivateModelVersion", "v1/models/{version}/activate", "Admin", "post")]
    [InlineData("OpenApiDocument", "openapi.json", "Anonymous", "get")]
    [InlineData("GetUserRecommendations", "v1/users/{userId}/recommendations", "Function", "get")]
    [InlineData("GetSimilarItems", "v1/items/{itemId}/similar", "Function", "get")]
    [InlineData("GetBoughtTogether", "v1/items/{itemId}/bought-together", "Function", "get")]
    [InlineData("PostCartRecommendations", "v1/cart/recommendations", "Function", "post")]
    [InlineData("GetTrending", "v1/trending", "Function", "get")]
    [InlineData("CreateAnalysis", "v1/segmentation/analyses", "Admin", "post")]
    [InlineData("ListAnalyses", "v1/segmentation/analyses", "Admin", "get")]
    [InlineData("GetAnalysis", "v1/segmentation/analyses/{id}", "Admin", "get")]
    [InlineData("GetAnalysisAssignments", "v1/segmentation/analyses/{id}/assignments", "Admin", "get")]
    [InlineData("GetAnalysisDendrogram", "v1/segmentation/analyses/{id}/dendrogram", "Admin", "get")]
    [InlineData("DeleteAnalysis", "v1/segmentation/analyses/{id}", "Admin", "delete")]
    [InlineData("GetSegments", "v1/segments", "Function", "get")]
    [InlineData("GetUserSegment", "v1/users/{userId}/segment", "Admin", "get")]
    [InlineData("PredictSegment", "v1/segments/predict", "Function", "post")]
    [InlineData("UpsertCatalogueItems", "v1/catalogue/items", "Admin", "put")]
    [InlineData("GetCatalogueItem", "v1/catalogue/items/{itemId}", "Admin", "get")]
    [InlineData("MarkCatalogueItemOutOfStock", "v1/catalogue/items/{itemId}/out-of-stock", "Admin", "post")]
    [InlineData("MarkCatalogueItemInStock", "v1/catalogue/items/{itemId}/in-stock", "Admin", "post")]
    [InlineData("DeleteCatalogueItem", "v1/catalogue/items/{itemId}", "Admin", "delete")]
    [InlineData("ExportCustomerData", "v1/customers/{customerId}/data", "Admin", "get")]
    [InlineData("EraseCustomerData", "v1/customers/{customerId}/data", "Admin", "delete")]
    public void HttpRoutesHaveTheirAuthLevels(string function, string route, string authLevel, string method)
    {
        var trigger = Trigger(function);

        trigger["type"]!.GetValue<string>().Should().Be("httpTrigger");
        trigger["route"]!.GetValue<string>().Should().Be(route);
        trigger["authLevel"]!.GetValue<string>().Should().Be(authLevel);
        trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal(method);
    }
}
