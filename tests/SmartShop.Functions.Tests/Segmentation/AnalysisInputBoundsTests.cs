using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using static SmartShop.Functions.Tests.Segmentation.AnalysisRequests;

namespace SmartShop.Functions.Tests.Segmentation;

/// <summary>
/// Gzip bombs through both analysis paths: the synchronous one answers 413 input-too-large at once, the queued one
/// fails the analysis with the limit that was hit; a small gzip that is large once read moves to the queue (202).
/// Each call is given 10 s (a cancelled call fails the test).
/// </summary>
[Collection(AnalysisUploads.Collection)]
public sealed class AnalysisInputBoundsTests : IDisposable
{
    private static readonly byte[] BlankLineBomb = Gzip(Encoding.UTF8.GetBytes("customer_id;spend\n"), (byte)'\n', 256L << 20);
    private static readonly byte[] EndlessLineBomb = Gzip([], (byte)'7', 64L << 20);

    private readonly ApiHost _sync = new(new Dictionary<string, string?> { ["Analyses:SynchronousInputBytes"] = "256" });
    private readonly ApiHost _queued = new(new Dictionary<string, string?> { ["Analyses:BackgroundThresholdBytes"] = "0" });

    public void Dispose()
    {
        _sync.Dispose();
        _queued.Dispose();
    }

    [Theory]
    [InlineData("blank-lines", "expands more than 200 times")]
    [InlineData("endless-line", "Line 1 is longer than the limit of 1,048,576 characters.")]
    public async Task ASynchronousRunRefusesABombWith413InputTooLarge(string bomb, string message)
    {
        using var host = new ApiHost();
        var functions = host.Create<AnalysesFunctions>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var result = await functions.CreateAnalysis(Upload(bomb), deadline.Token);

        ProblemCode(result, StatusCodes.Status413PayloadTooLarge).Should().Be("input-too-large");
        ProblemDetail(result).Should().Contain(message);
    }

    [Fact]
    public async Task AValueOfTwoHundredThousandCharactersIs413AndNotEchoed()
    {
        using var host = new ApiHost();
        var functions = host.Create<AnalysesFunctions>();
        var table = CustomerTable + "\nc99;1;2;" + new string('w', 200_000);

        var result = await functions.CreateAnalysis(Multipart(table, ("format", "table"), ("delimiter", ";")), default);

        ProblemCode(result, StatusCodes.Status413PayloadTooLarge).Should().Be("input-too-large");
        ProblemDetail(result).Should().Be("Line 26: the value in column 4 is longer than the limit of 1,000 characters.");
    }

    [Fact]
    public async Task AQueuedRunFailsABombWithTheLimitItHit()
    {
        var functions = _queued.Create<AnalysesFunctions>();
        var pending = Value<AnalysisResource>(await functions.CreateAnalysis(Upload("blank-lines"), default), StatusCodes.Status202Accepted);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await DeliverAsync(_queued, pending.Id, deadline.Token);

        var done = Value<AnalysisResource>(await functions.GetAnalysis(ApiHost.Get("/x"), pending.Id, default), StatusCodes.Status200OK);
        done.Status.Should().Be(AnalysisStatus.Failed);
        done.Error.Should().Contain("likely decompression bomb");
    }

    [Fact]
    public async Task ASmallGzipThatIsLargeOnceReadMovesToTheQueueAndSucceedsThere()
    {
        var functions = _sync.Create<AnalysesFunctions>();
        var table = Encoding.UTF8.GetBytes(CustomerTable);
        var gzip = Gzip(table, 0, 0);
        gzip.Length.Should().BeLessThan(table.Length);

        var result = await functions.CreateAnalysis(Multipart(gzip, "customers.csv.gz", withContentLength: true, ("format", "table"), ("delimiter", ";"), ("k", "3")), default);

        var pending = Value<AnalysisResource>(result, StatusCodes.Status202Accepted);
        pending.Status.Should().Be(AnalysisStatus.Pending, "the synchronous budget (256 bytes) ran out: the queue finishes it");
        await DeliverAsync(_sync, pending.Id, default);
        var done = Value<AnalysisResource>(await functions.GetAnalysis(ApiHost.Get("/x"), pending.Id, default), StatusCodes.Status200OK);
        done.Status.Should().Be(AnalysisStatus.Succeeded);
        done.Result!.K.Should().Be(3);
    }

    private static HttpRequest Upload(string bomb) =>
        Multipart(bomb == "blank-lines" ? BlankLineBomb : EndlessLineBomb, "bomb.csv.gz", withContentLength: true, ("format", "table"), ("delimiter", ";"));

    private static byte[] Gzip(byte[] head, byte fill, long count)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(head);
            var block = new byte[1 << 20];
            Array.Fill(block, fill);
            for (var left = count; left > 0; left -= block.Length)
            {
                gzip.Write(block, 0, (int)Math.Min(block.Length, left));
            }
        }
        return output.ToArray();
    }
}
