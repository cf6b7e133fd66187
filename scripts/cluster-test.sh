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
WORK=${WORK:-$ROOT/target/cluster-test}
JAR=$ROOT/job/target/flink-hnsw.jar
CLUSTER_JAR=$ROOT/job/target/flink-hnsw-cluster.jar
DATA=${DATA:-$ROOT/../shared/data/sift-ngt5k-128-euclidean}
KAFKA_PORT=${KAFKA_PORT:-39092}
CONTROLLER_PORT=${CONTROLLER_PORT:-39093}
REST_PORT=${REST_PORT:-38081}
RPC_PORT=${RPC_PORT:-36123}
PROM_PORTS=${PROM_PORTS:-39249-39260}   # Prometheus reporter port range (JobManager and TaskManager)
LIMIT=${LIMIT:-3000}          # base vectors streamed
RATE=${RATE:-400}             # records per second
KILL_AFTER=${KILL_AFTER:-3}   # seconds into the stream (and after 2 checkpoints of it)
DEADLINE=$((SECONDS + ${TIMEOUT_S:-480}))
BOOTSTRAP=127.0.0.1:$KAFKA_PORT

for f in "$JAR" "$CLUSTER_JAR" "$DATA/base.fvecs" "$DATA/query.fvecs"; do
  [[ -f $f ]] || { echo "missing $f (build first: mvn -B -q package -DskipTests)" >&2; exit 2; }
done

PIDS=()
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ $rc -ne 0 ]]; then
    echo "cluster test FAILED (rc=$rc); last log lines:" >&2
    for f in "$WORK"/log/*.log "$WORK"/log/*.out; do
      [[ -f $f ]] && { echo "--- $f" >&2; grep -E "ERROR|Exception" "$f" | tail -5 >&2 || true; }
    done
  fi
  exit $rc
}
trap cleanup EXIT INT TERM
say() { printf '[cluster-test %4ds] %s\n' "$SECONDS" "$*" >&2; }
wait_for() {  # wait_for "what" command...
  local what=$1; shift
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < DEADLINE )) || { say "timed out waiting for $what"; exit 1; }
    sleep 0.5
  done
}

rm -rf "$WORK"
mkdir -p "$WORK"/{conf,log,tmp,kafka,checkpoints}
say "building the Flink classpath from Maven jars (no flink-dist on Maven Central)"
mvn -B -q -f "$ROOT/scripts/cluster/pom.xml" dependency:build-classpath -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP=$(cat "$WORK/cp.txt")
read -r -a FLAGS <<< "$(java -jar "$JAR" jvm-flags)"

# --- Kafka broker (KRaft, one node) from the job jar, which bundles the broker ---
cat > "$WORK/kafka/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$WORK/kafka/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=2
PROPS
KJ=(java -Djava.io.tmpdir="$WORK/tmp" -cp "$JAR")
"${KJ[@]}" kafka.tools.StorageTool format -t "$("${KJ[@]}" kafka.tools.StorageTool random-uuid)" \
    -c "$WORK/kafka/server.properties" --standalone >"$WORK/log/kafka-format.out"
"${KJ[@]}" -Xms256m -Xmx512m kafka.Kafka "$WORK/kafka/server.properties" >"$WORK/log/kafka.out" 2>&1 &
PIDS+=($!)
disown $!  # no "Killed" job notices from bash; cleanup still kills it by pid
say "Kafka broker started (pid $!), bootstrap $BOOTSTRAP"

# --- Flink configuration: flink-conf/config.yaml with only addresses, ports, dirs and sizes replaced ---
OVERRIDES=(
  "jobmanager.rpc.address: localhost" "jobmanager.rpc.port: $RPC_PORT" "jobmanager.bind-host: localhost"
  "taskmanager.bind-host: localhost" "taskmanager.host: localhost"
  "rest.address: localhost" "rest.bind-address: localhost" "rest.port: $REST_PORT"
  "execution.checkpointing.dir: file://$WORK/checkpoints" "execution.checkpointing.savepoint-dir: file://$WORK/savepoints"
  "state.changelog.dstl.dfs.base-path: file://$WORK/changelog"
  "execution.checkpointing.interval: 1s" "io.tmp.dirs: $WORK/tmp"
  "jobmanager.memory.process.size: 1024m" "taskmanager.memory.process.size: 1536m"
  "restart-strategy.exponential-delay.initial-backoff: 500ms" "restart-strategy.exponential-delay.max-backoff: 2s"
  "heartbeat.interval: 2000" "heartbeat.timeout: 8000" "metrics.reporter.prom.port: $PROM_PORTS"
)
pattern=$(printf '%s\n' "${OVERRIDES[@]}" | sed 's/:.*//' | paste -sd'|' | sed 's/\./\\./g')
grep -vE "^($pattern):" "$ROOT/flink-conf/config.yaml" > "$WORK/conf/config.yaml"
printf '%s\n' "# overrides for this test run" "${OVERRIDES[@]}" >> "$WORK/conf/config.yaml"
cat > "$WORK/conf/log4j.properties" <<'LOG'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n
LOG

flink_process() {  # flink_process jm|tmN
  local name=$1 params class
  if [[ $name == jm ]]; then params=GET_JM_RESOURCE_PARAMS; class=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
  else params=GET_TM_RESOURCE_PARAMS; class=org.apache.flink.runtime.taskexecutor.TaskManagerRunner; fi
  # Memory flags computed exactly as Flink's own scripts do.
  local out; out=$(java -cp "$CP" org.apache.flink.runtime.util.bash.BashJavaUtils $params --configDir "$WORK/conf" \
      | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
  local jvm dyn
  jvm=$(sed -n 1p <<< "$out"); dyn=$(sed -n 2p <<< "$out")
  # shellcheck disable=SC2086  # jvm/dyn are word lists by design
  java $jvm "${FLAGS[@]}" -Djava.io.tmpdir="$WORK/tmp" -cp "$CP" -Dlog.file="$WORK/log/$name.log" \
      -Dlog4j.configurationFile="$WORK/conf/log4j.properties" $class --configDir "$WORK/conf" $dyn \
      >"$WORK/log/$name.out" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
  disown $!
}
rest() { curl -sf "http://localhost:$REST_PORT$1"; }
checkpoints() { rest "/jobs/$JOB_ID/checkpoints" | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }

flink_process jm
say "JobManager started (pid $LAST_PID)"
flink_process tm1
TM1=$LAST_PID
say "TaskManager 1 started (pid $TM1)"
wait_for "the JobManager REST API" rest /overview
wait_for "TaskManager slots" bash -c "[[ \$(curl -sf http://localhost:$REST_PORT/overview | grep -o '\"slots-total\":[0-9]*' | cut -d: -f2) -ge 2 ]]"
say "cluster up: $(rest /overview)"

# --- topics, then the job (Flink CLI, explicit parallelism) ---
java -jar "$JAR" produce --bootstrap-servers "$BOOTSTRAP" --only-create-topics >/dev/null 2>"$WORK/log/topics.out" || { cat "$WORK/log/topics.out" >&2; exit 1; }
# shop-1 is a sharded key (two shards, routed and merged across the subtasks); the reference run of
# verify takes the same arguments
JOB_ARGS=(--bootstrap-servers "$BOOTSTRAP" --group-id cluster-test --delivery exactly-once --checkpoint-interval-ms 1000
    --key-overrides 'shop-1:shards=2')
FLINK_CONF_DIR="$WORK/conf" java "${FLAGS[@]}" -cp "$CP" org.apache.flink.client.cli.CliFrontend \
    run -d -p 2 -c io.flinkhnsw.job.ClusterJob "$CLUSTER_JAR" "${JOB_ARGS[@]}" >"$WORK/log/submit.out" 2>&1 \
    || { cat "$WORK/log/submit.out" >&2; exit 1; }
JOB_ID=$(grep -o 'JobID [0-9a-f]*' "$WORK/log/submit.out" | awk '{print $2}')
say "job $JOB_ID submitted"
# Tasks initialise (RocksDB, Kafka transactions) before the first checkpoint can complete.
wait_for "the job's first checkpoint" bash -c "curl -sf http://localhost:$REST_PORT/jobs/$JOB_ID/checkpoints | grep -Eq '\"completed\":[1-9]'"
say "job running, $(checkpoints completed) checkpoint(s) completed"

# --- stream events; kill -9 the TaskManager mid-stream and start a new one ---
java -jar "$JAR" produce --bootstrap-servers "$BOOTSTRAP" --base "$DATA/base.fvecs" --queries "$DATA/query.fvecs" \
    --limit "$LIMIT" --rate "$RATE" >"$WORK/produced.json" 2>"$WORK/log/produce.out" &
PRODUCER=$!
PIDS+=($PRODUCER)
START_CHECKPOINTS=$(checkpoints completed)
sleep "$KILL_AFTER"
export START_CHECKPOINTS
wait_for "two checkpoints during the stream" bash -c "(( \$(curl -sf http://localhost:$REST_PORT/jobs/$JOB_ID/checkpoints \
    | grep -o '\"completed\":[0-9]*' | head -1 | cut -d: -f2) >= START_CHECKPOINTS + 2 ))"
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
wait_for "a restore from a checkpoint" bash -c \
    "curl -sf http://localhost:$REST_PORT/jobs/$JOB_ID/checkpoints | grep -Eq '\"restored\":[1-9]'"
say "job restored: $(rest "/jobs/$JOB_ID/checkpoints" | grep -o '"counts":{[^}]*}')"
metrics_ok=false
for port in $(seq "${PROM_PORTS%-*}" "${PROM_PORTS#*-}"); do
  if curl -sf "http://localhost:$port/metrics" | grep -q '^flink_'; then metrics_ok=true; break; fi
done
$metrics_ok || { say "no Prometheus metrics on ports $PROM_PORTS"; exit 1; }
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
