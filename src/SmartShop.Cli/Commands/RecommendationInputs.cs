using System.Globalization;
using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;

namespace SmartShop.Cli.Commands;

/// <summary>Reads a transactions file into interaction events and a catalogue, reporting data quality on stderr.</summary>
internal static class RecommendationInputs
{
    public static (List<Transaction> Rows, Catalogue Catalogue) ReadTransactions(string path, string? cataloguePath, TransactionCsvOptions csv, TextWriter log, CancellationToken cancellationToken)
    {
        // A catalogue's isProduct: false items (fees, vouchers) are dropped while reading, with their own reason.
        var given = cataloguePath is null ? null : Catalogue.Load(cataloguePath);
        if (given is not null)
        {
            csv = csv with { Rules = csv.Rules with { NonProductItems = given.Items.Where(i => !i.IsProduct).Select(i => i.Id).ToHashSet(StringComparer.Ordinal) } };
        }
        var set = ReadRows(path, csv, log, cancellationToken);
        var rows = set.Rows as List<Transaction> ?? [.. set.Rows];
        return (rows, given ?? Catalogue.FromTransactions(rows));
    }

    public static TransactionSet ReadRows(string path, TransactionCsvOptions csv, TextWriter log, CancellationToken cancellationToken)
    {
        var set = new TransactionCsvReader(csv).ReadAll(path, cancellationToken);
        WriteReport(Path.GetFileName(path), set.Report, log);
        return set;
    }

    /// <summary>The data-quality report: a summary line, then one line per reason rows were dropped.</summary>
    public static void WriteReport(string name, DataQualityReport report, TextWriter log)
    {
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {report.RowsRead:N0} {(report.RowsRead == 1 ? "row" : "rows")} read, {report.RowsAccepted:N0} kept, {report.RowsDropped:N0} dropped"));
        foreach (var line in report.DropLines())
        {
            log.WriteLine("  " + line);
        }
    }

    public static IProgress<string> Progress(TextWriter log)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return new SynchronousProgress(message => log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,6:F1}s] {message}")));
    }

    /// <summary>
    /// Progress for a long step that also says "still <paramref name="what"/>" when a few seconds pass without a
    /// report, so a terminal never sits silent: the returned handle stops the heartbeat when disposed.
    /// </summary>
    public static (IProgress<string> Progress, IDisposable Heartbeat) ProgressWithHeartbeat(TextWriter log, string what, TimeSpan interval)
    {
        var synchronized = TextWriter.Synchronized(log);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = clock.Elapsed;
        void Write(string message)
        {
            last = clock.Elapsed;
            synchronized.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,6:F1}s] {message}"));
        }

        var timer = new Timer(_ =>
        {
            if (clock.Elapsed - last >= interval)
            {
                Write($"still {what}");
            }
        }, null, interval / 2, interval / 2);
        return (new SynchronousProgress(Write), timer);
    }

    // Progress<T> posts to the thread pool; console progress must appear in order, immediately.
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
