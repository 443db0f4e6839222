using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;
using SmartShop.Core.Tests.Storage;
using SmartShop.Core.Training;

namespace SmartShop.Core.Tests.Training;

/// <summary>
/// A worker that dies at any storage write of a run (claim, manifests, each pointer move, retention deletes, run-log
/// writes, the file's tag) leaves state that a redelivery repairs: at once it is told to retry, after the stale window it
/// takes the run over, and then (beside an operator's rollback and a racing run) the pointers name one run's existing
/// versions, the rollback target loads, no record stays running and each input is trained once.
/// </summary>
public sealed class TrainingCrashTests
{
    [Fact]
    public async Task ACrashAtEveryStorageWriteOfARunIsRepairedByRedeliveryAndLeavesOneRunsModelsActiveBesideRollbacksAndRacingRuns()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var crash = new CrashAtWrite();
        // Tolerance 1: every finished run promotes, so every case moves both pointers and applies retention.
        using var harness = new TrainingHarness(clock, o => o.Tolerance = 1,
            StorageEmulators.BlobService(crash), StorageEmulators.TableService(crash));
        var options = harness.Options;
        (await harness.UploadAndRunAsync(TrainingFiles.GoodVariant(skip: 0))).Decision.Should().Be(TrainingDecision.Promoted);

        var crashPoints = new List<string>();
        for (var k = 1; k <= 60; k++)
        {
            clock.Now += TimeSpan.FromMinutes(1);
            var name = await harness.UploadAsync(TrainingFiles.GoodVariant(skip: k));
            crash.ArmAt(k);
            var crashed = await Record.ExceptionAsync(() => harness.Runner.RunFromBlobAsync(name));
            var point = crash.Disarm();
            if (point is null)
            {
                crashed.Should().BeNull();
                break;
            }
            crashed.Should().BeOfType<RequestFailedException>($"the worker died at write {k} ({point})");
            crashPoints.Add(point);
            // What serving would load right after the crash is already one run's set.
            await AssertActiveSetAsync(harness, $"after the crash at {point}");

            // Redelivered at once: either the claim still holds (retry later) or the crash came before or after it.
            var atOnce = await Record.ExceptionAsync(() => harness.Runner.RunFromBlobAsync(name));
            if (atOnce is not null)
            {
                atOnce.Should().BeOfType<TrainingRunInProgressException>(point);
                clock.Now += TimeSpan.FromMinutes(options.StaleRunMinutes + 1);
            }
            string? rolledBackRun = null;
            if (k % 3 == 0)
            {
                // Meanwhile an operator rolls recommendations back by hand (the activate route's Core calls).
                var current = (await harness.Registry.GetActiveAsync(options.RecommendationsModel))!;
                (await harness.Registry.TryActivateRunAsync(options.RecommendationsModel, current.PreviousVersion!, current.ETag, options.SegmentationModel)).Should().BeTrue(point);
                rolledBackRun = RunOf((await harness.Registry.ListVersionsAsync(options.RecommendationsModel)).Single(v => v.Version == current.PreviousVersion));
            }

            // Every fourth case, another upload's run races the redelivery: one of the two activates.
            string[] inputs = k % 4 == 0 ? [name, await harness.UploadAsync(TrainingFiles.GoodVariant(skip: 100 + k))] : [name];
            var finals = await Task.WhenAll(inputs.Select(input => Task.Run(() => harness.Runner.RunFromBlobAsync(input))));
            finals.Should().Contain(r => r.Decision == TrainingDecision.Promoted, point);
            finals.Should().OnlyContain(r => r.Decision == TrainingDecision.Promoted || r.Message.StartsWith("Superseded", StringComparison.Ordinal), point);
            foreach (var input in inputs)
            {
                (await harness.Runner.RunFromBlobAsync(input)).IsDuplicate.Should().BeTrue($"each input is trained once ({point})");
            }

            // A redelivery that finds the run finished trains nothing: the operator's rollback then stays active.
            var activeCandidates = finals.Select(r => r.RunId).Append(rolledBackRun).OfType<string>().ToList();
            await AssertConsistentAsync(harness, activeCandidates, point);
        }

        crashPoints.Should().Contain(p => p.EndsWith($"/{options.RecommendationsModel}/active", StringComparison.Ordinal))
            .And.Contain(p => p.EndsWith($"/{options.SegmentationModel}/active", StringComparison.Ordinal))
            .And.Contain(p => p.StartsWith("DELETE", StringComparison.Ordinal), "retention ran in the later cases")
            .And.Contain(p => !p.Contains($"/{BlobContainers.Models}/", StringComparison.Ordinal) && !p.Contains($"/{BlobContainers.TrainingData}/", StringComparison.Ordinal),
                "run-log writes are crash points too");
    }

    [Fact]
    public async Task ARunLeftRunningWhoseRedeliveriesAreUsedUpIsTrainedByTheSweepAfterTheStaleWindow()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var crash = new CrashAtWrite();
        using var harness = new TrainingHarness(clock, blobService: StorageEmulators.BlobService(crash), tableService: StorageEmulators.TableService(crash));
        var name = await UploadAndCrashAfterClaimAsync(harness, crash);
        var claimed = (await harness.RunLog.ListTrainingRunsAsync(harness.Options.RecommendationsModel, 10)).Should().ContainSingle().Subject;
        claimed.Status.Should().Be(TrainingRunner.RunningStatus);

        (await harness.Runner.SweepStaleRunsAsync()).Should().BeEmpty("the claim is still fresh");
        clock.Now += TimeSpan.FromMinutes(harness.Options.StaleRunMinutes + 1);
        var swept = await harness.Runner.SweepStaleRunsAsync();

        swept.Should().ContainSingle().Which.Should().Match<TrainingRunReport>(r => r.RunId == claimed.RunId && r.Decision == TrainingDecision.Promoted && !r.IsDuplicate);
        (await harness.RunLog.GetTrainingRunAsync(harness.Options.RecommendationsModel, claimed.RunId))!.Status.Should().Be("promoted");
        (await harness.Runner.SweepStaleRunsAsync()).Should().BeEmpty();
        (await harness.Runner.RunFromBlobAsync(name)).IsDuplicate.Should().BeTrue();
    }

    [Fact]
    public async Task TwoRedeliveriesFindingTheSameStaleClaimTrainTheInputOnce()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var crash = new CrashAtWrite();
        using var harness = new TrainingHarness(clock, blobService: StorageEmulators.BlobService(crash), tableService: StorageEmulators.TableService(crash));
        var name = await UploadAndCrashAfterClaimAsync(harness, crash);
        clock.Now += TimeSpan.FromMinutes(harness.Options.StaleRunMinutes + 1);

        var attempts = new[] { Attempt(), Attempt() };
        await Task.WhenAll(attempts);

        var trained = attempts.Select(a => a.Result).OfType<TrainingRunReport>().Where(r => !r.IsDuplicate).ToList();
        trained.Should().ContainSingle("one redelivery takes the stale claim over; the other sees it in progress or done");
        attempts.Select(a => a.Result).Should().AllSatisfy(r => r.Should().Match<object>(o => o is TrainingRunReport || o is TrainingRunInProgressException));
        (await harness.Registry.ListVersionsAsync(harness.Options.RecommendationsModel)).Should().ContainSingle("the input was trained once");
        (await harness.RunLog.ListTrainingRunsAsync(harness.Options.RecommendationsModel, 10)).Should().ContainSingle().Which.Status.Should().Be("promoted");

        async Task<object> Attempt()
        {
            try
            {
                return await harness.Runner.RunFromBlobAsync(name);
            }
            catch (TrainingRunInProgressException e)
            {
                return e;
            }
        }
    }

    [Fact]
    public async Task AFileThatStopsTheWorkerTwiceIsFailedAndQuarantinedInsteadOfRetriedForever()
    {
        // As an out-of-memory abort would: the process dies mid-run and leaves the claim running, on every attempt.
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var crash = new CrashAtWrite();
        using var harness = new TrainingHarness(clock, blobService: StorageEmulators.BlobService(crash), tableService: StorageEmulators.TableService(crash));
        var stale = TimeSpan.FromMinutes(harness.Options.StaleRunMinutes + 1);
        var name = await UploadAndCrashAfterClaimAsync(harness, crash);
        clock.Now += stale;
        crash.ArmAt(1, $"/{ModelRegistry.ManifestFileName}");
        (await Record.ExceptionAsync(() => harness.Runner.RunFromBlobAsync(name))).Should().BeOfType<RequestFailedException>("the second attempt dies too");
        crash.Disarm().Should().NotBeNull();
        clock.Now += stale;

        var swept = await harness.Runner.SweepStaleRunsAsync();

        var report = swept.Should().ContainSingle().Subject;
        report.Decision.Should().Be(TrainingDecision.Failed);
        report.Error.Should().Be("The worker stopped 2 times while training this file (most likely out of memory): it is too large for this instance.");
        (await harness.RunLog.GetTrainingRunAsync(harness.Options.RecommendationsModel, report.RunId))!.Status.Should().Be("failed");
        (await (await harness.BlobAsync(BlobContainers.TrainingData, name)).ExistsAsync()).Value.Should().BeFalse("the file leaves the drop zone");
        (await (await harness.BlobAsync(BlobContainers.TrainingDataRejected, name)).ExistsAsync()).Value.Should().BeTrue();
        (await harness.Registry.ListVersionsAsync(harness.Options.RecommendationsModel)).Should().BeEmpty();
        (await harness.Runner.SweepStaleRunsAsync()).Should().BeEmpty("nothing is left running");
    }

    /// <summary>Uploads a good file and kills its run at the first version commit, right after the claim.</summary>
    private static async Task<string> UploadAndCrashAfterClaimAsync(TrainingHarness harness, CrashAtWrite crash)
    {
        var name = await harness.UploadAsync(TrainingFiles.Good());
        crash.ArmAt(1, $"/{ModelRegistry.ManifestFileName}");
        (await Record.ExceptionAsync(() => harness.Runner.RunFromBlobAsync(name))).Should().BeOfType<RequestFailedException>();
        crash.Disarm().Should().NotBeNull("the worker died after its claim, at the first version commit");
        return name;
    }

    private static async Task AssertConsistentAsync(TrainingHarness harness, IReadOnlyList<string> runIds, string point)
    {
        var options = harness.Options;
        var registry = harness.Registry;
        var runs = await harness.RunLog.ListTrainingRunsAsync(options.RecommendationsModel, 200);
        runs.Should().NotContain(r => r.Status == TrainingRunner.RunningStatus, point);
        foreach (var runId in runIds)
        {
            runs.Where(r => r.RunId == runId).Should().ContainSingle(point);
        }

        runIds.Should().Contain(await AssertActiveSetAsync(harness, point), point);

        // The rollback target is still whole: a rollback would load it.
        var recommendations = (await registry.GetActiveAsync(options.RecommendationsModel))!;
        recommendations.PreviousVersion.Should().NotBeNull(point);
        var directory = Directory.CreateTempSubdirectory("smartshop-rollback-").FullName;
        try
        {
            await registry.DownloadVersionAsync(options.RecommendationsModel, recommendations.PreviousVersion!, directory);
            ModelBundle.Load(directory).Should().NotBeNull();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The active pair as serving reads it names existing versions of one run; returns that run.</summary>
    private static async Task<string?> AssertActiveSetAsync(TrainingHarness harness, string point)
    {
        var options = harness.Options;
        var registry = harness.Registry;
        var (recommendations, segmentation) = await registry.GetActiveSetAsync(options.RecommendationsModel, options.SegmentationModel);
        var rec = (await registry.ListVersionsAsync(options.RecommendationsModel)).Should().ContainSingle(v => v.Version == recommendations!.Version, point).Subject;
        var seg = (await registry.ListVersionsAsync(options.SegmentationModel)).Should().ContainSingle(v => v.Version == segmentation!.Version, point).Subject;
        RunOf(seg).Should().Be(RunOf(rec), $"both active models come from one run ({point})");
        return RunOf(rec);
    }

    private static string? RunOf(ModelVersionInfo version) => version.Training?.GetProperty("runId").GetString();

    /// <summary>
    /// The worker dies just before its k-th storage write (version data files aside): that request and every later one
    /// fail, as if the process were gone.
    /// </summary>
    private sealed class CrashAtWrite : HttpPipelinePolicy
    {
        private readonly Lock _gate = new();
        private int _target;
        private int _writes;
        private string? _point;
        private string _pathEnd = "";

        /// <summary>Dies at the k-th write (counting only writes to paths ending in <paramref name="pathEnd"/>, if given).</summary>
        public void ArmAt(int k, string pathEnd = "")
        {
            lock (_gate)
            {
                (_target, _writes, _point, _pathEnd) = (k, 0, null, pathEnd);
            }
        }

        /// <summary>Stops failing; returns the write the worker died at, or null when the run had fewer writes.</summary>
        public string? Disarm()
        {
            lock (_gate)
            {
                _target = 0;
                return _point;
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The runner uses the asynchronous API.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            lock (_gate)
            {
                if (_target > 0)
                {
                    if (_point is null && IsCrashPoint(message.Request) && message.Request.Uri.Path.EndsWith(_pathEnd, StringComparison.Ordinal) && ++_writes == _target)
                    {
                        _point = $"{message.Request.Method} {message.Request.Uri.Path}";
                    }
                    if (_point is not null)
                    {
                        throw new RequestFailedException(503, $"Injected crash before {_point}.");
                    }
                }
            }
            await ProcessNextAsync(message, pipeline);
        }

        private static bool IsCrashPoint(Request request)
        {
            if (request.Method == RequestMethod.Get || request.Method == RequestMethod.Head)
            {
                return false;
            }
            // models/<model>/<version>/<file>: a version's data file. Its upload precedes the manifest that commits it,
            // and its delete follows the manifest's: a crash there is the same as one at the manifest.
            var segments = request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var models = Array.IndexOf(segments, BlobContainers.Models);
            var dataFile = models >= 0 && segments.Length >= models + 4 && segments[^1] != ModelRegistry.ManifestFileName;
            return !dataFile;
        }
    }
}
