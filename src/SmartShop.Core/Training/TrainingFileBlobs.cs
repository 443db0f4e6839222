using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Training;

/// <summary>What a run does with its file in the training-data container: read it once, tag it, or move it aside.</summary>
internal static class TrainingFileBlobs
{
    private const int MaxMetadataLength = 1024;

    /// <summary>Downloads exactly the version with <paramref name="etag"/> to <paramref name="path"/>; returns its SHA-256 (hex).</summary>
    public static async Task<string> DownloadAsync(BlobClient blob, ETag etag, string path, CancellationToken cancellationToken)
    {
        var response = await blob.DownloadStreamingAsync(
            new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = etag } }, cancellationToken).ConfigureAwait(false);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            await using var content = response.Value.Content;
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Moves a refused file to the rejected container (with the reason in its metadata) so it never retriggers.</summary>
    public static async Task MoveToRejectedAsync(
        BlobContainers containers, BlobClient blob, ETag etag, string localCopy, string runId, string reason, CancellationToken cancellationToken)
    {
        var rejected = await containers.GetAsync(BlobContainers.TrainingDataRejected, cancellationToken).ConfigureAwait(false);
        await rejected.GetBlobClient(blob.Name).UploadAsync(
            localCopy,
            new BlobUploadOptions { Metadata = Metadata(runId, "failed", reason) },
            cancellationToken).ConfigureAwait(false);
        try
        {
            // Only the version that was read: a newer upload under the same name stays and triggers its own run.
            await blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = etag }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.PreconditionFailed)
        {
        }
    }

    /// <summary>Marks a processed file with its run and decision (a poller's "done" flag; metadata changes fire no blob-created event).</summary>
    public static async Task TagAsync(BlobClient blob, ETag etag, string runId, string status, string? reason, CancellationToken cancellationToken)
    {
        try
        {
            await blob.SetMetadataAsync(Metadata(runId, status, reason), new BlobRequestConditions { IfMatch = etag }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            // Replaced or removed meanwhile: the new content is another run's business.
        }
    }

    private static Dictionary<string, string> Metadata(string runId, string status, string? reason)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [TrainingRunner.RunIdMetadata] = runId, [TrainingRunner.StatusMetadata] = status };
        if (reason is not null)
        {
            // Metadata travels in HTTP headers: printable ASCII only.
            var ascii = new string([.. reason.Select(c => c is >= ' ' and <= '~' ? c : '?')]);
            metadata[TrainingRunner.ReasonMetadata] = ascii.Length <= MaxMetadataLength ? ascii : ascii[..MaxMetadataLength];
        }
        return metadata;
    }
}
