using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SmartShop.Core.Attribution;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Storage;
using SmartShop.Core.Synthetic;

namespace SmartShop.Core.Experiments.Simulation;

/// <summary>A variant of the simulated experiment: <c>popular</c> (the built-in control) or <c>model</c> (the trained recommender).</summary>
public sealed record SimulatedVariant(string Name, double Weight, string Strategy);

/// <summary>What <c>smartshop simulate</c> runs; <see cref="Validate"/> explains any bad value.</summary>
public sealed record SimulationOptions
{
    public int Customers { get; init; } = 2_000;

    public int Days { get; init; } = 14;

    public ulong Seed { get; init; } = 42;

    public IReadOnlyList<SimulatedVariant> Variants { get; init; } =
        [new("control", 1, Experiment.PopularStrategy), new("model", 1, SimulatedShop.ModelStrategy)];

    /// <summary>Share of the customers who visit on a day (each visit is one answer on the home page).</summary>
    public double VisitShare { get; init; } = 0.3;

    /// <summary>Share of the control's customers a broken storefront moves to the last variant (0: none), for the sample-ratio check.</summary>
    public double Skew { get; init; }

    public int K { get; init; } = 10;

    /// <summary>A/A experiments (the first variant's strategy on both sides) run on the same shop for the false-positive rate.</summary>
    public int AaRuns { get; init; }

    /// <summary>Parses <c>name=strategy[@weight],…</c>, e.g. <c>control=popular,treatment=model@2</c>.</summary>
    public static IReadOnlyList<SimulatedVariant> ParseVariants(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var variants = new List<SimulatedVariant>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (definition, weightText) = part.Split('@') is [var d, var w] ? (d, w) : (part, "1");
            if (definition.Split('=') is not [var name, var strategy] || !double.TryParse(weightText, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight))
            {
                throw new ArgumentException($"--experiment: '{part}' is not name=strategy[@weight] (e.g. control=popular,treatment=model).");
            }
            variants.Add(new SimulatedVariant(name.Trim(), weight, strategy.Trim()));
        }
        return variants;
    }

    public void Validate()
    {
        if (Customers is < 50 or > 200_000)
        {
            throw new ArgumentException($"--customers is 50 to 200,000 (got {Customers}).");
        }
        if (Days is < 1 or > 90)
        {
            throw new ArgumentException($"--days is 1 to 90 (got {Days}).");
        }
        if (Variants.Count is < 2 or > 10 || Variants.Any(v => v.Strategy is not (Experiment.PopularStrategy or SimulatedShop.ModelStrategy)))
        {
            throw new ArgumentException("--experiment names 2 to 10 variants, each popular or model (e.g. control=popular,treatment=model).");
        }
        if (Definition(this, "sim").Problems(RecommendationEndpoints.All) is [var problem, ..])
        {
            throw new ArgumentException("--experiment: " + problem);
        }
        if (!double.IsFinite(VisitShare) || VisitShare is <= 0 or > 1 || !double.IsFinite(Skew) || Skew is < 0 or >= 1)
        {
            throw new ArgumentException("--visit-share is in (0, 1] and --skew in [0, 1).");
        }
        if (AaRuns is < 0 or > 10_000)
        {
            throw new ArgumentException($"--aa-runs is 0 to 10,000 (got {AaRuns}).");
        }
    }

    internal static Experiment Definition(SimulationOptions options, string id) =>
        new(id, options.Variants.Select(v => new ExperimentVariant(v.Name, v.Weight, ModelVersion: SimulatedShop.ModelVersion + "-" + v.Strategy)).ToList(),
            [RecommendationEndpoints.User], StorefrontSimulation.Start, StorefrontSimulation.Start.AddDays(options.Days), Experiment.Ctr, [Experiment.RevenuePerMille]);
}

/// <summary>What the simulation itself knows happened: answers shown, and the clicks and purchases they caused.</summary>
public sealed record VariantTruth(string Variant, long Impressions, long Clicks, long Purchases, double Revenue)
{
    /// <summary>The same per shopper bucket.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<UnitCounts> Units { get; init; } = [];
}

/// <summary>One simulated answer: when, to whom, by which id, and the context the id carries (it names the variant).</summary>
public sealed record SimulatedAnswer(DateTimeOffset At, string Customer, string RecommendationId, RecommendationContext Context);

/// <summary>A simulated experiment's traffic: the answers, the storefront's events per day (JSON Lines) and the truth.</summary>
public sealed record SimulatedTraffic(Experiment Experiment, IReadOnlyList<SimulatedAnswer> Answers, IReadOnlyList<IReadOnlyList<string>> EventsByDay, IReadOnlyList<VariantTruth> Truth);

/// <summary>The pipeline's view of the experiment, its view after the whole stream was replayed, and the truth.</summary>
public sealed record SimulationOutcome(SimulatedTraffic Traffic, ExperimentResultsView Results, ExperimentResultsView AfterReplay, bool ReplayChangedAnything, double? AaFalsePositiveRate);

/// <summary>
/// A storefront with simulated shoppers in front of the product's pipeline. Each visit asks for the shopper's
/// answer by their variant; the shopper clicks at most one item, with a probability from their true preference for it
/// and its position, and may buy it (half the purchases name the answer, half leave it to the click window), plus
/// organic views and purchases that no recommendation caused. The events go through the real ingestion pipeline on
/// the given storage, the answers through the impression tally, and the results come from the rollups.
/// </summary>
public static class StorefrontSimulation
{
    /// <summary>The first simulated day (a fixed date, so a run is reproducible).</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public const string Placement = "home";
    private const double ClickBase = 0.02;
    private const double BuyBase = 0.15;
    private const int BatchSize = 500;
    private const int ReplayBatchSize = 333;

    /// <summary>The traffic of one experiment, in memory (deterministic for the shop, options and seed).</summary>
    public static SimulatedTraffic Simulate(SimulatedShop shop, SimulationOptions options, Experiment experiment, ulong seed, string eventPrefix)
    {
        ArgumentNullException.ThrowIfNull(shop);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(experiment);
        var random = new Xoshiro256StarStar(seed);
        var strategies = options.Variants.ToDictionary(v => v.Name, v => v.Strategy, StringComparer.Ordinal);
        var truth = options.Variants.ToDictionary(v => v.Name, _ => new long[3], StringComparer.Ordinal);
        // The same per shopper bucket, for the A/A runs' statistics (as the rollups keep them).
        var units = options.Variants.ToDictionary(v => v.Name, _ => new double[RollupKey.Units, 4], StringComparer.Ordinal);
        var revenue = options.Variants.ToDictionary(v => v.Name, _ => 0.0, StringComparer.Ordinal);
        var answers = new List<SimulatedAnswer>();
        var eventsByDay = new List<IReadOnlyList<string>>();
        var items = shop.Catalogue.Items.Select(i => i.Id).Order(StringComparer.Ordinal).ToArray();
        var lastClicks = new Dictionary<(string Customer, string Item), DateTimeOffset>();
        var sequence = 0;
        string NextId() => string.Create(CultureInfo.InvariantCulture, $"{eventPrefix}-{sequence++}");
        for (var day = 0; day < options.Days; day++)
        {
            var events = new List<ClickstreamEvent>();
            foreach (var customer in shop.Customers)
            {
                if (!random.Chance(options.VisitShare))
                {
                    continue;
                }
                // The storefront's id of the shopper, this run's own: user state outlives a run on the same storage.
                var actor = customer + "." + eventPrefix;
                var at = Start.AddDays(day).AddHours(8 + (14 * random.NextDouble()));
                var variant = experiment.Assign(customer).Name;
                if (options.Skew > 0 && variant == experiment.Control.Name && Experiment.Bucket("skew", customer) < options.Skew)
                {
                    variant = experiment.Variants[^1].Name;
                }
                var answer = shop.Answer(strategies[variant], customer, options.K);
                var (id, carried) = new RecommendationContext(RecommendationEndpoints.User, experiment.Variants.Single(v => v.Name == variant).ModelVersion!, null, Placement, experiment.Id, variant).Issue();
                answers.Add(new SimulatedAnswer(at, actor, id, carried));
                var counts = truth[variant];
                var unit = units[variant];
                var bucket = RollupKey.UnitOf(actor);
                counts[0]++;
                unit[bucket, 0]++;
                for (var position = 1; position <= answer.Count; position++)
                {
                    var item = answer[position - 1];
                    var preference = shop.Preference(customer, item);
                    if (!random.Chance(Math.Min(0.9, ClickBase * preference / Math.Log2(position + 1))))
                    {
                        continue;
                    }
                    var clickedAt = at.AddMinutes(1);
                    events.Add(new ClickstreamEvent(NextId(), ClickstreamEventTypes.Click, actor, null, item, clickedAt)
                    {
                        RecommendationId = id, Position = position, Placement = Placement, ExperimentId = experiment.Id, Variant = variant,
                    });
                    lastClicks[(customer, item)] = clickedAt;
                    counts[1]++;
                    unit[bucket, 1]++;
                    if (random.Chance(Math.Min(0.8, BuyBase * preference)))
                    {
                        var quantity = 1 + random.Next(3);
                        var price = shop.Price(item);
                        events.Add(new ClickstreamEvent(NextId(), ClickstreamEventTypes.Purchase, actor, null, item, clickedAt.AddMinutes(5 + random.Next(115)), quantity, price,
                            TransactionId: NextId())
                        {
                            // Half the storefront's orders carry the answer's id through the cart; the rest rely on the click window.
                            RecommendationId = random.Chance(0.5) ? id : null,
                        });
                        counts[2]++;
                        unit[bucket, 2]++;
                        unit[bucket, 3] += (double)(quantity * price);
                        revenue[variant] += (double)(quantity * price);
                    }
                    break;
                }

                // Organic behaviour no recommendation caused: never an item the shopper clicked from one within two days.
                if (random.Chance(0.3))
                {
                    var item = items[random.Next(items.Length)];
                    var seenAt = at.AddMinutes(3);
                    events.Add(new ClickstreamEvent(NextId(), ClickstreamEventTypes.View, actor, null, item, seenAt));
                    if (random.Chance(0.2) && !(lastClicks.TryGetValue((customer, item), out var clicked) && seenAt - clicked < TimeSpan.FromDays(2)))
                    {
                        events.Add(new ClickstreamEvent(NextId(), ClickstreamEventTypes.Purchase, actor, null, item, seenAt.AddMinutes(2), 1, shop.Price(item), TransactionId: NextId()));
                    }
                }
            }
            eventsByDay.Add(events.OrderBy(e => e.Timestamp).Select(Line).ToList());
        }
        var truths = options.Variants.Select(v => new VariantTruth(v.Name, truth[v.Name][0], truth[v.Name][1], truth[v.Name][2], Math.Round(revenue[v.Name], 2))
        {
            Units = Enumerable.Range(0, RollupKey.Units).Where(b => units[v.Name][b, 0] > 0)
                .Select(b => new UnitCounts((long)units[v.Name][b, 0], (long)units[v.Name][b, 1], (long)units[v.Name][b, 2], units[v.Name][b, 3])).ToList(),
        }).ToList();
        return new SimulatedTraffic(experiment, answers, eventsByDay, truths);
    }

    /// <summary>
    /// Simulates the experiment, sends the answers and events through the product (impression tally and ingestion
    /// pipeline on <paramref name="store"/> and the blob and table services), reads the results from the rollups, then
    /// replays the whole event stream in other batches and reads them again.
    /// </summary>
    public static async Task<SimulationOutcome> RunAsync(
        SimulatedShop shop, SimulationOptions options, IDocumentLogStore store, BlobContainers containers, Azure.Data.Tables.TableServiceClient tables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Ids of this run's own: partitions and the dedupe ledger outlive a run.
        var run = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 5));
        var experiment = SimulationOptions.Definition(options, string.Create(CultureInfo.InvariantCulture, $"sim-{options.Seed}-{run}"));
        var traffic = Simulate(shop, options, experiment, options.Seed, "sim-" + run);

        var clock = new SimulationClock(Start);
        var validator = new ClickstreamEventValidator(new ClickstreamValidationOptions { MaxEventAge = TimeSpan.FromDays(options.Days + 2) }, clock);
        var ingestor = new ClickstreamIngestor(validator, new EventLakeWriter(containers), store, new ProcessedEventLedger(tables), clock);
        using var tally = new ImpressionTally(store);
        for (var day = 0; day < options.Days; day++)
        {
            var date = DateOnly.FromDateTime(Start.AddDays(day).UtcDateTime);
            foreach (var answer in traffic.Answers.Where(a => DateOnly.FromDateTime(a.At.UtcDateTime) == date))
            {
                tally.Count(RollupKey.Of(date, answer.Context, answer.Customer));
            }
            clock.Now = Start.AddDays(day + 1).AddHours(2);
            foreach (var batch in traffic.EventsByDay[day].Chunk(BatchSize))
            {
                await ingestor.IngestAsync(ClickstreamBatch.FromContent(batch, "simulate"), cancellationToken).ConfigureAwait(false);
            }
        }
        await tally.FlushAsync(cancellationToken).ConfigureAwait(false);

        clock.Now = Start.AddDays(options.Days + 1).AddHours(3);
        var report = new ExperimentReport(new RollupReader(store), clock);
        var results = await report.BuildAsync(experiment, cancellationToken).ConfigureAwait(false);
        foreach (var batch in traffic.EventsByDay.SelectMany(d => d).Chunk(ReplayBatchSize))
        {
            await ingestor.IngestAsync(ClickstreamBatch.FromContent(batch, "simulate-replay"), cancellationToken).ConfigureAwait(false);
        }
        var again = await report.BuildAsync(experiment, cancellationToken).ConfigureAwait(false);
        var changed = JsonSerializer.Serialize(results) != JsonSerializer.Serialize(again);
        return new SimulationOutcome(traffic, results, again, changed, options.AaRuns > 0 ? AaFalsePositiveRate(shop, options, options.AaRuns) : null);
    }

    /// <summary>
    /// The share of A/A experiments (both sides serve the first variant's strategy) whose primary metric differs at
    /// α = 0.05, each with its own experiment id (so its own split) and behaviour seed, analysed from the simulation's
    /// own counts (which the pipeline reproduces exactly: see <see cref="RunAsync"/>).
    /// </summary>
    public static double AaFalsePositiveRate(SimulatedShop shop, SimulationOptions options, int runs)
    {
        ArgumentNullException.ThrowIfNull(options);
        var strategy = options.Variants[0].Strategy;
        var aa = options with { Variants = [new("a", 1, strategy), new("b", 1, strategy)], Skew = 0 };
        var positives = 0;
        for (var r = 0; r < runs; r++)
        {
            var experiment = SimulationOptions.Definition(aa, string.Create(CultureInfo.InvariantCulture, $"aa-{options.Seed}-{r}"));
            var traffic = Simulate(shop, aa, experiment, options.Seed + 1_000_003UL * (ulong)(r + 1), "aa");
            var counts = traffic.Truth.Select(t => new VariantCounts(t.Variant, t.Impressions, t.Clicks, t.Purchases, t.Revenue, 0) { Units = t.Units }).ToList();
            var result = ExperimentResults.Analyse(experiment, counts, Start.AddDays(aa.Days + 1));
            if (result.Variants[1].VersusControl.Single(c => c.Metric == experiment.PrimaryMetric).Difference.PValue < ExperimentResults.Alpha)
            {
                positives++;
            }
        }
        return (double)positives / runs;
    }

    private static string Line(ClickstreamEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        ClickstreamEventJson.WriteLine(buffer, e);
        return Encoding.UTF8.GetString(buffer.WrittenSpan[..^1]);
    }

    private sealed class SimulationClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
