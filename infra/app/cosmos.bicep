@description('Serverless Cosmos DB account for the product logs and histories; Entra ID only.')
param accountName string
param location string
param tags object
param databaseName string

@description('Prediction log entries expire after this many seconds (30 days).')
param predictionTtlSeconds int = 2592000

// Partition keys follow the access patterns: per user, per model, per analysis, per day (attribution rollups).
var containers = [
  {
    name: 'predictions'
    partitionKey: '/userId'
    defaultTtl: predictionTtlSeconds
  }
  {
    name: 'trainingRuns'
    partitionKey: '/modelName'
    defaultTtl: null
  }
  {
    name: 'analyses'
    partitionKey: '/analysisId'
    defaultTtl: null
  }
  {
    name: 'userActivity'
    partitionKey: '/userId'
    defaultTtl: null
  }
  {
    name: 'attribution'
    partitionKey: '/day'
    defaultTtl: null
  }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-10-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    // Keys disabled: data access only through Entra ID and the data-plane roles in rbac.bicep.
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
  }

  resource database 'sqlDatabases' = {
    name: databaseName
    properties: {
      resource: {
        id: databaseName
      }
    }

    resource sqlContainers 'containers' = [
      for container in containers: {
        name: container.name
        properties: {
          resource: {
            id: container.name
            partitionKey: {
              paths: [
                container.partitionKey
              ]
              kind: 'Hash'
            }
            // Only the prediction log expires; the other containers keep their documents.
            defaultTtl: container.defaultTtl
          }
        }
      }
    ]
  }
}

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = account::database.name
