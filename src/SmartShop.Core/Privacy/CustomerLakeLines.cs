using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Privacy;

/// <summary>A JSON-lines blob that holds lines of the customer: its content and ETag as read, and those lines.</summary>
internal sealed record LakeBlobMatch(string Name, string Content, ETag ETag, IReadOnlyList<string> Lines);

/// <summary>What removing a customer's lines did to one blob.</summary>
internal readonly record struct LakeBlobRemoval(int LinesRemoved, bool Rewritten, bool Deleted);

/// <summary>
/// Finds and removes one customer's lines in the JSON-lines containers (the lake <c>events</c> and the dead letters
/// <c>events-rejected</c>, both <c>yyyy/MM/dd/HH/&lt;batch&gt;.jsonl</c>). The scan covers the hours of the last
/// <see cref="CustomerDataOptions.LakeScanDays"/> days, newest first, at most <see cref="CustomerDataOptions.MaxLakeBlobs"/>
/// blobs per container. A blob is rewritten under If-Match on the ETag it was read with; when another writer changed
/// it meanwhile (412), it is read again and filtered again, so a concurrent write is never lost.
/// </summary>
internal sealed class CustomerLakeLines(BlobContainers containers, CustomerDataOptions options, TimeProvider timeProvider)
{
    private const int ReadParallelism = 8;
    private const int MaxConditionalAttempts = 10;

    public DateTime ScanFrom => (timeProvider.GetUtcNow() - TimeSpan.FromDays(options.LakeScanDays)).UtcDateTime;

    /// <summary>The blobs of <paramref name="containerName"/> that hold lines <paramref name="names"/> says are the customer's.</summary>
    public async Task<(List<LakeBlobMatch> Matches, int BlobsRead, bool Truncated)> FindAsync(string containerName, Func<string, bool> names, CancellationToken cancellationToken)
    {
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        var from = ScanFrom;
        var fromHour = new DateTime(from.Year, from.Month, from.Day, from.Hour, 0, 0, DateTimeKind.Utc);
        var inWindow = new List<string>();
        await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (EventLakeWriter.TryParsePartitionHour(item.Name, out var hour) && hour >= fromHour)
            {
                inWindow.Add(item.Name);
            }
        }

        // Names sort by hour: the newest hours are read first when the limit cuts the scan short.
        inWindow.Sort(StringComparer.Ordinal);
        inWindow.Reverse();
        var truncated = inWindow.Count > options.MaxLakeBlobs;
        var toRead = truncated ? inWindow[..options.MaxLakeBlobs] : inWindow;
        var matches = new ConcurrentBag<LakeBlobMatch>();
        await Parallel.ForEachAsync(toRead, new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken }, async (name, token) =>
        {
            if (await ReadAsync(container.GetBlobClient(name), names, token).ConfigureAwait(false) is { Lines.Count: > 0 } match)
            {
                matches.Add(match);
            }
        }).ConfigureAwait(false);
        return (matches.OrderByDescending(m => m.Name, StringComparer.Ordinal).ToList(), toRead.Count, truncated);
    }

    /// <summary>
    /// Removes the customer's lines from the blob: rewritten without them, or deleted when nothing else is left, under
    /// If-Match on the ETag of the content filtered; on 412 the blob is read and filtered again.
    /// </summary>
    public async Task<LakeBlobRemoval> RemoveAsync(string containerName, LakeBlobMatch first, Func<string, bool> names, CancellationToken cancellationToken)
    {
        var container = await containers.GetAsync(containerName, cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlobClient(first.Name);
        LakeBlobMatch? current = first;
        for (var attempt = 1; ; attempt++)
        {
            if (current is not { Lines.Count: > 0 })
            {
                return default;
            }

            var kept = Lines(current.Content).Where(line => !names(line)).ToList();
            var conditions = new BlobRequestConditions { IfMatch = current.ETag };
            try
            {
                if (kept.Count == 0)
                {
                    await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken).ConfigureAwait(false);
                    await DeletePreviousVersionsAsync(container, first.Name, cancellationToken).ConfigureAwait(false);
                    return new LakeBlobRemoval(current.Lines.Count, false, true);
                }

                var content = new StringBuilder();
                foreach (var line in kept)
                {
                    content.Append(line).Append('\n');
                }

                await blob.UploadAsync(BinaryData.FromString(content.ToString()), new BlobUploadOptions
                {
                    Conditions = conditions,
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" },
                }, cancellationToken).ConfigureAwait(false);
                await DeletePreviousVersionsAsync(container, first.Name, cancellationToken).ConfigureAwait(false);
                return new LakeBlobRemoval(current.Lines.Count, true, false);
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.PreconditionFailed && attempt < MaxConditionalAttempts)
            {
                // Another writer replaced the blob after it was read: filter what is there now.
                current = await ReadAsync(blob, names, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
            {
                return default;
            }
        }
    }

    /// <summary>The lines of a JSON-lines text (a trailing newline ends the last line).</summary>
    public static IEnumerable<string> Lines(string content) =>
        content.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0);

    private static async Task<LakeBlobMatch?> ReadAsync(BlobClient blob, Func<string, bool> names, CancellationToken cancellationToken)
    {
        try
        {
            var download = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var content = download.Value.Content.ToString();
            return new LakeBlobMatch(blob.Name, content, download.Value.Details.ETag, Lines(content).Where(names).ToList());
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// With blob versioning on (infra/app/storage.bicep), an overwrite keeps the old content as a previous version:
    /// those are deleted too (they then sit in soft delete until its retention ends). A service without versioning lists none.
    /// </summary>
    public static async Task DeletePreviousVersionsAsync(BlobContainerClient container, string name, CancellationToken cancellationToken)
    {
        var versions = new List<string>();
        try
        {
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = name, States = BlobStates.Version }, cancellationToken).ConfigureAwait(false))
            {
                if (item.Name == name && item.VersionId is { } version && item.IsLatestVersion != true)
                {
                    versions.Add(version);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.BadRequest or (int)HttpStatusCode.NotImplemented)
        {
            // An emulator without versioning.
            return;
        }

        foreach (var version in versions)
        {
            try
            {
                await container.GetBlobClient(name).WithVersion(version).DeleteAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
            {
            }
        }
    }

    /// <summary>A lake line (schema v2) whose <c>userId</c> or <c>sessionId</c> is the customer.</summary>
    public static bool IsEventOf(string line, string customerId) =>
        line.Contains(customerId, StringComparison.Ordinal) && TryParseObject(line) is { } root && NamesActor(root.RootElement, customerId, root);

    /// <summary>
    /// A dead letter (<c>{"payload","reason","rejectedAt"}</c>) whose payload names the customer (<see cref="IsPayloadOf"/>;
    /// a refused event may be malformed, and erasure errs on the side of removing it).
    /// </summary>
    public static bool IsDeadLetterOf(string line, string customerId)
    {
        if (!line.Contains(customerId, StringComparison.Ordinal) || DeadLetter(line) is not { } deadLetter)
        {
            return false;
        }

        return IsPayloadOf(deadLetter.Payload, customerId);
    }

    /// <summary>
    /// A raw event payload (as received: a dead letter's or a failed batch's) that names the customer: as <c>userId</c>,
    /// <c>sessionId</c> or <c>visitorid</c> of a JSON object, else as a quoted string anywhere in it.
    /// </summary>
    public static bool IsPayloadOf(string payload, string customerId)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!payload.Contains(customerId, StringComparison.Ordinal))
        {
            return false;
        }

        using var document = TryParseObject(payload);
        return document is null
            ? payload.Contains("\"" + customerId + "\"", StringComparison.Ordinal)
            : NamesActor(document.RootElement, customerId, null);
    }

    /// <summary>The dead letter a line holds, or null for a line that is not one.</summary>
    public static DeadLetterLine? DeadLetter(string line, string blob = "")
    {
        using var document = TryParseObject(line);
        if (document is null || !document.RootElement.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var reason = document.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var rejectedAt = document.RootElement.TryGetProperty("rejectedAt", out var at) && at.ValueKind == JsonValueKind.String && at.TryGetDateTimeOffset(out var time) ? time : (DateTimeOffset?)null;
        return new DeadLetterLine(blob, payload.GetString()!, reason, rejectedAt);
    }

    private static bool NamesActor(JsonElement root, string customerId, IDisposable? owner)
    {
        using (owner)
        {
            foreach (var property in root.EnumerateObject())
            {
                if ((property.NameEquals("userId") || property.NameEquals("sessionId") || property.NameEquals("visitorid"))
                    && property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number
                    && string.Equals(property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText(), customerId, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static JsonDocument? TryParseObject(string text)
    {
        try
        {
            var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
