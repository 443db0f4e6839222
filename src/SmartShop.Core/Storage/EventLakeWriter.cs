using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;

namespace SmartShop.Core.Storage;

/// <summary>
/// Writes event batches to the lake as JSON Lines, one blob per source batch under <c>yyyy/MM/dd/HH/</c> (UTC).
/// The blob name comes only from the batch identity and its partition time, and a blob is only ever created
/// (If-None-Match: *), never overwritten: a retry of a batch finds the blob an earlier attempt wrote and keeps it,
/// because that attempt owned at least the events the retry owns (claims only ever move to other batches). An event
/// can therefore sit in two blobs (a claim taken over from a failed batch); the lake reader counts it once.
/// Schema-agnostic: lines arrive already serialised.
/// </summary>
public sealed class EventLakeWriter(BlobContainers containers)
{
    private static readonly JsonSerializerOptions RejectedJson = new(JsonSerializerDefaults.Web);

    /// <summary>Writes accepted events (one JSON document per line) to the events container; returns the blob name (also when an earlier attempt wrote it).</summary>
    /// <param name="partitionTime">A time that is the same on every replay, e.g. the first event's enqueued time.</param>
    public Task<string> WriteAcceptedAsync(EventBatchId batchId, DateTimeOffset partitionTime, IReadOnlyList<string> jsonLines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonLines);
        foreach (var line in jsonLines)
        {
            if (line.Contains('\n', StringComparison.Ordinal) || line.Contains('\r', StringComparison.Ordinal))
            {
                throw new ArgumentException("A JSON Lines record must not contain a line break; serialise it without indentation.", nameof(jsonLines));
            }
        }

        return WriteAsync(BlobContainers.Events, batchId, partitionTime, jsonLines, cancellationToken);
    }

    /// <summary>Writes rejected events (original payload + reason) to the dead-letter container; returns the blob name.</summary>
    public Task<string> WriteRejectedAsync(EventBatchId batchId, DateTimeOffset partitionTime, IReadOnlyList<RejectedEvent> rejected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var lines = rejected.Select(r => JsonSerializer.Serialize(r, RejectedJson)).ToList();
        return WriteAsync(BlobContainers.EventsRejected, batchId, partitionTime, lines, cancellationToken);
    }

    /// <summary>The blob name a batch is stored under: yyyy/MM/dd/HH/&lt;batch id&gt;.jsonl in UTC.</summary>
    public static string BlobName(EventBatchId batchId, DateTimeOffset partitionTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{partitionTime.UtcDateTime:yyyy'/'MM'/'dd'/'HH}/{batchId.Value}.jsonl");

    /// <summary>The UTC hour a lake or dead-letter blob name (<see cref="BlobName"/>) is partitioned under; false for other names.</summary>
    public static bool TryParsePartitionHour(string blobName, out DateTime hour)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        hour = default;
        return blobName.Length > 14 && blobName[13] == '/'
            && DateTime.TryParseExact(blobName.AsSpan(0, 13), "yyyy'/'MM'/'dd'/'HH", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out hour);
    }

    private async Task<string> WriteAsync(string containerName, EventBatchId batchId, DateTimeOffset partitionTime, IReadOnlyList<string> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batchId);
        if (lines.Count == 0)
        {
            throw new ArgumentException("An event batch needs at least one line.", nameof(lines));
        }

        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            builder.Append(line).Append('\n');
        }

        var name = BlobName(batchId, partitionTime);
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        try
        {
            await container.GetBlobClient(name).UploadAsync(
                BinaryData.FromString(builder.ToString()),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" },
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict || e.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            // An earlier attempt of this batch wrote it: it holds a superset of what a retry owns, so keep it.
        }

        return name;
    }
}

/// <summary>The identity of a source batch; equal for a batch and its replay.</summary>
public sealed record EventBatchId
{
    private EventBatchId(string value) => Value = value;

    public string Value { get; }

    /// <summary>
    /// Event Hubs: partition id + sequence numbers of the batch's first and last event, <c>p&lt;partition&gt;-s&lt;first&gt;-&lt;last&gt;</c>.
    /// The whole range is the identity: a redelivery that starts at the same sequence number but carries fewer or
    /// more events is another batch, so it can never be mistaken for (and complete in place of) the first delivery.
    /// </summary>
    public static EventBatchId FromEventHubs(string partitionId, long firstSequenceNumber, long lastSequenceNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(partitionId);
        ArgumentOutOfRangeException.ThrowIfNegative(firstSequenceNumber);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastSequenceNumber, firstSequenceNumber);
        if (!partitionId.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"Event Hubs partition id '{partitionId}' must be letters or digits.", nameof(partitionId));
        }

        return new EventBatchId(string.Create(CultureInfo.InvariantCulture, $"p{partitionId}-s{firstSequenceNumber:D20}-{lastSequenceNumber:D20}"));
    }

    /// <summary>Any other source: SHA-256 of the lines, so identical content maps to the same blob.</summary>
    public static EventBatchId FromContent(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in lines)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(line));
            hash.AppendData("\n"u8);
        }

        return new EventBatchId("h" + Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public override string ToString() => Value;
}

/// <summary>A dead letter: the payload exactly as received and why it was refused.</summary>
public sealed record RejectedEvent(string Payload, string Reason, DateTimeOffset RejectedAt);
