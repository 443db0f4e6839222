using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SmartShop.Core.Attribution;
using SmartShop.Core.Privacy;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Serving;

namespace SmartShop.Benchmarks.Recommendations;

/// <summary>
/// The real <see cref="RecommendationFunctions"/> over a model trained as <see cref="RecommendationBenchmarkModel"/> does,
/// with the production prediction log writer (default options) running over an in-memory store. The activity store is
/// in memory too: the figure is the function's own cost, not a storage round trip.
/// </summary>
internal sealed class RecommendationApiFixture : IAsyncDisposable
{
    private readonly ServiceProvider _metrics;
    private readonly DocumentLogWriter _writer;

    private RecommendationApiFixture(ServiceProvider metrics, DocumentLogWriter writer, RecommendationFunctions functions, InMemoryActivityStore store, string[] users, IReadOnlyList<string> items)
    {
        _metrics = metrics;
        _writer = writer;
        Functions = functions;
        Store = store;
        Users = users;
        Items = items;
    }

    public RecommendationFunctions Functions { get; }

    public InMemoryActivityStore Store { get; }

    public string[] Users { get; }

    /// <summary>Prediction log entries dropped so far (queue full).</summary>
    public long DroppedPredictions => _writer.DroppedCount;

    public IReadOnlyList<string> Items { get; }

    public static async Task<RecommendationApiFixture> CreateAsync()
    {
        var (recommender, users) = RecommendationBenchmarkModel.Load();
        var serving = new ServingModels();
        serving.Serve(new ServedRecommender("bench", recommender, null, DateTimeOffset.UtcNow));
        var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var telemetry = new SmartShopTelemetry(metrics.GetRequiredService<IMeterFactory>());
        var store = new InMemoryActivityStore();
        var writer = new DocumentLogWriter(new Lazy<IDocumentLogStore>(store), new DocumentLogOptions(), telemetry, NullLogger<DocumentLogWriter>.Instance);
        await writer.StartAsync(CancellationToken.None).ConfigureAwait(false);
        var functions = new RecommendationFunctions(serving, store, writer, new RecommendationCache(telemetry), telemetry, TimeProvider.System,
            NullLogger<RecommendationFunctions>.Instance, ErasedCustomers.InMemory());
        return new RecommendationApiFixture(metrics, writer, functions, store, users, recommender.Model.Items);
    }

    /// <summary>A fresh request as the host hands one to the function: GET with the query string.</summary>
    public static HttpRequest Get(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.QueryString = new QueryString(query);
        return context.Request;
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _writer.Dispose();
        await _metrics.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Recent activity and prediction writes in memory; the other log operations are not used by the function.</summary>
internal sealed class InMemoryActivityStore : IDocumentLogStore
{
    private readonly Dictionary<string, IReadOnlyList<UserActivity>> _activity = new(StringComparer.Ordinal);
    private long _predictions;

    public long PredictionsWritten => Interlocked.Read(ref _predictions);

    public void SetActivity(string userId, IReadOnlyList<UserActivity> activity) => _activity[userId] = activity;

    public Task<IReadOnlyList<UserActivity>> GetRecentActivityAsync(string userId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_activity.GetValueOrDefault(userId) ?? []);

    public Task WritePredictionsAsync(IReadOnlyList<PredictionLogEntry> entries, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _predictions, entries.Count);
        return Task.CompletedTask;
    }

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

    public Task<IReadOnlyList<UserActivity>> AppendActivityAsync(string userId, IReadOnlyList<UserActivity> activities, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task WriteAttributionFactsAsync(string writerId, IReadOnlyList<AttributionFact> facts, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task WriteImpressionCountsAsync(string instanceId, DateOnly day, IReadOnlyList<ImpressionCount> counts, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<AttributionDay> ReadAttributionDayAsync(DateOnly day, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
