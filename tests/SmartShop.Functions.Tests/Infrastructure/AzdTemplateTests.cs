using System.Reflection;
using System.Text.Json.Nodes;

namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>azure.yaml, its hooks and the post-deploy Event Grid subscription agree with the code and the template.</summary>
public sealed class AzdTemplateTests
{
    private static readonly string AzureYaml = File.ReadAllText(Repository.Path("azure.yaml")).ReplaceLineEndings("\n");

    [Fact]
    public void AzureYamlDeclaresTheApiServiceAsADotnetFunctionApp()
    {
        AzureYaml.Should().Contain("  api:\n    project: ./src/SmartShop.Functions/\n    language: dotnet\n    host: function");
        File.Exists(Repository.Path("src", "SmartShop.Functions", "SmartShop.Functions.csproj")).Should().BeTrue();
    }

    [Theory]
    [InlineData("postprovision", "write-local-settings")]
    [InlineData("postdeploy", "create-training-data-subscription")]
    public void HooksRunExistingBashAndPowerShellScripts(string hook, string script)
    {
        var section = AzureYaml[AzureYaml.IndexOf($"  {hook}:", StringComparison.Ordinal)..];

        section.Should().Contain($"run: ./scripts/{script}.sh").And.Contain($"run: ./scripts/{script}.ps1");
        File.Exists(Repository.Path("scripts", $"{script}.sh")).Should().BeTrue();
        File.Exists(Repository.Path("scripts", $"{script}.ps1")).Should().BeTrue();
    }

    [Fact]
    public void PostDeploySubscriptionTargetsEveryEventGridBlobTriggerAndItsContainer()
    {
        var eventGridBlobTriggers = EventGridBlobTriggers().ToList();
        eventGridBlobTriggers.Should().NotBeEmpty();

        var declarations = new Dictionary<string, Func<string, string>>
        {
            ["sh"] = function => $"function_name={function}\n",
            ["ps1"] = function => $"$functionName = '{function}'",
        };
        var trainingDataContainer = (string)CompiledTemplate.MainTemplate.Root["variables"]!["trainingDataContainerName"]!;

        foreach (var (extension, declaration) in declarations)
        {
            var script = File.ReadAllText(Repository.Path("scripts", $"create-training-data-subscription.{extension}"));
            script.Should().Contain("/runtime/webhooks/blobs?functionName=Host.Functions.$").And.Contain("Microsoft.Storage.BlobCreated")
                .And.Contain("TRAINING_DATA_CONTAINER_NAME");
            foreach (var (function, container) in eventGridBlobTriggers)
            {
                script.Should().Contain(declaration(function), $"the {extension} script must subscribe {function}");
                container.Should().Be(trainingDataContainer, "the subscription filters on main.bicep's TRAINING_DATA_CONTAINER_NAME");
            }
        }
    }

    [Fact]
    public void MainBicepOutputsEveryEnvironmentValueTheHooksRead()
    {
        var outputs = CompiledTemplate.MainTemplate.Root["outputs"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var scripts = new[] { "write-local-settings.sh", "write-local-settings.ps1", "create-training-data-subscription.sh", "create-training-data-subscription.ps1" };
        var missing = new List<string>();
        foreach (var script in scripts)
        {
            var text = File.ReadAllText(Repository.Path("scripts", script));
            missing.AddRange(EnvironmentReads(text).Where(name => name != "AZURE_ENV_NAME" && !outputs.Contains(name))
                .Select(name => $"{script} reads {name}, which infra/main.bicep does not output"));
        }

        missing.Should().BeEmpty();
    }

    // env_value NAME / require NAME (sh) and Get-Required 'NAME' / $values['NAME'] (PowerShell).
    private static IEnumerable<string> EnvironmentReads(string script) =>
        System.Text.RegularExpressions.Regex.Matches(script, @"(?:env_value|require) ([A-Z][A-Z0-9_]+)|Get-Required '([A-Z][A-Z0-9_]+)'|\$values\['([A-Z][A-Z0-9_]+)'\]")
            .Select(m => m.Groups.Values.Skip(1).First(g => g.Success).Value)
            .Distinct();

    private static IEnumerable<(string Function, string Container)> EventGridBlobTriggers()
    {
        var outputDirectory = typeof(AzdTemplateTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FunctionsAppOutput").Value!;
        foreach (var function in JsonNode.Parse(File.ReadAllText(Path.Combine(outputDirectory, "functions.metadata")))!.AsArray().OfType<JsonObject>())
        {
            foreach (var binding in function["bindings"]!.AsArray().OfType<JsonObject>())
            {
                if ((string?)binding["type"] == "blobTrigger" && (string?)binding["source"] == "EventGrid")
                {
                    yield return ((string)function["name"]!, ((string)binding["path"]!).Split('/')[0]);
                }
            }
        }
    }
}
