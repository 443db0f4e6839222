using SmartShop.Core.Training;

namespace SmartShop.Core.Experiments;

/// <summary>An experiment's results over [<paramref name="From"/>, <paramref name="To"/>] and how much of the lake was read.</summary>
public sealed record ExperimentResultsView(ExperimentResult Results, DateTimeOffset From, DateTimeOffset To, int WindowHours, int LakeBlobsRead);

/// <summary>
/// The results workflow: the impressions the instances wrote, the lake's events of the experiment's days (at most the
/// last <see cref="MaxDays"/>, so one call reads a bounded lake), attribution, then the statistics.
/// </summary>
public sealed class ExperimentReport(ExperimentStore store, EventLakeReader lake, TimeProvider timeProvider)
{
    public static readonly TimeSpan MaxDays = TimeSpan.FromDays(92);

    public async Task<ExperimentResultsView> BuildAsync(Experiment experiment, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var now = timeProvider.GetUtcNow();
        var to = experiment.EndedOrNow(now);
        var from = experiment.StartsAt > to - MaxDays ? experiment.StartsAt : to - MaxDays;
        // The lake is partitioned by arrival: a purchase may arrive up to a window after the experiment's last answer.
        var events = await lake.ReadAsync(from, to + window < now ? to + window : now, cancellationToken).ConfigureAwait(false);
        var impressions = await store.ReadImpressionsAsync(experiment.Id, cancellationToken).ConfigureAwait(false);
        var counts = ExperimentAttribution.Count(experiment, events.Events, impressions, window, now);
        return new ExperimentResultsView(ExperimentResults.Analyse(experiment, counts, now), from, to, (int)window.TotalHours, events.Blobs);
    }
}
