@description('Azure Monitor workbook over the product\'s custom telemetry: latency percentiles, RPS, errors, cache hit ratio, events accepted/rejected, model versions, drift.')
param location string
param tags object
param applicationInsightsName string
param displayName string

var names = loadJsonContent('telemetry-names.json')

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var charts = [
  {
    name: 'latency'
    title: 'Recommendation latency percentiles (ms)'
    visualization: 'timechart'
    query: 'requests | where url matches regex @"${names.recommendationRoutes}" | summarize p50 = percentile(duration, 50), p95 = percentile(duration, 95), p99 = percentile(duration, 99) by bin(timestamp, 5m)'
  }
  {
    name: 'latency-by-endpoint'
    title: 'Recommendation latency by endpoint (custom metric, mean ${names.units.recommendationLatency})'
    visualization: 'timechart'
    query: 'customMetrics | where name == "${names.metrics.recommendationLatency}" | extend endpoint = tostring(customDimensions["${names.dimensions.endpoint}"]) | summarize MeanLatency = sum(valueSum) / sum(valueCount) by endpoint, bin(timestamp, 5m)'
  }
  {
    name: 'rps'
    title: 'Requests per second'
    visualization: 'timechart'
    query: 'requests | summarize RequestsPerSecond = count() / 60.0 by bin(timestamp, 1m)'
  }
  {
    name: 'errors'
    title: 'HTTP errors by status'
    visualization: 'barchart'
    query: 'requests | where toint(resultCode) >= 400 | summarize Errors = count() by resultCode, bin(timestamp, 15m)'
  }
  {
    name: 'cache'
    title: 'Recommendation cache hit ratio by cache'
    visualization: 'timechart'
    // The counter counts lookups tagged hit or miss; the ratio is hits over all lookups.
    query: 'customMetrics | where name == "${names.metrics.cacheLookups}" | extend cache = tostring(customDimensions["${names.dimensions.cache}"]), result = tostring(customDimensions["${names.dimensions.cacheResult}"]) | summarize Hits = sumif(valueSum, result == "${names.values.cacheHit}"), Lookups = sum(valueSum) by cache, bin(timestamp, 5m) | project timestamp, cache, HitRatio = 1.0 * Hits / Lookups'
  }
  {
    name: 'events'
    title: 'Clickstream events accepted / rejected'
    visualization: 'timechart'
    query: 'customMetrics | where name in ("${names.metrics.eventsAccepted}", "${names.metrics.eventsRejected}") | summarize Events = sum(valueSum) by name, bin(timestamp, 5m)'
  }
  {
    name: 'rejections'
    title: 'Rejected events by reason'
    visualization: 'piechart'
    query: 'customMetrics | where name == "${names.metrics.eventsRejected}" | summarize Events = sum(valueSum) by reason = tostring(customDimensions["${names.dimensions.reason}"])'
  }
  {
    name: 'lag'
    title: 'Ingestion lag (max, ${names.units.ingestionLag})'
    visualization: 'timechart'
    query: 'customMetrics | where name == "${names.metrics.ingestionLag}" | summarize MaxLag = max(valueMax) by bin(timestamp, 5m)'
  }
  {
    name: 'model-version'
    title: 'Model version served'
    visualization: 'table'
    query: 'customMetrics | where name == "${names.metrics.recommendationLatency}" | extend modelVersion = tostring(customDimensions["${names.dimensions.modelVersion}"]) | summarize Requests = sum(valueCount), LastSeen = max(timestamp) by modelVersion | order by LastSeen desc'
  }
  {
    name: 'training'
    title: 'Training outcomes'
    visualization: 'table'
    // Custom events carry the placeholders of their log templates as properties, not the metric tags.
    query: 'customEvents | where name in ("${names.events.modelPromoted}", "${names.events.modelRejected}", "${names.events.trainingFailed}") | project timestamp, name, model = tostring(customDimensions["${names.eventProperties.model}"]), version = tostring(customDimensions["${names.eventProperties.version}"]), reason = tostring(customDimensions["${names.eventProperties.reason}"]) | order by timestamp desc | take 50'
  }
  {
    name: 'drift'
    title: 'Drift (population stability index) by feature'
    visualization: 'timechart'
    query: 'customMetrics | where name == "${names.metrics.driftScore}" | summarize Psi = max(valueMax) by feature = strcat(tostring(customDimensions["${names.dimensions.model}"]), " / ", tostring(customDimensions["${names.dimensions.feature}"])), bin(timestamp, 1h)'
  }
]

var content = {
  version: 'Notebook/1.0'
  items: concat(
    [
      {
        type: 1
        name: 'title'
        content: {
          json: '## SmartShop.Functions\nRecommendation latency, traffic, errors, cache, clickstream ingestion, model versions and drift (last 24 h).'
        }
      }
    ],
    map(charts, chart => {
      type: 3
      name: chart.name
      content: {
        version: 'KqlItem/1.0'
        title: chart.title
        query: chart.query
        size: 0
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: chart.visualization
        timeContext: {
          durationMs: 86400000
        }
      }
    })
  )
  fallbackResourceIds: [
    applicationInsights.id
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, applicationInsights.id, 'smartshop-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: string(content)
  }
}

output id string = workbook.id
