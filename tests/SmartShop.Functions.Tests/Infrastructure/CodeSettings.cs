using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>A setting the app reads, and what reads it (for failure messages).</summary>
internal sealed record CodeSetting(string Name, string ReadBy);

/// <summary>A trigger or binding connection: the app reads the setting <c>Name</c> or the identity settings <c>Name__*</c>.</summary>
internal sealed record CodeConnection(string Name, string ReadBy);

/// <summary>
/// Discovers every setting the Functions app reads, from the code itself so it stays true as features land:
/// options bound from configuration (types with a SectionName const registered by AddSmartShopServices), and the
/// connection names and %Setting% expressions of the bindings in the build's functions.metadata.
/// </summary>
internal static partial class CodeSettings
{
    public static IReadOnlyList<CodeSetting> Options { get; } = DiscoverOptions();

    public static IReadOnlyList<CodeConnection> Connections { get; } = DiscoverConnections();

    public static IReadOnlyList<CodeSetting> BindingExpressions { get; } = DiscoverBindingExpressions();

    /// <summary>Plain settings the code reads: option keys and %Setting% expressions (connections are matched by prefix).</summary>
    public static IEnumerable<CodeSetting> PlainSettings => Options.Concat(BindingExpressions);

    private static List<CodeSetting> DiscoverOptions()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddSmartShopServices();

        // BindConfiguration (and every other configuration binding) registers a change-token source per options type.
        var boundTypes = builder.Services
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0])
            .Where(t => t.Assembly.GetName().Name!.StartsWith("SmartShop.", StringComparison.Ordinal))
            .Distinct();

        var settings = new List<CodeSetting>();
        foreach (var type in boundTypes)
        {
            var sectionName = type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
                ?? throw new InvalidOperationException($"{type.FullName} is bound from configuration but has no public const string SectionName.");
            AddKeys(type, sectionName, type.Name, settings);
        }

        return settings;
    }

    private static void AddKeys(Type type, string prefix, string readBy, List<CodeSetting> into)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var key = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            var name = $"{prefix}__{key}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsNestedOptions(propertyType))
            {
                AddKeys(propertyType, name, $"{readBy}.{property.Name}", into);
            }
            else
            {
                into.Add(new CodeSetting(name, $"options {readBy}.{property.Name}"));
            }
        }
    }

    private static bool IsNestedOptions(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    private static List<CodeConnection> DiscoverConnections() =>
        Bindings()
            .Where(b => b.Binding["connection"] is JsonValue)
            .Select(b => new CodeConnection(b.Binding["connection"]!.GetValue<string>(), $"{b.Binding["type"]} of function {b.Function}"))
            .DistinctBy(c => c.Name)
            .ToList();

    private static List<CodeSetting> DiscoverBindingExpressions() =>
        Bindings()
            .SelectMany(b => b.Binding.Where(p => p.Value is JsonValue value && value.TryGetValue<string>(out _))
                .SelectMany(p => AppSettingExpression().Matches(p.Value!.GetValue<string>())
                    .Select(m => new CodeSetting(m.Groups[1].Value, $"%{m.Groups[1].Value}% in {p.Key} of {b.Binding["type"]} of function {b.Function}"))))
            .DistinctBy(s => s.Name)
            .ToList();

    private static IEnumerable<(string Function, JsonObject Binding)> Bindings()
    {
        var outputDirectory = typeof(CodeSettings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FunctionsAppOutput").Value!;
        var path = Path.Combine(outputDirectory, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: build src/SmartShop.Functions first (the test project references it).");
        }

        foreach (var function in JsonNode.Parse(File.ReadAllText(path))!.AsArray().OfType<JsonObject>())
        {
            foreach (var binding in function["bindings"]!.AsArray().OfType<JsonObject>())
            {
                yield return ((string)function["name"]!, binding);
            }
        }
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex AppSettingExpression();
}
