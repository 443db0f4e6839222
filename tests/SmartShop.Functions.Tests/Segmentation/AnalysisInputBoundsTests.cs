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
    // The bombs, each a small gzip: zeros (one endless line of NULs), blank lines after a header (ratio), one
    // endless line of digits, 100,000 columns, 10 million blank lines.
    private static readonly Dictionary<string, byte[]> Bombs = new()
    {
        ["zeros"] = Gzip([], 0, 1L << 30),
        ["blank-lines"] = Gzip(Encoding.UTF8.GetBytes("customer_id;spend\n"), (byte)'\n', 256L << 20),
        ["endless-line"] = Gzip([], (byte)'7', 64L << 20),
        ["columns"] = Gzip(Encoding.UTF8.GetBytes(string.Join(';', Enumerable.Range(0, 100_000).Select(i => $"c{i}")) + "\n"), 0, 0),
        ["ten-million-blank-lines"] = Gzip([], (byte)'\n', 10_000_000),
    };

    private readonly ApiHost _sync = new(new Dictionary<string, string?> { ["Analyses:SynchronousInputBytes"] = "256" });
    private readonly ApiHost _queued = new(new Dictionary<string, string?> { ["Analyses:BackgroundThresholdBytes"] = "0" });

    public void Dispose()
    {
        _sync.Dispose();
        _queued.Dispose();
    }

    public static TheoryData<string, int, string> Cases => new()
    {
        { "zeros", StatusCodes.Status413PayloadTooLarge, "Line 1 is longer than the limit of 1,048,576 characters." },
        { "blank-lines", StatusCodes.Status413PayloadTooLarge, "expands more than 200 times" },
        { "endless-line", StatusCodes.Status413PayloadTooLarge, "Line 1 is longer than the limit of 1,048,576 characters." },
        { "columns", StatusCodes.Status413PayloadTooLarge, "Line 1 has 100,000 fields, over the limit of 1,000." },
        { "ten-million-blank-lines", StatusCodes.Status400BadRequest, "The customer table is empty (no header line)." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ASynchronousRunRefusesABombAtOnce(string bomb, int status, string message)
    {
        using var host = new ApiHost();
        var functions = host.Create<AnalysesFunctions>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var result = await functions.CreateAnalysis(Upload(bomb), deadline.Token);

        ProblemCode(result, status).Should().Be(status == StatusCodes.Status413PayloadTooLarge ? "input-too-large" : "invalid-input");
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

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AQueuedRunFailsABombWithTheLimitItHit(string bomb, int status, string message)
    {
        _ = status;
        var functions = _queued.Create<AnalysesFunctions>();
        var pending = Value<AnalysisResource>(await functions.CreateAnalysis(Upload(bomb), default), StatusCodes.Status202Accepted);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await DeliverAsync(_queued, pending.Id, deadline.Token);

        var done = Value<AnalysisResource>(await functions.GetAnalysis(ApiHost.Get("/x"), pending.Id, default), StatusCodes.Status200OK);
        done.Status.Should().Be(AnalysisStatus.Failed);
        done.Error.Should().Contain(message);
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
        Multipart(Bombs[bomb], "bomb.csv.gz", withContentLength: true, ("format", "table"), ("delimiter", ";"));

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
