@description('Key Vault (RBAC only) holding the key that pseudonymises user ids in telemetry; the app reads it through a Key Vault reference.')
param name string
param location string
param tags object

@description('The key (azd generates it once and reads it back from the vault on later provisions).')
@secure()
param userIdHashKey string

var secretName = 'telemetry-user-id-hash-key'

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access by Azure RBAC only (no access policies), so every grant is a role assignment scoped like the others.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource secret 'secrets' = {
    name: secretName
    properties: {
      value: userIdHashKey
      contentType: 'HMAC-SHA256 key for telemetry user pseudonyms'
    }
  }
}

output name string = vault.name
output secretName string = secretName
@description('Versionless secret URI: the app follows a rotated key on its next restart.')
output userIdHashKeySecretUri string = '${vault.properties.vaultUri}secrets/${secretName}'
