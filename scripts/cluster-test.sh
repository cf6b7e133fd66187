#!/usr/bin/env bash
# A real multi-process run without Docker: a Kafka broker, a Flink JobManager and a TaskManager as
# separate JVMs (Flink from the Maven jars, configured by flink-conf/config.yaml), the cluster jar
# submitted with the Flink CLI, events streamed in, the TaskManager killed with kill -9 mid-stream
# and replaced, and the output checked with a read_committed consumer against a no-failure
# reference run of the same input (java -jar flink-hnsw.jar verify). One of the keys is sharded.
# Exit 0 only if it is exact.
# Needs: the build (mvn -B -q package -DskipTests), the SIFT set at ../shared/data (or DATA=dir).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAME=cluster-test
WORK=${WORK:-$ROOT/target/cluster-test}
DATA=${DATA:-$ROOT/../shared/data/sift-ngt5k-128-euclidean}
LIMIT=${LIMIT:-3000}          # base vectors streamed
RATE=${RATE:-400}             # records per second
KILL_AFTER=${KILL_AFTER:-3}   # seconds into the stream (and after 2 checkpoints of it)
DEADLINE=$((SECONDS + ${TIMEOUT_S:-480}))
# shellcheck source=cluster/lib.sh
source "$ROOT/scripts/cluster/lib.sh"   # ports (KAFKA_PORT, CONTROLLER_PORT, REST_PORT, RPC_PORT, PROM_PORTS) and the pieces below

cluster_init
kafka_format
kafka_start
say "Kafka broker started (pid $KAFKA_PID), bootstrap $BOOTSTRAP"
flink_configure
flink_process jm
say "JobManager started (pid $LAST_PID)"
flink_process tm1
TM1=$LAST_PID
say "TaskManager 1 started (pid $TM1)"
wait_for "the JobManager REST API" rest /overview
wait_for "TaskManager slots" slots_at_least 2
say "cluster up: $(rest /overview)"

# --- topics, then the job (Flink CLI, explicit parallelism) ---
create_topics
# shop-1 is a sharded key (two shards, routed and merged across the subtasks); the reference run of
# verify takes the same arguments
JOB_ARGS=(--bootstrap-servers "$BOOTSTRAP" --group-id cluster-test --delivery exactly-once --checkpoint-interval-ms 1000
    --key-overrides 'shop-1:shards=2')
submit_job submit -- "${JOB_ARGS[@]}"
say "job $JOB_ID submitted"
# Tasks initialise (RocksDB, Kafka transactions) before the first checkpoint can complete.
wait_for "the job's first checkpoint" completed_at_least 1
say "job running, $(checkpoints completed) checkpoint(s) completed"

# --- stream events; kill -9 the TaskManager mid-stream and start a new one ---
java -jar "$JAR" produce --bootstrap-servers "$BOOTSTRAP" --base "$DATA/base.fvecs" --queries "$DATA/query.fvecs" \
    --limit "$LIMIT" --rate "$RATE" >"$WORK/produced.json" 2>"$WORK/log/produce.out" &
PRODUCER=$!
PIDS+=($PRODUCER)
START_CHECKPOINTS=$(checkpoints completed)
sleep "$KILL_AFTER"
wait_for "two checkpoints during the stream" completed_at_least $((START_CHECKPOINTS + 2))
kill -0 "$PRODUCER" 2>/dev/null || { say "the producer finished before the kill; lower RATE"; exit 1; }
kill -9 "$TM1"
say "killed TaskManager 1 with kill -9 mid-stream, after $(checkpoints completed) completed checkpoints"
flink_process tm2
say "TaskManager 2 started (pid $LAST_PID)"
wait "$PRODUCER"
say "producer done: $(cat "$WORK/produced.json")"
QUERIES=$(grep -o '"queries":[0-9]*' "$WORK/produced.json" | cut -d: -f2)
BAD=$(grep -o '"bad":[0-9]*' "$WORK/produced.json" | cut -d: -f2)

# --- checks: the job restored from a checkpoint, metrics are exported, the output is exact ---
wait_for "a restore from a checkpoint" restored_at_least 1
say "job restored: $(rest "/jobs/$JOB_ID/checkpoints" | grep -o '"counts":{[^}]*}')"
prometheus_port() {  # the first port of PROM_PORTS serving Flink metrics, into $port
  local body
  for port in $(seq "${PROM_PORTS%-*}" "${PROM_PORTS#*-}"); do
    # read the whole body before matching: `curl | grep -q` fails under pipefail when grep stops early
    body=$(curl -sf --max-time 2 "http://localhost:$port/metrics") || continue
    [[ $body == *$'\n'flink_* || $body == flink_* ]] && return 0
  done
  return 1
}
wait_for "Prometheus metrics on ports $PROM_PORTS" prometheus_port
say "Prometheus metrics served on port $port"
java -jar "$JAR" verify "${JOB_ARGS[@]}" --expect-queries "$QUERIES" --expect-dead-letters "$BAD" --timeout-s 300 \
    >"$WORK/verify.json" 2>"$WORK/log/verify.out" || { cat "$WORK/log/verify.out" "$WORK/verify.json" >&2; exit 1; }
say "verify: $(cat "$WORK/verify.json")"
grep -q '"exact":true' "$WORK/verify.json"
changelog_files=$(find "$WORK/changelog" -type f 2>/dev/null | wc -l)
[ "$changelog_files" -gt 0 ] || { say "no state changelog files under $WORK/changelog"; exit 1; }
say "state changelog in use: $changelog_files files"
curl -sf -X PATCH "http://localhost:$REST_PORT/jobs/$JOB_ID?mode=cancel" >/dev/null || true
say "PASSED: results exact after kill -9 of a TaskManager (one key in two shards)"
