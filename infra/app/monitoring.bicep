@description('Log Analytics workspace and workspace-based Application Insights (Entra ID ingestion only); customer ids are redacted from request telemetry at ingestion.')
param logAnalyticsName string
param applicationInsightsName string
param dataCollectionRuleName string
param location string
param tags object

var retentionInDays = 30

// The worker redacts its own spans and logs (RouteRedaction.cs); the Functions host's request and dependency
// telemetry carries the request URL, /api/v1/users/<id>/…, which only an ingestion-time transformation can rewrite.
// The file holds one KQL expression of COLUMN (transformations have no replace_regex, so it cuts the text at the id
// and joins the pieces around the route parameter); RequestTelemetryRedactionTests evaluates it.
var redactKql = trim(loadTextContent('redact-customer-ids.kql'))

func redact(kql string, column string) string => replace(kql, 'COLUMN', column)

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource redaction 'Microsoft.Insights/dataCollectionRules@2024-03-11' = {
  name: dataCollectionRuleName
  location: location
  tags: tags
  kind: 'WorkspaceTransforms'
  properties: {
    destinations: {
      logAnalytics: [
        {
          name: 'workspace'
          workspaceResourceId: logAnalytics.id
        }
      ]
    }
    dataFlows: [
      {
        streams: [
          'Microsoft-Table-AppRequests'
        ]
        destinations: [
          'workspace'
        ]
        transformKql: 'source | extend Url = ${redact(redactKql, 'Url')}, Name = ${redact(redactKql, 'Name')}'
      }
      {
        streams: [
          'Microsoft-Table-AppDependencies'
        ]
        destinations: [
          'workspace'
        ]
        transformKql: 'source | extend Data = ${redact(redactKql, 'Data')}, Name = ${redact(redactKql, 'Name')}'
      }
      {
        streams: [
          'Microsoft-Table-AppTraces'
        ]
        destinations: [
          'workspace'
        ]
        transformKql: 'source | extend Message = ${redact(redactKql, 'Message')}'
      }
    ]
  }
}

module workspaceTransforms 'redaction.bicep' = {
  name: 'workspace-transforms'
  params: {
    logAnalyticsName: logAnalytics.name
    location: location
    tags: tags
    retentionInDays: retentionInDays
    dataCollectionRuleId: redaction.id
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Telemetry is accepted only with an Entra ID token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), so the
    // connection string, which carries no secret, cannot be used to inject data.
    DisableLocalAuth: true
  }
}

output applicationInsightsName string = applicationInsights.name
output connectionString string = applicationInsights.properties.ConnectionString
output logAnalyticsName string = logAnalytics.name
