#!/usr/bin/env bash
# Starts or stops the local emulators the tests use, on 127.0.0.1 only:
#   Azurite (blob 10000, queue 10001, table 10002; in memory) and the Cosmos DB NoSQL server (8081, https, self-signed).
# usage: scripts/emulators.sh start|stop|status|env   (installs the npm packages on first use)
# Ports can be moved with AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT and COSMOS_PORT.
# `env` prints the exports the tests read to find the emulators on those ports (values already set win):
#   eval "$(bash scripts/emulators.sh env)"
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR=.emulators
BLOB_PORT=${AZURITE_BLOB_PORT:-10000}
QUEUE_PORT=${AZURITE_QUEUE_PORT:-10001}
TABLE_PORT=${AZURITE_TABLE_PORT:-10002}
COSMOS_PORT=${COSMOS_PORT:-8081}

install_packages() {
  if [ ! -x node_modules/.bin/azurite ] || [ ! -f node_modules/@vercel/cosmosdb-server/lib/cli.js ]; then
    echo "emulators: installing npm packages (npm ci)"
    npm ci --no-fund --no-audit --loglevel=error >/dev/null
  fi
}

wait_for_port() { # name port seconds
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "emulators: $1 did not open 127.0.0.1:$2 within $3 s; its log:" >&2
      tail -n 20 "$STATE_DIR/$1.log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
}

start_one() { # name command...
  local name=$1; shift
  if [ -f "$STATE_DIR/$name.pid" ] && kill -0 "$(cat "$STATE_DIR/$name.pid")" 2>/dev/null; then
    echo "emulators: $name already running (pid $(cat "$STATE_DIR/$name.pid"))"
    return
  fi
  nohup "$@" >"$STATE_DIR/$name.log" 2>&1 &
  echo $! >"$STATE_DIR/$name.pid"
}

stop_one() { # name
  local pid_file="$STATE_DIR/$1.pid"
  [ -f "$pid_file" ] || return 0
  local pid; pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

case "${1:-}" in
  start)
    install_packages
    mkdir -p "$STATE_DIR"
    start_one azurite node node_modules/azurite/dist/src/azurite.js --silent --inMemoryPersistence --skipApiVersionCheck --loose \
      --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" --queueHost 127.0.0.1 --queuePort "$QUEUE_PORT" \
      --tableHost 127.0.0.1 --tablePort "$TABLE_PORT"
    start_one cosmos node node_modules/@vercel/cosmosdb-server/lib/cli.js --host 127.0.0.1 -p "$COSMOS_PORT"
    wait_for_port azurite "$BLOB_PORT" 60
    wait_for_port azurite "$TABLE_PORT" 60
    wait_for_port cosmos "$COSMOS_PORT" 60
    echo "emulators: azurite on 127.0.0.1:$BLOB_PORT-$TABLE_PORT (pid $(cat $STATE_DIR/azurite.pid)), cosmos on https://127.0.0.1:$COSMOS_PORT (pid $(cat $STATE_DIR/cosmos.pid))"
    ;;
  stop)
    stop_one cosmos
    stop_one azurite
    echo "emulators: stopped"
    ;;
  status)
    for name in azurite cosmos; do
      if [ -f "$STATE_DIR/$name.pid" ] && kill -0 "$(cat "$STATE_DIR/$name.pid")" 2>/dev/null; then
        echo "$name: running (pid $(cat "$STATE_DIR/$name.pid"))"
      else
        echo "$name: stopped"
      fi
    done
    ;;
  env)
    # Azurite's well-known development account (public, the same as UseDevelopmentStorage=true) on these ports.
    storage=${SMARTSHOP_TEST_STORAGE:-"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"}
    cosmos=${SMARTSHOP_TEST_COSMOS_ENDPOINT:-"https://127.0.0.1:$COSMOS_PORT/"}
    printf 'export SMARTSHOP_TEST_STORAGE=%q\nexport SMARTSHOP_TEST_COSMOS_ENDPOINT=%q\n' "$storage" "$cosmos"
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
