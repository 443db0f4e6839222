@description('Sets the workspace\'s default data collection rule (its ingestion-time transformation), which redacts customer ids from request telemetry.')
param logAnalyticsName string
param location string
param tags object
@description('Same values as the workspace\'s own declaration in monitoring.bicep: this PUT replaces its properties.')
param retentionInDays int
param dataCollectionRuleId string

// The workspace again, now with its transformation rule: it cannot name the rule where it is first declared,
// because the rule's destination is this workspace.
resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    defaultDataCollectionRuleResourceId: dataCollectionRuleId
  }
}
