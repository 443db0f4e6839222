using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SmartShop.Core.Attribution;
using SmartShop.Core.Privacy;
using SmartShop.Core.Storage;

namespace SmartShop.Functions.Tests.Privacy;

/// <summary>
/// For hosts that call the customer-data routes with ids other test classes use (the fuzz, the auth matrix): the
/// workflow gets containers of its own (every container name prefixed), user keys of its own in the shared tables,
/// and an in-memory erased list, so an erasure there can never remove another test's data while it runs (other test
/// classes analyse and serve the same sample customers). The host's models are read as they are.
/// </summary>
internal static class IsolatedCustomerData
{
    public static void Register(IServiceCollection services)
    {
        var prefix = "iso" + Guid.NewGuid().ToString("N")[..8] + "-";
        services.AddSingleton(ErasedCustomers.InMemory());
        services.AddSingleton(sp =>
        {
            var storage = Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";
            var options = new BlobClientOptions();
            options.AddPolicy(new ContainerPrefix(prefix), HttpPipelinePosition.PerCall);
            var containers = new BlobContainers(new BlobServiceClient(storage, options));
            var store = new PrefixedUsers(new TableDocumentLogStore(new TableServiceClient(storage), new DocumentLogOptions(), TimeProvider.System), prefix);
            // The host's registry is read only (and has a container of its own per host): the customer is found in its models.
            return new CustomerDataService(store, containers, sp.GetRequiredService<ModelRegistry>(), sp.GetRequiredService<ErasedCustomers>(),
                new CustomerDataOptions { LakeScanDays = 2, MaxLakeBlobs = 20 }, TimeProvider.System, NullLogger<CustomerDataService>.Instance);
        });
    }

    /// <summary>Sends every blob request to "&lt;prefix&gt;&lt;container&gt;" instead of the container it names.</summary>
    private sealed class ContainerPrefix(string prefix) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Rewrite(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Rewrite(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Rewrite(HttpMessage message)
        {
            // Azurite's path-style URIs: /<account>/<container>/<blob>.
            var path = message.Request.Uri.Path;
            var account = path.IndexOf('/', 1);
            if (account > 0 && account + 1 < path.Length && !path.AsSpan(account + 1).StartsWith(prefix, StringComparison.Ordinal))
            {
                message.Request.Uri.Path = path[..(account + 1)] + prefix + path[(account + 1)..];
            }
        }
    }

    /// <summary>The customer methods with every user id prefixed; nothing else is used by the workflow.</summary>
    private sealed class PrefixedUsers(IDocumentLogStore inner, string prefix) : IDocumentLogStore
    {
        public Task<IReadOnlyList<UserActivity>> GetRecentActivityAsync(string userId, CancellationToken cancellationToken = default) => inner.GetRecentActivityAsync(prefix + userId, cancellationToken);

        public Task<IReadOnlyList<PredictionLogEntry>> ListAllPredictionsAsync(string userId, CancellationToken cancellationToken = default) => inner.ListAllPredictionsAsync(prefix + userId, cancellationToken);

        public Task<int> DeletePredictionsAsync(string userId, CancellationToken cancellationToken = default) => inner.DeletePredictionsAsync(prefix + userId, cancellationToken);

        public Task<bool> DeleteRecentActivityAsync(string userId, CancellationToken cancellationToken = default) => inner.DeleteRecentActivityAsync(prefix + userId, cancellationToken);

        public Task WritePredictionsAsync(IReadOnlyList<PredictionLogEntry> entries, CancellationToken cancellationToken = default) => throw new NotSupportedException();

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

        public Task<IReadOnlyList<UserActivity>> AppendActivityAsync(string userId, IReadOnlyList<UserActivity> activities, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task WriteAttributionFactsAsync(string writerId, IReadOnlyList<AttributionFact> facts, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task WriteImpressionCountsAsync(string instanceId, DateOnly day, IReadOnlyList<ImpressionCount> counts, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<AttributionDay> ReadAttributionDayAsync(DateOnly day, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
