@description('Every role assignment of the deployment, least privilege, scoped to the single resource that needs it.')
param storageAccountName string
param eventHubNamespaceName string
param clickstreamHubName string
param cosmosAccountName string
param cosmosDatabaseName string
param applicationInsightsName string
param keyVaultName string
param userIdHashKeySecretName string

@description('Event Grid system topic on the storage account; its identity writes undelivered blob events to the dead-letter container.')
param trainingDataTopicName string
param trainingDataDeadLetterContainerName string

@description('Principal id of the app\'s user-assigned identity.')
param appPrincipalId string

@description('The deploying user or pipeline principal; gets the same data roles for local development. Empty = none.')
param userPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string = 'User'

// Storage Blob Data Owner: the Functions host manages blob leases and the blob trigger's receipts in AzureWebJobsStorage.
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
// Storage Queue Data Contributor: blob trigger poison queue and host queues.
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
// Storage Table Data Contributor: the catalogue changes (table SmartShopCatalogue), and the document logs on Table storage
// when Cosmos DB is not configured.
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Azure Event Hubs Data Receiver: the clickstream trigger.
var eventHubsDataReceiverRoleId = 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
// Azure Event Hubs Data Sender: for the deploying user only (`smartshop replay --event-hubs-namespace` sends to the
// hub); the app only reads it (POST v1/events ingests directly).
var eventHubsDataSenderRoleId = '2b629674-e913-4c01-ae53-ef4638d8f975'
// Monitoring Metrics Publisher: Entra ID-authenticated telemetry ingestion (App Insights local auth is disabled).
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'
// Key Vault Secrets User: reads the telemetry hash key (the app through its Key Vault reference; the deploying user so
// azd can read the key back on the next provision instead of generating a new one).
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
// Storage Blob Data Contributor: Event Grid's dead-lettering into one container.
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
// Cosmos DB Built-in Data Contributor (data-plane role definition of the account, not an Azure RBAC role).
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

var storageRoleIds = [
  storageBlobDataOwnerRoleId
  storageQueueDataContributorRoleId
  storageTableDataContributorRoleId
]
var appEventHubRoleIds = [
  eventHubsDataReceiverRoleId
]
var userEventHubRoleIds = [
  eventHubsDataReceiverRoleId
  eventHubsDataSenderRoleId
]
var withUser = !empty(userPrincipalId)

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2026-01-01' existing = {
  name: eventHubNamespaceName

  resource hub 'eventhubs' existing = {
    name: clickstreamHubName
  }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2025-10-15' existing = {
  name: cosmosAccountName

  resource database 'sqlDatabases' existing = {
    name: cosmosDatabaseName
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName

  resource userIdHashKey 'secrets' existing = {
    name: userIdHashKeySecretName
  }
}

resource trainingDataTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: trainingDataTopicName
}

resource trainingDataDeadLetters 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = {
  name: '${storageAccountName}/default/${trainingDataDeadLetterContainerName}'
}

// Scoped to the one secret, not the vault.
resource appSecretRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault::userIdHashKey.id, appPrincipalId, keyVaultSecretsUserRoleId)
  scope: keyVault::userIdHashKey
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userSecretRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  name: guid(keyVault::userIdHashKey.id, userPrincipalId, keyVaultSecretsUserRoleId)
  scope: keyVault::userIdHashKey
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// Scoped to the dead-letter container only.
resource topicDeadLetterRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(trainingDataDeadLetters.id, trainingDataTopic.id, storageBlobDataContributorRoleId)
  scope: trainingDataDeadLetters
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: trainingDataTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoleIds: {
    name: guid(storage.id, appPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource userStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoleIds: if (withUser) {
    name: guid(storage.id, userPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: userPrincipalId
      principalType: userPrincipalType
    }
  }
]

// Scoped to the clickstream hub, not the namespace.
resource appEventHubRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appEventHubRoleIds: {
    name: guid(eventHubNamespace::hub.id, appPrincipalId, roleId)
    scope: eventHubNamespace::hub
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource userEventHubRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in userEventHubRoleIds: if (withUser) {
    name: guid(eventHubNamespace::hub.id, userPrincipalId, roleId)
    scope: eventHubNamespace::hub
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: userPrincipalId
      principalType: userPrincipalType
    }
  }
]

resource appMonitoringRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userMonitoringRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  name: guid(applicationInsights.id, userPrincipalId, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// Cosmos DB data plane: sqlRoleAssignments scoped to the smartshop database only (data-plane scope form .../dbs/<name>).
resource appCosmosRole 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-10-15' = {
  parent: cosmos
  name: guid(cosmos::database.id, appPrincipalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: appPrincipalId
    scope: '${cosmos.id}/dbs/${cosmos::database.name}'
  }
}

resource userCosmosRole 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-10-15' = if (withUser) {
  parent: cosmos
  name: guid(cosmos::database.id, userPrincipalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: userPrincipalId
    scope: '${cosmos.id}/dbs/${cosmos::database.name}'
  }
}
