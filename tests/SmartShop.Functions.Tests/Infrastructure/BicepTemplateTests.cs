namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>
/// infra/main.bicep compiles and lints clean with the pinned Bicep compiler, and the compiled ARM template keeps the
/// security properties of issue 9: no shared keys or local auth anywhere, identity-based settings, least-privilege roles.
/// </summary>
public sealed class BicepTemplateTests
{
    // Role definition ids (built-in roles are the same in every tenant).
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string EventHubsDataReceiver = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde";
    private const string EventHubsDataSender = "2b629674-e913-4c01-ae53-ef4638d8f975";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string CosmosBuiltInDataContributor = "00000000-0000-0000-0000-000000000002";

    private static readonly string[] AppRoles =
    [
        StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor,
        EventHubsDataReceiver, MonitoringMetricsPublisher,
    ];

    // The deploying user also sends to the hub (`smartshop replay --event-hubs-namespace`); the app never does.
    private static readonly string[] UserRoles = [.. AppRoles, EventHubsDataSender];

    private static CompiledTemplate Template => CompiledTemplate.MainTemplate;

    [Fact]
    public void LintReportsNoDiagnosticsAtAll()
    {
        var result = BicepCli.Run("lint", Path.Combine("infra", "main.bicep"));

        result.ExitCode.Should().Be(0, result.Diagnostics);
        result.Diagnostics.Should().BeEmpty("bicep lint must report zero errors, warnings and infos");
    }

    [Fact]
    public void BuildReportsNoDiagnosticsAndTargetsTheSubscription()
    {
        var result = BicepCli.Run("build", Path.Combine("infra", "main.bicep"), "--stdout");

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardError.Trim().Should().BeEmpty();
        ((string)Template.Root["$schema"]!).Should().Contain("subscriptionDeploymentTemplate");
    }

    [Fact]
    public void StorageAccountAcceptsOnlyEntraIdOverTls12WithoutPublicBlobs()
    {
        var account = Template.OfType("Microsoft.Storage/storageAccounts").Should().ContainSingle().Subject;

        account.Property("allowSharedKeyAccess")!.GetValue<bool>().Should().BeFalse();
        account.Property("minimumTlsVersion")!.GetValue<string>().Should().Be("TLS1_2");
        account.Property("allowBlobPublicAccess")!.GetValue<bool>().Should().BeFalse();
        account.Property("supportsHttpsTrafficOnly")!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public void EventHubsCosmosAndApplicationInsightsDisableLocalAuth()
    {
        Template.OfType("Microsoft.EventHub/namespaces").Should().ContainSingle()
            .Which.Property("disableLocalAuth")!.GetValue<bool>().Should().BeTrue();
        var cosmos = Template.OfType("Microsoft.DocumentDB/databaseAccounts").Should().ContainSingle().Subject;
        cosmos.Property("disableLocalAuth")!.GetValue<bool>().Should().BeTrue();
        cosmos.ExpandedProperty("capabilities").Should().Contain("EnableServerless");
        Template.OfType("Microsoft.Insights/components").Should().ContainSingle()
            .Which.Property("DisableLocalAuth")!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public void FunctionAppRunsDotnetIsolatedOnFlexConsumptionWithIdentityDeployment()
    {
        Template.OfType("Microsoft.Web/serverfarms").Should().ContainSingle()
            .Which.Json["sku"]!["tier"]!.GetValue<string>().Should().Be("FlexConsumption");
        var app = Template.OfType("Microsoft.Web/sites").Should().ContainSingle().Subject;
        var config = app.Property("functionAppConfig")!;

        config["runtime"]!["name"]!.GetValue<string>().Should().Be("dotnet-isolated");
        config["deployment"]!["storage"]!["authentication"]!["type"]!.GetValue<string>().Should().Be("UserAssignedIdentity");
        app.Json["identity"]!["type"]!.GetValue<string>().Should().Be("UserAssigned");
        app.Json["tags"]!.ToJsonString().Should().Contain("azd-service-name");
    }

    [Fact]
    public void AppSettingsCarryNoKeysOrSecretConnectionStrings()
    {
        var settings = Template.AppSettings();

        settings.Should().NotBeEmpty();
        foreach (var (name, value) in settings)
        {
            value.Should().NotContainAny(["AccountKey=", "SharedAccessKey", "listKeys(", "listConnectionStrings(", "primaryKey", "primaryMasterKey"],
                $"app setting {name} must not carry a key");
        }

        settings["AzureWebJobsStorage__credential"].Should().Be("managedidentity");
        settings["EventHubConnection__credential"].Should().Be("managedidentity");
        settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].Should().Contain("Authorization=AAD");
        settings.Keys.Should().NotContain(["AzureWebJobsStorage", "EventHubConnection"], "plain connection-string settings are keys in disguise");
    }

    [Fact]
    public void NoResourceReadsKeysOrConnectionStrings()
    {
        var json = Template.Root.ToJsonString();

        json.Should().NotContainAny("listKeys(", "listConnectionStrings(", "listKeyValue(", "listAccountSas(", "listServiceSas(");
    }

    [Fact]
    public void AppIdentityHoldsEveryNeededRoleAndTheDeployingUserTheSame()
    {
        var assignments = Template.OfType("Microsoft.Authorization/roleAssignments").ToList();
        var appRoles = RolesOf(assignments.Where(a => a.ExpandedProperty("principalId").Contains("appPrincipalId", StringComparison.Ordinal)));
        var userRoles = RolesOf(assignments.Where(a => a.ExpandedProperty("principalId").Contains("userPrincipalId", StringComparison.Ordinal)));

        appRoles.Should().BeEquivalentTo(AppRoles, "the app identity needs exactly these data-plane roles (least privilege)");
        userRoles.Should().BeEquivalentTo(UserRoles, "the deploying user gets the same data roles for local development, and may replay into the hub");
        assignments.Where(a => a.ExpandedProperty("principalId").Contains("appPrincipalId", StringComparison.Ordinal))
            .Should().OnlyContain(a => a.Property("principalType")!.GetValue<string>() == "ServicePrincipal");
    }

    [Fact]
    public void CosmosDataAccessGoesThroughBuiltInDataContributorSqlRoleAssignments()
    {
        var assignments = Template.OfType("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments").ToList();

        assignments.Should().HaveCount(2, "one for the app identity, one for the deploying user");
        assignments.Should().OnlyContain(a => a.GuidsIn("roleDefinitionId").Contains(CosmosBuiltInDataContributor));
        assignments.Should().OnlyContain(a => a.ExpandedProperty("scope").Contains("/dbs/", StringComparison.Ordinal),
            "data access is scoped to the smartshop database (data-plane scope form .../dbs/<name>), not the account");
    }

    [Fact]
    public void AllRoleAssignmentsLiveInTheOneRbacModule()
    {
        var assignments = Template.Resources
            .Where(r => r.Type is "Microsoft.Authorization/roleAssignments" or "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments");

        assignments.Select(a => a.Deployment).Distinct().Should().Equal("rbac");
    }

    [Fact]
    public void MonitoringHasTheFiveAlertRulesAndAWorkbook()
    {
        var rules = Template.OfType("Microsoft.Insights/scheduledQueryRules").Should().ContainSingle().Subject;
        var ruleNames = rules.Variables["rules"]!.AsArray().Select(r => r!["name"]!.GetValue<string>());

        ruleNames.Should().BeEquivalentTo("recommendation-p95-latency", "http-5xx-rate", "ingestion-lag", "training-failure", "drift");
        Template.OfType("Microsoft.Insights/workbooks").Should().ContainSingle();
    }

    [Fact]
    public void CosmosContainersHaveTheStorageIssuesPartitionKeysAndThePredictionLogExpiresAfter30Days()
    {
        var container = Template.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers").Should().ContainSingle().Subject;
        var declared = container.Variables["containers"]!.AsArray().Select(c => c!.AsObject())
            .ToDictionary(c => (string)c["name"]!, c => (string)c["partitionKey"]!);

        declared.Should().Equal(new Dictionary<string, string>
        {
            ["predictions"] = "/userId",
            ["trainingRuns"] = "/modelName",
            ["analyses"] = "/analysisId",
            ["userActivity"] = "/userId",
        });
        container.Template["parameters"]!["predictionTtlSeconds"]!["defaultValue"]!.GetValue<int>().Should().Be(30 * 24 * 3600);
        Template.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases").Should().ContainSingle();
    }

    [Fact]
    public void StorageHasTheStorageIssuesContainersAndEventHubsADedicatedConsumerGroup()
    {
        var variables = Template.Root["variables"]!;
        var containerNames = variables["dataContainerNames"]!.AsArray().Select(n => (string)n!)
            .Select(n => n.StartsWith("[variables('", StringComparison.Ordinal) ? (string)variables[n["[variables('".Length..^"')]".Length]]! : n);

        containerNames.Should().BeEquivalentTo("training-data", "training-data-rejected", "models", "events", "events-rejected", "uploads", "analyses");
        Template.OfType("Microsoft.EventHub/namespaces/eventhubs/consumergroups").Should().ContainSingle();
        ((string)Template.Root["variables"]!["clickstreamConsumerGroupName"]!).Should().Be("smartshop");
        Template.OfType("Microsoft.EventGrid/systemTopics").Should().ContainSingle()
            .Which.Property("topicType")!.GetValue<string>().Should().Be("Microsoft.Storage.StorageAccounts");
    }

    [Fact]
    public void BlobsAreVersionedAndSoftDeletedAndTheHubKeepsAWeekOfEvents()
    {
        var blobService = Template.OfType("Microsoft.Storage/storageAccounts/blobServices").Should().ContainSingle().Subject;
        blobService.Property("isVersioningEnabled")!.GetValue<bool>().Should().BeTrue();
        blobService.Property("deleteRetentionPolicy")!["enabled"]!.GetValue<bool>().Should().BeTrue();
        blobService.Property("deleteRetentionPolicy")!["days"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(7);
        blobService.Property("containerDeleteRetentionPolicy")!["enabled"]!.GetValue<bool>().Should().BeTrue();
        Template.OfType("Microsoft.EventHub/namespaces/eventhubs").Should().ContainSingle()
            .Which.Property("messageRetentionInDays")!.GetValue<int>().Should().BeGreaterThanOrEqualTo(7);
    }

    private static string[] RolesOf(IEnumerable<TemplateResource> assignments) =>
        assignments.SelectMany(a => a.GuidsIn("roleDefinitionId")).Distinct().ToArray();
}
