using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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

/// <summary>Every input is "large" here (threshold 0): 202, the background worker, status polling; and a small upload limit.</summary>
[Collection(AnalysisUploads.Collection)]
public sealed class BackgroundAnalysesTests : IAsyncLifetime
{
    private readonly ApiHost _host = new(new Dictionary<string, string?>
    {
        ["Analyses:BackgroundThresholdBytes"] = "0",
        ["Analyses:MaxUploadBytes"] = "4096",
    });

    private readonly AnalysisWorker _worker;
    private readonly AnalysesFunctions _functions;

    public BackgroundAnalysesTests()
    {
        _worker = _host.Services.GetServices<IHostedService>().OfType<AnalysisWorker>().Single();
        _functions = _host.Create<AnalysesFunctions>();
    }

    public Task InitializeAsync() => _worker.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _worker.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    [Fact]
    public async Task ALargeInputIsAcceptedAndFinishesInTheBackground()
    {
        var result = await _functions.CreateAnalysis(Multipart(CustomerTable, ("format", "table"), ("delimiter", ";"), ("k", "3")), default);

        var accepted = result.Should().BeOfType<AcceptedResult>().Subject;
        var pending = accepted.Value.Should().BeOfType<AnalysisResource>().Subject;
        accepted.Location.Should().Be(pending.Links.Self);
        pending.Status.Should().Be(AnalysisStatus.Pending);
        pending.Result.Should().BeNull();

        var done = await WaitForAsync(pending.Id);
        done.Status.Should().Be(AnalysisStatus.Succeeded);
        done.Result!.K.Should().Be(3);
        var assignments = Value<AnalysisAssignments>(await _functions.GetAnalysisAssignments(ApiHost.Get("/x"), pending.Id, default), StatusCodes.Status200OK);
        assignments.Total.Should().Be(24);
    }

    [Fact]
    public async Task ABackgroundRunOnBadInputFailsWithTheReadersMessage()
    {
        var pending = Value<AnalysisResource>(await _functions.CreateAnalysis(Multipart("customer_id;spend\n", ("format", "table"), ("delimiter", ";")), default), StatusCodes.Status202Accepted);

        var done = await WaitForAsync(pending.Id);

        done.Status.Should().Be(AnalysisStatus.Failed);
        done.Error.Should().Be("The customer table has a header but no rows.");
        var problem = await _functions.GetAnalysisDendrogram(ApiHost.Get("/x"), pending.Id, default);
        ProblemCode(problem, StatusCodes.Status409Conflict).Should().Be("analysis-not-ready");
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

    [Fact]
    public async Task AnAnalysisDeletedWhileQueuedIsNotBroughtBackByItsRun()
    {
        var service = _host.Services.GetRequiredService<AnalysisService>();
        var id = AnalysisService.NewId();
        var (blob, bytes) = await service.StoreUploadAsync(id, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(CustomerTable)), 4096);
        var parameters = AnalysisParameters.TryParse(new Dictionary<string, List<string>> { ["format"] = ["table"], ["delimiter"] = [";"] }, out _)!;
        var pending = await service.CreatePendingAsync(id, blob, new AnalysisSummary("t.csv", bytes, parameters, null, null, null, null));

        (await service.DeleteAsync(id)).Should().BeTrue();
        await service.RunAsync(pending);

        (await service.GetAsync(id)).Should().BeNull();
        (await service.ReadResultAsync(id)).Should().BeNull();
    }

    private async Task<AnalysisResource> WaitForAsync(string id)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var read = Value<AnalysisResource>(await _functions.GetAnalysis(ApiHost.Get("/x"), id, default), StatusCodes.Status200OK);
            if (read.Status is AnalysisStatus.Succeeded or AnalysisStatus.Failed)
            {
                return read;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Analysis {id} did not finish within 10 s.");
    }
}
