using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace SmartShop.Functions.Training;

/// <summary>Notices new files in the training-data drop zone (Event Grid-sourced on Flex Consumption).</summary>
public sealed partial class TrainingDataFunction(ILogger<TrainingDataFunction> logger)
{
    [Function(nameof(OnTrainingDataUploaded))]
    public Task OnTrainingDataUploaded(
        [BlobTrigger("training-data/{name}", Connection = "AzureWebJobsStorage", Source = BlobTriggerSource.EventGrid)]
        BlobClient blob,
        string name,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        cancellationToken.ThrowIfCancellationRequested();
        // Retraining runs arrive with the retraining issue (#8).
        LogTrainingDataSeen(logger, name);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Training data {BlobName} uploaded")]
    private static partial void LogTrainingDataSeen(ILogger logger, string blobName);
}
