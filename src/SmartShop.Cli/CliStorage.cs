using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace SmartShop.Cli;

/// <summary>
/// The storage clients of the commands that need an account (replay, retrain): built from --storage with short
/// retries, so an account that does not answer is reported in seconds as one line (see <see cref="Unreachable"/>).
/// </summary>
internal static class CliStorage
{
    public static (BlobServiceClient Blobs, TableServiceClient Tables) Clients(string connectionString)
    {
        try
        {
            var blobs = new BlobClientOptions();
            var tables = new TableClientOptions();
            FailFast(blobs);
            FailFast(tables);
            return (new BlobServiceClient(connectionString, blobs), new TableServiceClient(connectionString, tables));
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            throw new ArgumentException($"--storage is not a valid storage connection string ({exception.Message}).", exception);
        }
    }

    /// <summary>
    /// The one line for a storage account that cannot be reached (no answer at all, as opposed to an answer refusing a
    /// request), naming the endpoint; null for any other exception.
    /// </summary>
    public static string? Unreachable(Exception exception)
    {
        var transport = Flatten(exception).FirstOrDefault(e => e is RequestFailedException { Status: 0 } or HttpRequestException);
        if (transport is null)
        {
            return null;
        }

        // The transport's own message names the endpoint, e.g. "Connection refused (127.0.0.1:10000)".
        var cause = transport.Message;
        return $"storage did not answer ({cause}). Start the local emulator with 'bash scripts/emulators.sh start', or pass --storage with the connection string of a reachable account.";
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }

                yield break;
            }

            yield return current;
        }
    }

    private static void FailFast(ClientOptions options)
    {
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(15);
    }
}
