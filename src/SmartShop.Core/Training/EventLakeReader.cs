using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs.Models;
using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Training;

/// <summary>A window of the event lake, read: its interactions and a hash of the blobs it came from (names and ETags).</summary>
internal sealed record LakeWindow(List<InteractionEvent> Events, DataQualityReport Quality, int Blobs, string Hash);

/// <summary>Reads the clickstream lake (<c>events/yyyy/MM/dd/HH/*.jsonl</c>, schema-v1 lines) for a training run.</summary>
internal sealed class EventLakeReader(BlobContainers containers)
{
    /// <summary>The events whose timestamp lies in (<paramref name="now"/> − <paramref name="window"/>, <paramref name="now"/>].</summary>
    public async Task<LakeWindow> ReadAsync(DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        var from = now - window;
        var container = await containers.GetAsync(BlobContainers.Events, cancellationToken).ConfigureAwait(false);
        var quality = new DataQualityReport();
        var events = new List<InteractionEvent>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var blobs = 0;
        // The lake is partitioned by arrival hour (yyyy/MM/dd/HH/); list only the window's days.
        for (var day = from.UtcDateTime.Date; day <= now.UtcDateTime.Date; day = day.AddDays(1))
        {
            var prefix = day.ToString("yyyy'/'MM'/'dd'/'", CultureInfo.InvariantCulture);
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
            {
                var content = await container.GetBlobClient(item.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                hash.AppendData(Encoding.UTF8.GetBytes($"{item.Name}\n{content.Value.Details.ETag}\n"));
                using var reader = new StringReader(content.Value.Content.ToString());
                // The lake holds validated lines only; a line that no longer validates is counted, never fatal.
                events.AddRange(InteractionSources.ReadClickstream(reader, quality, maxMalformedRatio: 1.0).Where(e => e.Timestamp >= from.UtcDateTime));
                blobs++;
            }
        }
        return new LakeWindow(events, quality, blobs, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
