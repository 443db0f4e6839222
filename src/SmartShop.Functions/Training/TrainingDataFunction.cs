using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using SmartShop.Core.Training;

namespace SmartShop.Functions.Training;

/// <summary>
/// A file landed in the training-data drop zone (Event Grid-sourced on Flex Consumption): run training on it.
/// Bad data is not an exception here: the run records the failure and moves the blob aside, so the host does not
/// retry it; a storage outage does throw, and the host retries the event.
/// </summary>
public sealed partial class TrainingDataFunction(TrainingRunner runner, ILogger<TrainingDataFunction> logger)
{
    [Function(nameof(OnTrainingDataUploaded))]
    public async Task OnTrainingDataUploaded(
        [BlobTrigger("training-data/{name}", Connection = "AzureWebJobsStorage", Source = BlobTriggerSource.EventGrid)]
        BlobClient blob,
        string name,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        LogTrainingDataSeen(logger, name);
        var report = await runner.RunFromBlobAsync(name, cancellationToken).ConfigureAwait(false);
        TrainingTriggerLog.RunFinished(logger, "blob", report);
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Training data {BlobName} uploaded")]
    private static partial void LogTrainingDataSeen(ILogger logger, string blobName);
}
