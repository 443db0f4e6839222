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
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string CosmosBuiltInDataContributor = "00000000-0000-0000-0000-000000000002";

    private static readonly string[] AppRoles =
    [
        StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor,
        EventHubsDataReceiver, MonitoringMetricsPublisher, KeyVaultSecretsUser,
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
    public void MonitoringHasItsAlertRulesAndAWorkbook()
    {
        var rules = Template.OfType("Microsoft.Insights/scheduledQueryRules").Should().ContainSingle().Subject;
        var ruleNames = rules.Variables["rules"]!.AsArray().Select(r => r!["name"]!.GetValue<string>());

        ruleNames.Should().BeEquivalentTo("recommendation-p95-latency", "http-5xx-rate", "ingestion-lag", "ingestion-failed-batches", "training-failure", "log-dropped", "drift");
        var undelivered = Template.OfType("Microsoft.Insights/metricAlerts").Should().ContainSingle().Subject;
        undelivered.Property("criteria")!["allOf"]![0]!["metricName"]!.GetValue<string>().Should().Be("DeadLetteredCount");
        undelivered.ExpandedProperty("scopes").Should().Contain("Microsoft.EventGrid/systemTopics");
        Template.OfType("Microsoft.Insights/workbooks").Should().ContainSingle();
    }

    [Fact]
    public void TheTelemetryHashKeyIsAKeyVaultReferenceResolvedWithTheAppIdentity()
    {
        Template.AppSettings()["Telemetry__UserIdHashKey"].Should().StartWith("[format('@Microsoft.KeyVault(SecretUri={0})'");
        Template.OfType("Microsoft.Web/sites").Should().ContainSingle()
            .Which.ExpandedProperty("keyVaultReferenceIdentity").Should().Contain("Microsoft.ManagedIdentity/userAssignedIdentities");
        var vault = Template.OfType("Microsoft.KeyVault/vaults").Should().ContainSingle().Subject;
        vault.Property("enableRbacAuthorization")!.GetValue<bool>().Should().BeTrue("grants are role assignments, not access policies");
        vault.Property("enablePurgeProtection")!.GetValue<bool>().Should().BeTrue();
        Template.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => a.GuidsIn("roleDefinitionId").Contains(KeyVaultSecretsUser))
            .Should().HaveCount(2).And.OnlyContain(a => a.Json["scope"]!.ToString().Contains("Microsoft.KeyVault/vaults/secrets", StringComparison.Ordinal), "the app and the deploying user read the one secret, not the vault");
        File.ReadAllText(Path.Combine(Repository.Root, "infra", "main.parameters.json"))
            .Should().Contain("$(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} telemetry-user-id-hash-key)", "azd generates the key once and reads it back afterwards");
    }

    [Fact]
    public void UndeliveredTrainingDataEventsAreDeadLetteredByTheTopicsOwnIdentityIntoOneContainer()
    {
        Template.OfType("Microsoft.EventGrid/systemTopics").Should().ContainSingle()
            .Which.Json["identity"]!["type"]!.GetValue<string>().Should().Be("SystemAssigned");
        Template.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => a.GuidsIn("roleDefinitionId").Contains(StorageBlobDataContributor))
            .Should().ContainSingle().Which.Json["scope"]!.ToString().Should().Contain("trainingDataDeadLetterContainerName");
        foreach (var script in new[] { "create-training-data-subscription.sh", "create-training-data-subscription.ps1" })
        {
            File.ReadAllText(Path.Combine(Repository.Root, "scripts", script))
                .Should().Contain("--deadletter-identity systemassigned").And.Contain("TRAINING_DATA_DEADLETTER_CONTAINER_NAME").And.Contain("--max-delivery-attempts");
        }
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
            ["attribution"] = "/day",
        });
        declared.Should().AllSatisfy(c => c.Value.Should().Be(SmartShop.Core.Storage.CosmosDocumentLogStore.PartitionKeyPath(c.Key), "the app creates the same containers locally"));
        container.Template["parameters"]!["predictionTtlSeconds"]!["defaultValue"]!.GetValue<int>().Should().Be(30 * 24 * 3600);
        Template.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases").Should().ContainSingle();
    }

    [Fact]
    public void StorageHasTheStorageIssuesContainersAndEventHubsADedicatedConsumerGroup()
    {
        var variables = Template.Root["variables"]!;
        var containerNames = variables["dataContainerNames"]!.AsArray().Select(n => (string)n!)
            .Select(n => n.StartsWith("[variables('", StringComparison.Ordinal) ? (string)variables[n["[variables('".Length..^"')]".Length]]! : n);

        containerNames.Should().BeEquivalentTo("training-data", "training-data-rejected", "training-data-events-undelivered", "models", "events", "events-rejected", "events-failed", "uploads", "analyses");
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
