using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Telemetry;

namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>
/// infra/app/telemetry-names.json, which the alert rules and the workbook query, names only what the code emits. The
/// Azure Monitor exporter writes each measurement to customMetrics under the instrument's name with its tags as
/// customDimensions, so the metric names, units and dimensions are checked against the instruments and tags
/// <see cref="SmartShopTelemetry"/> actually publishes when every one of its Record methods runs.
/// </summary>
public sealed partial class TelemetryNamesContractTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, ObservedInstrument>> Emitted = new(ObserveEveryRecordMethod);

    private static readonly Lazy<JsonObject> Names = new(() =>
        JsonNode.Parse(File.ReadAllText(Repository.Path("infra", "app", "telemetry-names.json")))!.AsObject());

    private static readonly string[] QueryingTemplates = ["alerts.bicep", "workbook.bicep"];

    private static IReadOnlyDictionary<string, ObservedInstrument> Instruments => Emitted.Value;

    [Fact]
    public void ObservationCoversEveryDeclaredInstrumentWithItsTags()
    {
        var declared = typeof(SmartShopTelemetry.Names).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!);

        Instruments.Keys.Should().BeEquivalentTo(declared);
        Instruments.Where(i => i.Value.Measurements == 0).Select(i => i.Key).Should().BeEmpty("every instrument must be recorded by some Record method");
        Instruments[SmartShopTelemetry.Names.RecommendationLatency].Tags.Keys.Should()
            .BeEquivalentTo([SmartShopTelemetry.Tags.Endpoint, SmartShopTelemetry.Tags.ModelVersion]);
    }

    [Fact]
    public void EveryMetricIsAnInstrumentOfSmartShopTelemetry()
    {
        var problems = Section("metrics")
            .Where(metric => !Instruments.ContainsKey(metric.Value))
            .Select(metric => $"metrics.{metric.Key} = \"{metric.Value}\" is not an instrument of SmartShopTelemetry")
            .ToList();

        Report(problems).Should().BeEmpty("the instruments are {0}", string.Join(", ", Instruments.Keys.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void EveryMetricStatesTheUnitOfItsInstrument()
    {
        var metrics = Section("metrics");
        var units = Section("units");
        var problems = new List<string>();
        foreach (var (key, name) in metrics)
        {
            if (!Instruments.TryGetValue(name, out var instrument))
            {
                continue;
            }

            if (!units.TryGetValue(key, out var unit))
            {
                problems.Add($"units.{key} is missing (the unit of {name} is \"{instrument.Unit}\")");
            }
            else if (unit != instrument.Unit)
            {
                problems.Add($"units.{key} = \"{unit}\" but {name} is recorded in \"{instrument.Unit}\"");
            }
        }

        problems.AddRange(units.Keys.Where(key => !metrics.ContainsKey(key)).Select(key => $"units.{key} belongs to no metric"));

        Report(problems).Should().BeEmpty();
    }

    [Fact]
    public void EveryDimensionIsATagTheCodeEmits()
    {
        var tags = Instruments.Values.SelectMany(i => i.Tags.Keys).ToHashSet(StringComparer.Ordinal);

        var problems = Section("dimensions")
            .Where(dimension => !tags.Contains(dimension.Value))
            .Select(dimension => $"dimensions.{dimension.Key} = \"{dimension.Value}\" is not a tag of any instrument")
            .ToList();

        Report(problems).Should().BeEmpty("the tags are {0}", string.Join(", ", tags.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void EveryMetricQueryReadsOnlyDimensionsOfTheMetricsItQueries()
    {
        var metrics = Section("metrics");
        var dimensions = Section("dimensions");
        var queries = QueryingTemplates.SelectMany(MetricQueries).ToList();
        queries.Select(q => q.Template).Distinct().Should().BeEquivalentTo(QueryingTemplates, "both templates query custom metrics");

        var problems = new List<string>();
        foreach (var query in queries)
        {
            var carried = query.Metrics
                .Select(key => metrics.TryGetValue(key, out var name) && Instruments.TryGetValue(name, out var instrument) ? instrument : null)
                .OfType<ObservedInstrument>()
                .SelectMany(instrument => instrument.Tags.Keys)
                .ToHashSet(StringComparer.Ordinal);
            foreach (var key in query.Dimensions)
            {
                if (!dimensions.TryGetValue(key, out var tag))
                {
                    problems.Add($"{query.Template}: dimensions.{key} is not in telemetry-names.json");
                }
                else if (!carried.Contains(tag))
                {
                    problems.Add($"{query.Template}: a query of metrics.{string.Join(", metrics.", query.Metrics)} reads customDimensions[\"{tag}\"] " +
                                 $"(dimensions.{key}); those metrics carry [{string.Join(", ", carried.Order(StringComparer.Ordinal))}]");
                }
            }
        }

        Report(problems).Should().BeEmpty();
    }

    [Fact]
    public void TheCacheHitValueIsTheOneTheCodeRecordsForAHit()
    {
        var lookups = Instruments[Section("metrics")["cacheLookups"]];
        var result = Section("dimensions")["cacheResult"];

        lookups.Tags[result].Should().Contain(Section("values")["cacheHit"]);
    }

    [Fact]
    public void TheLostFailedBatchValueIsTheOutcomeTheFunctionRecords()
    {
        Section("values")["failedBatchLost"].Should().Be(SmartShopTelemetry.FailedBatchOutcomes.Lost);
        Section("dimensions")["outcome"].Should().Be(SmartShopTelemetry.Tags.Outcome);
    }

    /// <summary>Every problem on its own line (a collection assertion would show only the first).</summary>
    private static string Report(IEnumerable<string> problems) => string.Join(Environment.NewLine, problems);

    private static Dictionary<string, string> Section(string name) =>
        (Names.Value[name] as JsonObject ?? throw new InvalidOperationException($"telemetry-names.json has no \"{name}\" object."))
        .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);

    /// <summary>The customMetrics queries of a template (one <c>query: '…'</c> line each) and the names entries they use.</summary>
    private static IEnumerable<MetricQuery> MetricQueries(string template)
    {
        var text = File.ReadAllText(Repository.Path("infra", "app", template));
        foreach (Match line in QueryLine().Matches(text))
        {
            var query = line.Groups[1].Value;
            if (!query.StartsWith("customMetrics", StringComparison.Ordinal))
            {
                continue;
            }

            yield return new MetricQuery(
                template,
                [.. MetricReference().Matches(query).Select(m => m.Groups[1].Value)],
                [.. DimensionReference().Matches(query).Select(m => m.Groups[1].Value)]);
        }
    }

    /// <summary>
    /// Publishes SmartShopTelemetry's instruments to a listener scoped to a private meter factory (test classes in
    /// parallel have meters of the same name) and calls every Record method, so the tags are the ones the code attaches.
    /// </summary>
    private static Dictionary<string, ObservedInstrument> ObserveEveryRecordMethod()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var instruments = new Dictionary<string, ObservedInstrument>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Scope == meterFactory)
            {
                instruments[instrument.Name] = new ObservedInstrument(instrument.Unit ?? string.Empty);
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => instruments[instrument.Name].Record(tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => instruments[instrument.Name].Record(tags));
        listener.Start();

        using var telemetry = new SmartShopTelemetry(meterFactory);
        var recordMethods = typeof(SmartShopTelemetry).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.StartsWith("Record", StringComparison.Ordinal));
        foreach (var method in recordMethods)
        {
            // Both values of a flag, so computed tag values (a cache hit and a miss) both appear.
            var parameters = method.GetParameters();
            bool[] flags = parameters.Any(p => p.ParameterType == typeof(bool)) ? [true, false] : [true];
            foreach (var flag in flags)
            {
                method.Invoke(telemetry, [.. parameters.Select(p => ArgumentFor(method, p, flag))]);
            }
        }

        return instruments;
    }

    private static object ArgumentFor(MethodInfo method, ParameterInfo parameter, bool flag) => parameter.ParameterType switch
    {
        var t when t == typeof(string) => parameter.Name!,
        var t when t == typeof(int) => 1,
        var t when t == typeof(double) => 0.5,
        var t when t == typeof(bool) => flag,
        var t when t == typeof(TimeSpan) => TimeSpan.FromSeconds(1),
        var t when t == typeof(IReadOnlyDictionary<string, double>) => new Dictionary<string, double> { ["metric"] = 1 },
        var t => throw new InvalidOperationException($"No test argument for {t} ({method.Name}({parameter.Name})): add one to {nameof(ArgumentFor)}."),
    };

    [GeneratedRegex(@"^\s*query:\s*'(.*)'\s*$", RegexOptions.Multiline)]
    private static partial Regex QueryLine();

    [GeneratedRegex(@"names\.metrics\.(\w+)")]
    private static partial Regex MetricReference();

    [GeneratedRegex(@"names\.dimensions\.(\w+)")]
    private static partial Regex DimensionReference();

    private sealed record MetricQuery(string Template, IReadOnlyList<string> Metrics, IReadOnlyList<string> Dimensions);

    private sealed class ObservedInstrument(string unit)
    {
        public string Unit { get; } = unit;

        public int Measurements { get; private set; }

        /// <summary>Tag keys with the values recorded under them.</summary>
        public Dictionary<string, HashSet<string>> Tags { get; } = new(StringComparer.Ordinal);

        public void Record(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Measurements++;
            foreach (var (key, value) in tags)
            {
                if (!Tags.TryGetValue(key, out var values))
                {
                    values = new HashSet<string>(StringComparer.Ordinal);
                    Tags[key] = values;
                }

                values.Add(value?.ToString() ?? string.Empty);
            }
        }
    }
}
