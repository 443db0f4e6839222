using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace SmartShop.Functions.Storage;

/// <summary>
/// Builds storage clients from the Functions connection convention: the setting itself holds a connection string
/// (local: <c>UseDevelopmentStorage=true</c>), or <c>__blobServiceUri</c> / <c>__queueServiceUri</c> / <c>__tableServiceUri</c> /
/// <c>__accountName</c> sub-settings select identity-based access with the app's credential.
/// </summary>
internal static class StorageConnection
{
    public const string SettingName = "AzureWebJobsStorage";

    public static BlobServiceClient CreateBlobServiceClient(IConfigurationSection section, TokenCredential credential, BlobClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new BlobServiceClient(section.Value, options);
        }

        return new BlobServiceClient(ServiceUri(section, "blobServiceUri", "blob"), credential, options);
    }

    public static TableServiceClient CreateTableServiceClient(IConfigurationSection section, TokenCredential credential, TableClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new TableServiceClient(section.Value, options);
        }

        return new TableServiceClient(ServiceUri(section, "tableServiceUri", "table"), credential, options);
    }

    public static QueueServiceClient CreateQueueServiceClient(IConfigurationSection section, TokenCredential credential, QueueClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);

        // The Functions queue trigger reads base64 messages by default; send what it reads.
        options.MessageEncoding = QueueMessageEncoding.Base64;
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new QueueServiceClient(section.Value, options);
        }

        return new QueueServiceClient(ServiceUri(section, "queueServiceUri", "queue"), credential, options);
    }

    private static Uri ServiceUri(IConfigurationSection section, string uriKey, string service)
    {
        if (section[uriKey] is { Length: > 0 } uri)
        {
            return Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"Setting '{section.Path}__{uriKey}' is not an absolute URI: '{uri}'.");
        }

        if (section["accountName"] is { Length: > 0 } account)
        {
            return new Uri($"https://{account}.{service}.core.windows.net");
        }

        throw new InvalidOperationException(
            $"Storage is not configured: set '{section.Path}' to a connection string, or '{section.Path}__{uriKey}' or '{section.Path}__accountName' for identity-based access.");
    }
}
