using YamlDotNet.RepresentationModel;

namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>
/// The GitHub Actions workflows, parsed (no runner here): pull requests run exactly the README's test command, and the
/// deployment signs in with federated credentials only, then provisions and deploys with azd.
/// </summary>
public sealed class WorkflowTests
{
    [Fact]
    public void PullRequestsRunTheReadmesTestCommand()
    {
        var workflow = Load("ci.yml");

        Map(workflow, "on").Children.Keys.Select(k => k.ToString()).Should().Contain("pull_request");
        var runs = Steps(workflow, "test").Select(s => Scalar(s, "run")).OfType<string>().ToList();
        runs.Should().ContainSingle().Which.Should().Be(ReadmeTestCommand());
        Scalar(Map(workflow, "permissions"), "contents").Should().Be("read");
    }

    [Fact]
    public void DeploymentUsesFederatedCredentialsThenProvisionsAndDeploys()
    {
        var workflow = Load("azure-dev.yml");
        var text = File.ReadAllText(Path("azure-dev.yml"));

        Scalar(Map(workflow, "permissions"), "id-token").Should().Be("write");
        text.Should().NotContain("secrets.", "the sign-in is federated: no client secret or credentials JSON in the repository");
        var steps = Steps(workflow, "deploy");
        var runs = steps.Select(s => Scalar(s, "run")).OfType<string>().ToList();
        runs.Should().Contain(r => r.Contains("azd auth login", StringComparison.Ordinal) && r.Contains("--federated-credential-provider github", StringComparison.Ordinal));
        runs.FindIndex(r => r.StartsWith("azd provision", StringComparison.Ordinal)).Should().BeGreaterThan(-1)
            .And.BeLessThan(runs.FindIndex(r => r.StartsWith("azd deploy", StringComparison.Ordinal)));
        var env = Map(Map(Map(workflow, "jobs"), "deploy"), "env");
        foreach (var name in new[] { "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_ENV_NAME", "AZURE_LOCATION" })
        {
            Scalar(env, name).Should().Be($"${{{{ vars.{name} }}}}", "azd pipeline config stores these as repository variables");
        }
    }

    private static string ReadmeTestCommand()
    {
        var readme = File.ReadAllLines(Repository.Path("README.md"));
        return readme.Single(l => l.StartsWith("bash scripts/test.sh", StringComparison.Ordinal)).Trim();
    }

    private static string Path(string name) => Repository.Path(".github", "workflows", name);

    private static YamlMappingNode Load(string name)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path(name));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static List<YamlMappingNode> Steps(YamlMappingNode workflow, string job) =>
        ((YamlSequenceNode)Map(Map(workflow, "jobs"), job).Children[new YamlScalarNode("steps")]).Children.Cast<YamlMappingNode>().ToList();
}
