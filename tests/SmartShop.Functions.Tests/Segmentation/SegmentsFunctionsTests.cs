using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Storage;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Serving;
using static SmartShop.Functions.Tests.Segmentation.AnalysisRequests;

namespace SmartShop.Functions.Tests.Segmentation;

/// <summary>A host serving the small segmentation model (version "s1"), shared by the tests of one class.</summary>
public sealed class ServedSegmentationFixture : IAsyncLifetime
{
    internal ApiHost Host { get; } = new();

    public async Task InitializeAsync()
    {
        await ServingTestModels.PublishSegmentationAsync(Host.Registry, "s1");
        await Host.Refresh.RefreshAsync();
    }

    public Task DisposeAsync()
    {
        Host.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The served segmentation's routes, invoked directly with the app's registrations against Azurite.</summary>
public sealed class SegmentsFunctionsTests(ServedSegmentationFixture fixture) : IClassFixture<ServedSegmentationFixture>
{
    private readonly SegmentsFunctions _functions = fixture.Host.Create<SegmentsFunctions>();

    private string KnownCustomer => fixture.Host.Serving.Segmentation!.Saved.KnownCustomers.CustomerIds[0];

    [Fact]
    public void TheActiveModelCarriesEverythingTheDashboardCharts()
    {
        var active = Value<ActiveSegmentation>(_functions.GetSegments(ApiHost.Get("/api/v1/segments")), StatusCodes.Status200OK);

        active.ModelVersion.Should().Be("s1");
        var view = active.Result;
        view.K.Should().Be(3);
        view.Algorithm.Should().Be("kmeans");
        view.Features.Should().Contain(["recency_days", "frequency", "monetary"]);
        view.Metrics!.Silhouette.Should().BeInRange(-1, 1);
        view.Elbow.Should().ContainSingle().Which.K.Should().Be(3);
        view.Segments.Should().HaveCount(3);
        view.Segments.Sum(s => s.Size!.Value).Should().Be(view.Customers);
        view.Segments.Sum(s => s.Share!.Value).Should().BeApproximately(1, 1e-9);
        view.Segments.Should().AllSatisfy(s =>
        {
            s.Persona.Should().NotBeNullOrWhiteSpace();
            s.Strategy.Should().NotBeNullOrWhiteSpace();
            s.Centroid.Keys.Should().BeEquivalentTo(view.Features);
            s.CentroidZ.Keys.Should().BeEquivalentTo(view.Features);
        });
        view.PcaSample.Should().NotBeEmpty().And.HaveCountLessThanOrEqualTo(SegmentationView.MaxPcaPoints)
            .And.OnlyContain(p => p.Segment >= 0 && p.Segment < 3 && double.IsFinite(p.X) && double.IsFinite(p.Y));
    }

    [Fact]
    public async Task AKnownCustomerGetsTheSegmentWithItsExplanation()
    {
        var answer = Value<SegmentExplanation>(await _functions.GetUserSegment(ApiHost.Get("/x"), KnownCustomer, default), StatusCodes.Status200OK);

        answer.UserId.Should().Be(KnownCustomer);
        answer.ModelVersion.Should().Be("s1");
        answer.Segment.Should().BeInRange(0, 2);
        answer.Confidence.Should().BeInRange(0, 1);
        answer.Features.Select(f => f.Feature).Should().Equal(fixture.Host.Serving.Segmentation!.Saved.Predictor.FeatureNames);
        answer.Features.Sum(f => f.ShareOfDistance).Should().BeApproximately(1, 1e-9);
        answer.RunnerUp!.Segment.Should().NotBe(answer.Segment);
        answer.RunnerUp.Distance.Should().BeGreaterThanOrEqualTo(answer.Distance);
        answer.TopProducts.Should().BeNull("no recommender is served in this host");
    }

    [Fact]
    public async Task APostedFeatureVectorGetsTheSameAnswerAsTheCustomerItCameFrom()
    {
        var saved = fixture.Host.Serving.Segmentation!.Saved;
        var row = saved.KnownCustomers.Row(0).ToArray();
        var features = string.Join(',', saved.Predictor.FeatureNames.Select((f, i) =>
            string.Create(CultureInfo.InvariantCulture, $"\"{(f == "recency_days" ? "recency" : f)}\":{row[i]:R}")));

        var answer = Value<SegmentExplanation>(
            await _functions.PredictSegment(ApiHost.Post("/x", Body(features)), default), StatusCodes.Status200OK);
        var byId = Value<SegmentExplanation>(await _functions.GetUserSegment(ApiHost.Get("/x"), KnownCustomer, default), StatusCodes.Status200OK);

        answer.UserId.Should().BeNull();
        answer.Segment.Should().Be(byId.Segment);
        answer.Confidence.Should().BeApproximately(byId.Confidence, 1e-12);
        answer.Features.Should().BeEquivalentTo(byId.Features);
    }

    [Fact]
    public async Task BadFeatureVectorsAndIdsAreRejectedPrecisely()
    {
        var complete = "\"recency_days\":10,\"frequency\":2,\"monetary\":-50.5,\"tenure_days\":40,\"avg_basket_value\":120,\"distinct_products\":7";
        Value<SegmentExplanation>(await _functions.PredictSegment(ApiHost.Post("/x", Body(complete)), default), StatusCodes.Status200OK);

        var cases = new (string Body, string Parameter, string Detail)[]
        {
            ("""{"features":{"recency_days":10}}""", "features", "Missing features: frequency, monetary, tenure_days, avg_basket_value, distinct_products"),
            (Body(complete.Replace("\"frequency\":2", "\"frequency\":-1", StringComparison.Ordinal)), "features.frequency", "'frequency' must be from 0 to 1000000000000; got -1."),
            (Body(complete.Replace("\"frequency\":2", "\"frequency\":\"NaN\"", StringComparison.Ordinal)), "features.frequency", "'frequency' must be a finite JSON number."),
            (Body(complete.Replace("\"frequency\":2", "\"frequency\":1e400", StringComparison.Ordinal)), "features.frequency", "'frequency' must be a finite JSON number."),
            (Body(complete, ",\"colour\":\"red\""), "colour", "Unknown property 'colour'"),
            (Body(complete + ", \"page_views\": 3"), "features.page_views", "'page_views' is not a feature of this model"),
            ("[1,2]", "", "The body must be a JSON object"),
        };
        foreach (var (body, parameter, detail) in cases)
        {
            var result = await _functions.PredictSegment(ApiHost.Post("/x", body), default);
            ProblemCode(result, StatusCodes.Status400BadRequest).Should().BeOneOf("invalid-parameter", "malformed-body");
            ProblemDetail(result).Should().StartWith(detail);
            if (parameter.Length > 0)
            {
                Value<Microsoft.AspNetCore.Mvc.ProblemDetails>(result, StatusCodes.Status400BadRequest).Extensions["parameter"].Should().Be(parameter);
            }
        }

        ProblemCode(await _functions.PredictSegment(ApiHost.Post("/x", "recency=1", "application/x-www-form-urlencoded"), default), StatusCodes.Status415UnsupportedMediaType)
            .Should().Be("unsupported-media-type");
        ProblemCode(await _functions.PredictSegment(ApiHost.Post("/x", "{\"features\":"), default), StatusCodes.Status400BadRequest).Should().Be("malformed-body");
        ProblemCode(await _functions.GetUserSegment(ApiHost.Get("/x"), "no-such-customer", default), StatusCodes.Status404NotFound).Should().Be("unknown-customer");
        ProblemCode(await _functions.GetUserSegment(ApiHost.Get("/x"), "bad\u0001id", default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
        ProblemCode(await _functions.GetUserSegment(ApiHost.Get("/x"), new string('7', 129), default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
        ProblemCode(_functions.GetSegments(ApiHost.Get("/x", "k=3")), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
    }

    private static string Body(string features, string extra = "") => "{\"features\":{" + features + "}" + extra + "}";

    [Fact]
    public async Task SegmentAnswersForAUserAreLoggedWithoutWaitingForStorage()
    {
        var writer = fixture.Host.Services.GetRequiredService<DocumentLogWriter>();
        await writer.StartAsync(CancellationToken.None);
        try
        {
            var answer = Value<SegmentExplanation>(await _functions.GetUserSegment(ApiHost.Get("/x"), KnownCustomer, default), StatusCodes.Status200OK);
            var visitor = "visitor-" + Guid.NewGuid().ToString("N");
            var vector = "\"recency\":3,\"frequency\":1,\"monetary\":20,\"tenure_days\":3,\"avg_basket_value\":20,\"distinct_products\":2";
            var predicted = Value<SegmentExplanation>(
                await _functions.PredictSegment(ApiHost.Post("/x", Body(vector, $",\"userId\":\"{visitor}\"")), default), StatusCodes.Status200OK);

            var store = fixture.Host.Services.GetRequiredService<IDocumentLogStore>();
            PredictionLogEntry? logged = null, loggedPrediction = null;
            for (var attempt = 0; attempt < 100 && (logged is null || loggedPrediction is null); attempt++)
            {
                await Task.Delay(100);
                logged = (await store.GetRecentPredictionsAsync(KnownCustomer, 50)).SingleOrDefault(e => e.PredictionId == answer.PredictionId);
                loggedPrediction = (await store.GetRecentPredictionsAsync(visitor, 5)).SingleOrDefault();
            }

            logged.Should().NotBeNull("the writer flushes every 500 ms");
            logged!.Endpoint.Should().Be(SegmentsFunctions.LogEndpoint);
            logged.ModelVersion.Should().Be("s1");
            logged.LatencyMilliseconds.Should().BeGreaterThan(0);
            predicted.UserId.Should().Be(visitor);
            loggedPrediction!.PredictionId.Should().Be(predicted.PredictionId);
            loggedPrediction.Endpoint.Should().Be(SegmentsFunctions.PredictEndpoint);
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }
    }
}

/// <summary>Before any model is loaded, and with a recommender built from the served segmentation.</summary>
public sealed class SegmentsWithoutAndWithRecommenderTests : IDisposable
{
    private readonly ApiHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task EveryRouteAnswers503WithRetryAfterUntilAModelIsLoaded()
    {
        var functions = _host.Create<SegmentsFunctions>();
        var request = ApiHost.Get("/api/v1/segments");

        ProblemCode(functions.GetSegments(request), StatusCodes.Status503ServiceUnavailable).Should().Be("model-not-loaded");
        request.HttpContext.Response.Headers.RetryAfter.ToString().Should().NotBeEmpty();
        ProblemCode(await functions.GetUserSegment(ApiHost.Get("/x"), "12347", default), StatusCodes.Status503ServiceUnavailable).Should().Be("model-not-loaded");
        ProblemCode(await functions.PredictSegment(ApiHost.Post("/x", "{}"), default), StatusCodes.Status503ServiceUnavailable).Should().Be("model-not-loaded");
    }

    [Fact]
    public async Task TheSegmentsTopProductsComeFromTheRecommenderBuiltOnThisSegmentation()
    {
        await ServingTestModels.PublishSegmentationAsync(_host.Registry, "s1");
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.RefreshAsync();
        var functions = _host.Create<SegmentsFunctions>();
        var customer = _host.Serving.Segmentation!.Saved.KnownCustomers.CustomerIds[0];

        var answer = Value<SegmentExplanation>(await functions.GetUserSegment(ApiHost.Get("/x"), customer, default), StatusCodes.Status200OK);

        answer.TopProducts.Should().NotBeNull().And.NotBeEmpty().And.HaveCountLessThanOrEqualTo(SegmentsFunctions.TopProducts);
        answer.TopProducts!.Should().OnlyContain(p => p.Reason.StartsWith("popular in your segment", StringComparison.Ordinal));
    }
}
