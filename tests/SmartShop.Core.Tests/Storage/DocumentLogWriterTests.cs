using Microsoft.Extensions.Logging.Abstractions;
using SmartShop.Core.Attribution;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;

namespace SmartShop.Core.Tests.Storage;

public sealed class DocumentLogWriterTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private readonly TestMeterFactory _meters = new();
    private readonly RecordingStore _store = new();

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task FullQueueDropsAndCountsEntries()
    {
        using var recorder = new MeasurementRecorder(_meters);
        using var writer = CreateWriter(capacity: 3, batchSize: 10);

        // Not started: nothing drains the queue, so the fourth and fifth entries find it full.
        var accepted = Enumerable.Range(0, 5).Select(i => writer.TryLogPrediction(Prediction(i))).ToList();
        var activityAccepted = writer.TryLogActivity("u1", new UserActivity("A", "view", Now));

        accepted.Should().Equal(true, true, true, false, false);
        activityAccepted.Should().BeFalse();
        writer.DroppedCount.Should().Be(3);
        var drops = recorder.Measurements.Where(m => m.Name == SmartShopTelemetry.Names.LogDropped).ToList();
        drops.Sum(m => m.Value).Should().Be(3);
        drops.Should().AllSatisfy(m => m.Tags[SmartShopTelemetry.Tags.Reason].Should().Be("queue_full"));
        drops.Select(m => m.Tags[SmartShopTelemetry.Tags.Log]).Should().Equal(
            DocumentLogWriter.PredictionsLog, DocumentLogWriter.PredictionsLog, DocumentLogWriter.ActivityLog);
    }

    [Fact]
    public async Task QueuedEntriesAreWrittenInBatches()
    {
        using var writer = CreateWriter(capacity: 100, batchSize: 10);
        for (var i = 0; i < 25; i++)
        {
            writer.TryLogPrediction(Prediction(i)).Should().BeTrue();
        }

        await writer.StartAsync(CancellationToken.None);
        await _store.WaitForPredictionsAsync(25);
        await writer.StopAsync(CancellationToken.None);

        _store.PredictionBatches.Select(b => b.Count).Should().Equal(10, 10, 5);
        _store.PredictionBatches.SelectMany(b => b).Select(p => p.PredictionId).Should().Equal(Enumerable.Range(0, 25).Select(i => $"p{i}"));
    }

    [Fact]
    public async Task StoppingFlushesPendingEntries()
    {
        // A long flush interval: without the shutdown flush these entries would still be waiting.
        using var writer = CreateWriter(capacity: 100, batchSize: 50, flushIntervalMilliseconds: 60_000);
        await writer.StartAsync(CancellationToken.None);
        writer.TryLogPrediction(Prediction(1)).Should().BeTrue();
        writer.TryLogActivity("u1", new UserActivity("A", "view", Now)).Should().BeTrue();
        writer.TryLogActivity("u1", new UserActivity("B", "purchase", Now.AddSeconds(1))).Should().BeTrue();
        writer.TryLogActivity("u2", new UserActivity("C", "view", Now)).Should().BeTrue();

        await writer.StopAsync(CancellationToken.None);

        _store.PredictionBatches.SelectMany(b => b).Should().ContainSingle().Which.PredictionId.Should().Be("p1");
        _store.Activities.Should().BeEquivalentTo(new Dictionary<string, List<string>> { ["u1"] = ["A", "B"], ["u2"] = ["C"] });
        writer.TryLogPrediction(Prediction(2)).Should().BeFalse("the queue is closed after shutdown");
    }

    [Fact]
    public async Task FailedWritesAreCountedAsDropped()
    {
        using var recorder = new MeasurementRecorder(_meters);
        _store.FailWrites = true;
        using var writer = CreateWriter(capacity: 10, batchSize: 10);
        writer.TryLogPrediction(Prediction(1));
        writer.TryLogPrediction(Prediction(2));

        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        writer.DroppedCount.Should().Be(2);
        recorder.Measurements.Should().ContainSingle(m => m.Name == SmartShopTelemetry.Names.LogDropped)
            .Which.Tags[SmartShopTelemetry.Tags.Reason].Should().Be("write_failed");
    }

    private DocumentLogWriter CreateWriter(int capacity, int batchSize, int flushIntervalMilliseconds = 0) =>
        new(new Lazy<IDocumentLogStore>(_store),
            new DocumentLogOptions { QueueCapacity = capacity, FlushBatchSize = batchSize, FlushIntervalMilliseconds = flushIntervalMilliseconds },
            new SmartShopTelemetry(_meters),
            NullLogger<DocumentLogWriter>.Instance);

    private static PredictionLogEntry Prediction(int i) => new("u1", $"p{i}", Now.AddSeconds(i), "recommendations", "v1", ["A"]);

    /// <summary>An in-memory store that records what the writer hands it.</summary>
    private sealed class RecordingStore : IDocumentLogStore
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool FailWrites { get; set; }

        public List<List<PredictionLogEntry>> PredictionBatches { get; } = [];

        public Dictionary<string, List<string>> Activities { get; } = [];

        public async Task WaitForPredictionsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                Task written;
                lock (_gate)
                {
                    if (PredictionBatches.Sum(b => b.Count) >= count)
                    {
                        return;
                    }

                    written = _written.Task;
                }

                await written.WaitAsync(timeout.Token);
            }
        }

        public Task WritePredictionsAsync(IReadOnlyList<PredictionLogEntry> entries, CancellationToken cancellationToken = default)
        {
            if (FailWrites)
            {
                throw new InvalidOperationException("storage unavailable");
            }

            lock (_gate)
            {
                PredictionBatches.Add(entries.ToList());
                var signal = _written;
                _written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal.SetResult();
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<UserActivity>> AppendActivityAsync(string userId, IReadOnlyList<UserActivity> activities, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                Activities.TryAdd(userId, []);
                Activities[userId].AddRange(activities.Select(a => a.ItemId));
            }

            return Task.FromResult(activities);
        }

        public Task WriteAttributionFactsAsync(string writerId, IReadOnlyList<AttributionFact> facts, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task WriteImpressionCountsAsync(string instanceId, DateOnly day, IReadOnlyList<ImpressionCount> counts, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<AttributionDay> ReadAttributionDayAsync(DateOnly day, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<PredictionLogEntry>> GetRecentPredictionsAsync(string userId, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task UpsertTrainingRunAsync(TrainingRun run, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TryCreateTrainingRunAsync(TrainingRun run, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> TryReplaceTrainingRunAsync(TrainingRun run, string etag, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<TrainingRun?> GetTrainingRunAsync(string modelName, string runId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<TrainingRun>> ListTrainingRunsAsync(string modelName, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task UpsertAnalysisAsync(SegmentationAnalysis analysis, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<SegmentationAnalysis?> GetAnalysisAsync(string analysisId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<AnalysisPage> ListAnalysesAsync(int limit, string? continuationToken = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> DeleteAnalysisAsync(string analysisId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<PredictionLogEntry>> ListAllPredictionsAsync(string userId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<int> DeletePredictionsAsync(string userId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> DeleteRecentActivityAsync(string userId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<UserActivity>> GetRecentActivityAsync(string userId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
