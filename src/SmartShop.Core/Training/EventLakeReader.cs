using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs.Models;
using SmartShop.Core.Data;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Training;

/// <summary>
/// The lake's events as read: each event id once, the quality of the lines, how many blobs were read and a hash of
/// their names and ETags (equal for an unchanged lake).
/// </summary>
public sealed record LakeEvents(IReadOnlyList<ClickstreamEvent> Events, DataQualityReport Quality, int Blobs, string Hash);

/// <summary>
/// The one reader of the clickstream lake (<c>events/yyyy/MM/dd/HH/*.jsonl</c>, schema-v2 lines), for training, drift
/// and every other consumer. The lake may hold an event in two blobs (a batch that failed after its lake write, whose
/// claim another batch then took over and wrote again under its own name): the reader counts an event id once, and
/// <see cref="OncePerEvent{T}"/> is that rule for callers that read lake lines another way.
/// </summary>
public sealed class EventLakeReader(BlobContainers containers)
{
    // The lake holds accepted events; they are re-validated for parsing only, so with no age limit.
    private static readonly ClickstreamEventValidator LakeParser =
        new(new ClickstreamValidationOptions { MaxEventAge = TimeSpan.FromDays(365.25 * 1000) }, TimeProvider.System);

    /// <summary>
    /// Every event, once, of the blobs partitioned under the UTC days from <paramref name="from"/> to
    /// <paramref name="to"/> (both included). The partition is the arrival hour, so callers filter by event time.
    /// A line that no longer validates is counted in <see cref="LakeEvents.Quality"/>, never fatal.
    /// </summary>
    public async Task<LakeEvents> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var container = await containers.GetAsync(BlobContainers.Events, cancellationToken).ConfigureAwait(false);
        var quality = new DataQualityReport();
        var events = new List<ClickstreamEvent>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var blobs = 0;
        for (var day = from.UtcDateTime.Date; day <= to.UtcDateTime.Date; day = day.AddDays(1))
        {
            var prefix = day.ToString("yyyy'/'MM'/'dd'/'", CultureInfo.InvariantCulture);
            // Listed in name order: by hour, then batch id, so the earliest-written copy of an event comes first.
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
            {
                var content = await container.GetBlobClient(item.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                hash.AppendData(Encoding.UTF8.GetBytes($"{item.Name}\n{content.Value.Details.ETag}\n"));
                using var reader = new StringReader(content.Value.Content.ToString());
                foreach (var (line, payload) in ClickstreamFile.ReadNumberedPayloads(reader, ClickstreamFileFormat.JsonLines))
                {
                    var result = LakeParser.Validate(payload);
                    if (result.Event is { } clickstreamEvent)
                    {
                        quality.Accept();
                        events.Add(clickstreamEvent);
                    }
                    else
                    {
                        quality.Reject(line, result.Rejection!.Message);
                    }
                }

                blobs++;
            }
        }

        return new LakeEvents(OncePerEvent(events, e => e.EventId).ToList(), quality, blobs, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>
    /// The lake's rule for an event stored in more than one blob: the first line read with an event id is the event,
    /// later lines with the same id are copies of it. Items without an id are kept.
    /// </summary>
    public static IEnumerable<T> OncePerEvent<T>(IEnumerable<T> lines, Func<T, string?> eventId)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(eventId);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (eventId(line) is not { } id || seen.Add(id))
            {
                yield return line;
            }
        }
    }
}
