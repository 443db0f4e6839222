using System.Text.Json.Nodes;

namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>
/// Every setting the code reads is provided by the Bicep app settings (infra/app/api.bicep), by
/// local.settings.sample.json and by the postprovision scripts that write local.settings.json; and nothing in
/// Bicep or the sample is unused. Failure messages name each setting, where it is missing and what reads it.
/// </summary>
public sealed class SettingsContractTests
{
    /// <summary>Read by the Functions host, the worker or Azure SDK conventions rather than by our code.</summary>
    private static readonly string[] HostSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        // DefaultAzureCredential picks the user-assigned identity from it.
        "AZURE_CLIENT_ID",
    ];

    /// <summary>The host's own storage connection: read by the runtime whether or not a trigger names it.</summary>
    private const string HostStorageConnection = "AzureWebJobsStorage";

    private static readonly string[] PostProvisionScripts =
    [
        Path.Combine("scripts", "write-local-settings.sh"),
        Path.Combine("scripts", "write-local-settings.ps1"),
    ];

    [Fact]
    public void DiscoveryFindsTheSettingsOfTheExistingFunctionsAndOptions()
    {
        CodeSettings.Options.Select(s => s.Name).Should().Contain(["ModelRegistry__ContainerName", "ModelRegistry__PollIntervalSeconds"]);
        CodeSettings.Connections.Select(c => c.Name).Should().Contain(["EventHubConnection", HostStorageConnection]);
        CodeSettings.BindingExpressions.Select(s => s.Name).Should().Contain(["ClickstreamHubName", "ClickstreamConsumerGroup"]);
    }

    [Fact]
    public void BicepProvidesEverySettingTheCodeReads()
    {
        var problems = MissingIn(CompiledTemplate.MainTemplate.AppSettings().Keys.ToHashSet(StringComparer.Ordinal), "infra/app/api.bicep app settings");

        problems.Should().BeEmpty();
    }

    [Fact]
    public void BicepConnectionsAreIdentityBased()
    {
        var settings = CompiledTemplate.MainTemplate.AppSettings();
        var problems = new List<string>();
        foreach (var connection in CodeSettings.Connections)
        {
            if (settings.ContainsKey(connection.Name))
            {
                problems.Add($"{connection.Name}: infra/app/api.bicep sets it as a plain connection string; use {connection.Name}__<serviceUri|fullyQualifiedNamespace> + __credential + __clientId ({connection.ReadBy})");
            }

            foreach (var part in new[] { "credential", "clientId" })
            {
                if (!settings.ContainsKey($"{connection.Name}__{part}"))
                {
                    problems.Add($"{connection.Name}__{part}: missing in infra/app/api.bicep app settings ({connection.ReadBy})");
                }
            }

            if (!settings.Keys.Any(k => k.StartsWith($"{connection.Name}__", StringComparison.Ordinal) && !k.EndsWith("__credential", StringComparison.Ordinal) && !k.EndsWith("__clientId", StringComparison.Ordinal)))
            {
                problems.Add($"{connection.Name}__<serviceUri|fullyQualifiedNamespace>: missing in infra/app/api.bicep app settings ({connection.ReadBy})");
            }
        }

        problems.Should().BeEmpty();
    }

    [Fact]
    public void LocalSettingsSampleProvidesEverySettingTheCodeReads()
    {
        var problems = MissingIn(LocalSettingsSample(), "local.settings.sample.json");

        problems.Should().BeEmpty();
    }

    [Fact]
    public void PostProvisionScriptsWriteEverySettingTheCodeReads()
    {
        var problems = new List<string>();
        foreach (var script in PostProvisionScripts)
        {
            var text = File.ReadAllText(Repository.Path(script));
            var written = CodeSettings.PlainSettings.Select(s => s.Name)
                .Concat(CodeSettings.Connections.Select(c => c.Name))
                .Where(name => text.Contains($"\"{name}\"", StringComparison.Ordinal) || text.Contains($"\"{name}__", StringComparison.Ordinal));
            problems.AddRange(MissingIn(written.ToHashSet(StringComparer.Ordinal), script));
        }

        problems.Should().BeEmpty();
    }

    [Fact]
    public void BicepSetsNoSettingThatNothingReads()
    {
        var unused = Unused(CompiledTemplate.MainTemplate.AppSettings().Keys)
            .Select(name => $"{name}: set in infra/app/api.bicep but read by no options type, binding or host convention");

        unused.Should().BeEmpty();
    }

    [Fact]
    public void LocalSettingsSampleHasNoSettingThatNothingReads()
    {
        var unused = Unused(LocalSettingsSample())
            .Select(name => $"{name}: set in local.settings.sample.json but read by no options type, binding or host convention");

        unused.Should().BeEmpty();
    }

    private static List<string> MissingIn(HashSet<string> provided, string where)
    {
        var problems = CodeSettings.PlainSettings
            .Where(s => !provided.Contains(s.Name))
            .Select(s => $"{s.Name}: missing in {where} (read by {s.ReadBy})")
            .ToList();
        problems.AddRange(CodeSettings.Connections
            .Where(c => !provided.Contains(c.Name) && !provided.Any(k => k.StartsWith($"{c.Name}__", StringComparison.Ordinal)))
            .Select(c => $"{c.Name} (or {c.Name}__*): missing in {where} (connection of {c.ReadBy})"));
        return problems;
    }

    [Fact]
    public void LocallyTheEventHubsTriggerIsOffUntilAHubIsConfigured()
    {
        // Azurite has no Event Hubs: a first `func start` must not start a listener that cannot connect; POST v1/events
        // carries events locally, and the README says how to switch the hub on.
        LocalSettingsSampleValue("AzureWebJobs.IngestClickstream.Disabled").Should().Be("true");
        File.ReadAllText(Repository.Path("README.md")).Should().Contain("AzureWebJobs.IngestClickstream.Disabled");
    }

    private static IEnumerable<string> Unused(IEnumerable<string> provided) =>
        provided.Where(name => !IsReadByCode(name)
            && !HostSettings.Contains(name, StringComparer.Ordinal)
            && !IsConnectionSetting(name, HostStorageConnection)
            && !IsDisabledSwitchOfAFunction(name));

    /// <summary>The host's <c>AzureWebJobs.&lt;function&gt;.Disabled</c> switch, for a function that exists.</summary>
    private static bool IsDisabledSwitchOfAFunction(string name) =>
        name.StartsWith("AzureWebJobs.", StringComparison.Ordinal) && name.EndsWith(".Disabled", StringComparison.Ordinal)
        && typeof(SmartShop.Functions.Http.ApiProblem).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Any(m => m.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.FunctionAttribute), false).Length > 0
                && $"AzureWebJobs.{m.Name}.Disabled" == name);

    private static bool IsReadByCode(string name) =>
        CodeSettings.PlainSettings.Any(s => s.Name == name)
        || CodeSettings.Connections.Any(c => IsConnectionSetting(name, c.Name));

    private static bool IsConnectionSetting(string name, string connection) =>
        name == connection || name.StartsWith($"{connection}__", StringComparison.Ordinal);

    private static string? LocalSettingsSampleValue(string name) =>
        JsonNode.Parse(File.ReadAllText(Repository.Path("local.settings.sample.json")))!["Values"]![name]?.GetValue<string>();

    private static HashSet<string> LocalSettingsSample()
    {
        var sample = JsonNode.Parse(File.ReadAllText(Repository.Path("local.settings.sample.json")))!;
        return sample["Values"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
    }
}
