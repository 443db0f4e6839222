# azd postprovision hook (Windows): writes src/SmartShop.Functions/local.settings.json from `azd env get-values`,
# so `func start` runs locally against the provisioned resources with your own Entra ID identity (no __credential
# settings: DefaultAzureCredential; main.bicep gave the deploying user the app's data roles).
# Overwrites an existing local.settings.json. Keep the keys in step with infra/app/api.bicep (SettingsContractTests).
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..')

$values = @{}
foreach ($line in (azd env get-values)) {
    if ($line -match '^([^=]+)="(.*)"$') { $values[$Matches[1]] = $Matches[2] }
}

function Get-Required([string] $name) {
    if (-not $values.ContainsKey($name) -or [string]::IsNullOrEmpty($values[$name])) {
        throw "write-local-settings: $name is not in the azd environment; run 'azd provision' first."
    }
    return $values[$name]
}

$settings = [ordered]@{
    "FUNCTIONS_WORKER_RUNTIME"                    = 'dotnet-isolated'
    "AzureWebJobsStorage__blobServiceUri"         = Get-Required 'AZURE_STORAGE_BLOB_ENDPOINT'
    "AzureWebJobsStorage__queueServiceUri"        = Get-Required 'AZURE_STORAGE_QUEUE_ENDPOINT'
    "AzureWebJobsStorage__tableServiceUri"        = Get-Required 'AZURE_STORAGE_TABLE_ENDPOINT'
    "EventHubConnection__fullyQualifiedNamespace" = Get-Required 'EVENTHUB_NAMESPACE_FQDN'
    "ClickstreamHubName"                          = Get-Required 'CLICKSTREAM_HUB_NAME'
    "ClickstreamConsumerGroup"                    = Get-Required 'CLICKSTREAM_CONSUMER_GROUP'
    "ModelRegistry__ContainerName"                = Get-Required 'MODEL_REGISTRY_CONTAINER_NAME'
    "ModelRegistry__PollIntervalSeconds"          = Get-Required 'MODEL_REGISTRY_POLL_INTERVAL_SECONDS'
    "Cosmos__Endpoint"                            = Get-Required 'COSMOS_ENDPOINT'
    "Cosmos__DatabaseName"                        = Get-Required 'COSMOS_DATABASE_NAME'
    "ModelRegistry__KeepVersions"                 = '5'
    "DocumentLogs__PredictionTtlDays"             = '30'
    "DocumentLogs__RecentActivityLimit"           = '50'
    "CustomerData__LakeScanDays"                  = '400'
    "CustomerData__MaxLakeBlobs"                  = '100000'
    "DocumentLogs__QueueCapacity"                 = '10000'
    "DocumentLogs__FlushBatchSize"                = '100'
    "DocumentLogs__FlushIntervalMilliseconds"     = '500'
    "Ingestion__MaxEventAgeDays"                  = '30'
    "Ingestion__MaxEventsPerRequest"              = '1000'
    "Ingestion__MaxRequestBytes"                  = '1048576'
    "Ingestion__AttributionWindowHours"            = '24'
    "Analyses__MaxUploadBytes"                    = '52428800'
    "Analyses__BackgroundThresholdBytes"          = '2097152'
    "Analyses__SynchronousInputBytes"             = '33554432'
    "Analyses__MaxInputBytes"                     = '1073741824'
    "Analyses__QueueCapacity"                     = '16'
    "Telemetry__UserIdHashKey"                    = ''
    "Training__PrimaryMetric"                     = 'ndcg@10/all'
    "Training__Tolerance"                         = '0.005'
    "Training__HoldoutDays"                       = '30'
    "Training__MinHoldoutUsers"                   = '20'
    "Training__MaxInputBytes"                     = '536870912'
    "Training__LakeWindowDays"                    = '30'
    "Training__IncludeLakeInUploads"              = 'false'
    "Training__StaleRunMinutes"                   = '60'
    "Training__CanaryShare"                       = '0'
    "Training__CanaryMinImpressions"              = '1000'
    "Training__CanaryTolerance"                   = '0.005'
    "Training__CanaryDays"                        = '14'
    "Training__Data__Delimiter"                  = ''
    "Training__Data__DecimalSeparator"           = '.'
    "Training__Data__DateFormat"                 = ''
    "Training__Data__Encoding"                   = 'utf-8'
    "Training__Data__Preset"                     = ''
    "Training__Data__ExcludeItems"               = ''
    "Training__Data__Map"                        = ''
    "Training__Data__MaxQuantity"                = '100000'
    "Training__Data__MaxUnitPrice"               = '100000'
    "Training__Data__MaxLineTotal"               = '1000000'
    "Training__RecommendationsModel"              = 'recommendations'
    "Training__SegmentationModel"                 = 'segmentation'
    "Training__CatalogueModel"                    = 'catalogue'
    "TrainingSchedule"                            = '0 0 3 * * 0'
    "DriftCheckSchedule"                          = '0 30 2 * * *'
    "CanarySchedule"                              = '0 */15 * * * *'
    "Training__LocalBlobPolling"                  = 'true'
    "Training__LocalPollIntervalSeconds"          = '10'
    "Training__RetrainOnDrift"                    = 'false'
    "Training__DriftWindowDays"                   = '7'
    "Training__DriftWarningPsi"                   = '0.1'
    "Training__DriftAlertPsi"                     = '0.2'
    "Auth__Authority"                             = ''
    "Auth__Issuer"                                = ''
    "Auth__Audience"                              = ''
    "Auth__AdminRole"                             = 'SmartShop.Admin'
}

$target = 'src/SmartShop.Functions/local.settings.json'
[ordered]@{ IsEncrypted = $false; Values = $settings } | ConvertTo-Json -Depth 3 | Set-Content -Path $target -Encoding utf8
Write-Host "write-local-settings: wrote $target for the resources of azd environment $($values['AZURE_ENV_NAME'])."
