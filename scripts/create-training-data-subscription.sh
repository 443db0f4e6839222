#!/usr/bin/env sh
# azd postdeploy hook: subscribes the blob trigger of OnTrainingDataUploaded (Source = EventGrid) to BlobCreated
# events of the training-data container, through the Event Grid system topic that main.bicep created on the
# storage account. This cannot be in Bicep: the webhook URL carries the blobs_extension system key, which the
# Functions host creates only once the deployed code with the blob trigger runs, and Event Grid validates the
# endpoint when the subscription is created. Same approach as Azure-Samples/functions-quickstart-dotnet-azd-eventgrid-blob.
# Events still undelivered after 30 attempts or 24 h go to the dead-letter container (written with the topic's own
# identity) and raise the training-data-undelivered alert.
# Idempotent: `create` updates an existing subscription of the same name. Needs the Azure CLI (az login).
set -eu

command -v az >/dev/null 2>&1 || { echo "create-training-data-subscription: the Azure CLI (az) is required." >&2; exit 1; }

values=$(azd env get-values)
env_value() {
  printf '%s\n' "$values" | sed -n "s/^$1=\"\(.*\)\"\$/\1/p" | head -n 1
}

app_name=$(env_value AZURE_FUNCTION_APP_NAME)
app_uri=$(env_value SERVICE_API_URI)
resource_group=$(env_value AZURE_RESOURCE_GROUP)
topic_name=$(env_value TRAINING_DATA_SYSTEM_TOPIC_NAME)
container=$(env_value TRAINING_DATA_CONTAINER_NAME)
storage_id=$(env_value AZURE_STORAGE_ACCOUNT_ID)
dead_letters=$(env_value TRAINING_DATA_DEADLETTER_CONTAINER_NAME)
function_name=OnTrainingDataUploaded

# The key appears shortly after the host first starts the blob trigger; wait for it.
key=""
attempt=0
while [ -z "$key" ] && [ $attempt -lt 20 ]; do
  key=$(az functionapp keys list -n "$app_name" -g "$resource_group" --query "systemKeys.blobs_extension" -o tsv 2>/dev/null || true)
  [ -n "$key" ] || { attempt=$((attempt + 1)); sleep 15; }
done
[ -n "$key" ] || { echo "create-training-data-subscription: no blobs_extension key on $app_name; is the code deployed?" >&2; exit 1; }

# The URL embeds the key: never echo it.
endpoint="$app_uri/runtime/webhooks/blobs?functionName=Host.Functions.$function_name&code=$key"
az eventgrid system-topic event-subscription create \
  --name training-data-uploaded \
  --resource-group "$resource_group" \
  --system-topic-name "$topic_name" \
  --endpoint-type webhook \
  --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/$container/blobs/" \
  --max-delivery-attempts 30 \
  --event-ttl 1440 \
  --deadletter-identity systemassigned \
  --deadletter-identity-endpoint "$storage_id/blobServices/default/containers/$dead_letters" \
  --output none
echo "create-training-data-subscription: BlobCreated in $container now triggers $function_name."
