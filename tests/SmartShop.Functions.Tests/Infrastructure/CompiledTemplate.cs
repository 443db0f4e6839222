using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>
/// infra/main.bicep compiled to ARM JSON once per test run, with every resource of every nested module deployment.
/// </summary>
internal sealed partial class CompiledTemplate
{
    private static readonly Lazy<CompiledTemplate> Main = new(() => Compile(Path.Combine("infra", "main.bicep")));

    private CompiledTemplate(JsonObject root, IReadOnlyList<TemplateResource> resources)
    {
        Root = root;
        Resources = resources;
    }

    public static CompiledTemplate MainTemplate => Main.Value;

    public JsonObject Root { get; }

    public IReadOnlyList<TemplateResource> Resources { get; }

    public IEnumerable<TemplateResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The Function app's app settings: the literal keys of the single Microsoft.Web/sites/config 'appsettings'.</summary>
    public IReadOnlyDictionary<string, string> AppSettings()
    {
        var configs = OfType("Microsoft.Web/sites/config")
            .Where(r => r.Name.Contains("'appsettings'", StringComparison.Ordinal))
            .ToList();
        if (configs.Count != 1)
        {
            throw new InvalidOperationException($"Expected exactly one Microsoft.Web/sites/config 'appsettings' resource, found {configs.Count}.");
        }

        var properties = configs[0].Json["properties"] as JsonObject
            ?? throw new InvalidOperationException("The appsettings properties must be a literal object so their keys can be checked.");
        return properties.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);
    }

    public static CompiledTemplate Compile(string bicepFile)
    {
        var result = BicepCli.Run("build", bicepFile, "--stdout");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep build {bicepFile} failed ({result.ExitCode}):\n{result.StandardError}");
        }

        var root = JsonNode.Parse(result.StandardOutput)!.AsObject();
        var resources = new List<TemplateResource>();
        Collect(root, "main", resources);
        return new CompiledTemplate(root, resources);
    }

    private static void Collect(JsonObject template, string deploymentName, List<TemplateResource> into)
    {
        // languageVersion 2.0 templates keep resources in an object keyed by symbolic name.
        var resources = template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject map => map.Select(p => p.Value).OfType<JsonObject>(),
            _ => [],
        };
        foreach (var resource in resources)
        {
            var item = new TemplateResource(deploymentName, resource, template);
            into.Add(item);
            if (item.Type == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonObject nested)
            {
                Collect(nested, item.Name, into);
            }
        }
    }
}

/// <summary>One resource declaration of the compiled template, with the (module) template that declares it.</summary>
internal sealed partial record TemplateResource(string Deployment, JsonObject Json, JsonObject Template)
{
    // Keeps ' and + as they are, so ARM expressions stay searchable.
    private static readonly JsonSerializerOptions Verbatim = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public JsonObject Variables => Template["variables"] as JsonObject ?? [];

    public string Type => Json["type"]!.GetValue<string>();

    public string Name => Json["name"]!.GetValue<string>();

    public JsonNode? Property(string name) => Json["properties"]?[name];

    /// <summary>
    /// The text of a property with every <c>variables('x')</c> reference replaced by the variable's JSON, repeatedly,
    /// so GUIDs declared once as variables (and arrays of them iterated by copy loops) become visible.
    /// </summary>
    public string ExpandedProperty(string name)
    {
        var text = Property(name)?.ToJsonString(Verbatim) ?? string.Empty;
        for (var depth = 0; depth < 10; depth++)
        {
            var expanded = VariableReference().Replace(text, m => Variables[m.Groups[1].Value]?.ToJsonString(Verbatim) ?? m.Value);
            if (expanded == text)
            {
                break;
            }

            text = expanded;
        }

        return text;
    }

    /// <summary>Every GUID the property refers to, directly or through variables.</summary>
    public IReadOnlySet<string> GuidsIn(string propertyName) =>
        GuidPattern().Matches(ExpandedProperty(propertyName)).Select(m => m.Value.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"variables\('([A-Za-z0-9_]+)'\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidPattern();
}
