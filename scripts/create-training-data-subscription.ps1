# azd postdeploy hook (Windows): subscribes the blob trigger of OnTrainingDataUploaded (Source = EventGrid) to
# BlobCreated events of the training-data container via the system topic from main.bicep. Not in Bicep because the
# webhook URL needs the blobs_extension system key, which exists only after the code is deployed and running
# (see create-training-data-subscription.sh). Needs the Azure CLI (az login).
$ErrorActionPreference = 'Stop'

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    throw 'create-training-data-subscription: the Azure CLI (az) is required.'
}

$values = @{}
foreach ($line in (azd env get-values)) {
    if ($line -match '^([^=]+)="(.*)"$') { $values[$Matches[1]] = $Matches[2] }
}

$appName = $values['AZURE_FUNCTION_APP_NAME']
$resourceGroup = $values['AZURE_RESOURCE_GROUP']
$functionName = 'OnTrainingDataUploaded'
$container = $values['TRAINING_DATA_CONTAINER_NAME']

$key = ''
for ($attempt = 0; $attempt -lt 20 -and -not $key; $attempt++) {
    $key = az functionapp keys list -n $appName -g $resourceGroup --query 'systemKeys.blobs_extension' -o tsv 2>$null
    if (-not $key) { Start-Sleep -Seconds 15 }
}
if (-not $key) { throw "create-training-data-subscription: no blobs_extension key on $appName; is the code deployed?" }

# The URL embeds the key: never print it.
$endpoint = "$($values['SERVICE_API_URI'])/runtime/webhooks/blobs?functionName=Host.Functions.$functionName&code=$key"
az eventgrid system-topic event-subscription create `
    --name training-data-uploaded `
    --resource-group $resourceGroup `
    --system-topic-name $values['TRAINING_DATA_SYSTEM_TOPIC_NAME'] `
    --endpoint-type webhook `
    --endpoint $endpoint `
    --included-event-types Microsoft.Storage.BlobCreated `
    --subject-begins-with "/blobServices/default/containers/$container/blobs/" `
    --max-delivery-attempts 30 `
    --event-ttl 1440 `
    --deadletter-identity systemassigned `
    --deadletter-identity-endpoint "$($values['AZURE_STORAGE_ACCOUNT_ID'])/blobServices/default/containers/$($values['TRAINING_DATA_DEADLETTER_CONTAINER_NAME'])" `
    --output none
if ($LASTEXITCODE -ne 0) { throw 'create-training-data-subscription: az eventgrid failed.' }
Write-Host "create-training-data-subscription: BlobCreated in $container now triggers $functionName."
