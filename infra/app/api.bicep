@description('The Functions app on the Flex Consumption plan, .NET isolated, identity-based settings only.')
param name string
param planName string
param location string
param tags object
param identityName string
param storageAccountName string
param deploymentStorageContainerName string
param applicationInsightsName string
param eventHubNamespaceName string
param clickstreamHubName string
param clickstreamConsumerGroupName string
param cosmosAccountName string
param cosmosDatabaseName string
param modelRegistryContainerName string
param modelRegistryPollIntervalSeconds int
param instanceMemoryMB int
param maximumInstanceCount int
param alwaysReadyHttpInstanceCount int

@description('Versionless Key Vault URI of the key that pseudonymises user ids in logs and spans (Telemetry__UserIdHashKey is a Key Vault reference to it).')
param userIdHashKeySecretUri string

@description('Entra ID authority for admin bearer tokens (Auth__Authority), e.g. https://login.microsoftonline.com/<tenant>/v2.0; empty: admin routes need the admin key only.')
param authAuthority string = ''

@description('Expected audience of admin bearer tokens (Auth__Audience): the API app registration\'s application id URI; set together with authAuthority.')
param authAudience string = ''

@description('Runtime version; the project targets net10.0.')
param dotnetVersion string = '10.0'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2026-01-01' existing = {
  name: eventHubNamespaceName
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2025-10-15' existing = {
  name: cosmosAccountName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the app's user-assigned identity (the default would be a system identity it does not have).
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentStorageContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyHttpInstanceCount > 0
          ? [
              {
                name: 'http'
                instanceCount: alwaysReadyHttpInstanceCount
              }
            ]
          : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }

  // Literal keys on purpose: the settings contract test reads them from the compiled template.
  // Flex Consumption takes the runtime from functionAppConfig, so FUNCTIONS_WORKER_RUNTIME is not set here.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      EventHubConnection__fullyQualifiedNamespace: split(
        replace(eventHubNamespace.properties.serviceBusEndpoint, 'https://', ''),
        ':'
      )[0]
      EventHubConnection__credential: 'managedidentity'
      EventHubConnection__clientId: identity.properties.clientId
      ClickstreamHubName: clickstreamHubName
      ClickstreamConsumerGroup: clickstreamConsumerGroupName
      ModelRegistry__ContainerName: modelRegistryContainerName
      ModelRegistry__PollIntervalSeconds: string(modelRegistryPollIntervalSeconds)
      Cosmos__Endpoint: cosmos.properties.documentEndpoint
      Cosmos__DatabaseName: cosmosDatabaseName
      ModelRegistry__KeepVersions: '5'
      // 30 days, as the predictions container's default TTL in cosmos.bicep.
      DocumentLogs__PredictionTtlDays: '30'
      DocumentLogs__RecentActivityLimit: '50'
      CustomerData__LakeScanDays: '400'
      CustomerData__MaxLakeBlobs: '100000'
      DocumentLogs__QueueCapacity: '10000'
      DocumentLogs__FlushBatchSize: '100'
      DocumentLogs__FlushIntervalMilliseconds: '500'
      Ingestion__MaxEventAgeDays: '30'
      Ingestion__MaxEventsPerRequest: '1000'
      Ingestion__MaxRequestBytes: '1048576'
      Ingestion__AttributionWindowHours: '24'
      Analyses__MaxUploadBytes: '52428800'
      Analyses__BackgroundThresholdBytes: '2097152'
      Analyses__SynchronousInputBytes: '33554432'
      Analyses__MaxInputBytes: '1073741824'
      // A Key Vault reference, never the key: the platform resolves it with keyVaultReferenceIdentity.
      Telemetry__UserIdHashKey: '@Microsoft.KeyVault(SecretUri=${userIdHashKeySecretUri})'
      // Training run: promotion rule, hold-out, input limit (512 MiB), lake window; see docs/retraining.md.
      Training__PrimaryMetric: 'ndcg@10/all'
      Training__Tolerance: '0.005'
      Training__HoldoutDays: '30'
      Training__MinHoldoutUsers: '20'
      Training__MaxInputBytes: '536870912'
      Training__LakeWindowDays: '30'
      Training__IncludeLakeInUploads: 'false'
      Training__StaleRunMinutes: '60'
      Training__CanaryShare: '0'
      Training__CanaryMinImpressions: '1000'
      Training__CanaryTolerance: '0.005'
      Training__CanaryDays: '14'
      // How uploaded transaction files are read (empty = not set; docs/data.md).
      Training__Data__Delimiter: ''
      Training__Data__DecimalSeparator: '.'
      Training__Data__DateFormat: ''
      Training__Data__Encoding: 'utf-8'
      Training__Data__Preset: ''
      Training__Data__ExcludeItems: ''
      Training__Data__Map: ''
      Training__Data__MaxQuantity: '100000'
      Training__Data__MaxUnitPrice: '100000'
      Training__Data__MaxLineTotal: '1000000'
      Training__RecommendationsModel: 'recommendations'
      Training__SegmentationModel: 'segmentation'
      Training__CatalogueModel: 'catalogue'
      // Weekly retrain from the event lake (Sunday 03:00 UTC) and a daily drift check; cron with seconds (NCRONTAB).
      TrainingSchedule: '0 0 3 * * 0'
      DriftCheckSchedule: '0 30 2 * * *'
      // Canary experiments are judged every 15 minutes.
      CanarySchedule: '0 */15 * * * *'
      // Event Grid delivers blob events in Azure: the local polling path stays off.
      Training__LocalBlobPolling: 'false'
      Training__LocalPollIntervalSeconds: '10'
      Training__RetrainOnDrift: 'false'
      Training__DriftWindowDays: '7'
      Training__DriftWarningPsi: '0.1'
      Training__DriftAlertPsi: '0.2'
      Auth__Authority: authAuthority
      Auth__Issuer: ''
      Auth__Audience: authAudience
      Auth__AdminRole: 'SmartShop.Admin'
      // DefaultAzureCredential picks the user-assigned identity from this.
      AZURE_CLIENT_ID: identity.properties.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
    }
  }
}

output name string = app.name
output uri string = 'https://${app.properties.defaultHostName}'
