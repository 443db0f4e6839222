using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using SmartShop.Core.Ingestion;
using SmartShop.Functions.Ingestion;
using static SmartShop.Functions.Tests.Ingestion.IngestionHost;

namespace SmartShop.Functions.Tests.Ingestion;

/// <summary><c>POST /api/v1/events</c> invoked directly with the app's services on Azurite.</summary>
public sealed class EventsHttpFunctionTests : IDisposable
{
    private readonly IngestionHost _host = new(new() { ["Ingestion:MaxEventsPerRequest"] = "3", ["Ingestion:MaxRequestBytes"] = "4096" });
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task AnArrayOfEventsIsAcceptedWithCountsAndAResendIsADuplicate()
    {
        var body = $"[{Event($"{_run}-1", $"{_run}-u", "A")},{Event($"{_run}-2", $"{_run}-u", "B", "purchase")},{{\"eventId\":\"x\"}}]";

        var first = await Post(body);
        var resend = await Post(body);

        var accepted = first.Should().BeOfType<AcceptedResult>().Which.Value.Should().BeOfType<EventsAccepted>().Subject;
        accepted.Should().BeEquivalentTo(new
        {
            Received = 3, Accepted = 2, Rejected = 1, Duplicates = 0,
            AcceptedByType = new Dictionary<string, int> { ["view"] = 1, ["purchase"] = 1 },
            RejectedByCode = new Dictionary<string, int> { [EventRejection.MissingField] = 1 },
        });
        ((EventsAccepted)((AcceptedResult)resend).Value!).Should().BeEquivalentTo(new { Received = 3, Accepted = 0, Duplicates = 3 });
        (await _host.ActivityStore.GetRecentActivityAsync($"{_run}-u")).Should().HaveCount(2);
    }

    [Fact]
    public async Task AnEventsEnvelopeIsAcceptedToo()
    {
        var result = await Post($"{{\"events\":[{Event($"{_run}-1", $"{_run}-u", "A")}]}}");

        ((EventsAccepted)result.Should().BeOfType<AcceptedResult>().Subject.Value!).Accepted.Should().Be(1);
    }

    [Theory]
    [InlineData("{not json", 400, "malformed-body")]
    [InlineData("{\"events\":{}}", 400, "unexpected-body-shape")]
    [InlineData("\"view\"", 400, "unexpected-body-shape")]
    [InlineData("[]", 400, "no-events")]
    [InlineData("[{},{},{},{}]", 413, "too-many-events")]
    public async Task BadRequestsGetProblemDetailsWithAStableCode(string body, int status, string code) =>
        AssertProblem(await Post(body), status, code);

    [Fact]
    public async Task ABodyOverTheLimitIsRefusedBeforeParsing()
    {
        AssertProblem(await Post("[" + new string(' ', 5000) + "]"), 413, "body-too-large");
        AssertProblem(await Post("[]", contentLength: 1_000_000), 413, "body-too-large");
    }

    [Fact]
    public async Task AStorageOutageIsA503ProblemWithoutInternals()
    {
        using var unreachable = new IngestionHost(new() { ["AzureWebJobsStorage"] = UnreachableStorage });
        var request = Request($"[{Event($"{_run}-1", $"{_run}-u", "A")}]");

        var result = await unreachable.EventsFunction().PostEvents(request, CancellationToken.None);

        var problem = AssertProblem(result, 503, "storage-unavailable");
        problem.Detail.Should().NotContain("127.0.0.1").And.NotContain("Exception");
    }

    internal const string UnreachableStorage =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    private Task<IActionResult> Post(string body, long? contentLength = null) =>
        _host.EventsFunction().PostEvents(Request(body, contentLength), CancellationToken.None);

    private static HttpRequest Request(string body, long? contentLength = null)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "POST";
        request.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(body);
        request.Body = new MemoryStream(bytes);
        request.ContentLength = contentLength ?? bytes.Length;
        return request;
    }

    private static ProblemDetails AssertProblem(IActionResult result, int status, string code)
    {
        var objectResult = result.Should().BeOfType<ObjectResult>().Subject;
        objectResult.StatusCode.Should().Be(status);
        objectResult.ContentTypes.Should().Equal("application/problem+json");
        var problem = objectResult.Value.Should().BeOfType<ProblemDetails>().Subject;
        problem.Status.Should().Be(status);
        problem.Extensions["code"].Should().Be(code);
        return problem;
    }
}
