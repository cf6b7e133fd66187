# Shared pieces of scripts/cluster-test.sh and scripts/chaos-test.sh, sourced, not run: a KRaft Kafka
# broker from the job jar, a standalone Flink cluster (JobManager, TaskManagers) assembled from the
# Maven jars in scripts/cluster/pom.xml and configured by flink-conf/config.yaml with addresses, ports,
# directories and sizes replaced, the Flink CLI, the REST API, and a cleanup that kills every process
# started here by its pid.
# The sourcing script sets NAME (log prefix), ROOT, WORK, DATA and DEADLINE (a $SECONDS value) first.

JAR=$ROOT/job/target/flink-hnsw.jar
CLUSTER_JAR=$ROOT/job/target/flink-hnsw-cluster.jar
PIDS=()
exec 4>&2   # the script's stderr, for messages from checks that wait_for runs with stderr discarded

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The fixed ports lie below Linux's ephemeral range (32768-60999 by default): a port inside it can be
# held by any outgoing connection of another process when the broker binds (a CI run once timed out
# creating topics on a broker at 39092). Unless all are given, the first block of ports with nothing
# listening on them is taken.
choose_ports() {
  if [[ -z ${KAFKA_PORT:-} || -z ${CONTROLLER_PORT:-} || -z ${REST_PORT:-} || -z ${RPC_PORT:-} || -z ${PROM_PORTS:-} ]]; then
    local offset p busy
    for offset in 0 300 600 900 1200 1500 1800 2100; do
      busy=0
      for p in $((19092 + offset)) $((19093 + offset)) $((18081 + offset)) $((16123 + offset)) $(seq $((19249 + offset)) $((19260 + offset))); do
        port_in_use "$p" && { busy=1; break; }
      done
      ((busy)) || break
    done
    ((busy)) && { echo "no free block of ports found from 16123 up; set KAFKA_PORT, CONTROLLER_PORT, REST_PORT, RPC_PORT, PROM_PORTS" >&2; exit 2; }
    KAFKA_PORT=${KAFKA_PORT:-$((19092 + offset))}
    CONTROLLER_PORT=${CONTROLLER_PORT:-$((19093 + offset))}
    REST_PORT=${REST_PORT:-$((18081 + offset))}
    RPC_PORT=${RPC_PORT:-$((16123 + offset))}
    PROM_PORTS=${PROM_PORTS:-$((19249 + offset))-$((19260 + offset))}   # Prometheus reporter port range (JobManager and TaskManagers)
  fi
  BOOTSTRAP=127.0.0.1:$KAFKA_PORT
}
choose_ports

say() { printf '[%s %4ds] %s\n' "$NAME" "$SECONDS" "$*" >&2; }

cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ $rc -ne 0 ]]; then
    echo "$NAME FAILED (rc=$rc); last log lines:" >&2
    for f in "$WORK"/log/*.log "$WORK"/log/*.out; do
      [[ -f $f ]] && { echo "--- $f" >&2; grep -E "ERROR|Exception" "$f" | tail -5 >&2 || true; }
    done
  fi
  exit $rc
}

wait_for() {  # wait_for "what" command...
  local what=$1; shift
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < DEADLINE )) || { say "timed out waiting for $what"; exit 1; }
    sleep 0.5
  done
}

# Checks the build and the data, makes a fresh WORK, the Flink classpath (CP) and the JVM flags (FLAGS).
cluster_init() {
  for f in "$JAR" "$CLUSTER_JAR" "$DATA/base.fvecs" "$DATA/query.fvecs"; do
    [[ -f $f ]] || { echo "missing $f (build first: mvn -B -q package -DskipTests)" >&2; exit 2; }
  done
  trap cleanup EXIT INT TERM
  rm -rf "$WORK"
  mkdir -p "$WORK"/{conf,log,tmp,kafka,checkpoints,savepoints}
  say "building the Flink classpath from Maven jars (no flink-dist on Maven Central)"
  mvn -B -q -f "$ROOT/scripts/cluster/pom.xml" dependency:build-classpath -Dmdep.includeScope=runtime \
      -Dmdep.outputFile="$WORK/cp.txt" >"$WORK/log/classpath.out" 2>&1 || { cat "$WORK/log/classpath.out" >&2; exit 1; }
  CP=$(cat "$WORK/cp.txt")
  read -r -a FLAGS <<< "$(java -jar "$JAR" jvm-flags)"
}

# Writes the broker's configuration and its log4j configuration (INFO to $WORK/log/kafka.log) and
# formats its log directory ($WORK/kafka/data).
kafka_format() {
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
  cat > "$WORK/kafka/log4j2.properties" <<'LOG'
status = warn
dest = err
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} [%t] %m%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
LOG
  local kj=(java -Djava.io.tmpdir="$WORK/tmp" -cp "$JAR")
  "${kj[@]}" kafka.tools.StorageTool format -t "$("${kj[@]}" kafka.tools.StorageTool random-uuid)" \
      -c "$WORK/kafka/server.properties" --standalone >"$WORK/log/kafka-format.out"
}

# Starts the broker (the job jar bundles it) on the formatted log directory, its log appended to
# across restarts, and waits until it is up; sets KAFKA_PID.
kafka_start() {
  local started_before
  started_before=$(kafka_started_count)
  java -Djava.io.tmpdir="$WORK/tmp" -cp "$JAR" -Xms256m -Xmx512m \
      -Dlog4j2.configurationFile="$WORK/kafka/log4j2.properties" -Dkafka.log.file="$WORK/log/kafka.log" \
      kafka.Kafka "$WORK/kafka/server.properties" >>"$WORK/log/kafka.out" 2>&1 &
  KAFKA_PID=$!
  PIDS+=($KAFKA_PID)
  disown $KAFKA_PID  # no "Killed" job notices from bash; cleanup still kills it by pid
  wait_for "the Kafka broker on port $KAFKA_PORT" kafka_up "$started_before"
}
kafka_started_count() { local n; n=$(grep -c "Kafka Server started" "$WORK/log/kafka.log" 2>/dev/null) || true; echo "${n:-0}"; }
kafka_up() {  # kafka_up N: the broker logged its start once more than N times; exits the script if it died
  kill -0 "$KAFKA_PID" 2>/dev/null \
      || { say "the Kafka broker (pid $KAFKA_PID) exited; $WORK/log/kafka.log:" 2>&4; tail -20 "$WORK/log/kafka.log" >&4; exit 1; }
  (( $(kafka_started_count) > $1 ))
}

# Writes $WORK/conf: flink-conf/config.yaml with this run's addresses, ports, directories and sizes,
# plus any "key: value" overrides given as arguments.
flink_configure() {
  local overrides=(
    "jobmanager.rpc.address: localhost" "jobmanager.rpc.port: $RPC_PORT" "jobmanager.bind-host: localhost"
    "taskmanager.bind-host: localhost" "taskmanager.host: localhost"
    "rest.address: localhost" "rest.bind-address: localhost" "rest.port: $REST_PORT"
    "execution.checkpointing.dir: file://$WORK/checkpoints" "execution.checkpointing.savepoint-dir: file://$WORK/savepoints"
    "state.changelog.dstl.dfs.base-path: file://$WORK/changelog"
    "execution.checkpointing.interval: 1s" "io.tmp.dirs: $WORK/tmp"
    "jobmanager.memory.process.size: 1024m" "taskmanager.memory.process.size: 1536m"
    "taskmanager.memory.task.off-heap.size: 64m"
    "restart-strategy.exponential-delay.initial-backoff: 500ms" "restart-strategy.exponential-delay.max-backoff: 2s"
    "heartbeat.interval: 2000" "heartbeat.timeout: 8000" "metrics.reporter.prom.port: $PROM_PORTS"
    "$@"
  )
  rm -f "$WORK"/conf/GET_*_RESOURCE_PARAMS.txt
  local pattern
  pattern=$(printf '%s\n' "${overrides[@]}" | sed 's/:.*//' | paste -sd'|' | sed 's/\./\\./g')
  grep -vE "^($pattern):" "$ROOT/flink-conf/config.yaml" > "$WORK/conf/config.yaml"
  printf '%s\n' "# overrides for this test run" "${overrides[@]}" >> "$WORK/conf/config.yaml"
  cat > "$WORK/conf/log4j.properties" <<'LOG'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n
LOG
}

flink_process() {  # flink_process jm*|tm*: starts a JobManager or TaskManager logging to $WORK/log/NAME.log; sets LAST_PID
  local name=$1 params class
  if [[ $name == jm* ]]; then params=GET_JM_RESOURCE_PARAMS; class=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
  else params=GET_TM_RESOURCE_PARAMS; class=org.apache.flink.runtime.taskexecutor.TaskManagerRunner; fi
  # Memory flags computed exactly as Flink's own scripts do, once per kind of process and configuration.
  local params_file="$WORK/conf/$params.txt"
  [[ -s $params_file ]] || java -cp "$CP" org.apache.flink.runtime.util.bash.BashJavaUtils $params --configDir "$WORK/conf" \
      | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' > "$params_file"
  local jvm dyn
  jvm=$(sed -n 1p "$params_file"); dyn=$(sed -n 2p "$params_file")
  # shellcheck disable=SC2086  # jvm/dyn are word lists by design
  java $jvm "${FLAGS[@]}" -Djava.io.tmpdir="$WORK/tmp" -cp "$CP" -Dlog.file="$WORK/log/$name.log" \
      -Dlog4j.configurationFile="$WORK/conf/log4j.properties" $class --configDir "$WORK/conf" $dyn \
      >"$WORK/log/$name.out" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
  disown $!
}

rest() { curl -sf "http://localhost:$REST_PORT$1"; }
checkpoints() {  # checkpoints completed|restored|in_progress|failed: the job's checkpoint count, empty if unknown
  rest "/jobs/$JOB_ID/checkpoints" | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2
}
slots_at_least() { local n; n=$(rest /overview | grep -o '"slots-total":[0-9]*' | cut -d: -f2); (( ${n:-0} >= $1 )); }
completed_at_least() { local n; n=$(checkpoints completed); (( ${n:-0} >= $1 )); }
restored_at_least() { local n; n=$(checkpoints restored); (( ${n:-0} >= $1 )); }

flink_cli() {  # flink_cli ARGS...: the Flink CLI against this cluster
  FLINK_CONF_DIR="$WORK/conf" java "${FLAGS[@]}" -Djava.io.tmpdir="$WORK/tmp" -cp "$CP" \
      org.apache.flink.client.cli.CliFrontend "$@"
}

# submit_job LOG [run options...] -- [job args...]: flink run -d -p 2 of the cluster jar; sets JOB_ID.
submit_job() {
  local log=$1; shift
  local run=()
  while [[ $1 != -- ]]; do run+=("$1"); shift; done
  shift
  flink_cli run -d -p 2 "${run[@]}" -c io.flinkhnsw.job.ClusterJob "$CLUSTER_JAR" "$@" >"$WORK/log/$log.out" 2>&1 \
      || { cat "$WORK/log/$log.out" >&2; exit 1; }
  JOB_ID=$(grep -o 'JobID [0-9a-f]*' "$WORK/log/$log.out" | awk '{print $2}')
}

create_topics() {  # create_topics [produce options...]: the events, results and dead-letter topics
  java -jar "$JAR" produce --bootstrap-servers "$BOOTSTRAP" --only-create-topics "$@" >/dev/null 2>"$WORK/log/topics.out" \
      || { cat "$WORK/log/topics.out" >&2; exit 1; }
}
