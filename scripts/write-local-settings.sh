#!/usr/bin/env sh
# azd postprovision hook: writes src/SmartShop.Functions/local.settings.json from `azd env get-values`, so
# `func start` runs locally against the provisioned resources with your own Entra ID identity (az login / azd auth
# login): no __credential settings, so the host and the SDKs use DefaultAzureCredential, and main.bicep gave
# the deploying user (principalId) the same data roles as the app. Overwrites an existing local.settings.json.
# Keep the keys in step with infra/app/api.bicep (SettingsContractTests checks both).
set -eu
cd "$(dirname "$0")/.."

values=$(azd env get-values)

# Reads KEY="value" lines of `azd env get-values`.
env_value() {
  printf '%s\n' "$values" | sed -n "s/^$1=\"\(.*\)\"\$/\1/p" | head -n 1
}

require() {
  value=$(env_value "$1")
  if [ -z "$value" ]; then
    echo "write-local-settings: $1 is not in the azd environment; run 'azd provision' first." >&2
    exit 1
  fi
  printf '%s' "$value"
}

blob_endpoint=$(require AZURE_STORAGE_BLOB_ENDPOINT)
queue_endpoint=$(require AZURE_STORAGE_QUEUE_ENDPOINT)
table_endpoint=$(require AZURE_STORAGE_TABLE_ENDPOINT)
eventhub_namespace=$(require EVENTHUB_NAMESPACE_FQDN)
hub_name=$(require CLICKSTREAM_HUB_NAME)
consumer_group=$(require CLICKSTREAM_CONSUMER_GROUP)
models_container=$(require MODEL_REGISTRY_CONTAINER_NAME)
poll_interval=$(require MODEL_REGISTRY_POLL_INTERVAL_SECONDS)
cosmos_endpoint=$(require COSMOS_ENDPOINT)
cosmos_database=$(require COSMOS_DATABASE_NAME)

target=src/SmartShop.Functions/local.settings.json
cat > "$target" <<JSON
{
  "IsEncrypted": false,
  "Values": {
    "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
    "AzureWebJobsStorage__blobServiceUri": "$blob_endpoint",
    "AzureWebJobsStorage__queueServiceUri": "$queue_endpoint",
    "AzureWebJobsStorage__tableServiceUri": "$table_endpoint",
    "EventHubConnection__fullyQualifiedNamespace": "$eventhub_namespace",
    "ClickstreamHubName": "$hub_name",
    "ClickstreamConsumerGroup": "$consumer_group",
    "ModelRegistry__ContainerName": "$models_container",
    "ModelRegistry__PollIntervalSeconds": "$poll_interval",
    "Cosmos__Endpoint": "$cosmos_endpoint",
    "Cosmos__DatabaseName": "$cosmos_database",
    "ModelRegistry__KeepVersions": "5",
    "DocumentLogs__PredictionTtlDays": "30",
    "DocumentLogs__RecentActivityLimit": "50",
    "CustomerData__LakeScanDays": "400",
    "CustomerData__MaxLakeBlobs": "100000",
    "DocumentLogs__QueueCapacity": "10000",
    "DocumentLogs__FlushBatchSize": "100",
    "DocumentLogs__FlushIntervalMilliseconds": "500",
    "Ingestion__MaxEventAgeDays": "30",
    "Ingestion__MaxEventsPerRequest": "1000",
    "Ingestion__MaxRequestBytes": "1048576",
    "Ingestion__AttributionWindowHours": "24",
    "Analyses__MaxUploadBytes": "52428800",
    "Analyses__BackgroundThresholdBytes": "2097152",
    "Analyses__SynchronousInputBytes": "33554432",
    "Analyses__MaxInputBytes": "1073741824",
    "Telemetry__UserIdHashKey": "",
    "Training__PrimaryMetric": "ndcg@10/all",
    "Training__Tolerance": "0.005",
    "Training__HoldoutDays": "30",
    "Training__MinHoldoutUsers": "20",
    "Training__MaxInputBytes": "536870912",
    "Training__LakeWindowDays": "30",
    "Training__IncludeLakeInUploads": "false",
    "Training__StaleRunMinutes": "60",
    "Training__CanaryShare": "0",
    "Training__CanaryMinImpressions": "1000",
    "Training__CanaryTolerance": "0.005",
    "Training__CanaryDays": "14",
    "Training__Data__Delimiter": "",
    "Training__Data__DecimalSeparator": ".",
    "Training__Data__DateFormat": "",
    "Training__Data__Encoding": "utf-8",
    "Training__Data__Preset": "",
    "Training__Data__ExcludeItems": "",
    "Training__Data__Map": "",
    "Training__Data__MaxQuantity": "100000",
    "Training__Data__MaxUnitPrice": "100000",
    "Training__Data__MaxLineTotal": "1000000",
    "Training__RecommendationsModel": "recommendations",
    "Training__SegmentationModel": "segmentation",
    "Training__CatalogueModel": "catalogue",
    "TrainingSchedule": "0 0 3 * * 0",
    "DriftCheckSchedule": "0 30 2 * * *",
    "CanarySchedule": "0 */15 * * * *",
    "Training__LocalBlobPolling": "true",
    "Training__LocalPollIntervalSeconds": "10",
    "Training__RetrainOnDrift": "false",
    "Training__DriftWindowDays": "7",
    "Training__DriftWarningPsi": "0.1",
    "Training__DriftAlertPsi": "0.2",
    "Auth__Authority": "",
    "Auth__Issuer": "",
    "Auth__Audience": "",
    "Auth__AdminRole": "SmartShop.Admin"
  }
}
JSON
echo "write-local-settings: wrote $target for the resources of azd environment $(env_value AZURE_ENV_NAME)."
