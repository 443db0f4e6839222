@description('Log alert rules over Application Insights (recommendation latency, HTTP 5xx rate, ingestion lag, failed ingestion batches, training failures, drift, dropped log entries) and a metric alert on undelivered training-data events.')
param namePrefix string
param actionGroupName string
param location string
param tags object
param applicationInsightsName string

@description('Event Grid system topic that delivers training-data blob events; an event it dead-letters is a file nobody trained on.')
param trainingDataTopicName string

@description('Optional e-mail receiver; empty = no action group (alerts still show in the portal).')
param alertEmailAddress string = ''

@description('p95 latency of the recommendation routes above which the latency alert fires (ms).')
param recommendationP95ThresholdMs int = 250

@description('Share of HTTP requests answered with 5xx above which the error alert fires (percent).')
param http5xxRatePercentThreshold int = 5

@description('Largest enqueued-to-stored clickstream lag tolerated (seconds, the unit of the lag metric).')
param ingestionLagThresholdSeconds int = 120

var names = loadJsonContent('telemetry-names.json')

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmailAddress)) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'smartshop'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

var rules = [
  {
    name: 'recommendation-p95-latency'
    displayName: 'SmartShop: recommendation p95 latency'
    description: 'p95 duration of the recommendation routes over 15 minutes exceeds ${recommendationP95ThresholdMs} ms.'
    severity: 2
    query: 'requests | where url matches regex @"${names.recommendationRoutes}" | summarize P95 = percentile(duration, 95)'
    measure: 'P95'
    threshold: recommendationP95ThresholdMs
  }
  {
    name: 'http-5xx-rate'
    displayName: 'SmartShop: HTTP 5xx rate'
    description: 'More than ${http5xxRatePercentThreshold} % of HTTP requests over 15 minutes failed with a 5xx status (at least 20 requests).'
    severity: 1
    query: 'requests | summarize Total = count(), Failed = countif(toint(resultCode) >= 500) | where Total >= 20 | extend FailureRatePercent = 100.0 * Failed / Total'
    measure: 'FailureRatePercent'
    threshold: http5xxRatePercentThreshold
  }
  {
    name: 'ingestion-lag'
    displayName: 'SmartShop: clickstream ingestion lag'
    description: 'Largest enqueued-to-stored lag of clickstream events over 15 minutes exceeds ${ingestionLagThresholdSeconds} ${names.units.ingestionLag}.'
    severity: 2
    query: 'customMetrics | where name == "${names.metrics.ingestionLag}" | summarize LagSeconds = max(valueMax)'
    measure: 'LagSeconds'
    threshold: ingestionLagThresholdSeconds
  }
  {
    name: 'ingestion-failed-batches'
    displayName: 'SmartShop: clickstream batches failed after every retry'
    description: 'At least one Event Hubs batch failed its last delivery attempt in the last 15 minutes (${names.metrics.ingestionFailedBatches}). Outcome "kept": it is in the events-failed container, run smartshop replay --failed-batches once storage is back; outcome "${names.values.failedBatchLost}": not even that write worked, the log line with EventId 7004 names the partition and sequence range to rewind to within the Event Hubs retention.'
    severity: 1
    query: 'customMetrics | where name == "${names.metrics.ingestionFailedBatches}" | summarize FailedBatches = sum(valueSum)'
    measure: 'FailedBatches'
    threshold: 0
  }
  {
    name: 'training-failure'
    displayName: 'SmartShop: training run failed'
    description: 'At least one retraining run failed (${names.events.trainingFailed}) in the last 15 minutes.'
    severity: 1
    // The run counter carries the decision; metrics reach customMetrics whatever the log sampling does.
    query: 'customMetrics | where name == "${names.metrics.trainingRuns}" and tostring(customDimensions["${names.dimensions.decision}"]) == "failed" | summarize Failures = sum(valueSum)'
    measure: 'Failures'
    threshold: 0
  }
  {
    name: 'log-dropped'
    displayName: 'SmartShop: prediction or activity log entries dropped'
    description: 'Prediction or user-activity log entries were dropped (${names.metrics.logDropped}: the write queue was full or the document store refused a write) in the last 15 minutes.'
    severity: 2
    query: 'customMetrics | where name == "${names.metrics.logDropped}" | summarize Dropped = sum(valueSum)'
    measure: 'Dropped'
    threshold: 0
  }
  {
    name: 'drift'
    displayName: 'SmartShop: feature drift'
    description: 'A drift check raised DriftAlert (a feature\'s population stability index reached the app setting Training__DriftAlertPsi) in the last 15 minutes.'
    severity: 3
    query: 'customMetrics | where name == "${names.metrics.driftAlerts}" | summarize Alerts = sum(valueSum)'
    measure: 'Alerts'
    threshold: 0
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for rule in rules: {
    name: '${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        applicationInsights.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Maximum'
            metricMeasureColumn: rule.measure
            operator: 'GreaterThan'
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: empty(alertEmailAddress) ? [] : [
          actionGroup.id
        ]
      }
    }
  }
]

resource trainingDataTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: trainingDataTopicName
}

resource undeliveredTrainingData 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-training-data-undelivered'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid dead-lettered a training-data BlobCreated event (container training-data-events-undelivered): that upload was never trained; see docs/retraining.md.'
    severity: 1
    enabled: true
    scopes: [
      trainingDataTopic.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead-lettered'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          metricName: 'DeadLetteredCount'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    actions: empty(alertEmailAddress) ? [] : [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

output ruleNames array = [for (rule, i) in rules: alertRules[i].name]
