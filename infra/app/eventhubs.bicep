@description('Event Hubs namespace receiving the storefront clickstream; Entra ID only.')
param namespaceName string
param location string
param tags object
param hubName string
param consumerGroupName string
@minValue(1)
@maxValue(32)
param partitionCount int

// Standard, not Basic: Basic offers only the $Default consumer group and the app reads through its own.
resource namespace 'Microsoft.EventHub/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    isAutoInflateEnabled: false
    publicNetworkAccess: 'Enabled'
  }

  resource hub 'eventhubs' = {
    name: hubName
    properties: {
      partitionCount: partitionCount
      // A week: events the app could not store (a long storage outage) can be read again from the hub.
      messageRetentionInDays: 7
    }

    resource consumerGroup 'consumergroups' = {
      name: consumerGroupName
    }
  }
}

output namespaceName string = namespace.name
// Host name only (no scheme or port): the form EventHubConnection__fullyQualifiedNamespace expects.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output hubName string = namespace::hub.name
output consumerGroupName string = namespace::hub::consumerGroup.name
