using Azure.Storage.Queues;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Storage;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using static SmartShop.Functions.Tests.Segmentation.AnalysisRequests;

namespace SmartShop.Functions.Tests.Segmentation;

/// <summary>Tests that count or limit uploads run one class at a time.</summary>
[CollectionDefinition(Collection)]
public sealed class AnalysisUploads
{
    public const string Collection = "analysis uploads";
}

/// <summary>
/// Every input is "large" here (threshold 0): 202, the message in the Azurite queue, the queue-triggered run (invoked as
/// the host would: run, then delete the message), status polling; and a small upload limit.
/// </summary>
[Collection(AnalysisUploads.Collection)]
public sealed class BackgroundAnalysesTests : IDisposable
{
    private readonly ApiHost _host = new(new Dictionary<string, string?>
    {
        ["Analyses:BackgroundThresholdBytes"] = "0",
        ["Analyses:MaxUploadBytes"] = "4096",
    });

    private readonly AnalysesFunctions _functions;
    private readonly AnalysisQueueFunction _runner;
    private readonly AnalysisService _service;

    public BackgroundAnalysesTests()
    {
        _functions = _host.Create<AnalysesFunctions>();
        _runner = _host.Create<AnalysisQueueFunction>();
        _service = _host.Services.GetRequiredService<AnalysisService>();
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task ALargeInputIsAcceptedQueuedAndFinishedByTheQueueFunction()
    {
        var result = await _functions.CreateAnalysis(Multipart(CustomerTable, ("format", "table"), ("delimiter", ";"), ("k", "3")), default);

        var accepted = result.Should().BeOfType<AcceptedResult>().Subject;
        var pending = accepted.Value.Should().BeOfType<AnalysisResource>().Subject;
        accepted.Location.Should().Be(pending.Links.Self);
        pending.Status.Should().Be(AnalysisStatus.Pending);
        pending.Result.Should().BeNull();
        (await ReadAsync(pending.Id)).Status.Should().Be(AnalysisStatus.Pending, "nothing runs until the queue delivers it");

        await DeliverAsync(pending.Id);

        var done = await ReadAsync(pending.Id);
        done.Status.Should().Be(AnalysisStatus.Succeeded);
        done.Result!.K.Should().Be(3);
        var assignments = Value<AnalysisAssignments>(await _functions.GetAnalysisAssignments(ApiHost.Get("/x"), pending.Id, default), StatusCodes.Status200OK);
        assignments.Total.Should().Be(24);
    }

    [Fact]
    public async Task ABackgroundRunOnBadInputFailsWithTheReadersMessage()
    {
        var pending = Value<AnalysisResource>(await _functions.CreateAnalysis(Multipart("customer_id;spend\n", ("format", "table"), ("delimiter", ";")), default), StatusCodes.Status202Accepted);

        await DeliverAsync(pending.Id);

        var done = await ReadAsync(pending.Id);
        done.Status.Should().Be(AnalysisStatus.Failed);
        done.Error.Should().Be("The customer table has a header but no rows.");
        var problem = await _functions.GetAnalysisDendrogram(ApiHost.Get("/x"), pending.Id, default);
        ProblemCode(problem, StatusCodes.Status409Conflict).Should().Be("analysis-not-ready");
    }

    [Fact]
    public async Task ARunLeftRunningByACrashedInstanceIsRunAgainOnRedelivery()
    {
        var pending = Value<AnalysisResource>(await _functions.CreateAnalysis(Multipart(CustomerTable, ("format", "table"), ("delimiter", ";"), ("k", "2")), default), StatusCodes.Status202Accepted);
        var store = _host.Services.GetRequiredService<IDocumentLogStore>();
        var record = (await store.GetAnalysisAsync(pending.Id))!;
        await store.UpsertAnalysisAsync(record with { Status = AnalysisStatus.Running });

        await DeliverAsync(pending.Id);

        (await ReadAsync(pending.Id)).Status.Should().Be(AnalysisStatus.Succeeded);
    }

    [Fact]
    public async Task AFinishedAnalysisDeliveredAgainIsLeftAsItIs()
    {
        var pending = Value<AnalysisResource>(await _functions.CreateAnalysis(Multipart(CustomerTable, ("format", "table"), ("delimiter", ";"), ("k", "2")), default), StatusCodes.Status202Accepted);
        await DeliverAsync(pending.Id);
        var first = await ReadAsync(pending.Id);

        await _runner.RunQueuedAnalysis(pending.Id, default);

        var second = await ReadAsync(pending.Id);
        second.Status.Should().Be(AnalysisStatus.Succeeded);
        second.CompletedAt.Should().Be(first.CompletedAt, "a duplicate delivery does not run the analysis again");
    }

    [Fact]
    public async Task AnAnalysisDeletedWhileQueuedIsNotBroughtBackByItsRun()
    {
        var pending = Value<AnalysisResource>(await _functions.CreateAnalysis(Multipart(CustomerTable, ("format", "table"), ("delimiter", ";")), default), StatusCodes.Status202Accepted);

        (await _functions.DeleteAnalysis(ApiHost.Get("/x"), pending.Id, default)).Should().BeOfType<NoContentResult>();
        await DeliverAsync(pending.Id);

        (await _service.GetAsync(pending.Id)).Should().BeNull();
        (await _service.ReadResultAsync(pending.Id)).Should().BeNull();
    }

    [Fact]
    public async Task AMessageThatNamesNoAnalysisIsDropped()
    {
        var act = () => _runner.RunQueuedAnalysis("../../models/x", default);

        await act.Should().NotThrowAsync("a message that can never succeed must not be retried into the poison queue");
    }

    [Fact]
    public async Task WhenTheQueueCannotBeReachedTheAnalysisIs503AndNothingIsKept()
    {
        using var host = new ApiHost(
            new Dictionary<string, string?> { ["Analyses:BackgroundThresholdBytes"] = "0" },
            services => services.AddSingleton(new QueueServiceClient(
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;",
                new QueueClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } })));
        var functions = host.Create<AnalysesFunctions>();
        var request = Multipart(CustomerTable, ("format", "table"), ("delimiter", ";"));

        var result = await functions.CreateAnalysis(request, default);

        ProblemCode(result, StatusCodes.Status503ServiceUnavailable).Should().Be("analysis-queue-unavailable");
        request.HttpContext.Response.Headers.RetryAfter.ToString().Should().Be("30");
        var listed = Value<AnalysisList>(await functions.ListAnalyses(ApiHost.Get(Route, "pageSize=100"), default), StatusCodes.Status200OK);
        listed.Items.Should().NotContain(a => a.Status == AnalysisStatus.Pending && a.CreatedAt > DateTimeOffset.UtcNow.AddMinutes(-1) && a.Source == "customers.csv" && a.InputBytes == CustomerTable.Length);
    }

    [Fact]
    public async Task UploadsOverTheLimitAre413WhetherDeclaredOrStreamed()
    {
        var big = CustomerTable + string.Concat(Enumerable.Range(100, 400).Select(i => $"\nc{i};1;2;web"));

        var declared = await _functions.CreateAnalysis(Multipart(big, withContentLength: true, ("format", "table")), default);
        var streamed = await _functions.CreateAnalysis(Multipart(big, withContentLength: false, ("format", "table")), default);

        ProblemCode(declared, StatusCodes.Status413PayloadTooLarge).Should().Be("body-too-large");
        ProblemCode(streamed, StatusCodes.Status413PayloadTooLarge).Should().Be("body-too-large");
        ProblemDetail(streamed).Should().Contain("4096");
    }

    private async Task<AnalysisResource> ReadAsync(string id) =>
        Value<AnalysisResource>(await _functions.GetAnalysis(ApiHost.Get("/x"), id, default), StatusCodes.Status200OK);

    private Task DeliverAsync(string analysisId) => AnalysisRequests.DeliverAsync(_host, analysisId, default);
}
