targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds the unique resource token and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Primary location for all resources (Flex Consumption must be available there).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user or principal; gets the same data-plane roles as the app for local development. Leave empty to skip.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Principal type of principalId (ServicePrincipal when a pipeline deploys).')
param principalType string = 'User'

@description('Optional resource group name; defaults to rg-<environmentName>.')
param resourceGroupName string = ''

@allowed([
  512
  2048
  4096
])
@description('Memory of each Flex Consumption instance in MB.')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Upper bound of Flex Consumption scale-out.')
param maximumInstanceCount int = 100

@minValue(0)
@maxValue(20)
@description('Always-ready instances for the HTTP function group (0 = scale to zero, billed only per execution).')
param alwaysReadyHttpInstanceCount int = 0

@minValue(1)
@maxValue(32)
@description('Partition count of the clickstream event hub (fixed once created on the Standard tier).')
param clickstreamPartitionCount int = 4

@minValue(5)
@maxValue(86400)
@description('Seconds between checks of the active model pointer (ModelRegistry__PollIntervalSeconds).')
param modelRegistryPollIntervalSeconds int = 60

@description('Entra ID authority for admin bearer tokens (Auth__Authority); empty: admin routes need the admin key only.')
param authAuthority string = ''

@description('Audience of admin bearer tokens (Auth__Audience); set together with authAuthority.')
param authAudience string = ''

@description('Optional e-mail address that receives the alerts; empty creates the alert rules without an action group.')
param alertEmailAddress string = ''

@secure()
@description('Key that pseudonymises user ids in telemetry, stored in Key Vault: main.parameters.json lets azd generate it once and read it back from the vault afterwards.')
param userIdHashKey string

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
// Flex Consumption pulls the app package from this container of the app's own storage account.
var deploymentStorageContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var trainingDataContainerName = 'training-data'
// Blob-created events Event Grid could not deliver to the app after its retries.
var trainingDataDeadLetterContainerName = 'training-data-events-undelivered'
var modelsContainerName = 'models'
// The storage issue's containers: drop zone, model registry, event lake, dead letters, analysis uploads and results.
var dataContainerNames = [
  trainingDataContainerName
  'training-data-rejected'
  trainingDataDeadLetterContainerName
  modelsContainerName
  'events'
  'events-rejected'
  'events-failed'
  'uploads'
  'analyses'
]
var clickstreamHubName = 'clickstream'
var clickstreamConsumerGroupName = 'smartshop'
var cosmosDatabaseName = 'smartshop'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containerNames: concat([deploymentStorageContainerName], dataContainerNames)
  }
}

module eventHubs 'app/eventhubs.bicep' = {
  name: 'eventhubs'
  scope: rg
  params: {
    namespaceName: '${abbrs.eventHubNamespaces}${resourceToken}'
    location: location
    tags: tags
    hubName: clickstreamHubName
    consumerGroupName: clickstreamConsumerGroupName
    partitionCount: clickstreamPartitionCount
  }
}

module cosmos 'app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    accountName: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    dataCollectionRuleName: '${abbrs.insightsDataCollectionRules}redaction-${resourceToken}'
    location: location
    tags: tags
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: '${abbrs.insightsScheduledQueryRules}${resourceToken}'
    actionGroupName: '${abbrs.insightsActionGroups}${resourceToken}'
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    trainingDataTopicName: trainingDataTopic.outputs.name
    alertEmailAddress: alertEmailAddress
  }
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    displayName: 'SmartShop (${environmentName})'
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    userIdHashKey: userIdHashKey
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityName: identity.outputs.name
    storageAccountName: storage.outputs.name
    deploymentStorageContainerName: deploymentStorageContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    eventHubNamespaceName: eventHubs.outputs.namespaceName
    clickstreamHubName: eventHubs.outputs.hubName
    clickstreamConsumerGroupName: eventHubs.outputs.consumerGroupName
    cosmosAccountName: cosmos.outputs.accountName
    cosmosDatabaseName: cosmos.outputs.databaseName
    modelRegistryContainerName: modelsContainerName
    modelRegistryPollIntervalSeconds: modelRegistryPollIntervalSeconds
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstanceCount: alwaysReadyHttpInstanceCount
    authAuthority: authAuthority
    authAudience: authAudience
    userIdHashKeySecretUri: keyVault.outputs.userIdHashKeySecretUri
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    eventHubNamespaceName: eventHubs.outputs.namespaceName
    clickstreamHubName: eventHubs.outputs.hubName
    cosmosAccountName: cosmos.outputs.accountName
    cosmosDatabaseName: cosmos.outputs.databaseName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    userIdHashKeySecretName: keyVault.outputs.secretName
    trainingDataTopicName: trainingDataTopic.outputs.name
    trainingDataDeadLetterContainerName: trainingDataDeadLetterContainerName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

// The training-data subscription itself is created after code deployment (scripts/create-training-data-subscription.*):
// its webhook needs the blobs_extension system key, which exists only once the app runs the blob trigger.
module trainingDataTopic 'app/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    name: '${abbrs.eventGridSystemTopics}training-data-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output EVENTHUB_NAMESPACE_FQDN string = eventHubs.outputs.fullyQualifiedNamespace
output CLICKSTREAM_HUB_NAME string = eventHubs.outputs.hubName
output CLICKSTREAM_CONSUMER_GROUP string = eventHubs.outputs.consumerGroupName
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE_NAME string = cosmos.outputs.databaseName
output MODEL_REGISTRY_CONTAINER_NAME string = modelsContainerName
output MODEL_REGISTRY_POLL_INTERVAL_SECONDS int = modelRegistryPollIntervalSeconds
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output TRAINING_DATA_CONTAINER_NAME string = trainingDataContainerName
output TRAINING_DATA_SYSTEM_TOPIC_NAME string = trainingDataTopic.outputs.name
output TRAINING_DATA_DEADLETTER_CONTAINER_NAME string = trainingDataDeadLetterContainerName
output AZURE_STORAGE_ACCOUNT_ID string = storage.outputs.id
