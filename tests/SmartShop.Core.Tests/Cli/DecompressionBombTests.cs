using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Azure.Storage.Blobs;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;
using Xunit.Abstractions;

namespace SmartShop.Core.Tests.Cli;

/// <summary>
/// Gzip bombs through the Release CLI in a child process whose heap is capped at 512 MiB (DOTNET_GCHeapHardLimit), as
/// a small Functions instance would be: each is refused with one line and exit code 2, well within 10 s, and the
/// process's peak resident memory (VmHWM) stays under 512 MiB. The blob-triggered run (retrain) quarantines the file.
/// </summary>
public sealed class DecompressionBombTests : IClassFixture<DecompressionBombTests.Bombs>
{
    private const long HeapLimit = 512L << 20;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly Bombs _bombs;
    private readonly ITestOutputHelper _output;

    public DecompressionBombTests(Bombs bombs, ITestOutputHelper output) => (_bombs, _output) = (bombs, output);

    private void Report(string name, ChildCli.Result run) =>
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: exit {run.ExitCode} after {run.Elapsed.TotalSeconds:0.00} s, peak resident {run.PeakResidentBytes / (1024.0 * 1024):0} MiB"));

    public static TheoryData<string, string> Cases => new()
    {
        { "zeros", "Line 1 is longer than the limit of 1,048,576 characters." },
        { "blank-lines", "expands more than 200 times" },
        { "endless-line", "Line 1 is longer than the limit of 1,048,576 characters." },
        { "columns", "Line 1 has 100,000 fields, over the limit of 1,000." },
        { "ten-million-blank-lines", "it has no header row" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SegmentRefusesEachBombWithOneLineAndExitCode2InBoundedMemory(string bomb, string message)
    {
        using var output = new TempDirectory();

        var run = await ChildCli.RunAsync(["segment", "--data", _bombs.Path(bomb), "--out", output.Path], HeapLimit, Deadline);
        Report("segment " + bomb, run);

        run.ExitCode.Should().Be(2, run.StandardError);
        run.StandardError.Trim().Should().StartWith("error: ").And.Contain(message).And.NotContain("\n", "one line, no stack trace");
        run.PeakResidentBytes.Should().BeLessThan(HeapLimit);
    }

    [Fact]
    public async Task TrainRefusesATableBombToo()
    {
        using var output = new TempDirectory();

        var run = await ChildCli.RunAsync(["train", "--data", _bombs.Path("blank-lines"), "--out", output.Path], HeapLimit, Deadline);
        Report("train blank-lines", run);

        run.ExitCode.Should().Be(2, run.StandardError);
        run.StandardError.Should().Contain("likely decompression bomb");
        run.PeakResidentBytes.Should().BeLessThan(HeapLimit);
    }

    [Theory]
    [InlineData("zeros", "Line 2 is longer than the limit of 1,048,576 characters.")]
    [InlineData("blank-lines", "likely decompression bomb")]
    [InlineData("endless-line", "Line 2 is longer than the limit of 1,048,576 characters.")]
    [InlineData("columns", "Line 1 has 100,001 fields, over the limit of 1,000.")]
    [InlineData("ten-million-blank-lines", "has a header but no data rows")]
    public async Task TheBlobTriggeredRunFailsABombAtOnceAndQuarantinesIt(string bomb, string message)
    {
        var blobName = StorageEmulators.UniqueName("bomb-") + ".csv.gz";
        // A unique column makes the content (and so the run) new on every test run against the same Azurite.
        var header = $"InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,c{Guid.NewGuid():N}";
        var file = Path.Combine(_bombs.Directory, blobName);
        Action<Stream> body = bomb switch
        {
            "zeros" => s => Bombs.Repeat(s, 0, 1L << 30),
            "blank-lines" => s => Bombs.Repeat(s, (byte)'\n', 1L << 30),
            "endless-line" => s => Bombs.Repeat(s, (byte)'7', 64L << 20),
            "columns" => s => Bombs.WriteText(s, string.Concat(Enumerable.Range(0, 99_994).Select(i => string.Create(CultureInfo.InvariantCulture, $",x{i}"))) + "\n"),
            _ => s => Bombs.Repeat(s, (byte)'\n', 10_000_000),
        };
        await File.WriteAllBytesAsync(file, Bombs.Gzip(stream => Bombs.WriteText(stream, bomb == "columns" ? header : header + "\n"), body));

        var run = await ChildCli.RunAsync(["retrain", "--data", file, "--blob-name", blobName, "--storage", StorageEmulators.StorageConnectionString], HeapLimit, TimeSpan.FromSeconds(30));
        Report("retrain " + bomb, run);

        run.ExitCode.Should().Be(2, run.StandardError + run.StandardOutput);
        run.StandardOutput.Should().Contain(": failed").And.Contain(message);
        run.PeakResidentBytes.Should().BeLessThan(HeapLimit);
        var containers = new BlobContainers(new BlobServiceClient(StorageEmulators.StorageConnectionString));
        var rejected = await containers.GetAsync(BlobContainers.TrainingDataRejected);
        var dropZone = await containers.GetAsync(BlobContainers.TrainingData);
        (await rejected.GetBlobClient(blobName).ExistsAsync()).Value.Should().BeTrue("the bomb is quarantined, not retried");
        (await dropZone.GetBlobClient(blobName).ExistsAsync()).Value.Should().BeFalse();
    }

    /// <summary>The bomb files, written once for the class (about 6 MB in all).</summary>
    public sealed class Bombs : IDisposable
    {
        public Bombs()
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("bombs-").FullName;
            const long GiB = 1L << 30;
            Write("zeros", s => Repeat(s, 0, GiB));
            Write("blank-lines", s => WriteText(s, "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"), s => Repeat(s, (byte)'\n', GiB));
            var random = new Random(17);
            Write("endless-line", s =>
            {
                var letters = new byte[1 << 20];
                for (var i = 0; i < 8; i++)
                {
                    random.NextBytes(letters);
                    for (var j = 0; j < letters.Length; j++)
                    {
                        letters[j] = (byte)('a' + (letters[j] % 26));
                    }
                    s.Write(letters);
                }
            });
            Write("columns", s => WriteText(s, string.Join(',', Enumerable.Range(0, 100_000).Select(i => string.Create(CultureInfo.InvariantCulture, $"c{i}"))) + "\n"));
            Write("ten-million-blank-lines", s => Repeat(s, (byte)'\n', 10_000_000));
        }

        public string Directory { get; }

        public string Path(string name) => System.IO.Path.Combine(Directory, name + ".csv.gz");

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

        public static byte[] Gzip(params Action<Stream>[] parts)
        {
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            {
                foreach (var part in parts)
                {
                    part(gzip);
                }
            }
            return output.ToArray();
        }

        public static void WriteText(Stream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));

        public static void Repeat(Stream stream, byte value, long count)
        {
            var block = new byte[1 << 20];
            Array.Fill(block, value);
            for (var left = count; left > 0; left -= block.Length)
            {
                stream.Write(block, 0, (int)Math.Min(block.Length, left));
            }
        }

        private void Write(string name, params Action<Stream>[] parts) => File.WriteAllBytes(Path(name), Gzip(parts));
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Directory.CreateTempSubdirectory("bomb-out-").FullName;

        public void Dispose() => System.IO.Directory.Delete(Path, recursive: true);
    }
}

/// <summary>Runs the CLI built beside the tests (smartshop.dll) in a child process and samples its peak resident memory.</summary>
internal static class ChildCli
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError, long PeakResidentBytes, TimeSpan Elapsed);

    public static async Task<Result> RunAsync(IReadOnlyList<string> arguments, long heapLimitBytes, TimeSpan deadline)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "smartshop.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + heapLimitBytes.ToString("X", CultureInfo.InvariantCulture);
        start.Environment["DOTNET_gcServer"] = "0";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var peak = 0L;
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            while (!process.HasExited)
            {
                peak = Math.Max(peak, PeakResident(process.Id));
                await Task.Delay(20, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"smartshop {string.Join(' ', arguments)} did not finish within {deadline.TotalSeconds:0} s.");
        }
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await output, await error, peak, clock.Elapsed);
    }

    // VmHWM is the kernel's own high-water mark of the resident set, so sampling misses no peak before the last sample.
    private static long PeakResident(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Exited between the check and the read.
        }
        return 0;
    }
}
