#!/usr/bin/env bash
# Chaos soak on a real multi-process cluster (the same pieces as cluster-test.sh, scripts/cluster/lib.sh):
# a Kafka broker, a JobManager and three TaskManagers (one slot each: two run the job, one is ready
# to replace a lost one) as separate JVMs, a long seeded random stream over many keys (produce --soak-events:
# upserts, replacing upserts, payload updates, deletes, queries by vector and by id, gets, bad events;
# a few keys grown into graphs whose many deletes keep graph repair busy, and a key in SHARDS shards,
# each of them a graph) and, while it flows, a seeded fault schedule: kill -9 of a random TaskManager
# (a third of them timed into a running checkpoint, a third into graph repair) among those running
# the job, each replaced by a fresh one; kill -9 of the broker, restarted on the same log
# directory after a pause; loss of the whole Flink cluster (JobManager and TaskManagers killed), then a
# new cluster and flink run -s <latest retained checkpoint>. After each fault the next waits until
# the job completed a checkpoint again.
# Then: the job's output must be complete (read_committed), the job is stopped with a savepoint; a
# reference run of the same job on the same input topic without faults (same final cluster, its own
# consumer group and output topics) is stopped with a savepoint too; verify compares the answers (each
# query answered exactly once, equal to the reference) and dead letters, inspect --vectors both
# savepoints (each key's ids, vectors, payloads, sizes and tombstones).
# Progress on stderr; the last stdout line is the summary JSON; exit 0 only if all is identical.
# Knobs (environment): SEED (default: the time; printed), SCHEDULE=short|full (default full),
# TM_KILLS, BROKER_KILLS, CLUSTER_LOSSES, EVENTS, RATE, KEYS, BIG_KEYS, SHARDED_KEYS, SHARDS, MAX_GAP_S, BROKER_PAUSE_S,
# DATA, WORK, TIMEOUT_S, ports (KAFKA_PORT, CONTROLLER_PORT, REST_PORT, RPC_PORT, PROM_PORTS).
# Needs: the build (mvn -B -q package -DskipTests), the SIFT set at ../shared/data (or DATA=dir).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAME=chaos-test
WORK=${WORK:-$ROOT/target/chaos-test}
DATA=${DATA:-$ROOT/../shared/data/sift-ngt5k-128-euclidean}
SEED=${SEED:-$(date +%s)}
SCHEDULE=${SCHEDULE:-full}
case $SCHEDULE in
  short) tm=5 broker=1 cluster=1 events=9000 rate=75 big=0 gap=3 timeout=900 ;;
  full) tm=20 broker=3 cluster=1 events=60000 rate=90 big=2 gap=6 timeout=2400 ;;
  *) echo "SCHEDULE must be short or full, got '$SCHEDULE'" >&2; exit 2 ;;
esac
TM_KILLS=${TM_KILLS:-$tm}
BROKER_KILLS=${BROKER_KILLS:-$broker}
CLUSTER_LOSSES=${CLUSTER_LOSSES:-$cluster}
EVENTS=${EVENTS:-$events}        # records of the stream (plus one closing query per key)
RATE=${RATE:-$rate}              # records per second (the stream should outlast the faults)
KEYS=${KEYS:-40}                 # small keys shop-0..
BIG_KEYS=${BIG_KEYS:-$big}       # keys big-0.. grown past the flat limit into graphs
SHARDED_KEYS=${SHARDED_KEYS:-1}  # keys sharded-0.. run in SHARDS shards, each grown past the flat limit
SHARDS=${SHARDS:-2}
MAX_GAP_S=${MAX_GAP_S:-$gap}        # random pause before each fault, after the job checkpointed again
BROKER_PAUSE_S=${BROKER_PAUSE_S:-5}
DEADLINE=$((SECONDS + ${TIMEOUT_S:-$timeout}))
# shellcheck source=cluster/lib.sh
source "$ROOT/scripts/cluster/lib.sh"

RANDOM=$SEED   # the fault schedule (kinds, order, targets, gaps) repeats with the seed
say "seed $SEED, schedule $SCHEDULE: $TM_KILLS TaskManager kills, $BROKER_KILLS broker kills, $CLUSTER_LOSSES cluster losses, $EVENTS events at $RATE/s"
rnd() { R=$((RANDOM % $1)); }   # sets R; not $(...), which would not advance the seeded sequence

cluster_init
kafka_format
kafka_start
say "Kafka broker started (pid $KAFKA_PID), bootstrap $BOOTSTRAP"
flink_configure "taskmanager.numberOfTaskSlots: 1"

JM_SEQ=0
TM_SEQ=0
TMS=()       # pids of the running TaskManagers
TM_NAMES=()  # their log names, tmN
start_tm() {
  TM_SEQ=$((TM_SEQ + 1))
  flink_process "tm$TM_SEQ"
  TMS+=("$LAST_PID")
  TM_NAMES+=("tm$TM_SEQ")
}
start_cluster() {  # a JobManager and three TaskManagers: two for the job, one ready to replace a lost one
  JM_SEQ=$((JM_SEQ + 1))
  flink_process "jm$JM_SEQ"
  JM_PID=$LAST_PID
  start_tm
  start_tm
  start_tm
  wait_for "the JobManager REST API" rest /overview
  wait_for "TaskManager slots" slots_at_least 3
}
busy_tms() {  # indexes into TMS of the TaskManagers running tasks of the job (all, if the REST API cannot tell)
  local ids="" v i busy=()
  for v in $(rest "/jobs/$JOB_ID" 2>/dev/null | grep -o '"id":"[0-9a-f]\{32\}"' | cut -d'"' -f4 | sort -u); do
    ids+=$(rest "/jobs/$JOB_ID/vertices/$v/taskmanagers" 2>/dev/null | grep -o '"taskmanager-id":"[^"]*"' | cut -d'"' -f4)$'\n'
  done
  for i in "${!TMS[@]}"; do
    grep -qF "$(grep -o 'ResourceID: [^ ,]*' "$WORK/log/${TM_NAMES[i]}.log" | head -1 | cut -d' ' -f2)" <<< "$ids" \
        && busy+=("$i")
  done
  ((${#busy[@]})) || busy=("${!TMS[@]}")
  echo "${busy[@]}"
}

# Checkpoint counts of the current job, remembered across the moments its JobManager cannot answer.
DONE_COMPLETED=0 DONE_RESTORED=0 CUR_COMPLETED=0 CUR_RESTORED=0
poll_counts() {
  local json c r
  json=$(rest "/jobs/$JOB_ID/checkpoints" 2>/dev/null) || return 0
  c=$(grep -o '"completed":[0-9]*' <<< "$json" | head -1 | cut -d: -f2) || true
  r=$(grep -o '"restored":[0-9]*' <<< "$json" | head -1 | cut -d: -f2) || true
  CUR_COMPLETED=${c:-$CUR_COMPLETED}
  CUR_RESTORED=${r:-$CUR_RESTORED}
}
job_done_with_cluster() {  # the current job's counts join the totals (its JobManager is about to go)
  poll_counts
  DONE_COMPLETED=$((DONE_COMPLETED + CUR_COMPLETED)) DONE_RESTORED=$((DONE_RESTORED + CUR_RESTORED))
  CUR_COMPLETED=0 CUR_RESTORED=0
}
wait_recovered() {  # wait_recovered RESTORED COMPLETED: until the job restored more than RESTORED times, then checkpointed
  local restored=$1 completed=$2
  until poll_counts; (( CUR_RESTORED > restored )); do
    (( SECONDS < DEADLINE )) || { say "timed out waiting for the job to restore"; exit 1; }
    sleep 0.5
  done
  (( completed > CUR_COMPLETED )) || completed=$CUR_COMPLETED
  until poll_counts; (( CUR_COMPLETED > completed )); do
    (( SECONDS < DEADLINE )) || { say "timed out waiting for the job to checkpoint again"; exit 1; }
    sleep 0.5
  done
}

start_cluster
say "cluster up: $(rest /overview)"
create_topics
COMMON_ARGS=(--bootstrap-servers "$BOOTSTRAP" --delivery exactly-once --checkpoint-interval-ms 1000
             --key-overrides "sharded-:shards=$SHARDS")
JOB_ARGS=("${COMMON_ARGS[@]}" --group-id chaos-test)
submit_job submit -- "${JOB_ARGS[@]}"
say "job $JOB_ID submitted"
wait_for "the job's first checkpoint" completed_at_least 1

java -jar "$JAR" produce --bootstrap-servers "$BOOTSTRAP" --base "$DATA/base.fvecs" --queries "$DATA/query.fvecs" \
    --soak-events "$EVENTS" --keys "$KEYS" --big-keys "$BIG_KEYS" --sharded-keys "$SHARDED_KEYS" --soak-shards "$SHARDS" \
    --seed "$SEED" --rate "$RATE" \
    >"$WORK/produced.json" 2>"$WORK/log/produce.out" &
PRODUCER=$!
PIDS+=($PRODUCER)
say "producer started: $EVENTS events over $KEYS keys, $BIG_KEYS graph keys and $SHARDED_KEYS keys in $SHARDS shards"

# --- the fault schedule: a seeded shuffle of the faults, each after a seeded pause ---
FAULTS=()
for ((i = 0; i < TM_KILLS; i++)); do FAULTS+=(tm); done
for ((i = 0; i < BROKER_KILLS; i++)); do FAULTS+=(broker); done
for ((i = 0; i < CLUSTER_LOSSES; i++)); do FAULTS+=(cluster); done
for ((i = ${#FAULTS[@]} - 1; i > 0; i--)); do
  rnd $((i + 1)); t=${FAULTS[i]}; FAULTS[i]=${FAULTS[R]}; FAULTS[R]=$t
done

tombstones() {  # pending tombstones (graph repair still to do) over the running TaskManagers, from their Prometheus endpoints
  local name port urls=()
  for name in "${TM_NAMES[@]}"; do
    port=$(grep -o 'PrometheusReporter HTTP server on port [0-9]*' "$WORK/log/$name.log" 2>/dev/null | tail -1 | awk '{print $NF}')
    [[ -n $port ]] && urls+=("http://localhost:$port/metrics")
  done
  ((${#urls[@]})) || { echo 0; return; }
  # one curl for all of them: a process per port took seconds on the loaded machine
  # a failed endpoint counts as none: with pipefail, "|| echo 0" after awk would append a 0 to its sum
  { curl -s --max-time 1 "${urls[@]}" 2>/dev/null || true; } \
      | awk '/^flink_taskmanager_job_task_operator_hnsw_tombstones/ {s += $NF} END {printf "%d", s}'
}

TM_DONE=0 BROKER_DONE=0 CLUSTER_DONE=0 AT_CHECKPOINT=0 WITH_TOMBSTONES=0
for fault in "${FAULTS[@]}"; do
  rnd $((MAX_GAP_S * 10 + 1)); sleep "$((R / 10)).$((R % 10))"
  poll_counts
  restored=$CUR_RESTORED completed=$CUR_COMPLETED
  case $fault in
    tm)
      rnd 3; timing=$R
      read -r -a busy <<< "$(busy_tms)"
      rnd ${#busy[@]}; victim=${busy[R]}
      when="at a random moment"
      if (( timing == 1 )); then  # into a running checkpoint, if one starts within 3 s
        for ((w = 0; w < 60; w++)); do
          n=$(checkpoints in_progress 2>/dev/null) || n=0
          (( ${n:-0} > 0 )) && { when="during a checkpoint"; AT_CHECKPOINT=$((AT_CHECKPOINT + 1)); break; }
          sleep 0.05
        done
      fi
      pending=$(tombstones)
      if (( timing == 2 )); then  # into graph repair, if tombstones are pending within 6 s
        until_s=$((SECONDS + 6))
        while (( pending == 0 && SECONDS < until_s )); do
          sleep 0.1
          pending=$(tombstones)
        done
        (( pending > 0 )) && when="during graph repair"
      fi
      (( pending > 0 )) && WITH_TOMBSTONES=$((WITH_TOMBSTONES + 1))
      kill -9 "${TMS[victim]}"
      killed=${TM_NAMES[victim]}
      TMS=("${TMS[@]:0:victim}" "${TMS[@]:victim+1}")
      TM_NAMES=("${TM_NAMES[@]:0:victim}" "${TM_NAMES[@]:victim+1}")
      TM_DONE=$((TM_DONE + 1))
      start_tm  # the fresh one becomes the next spare; the job restarts on the current spare
      say "fault $((TM_DONE + BROKER_DONE + CLUSTER_DONE))/${#FAULTS[@]}: kill -9 TaskManager $killed $when ($pending tombstones pending repair), tm$TM_SEQ started"
      ;;
    broker)
      kill -9 "$KAFKA_PID"
      BROKER_DONE=$((BROKER_DONE + 1))
      rnd 5; pause=$((BROKER_PAUSE_S + R))
      say "fault $((TM_DONE + BROKER_DONE + CLUSTER_DONE))/${#FAULTS[@]}: kill -9 Kafka broker, restarting it on the same log directory in $pause s"
      sleep "$pause"
      kafka_start
      restored=-1  # the job need not fail: its clients may just wait for the broker
      ;;
    cluster)
      job_done_with_cluster
      kill -9 "$JM_PID" "${TMS[@]}"
      TMS=() TM_NAMES=()
      CLUSTER_DONE=$((CLUSTER_DONE + 1))
      latest=$(grep -o "Completed checkpoint [0-9]* for job $JOB_ID" "$WORK/log/jm$JM_SEQ.log" | tail -1 | awk '{print $3}')
      [[ -n $latest && -f $WORK/checkpoints/$JOB_ID/chk-$latest/_metadata ]] \
          || { say "no retained checkpoint of job $JOB_ID (latest completed: '${latest}')"; exit 1; }
      say "fault $((TM_DONE + BROKER_DONE + CLUSTER_DONE))/${#FAULTS[@]}: kill -9 JobManager and TaskManagers; new cluster, flink run -s chk-$latest"
      start_cluster
      # -claimMode claim: the CLI would restore in NO_CLAIM, which the state changelog cannot continue from.
      submit_job "submit-$JM_SEQ" -s "$WORK/checkpoints/$JOB_ID/chk-$latest" -claimMode claim -- "${JOB_ARGS[@]}"
      say "job $JOB_ID submitted from the retained checkpoint chk-$latest"
      restored=-1 completed=0  # whether counts.restored includes the restore at submission is not ours to rely on
      ;;
  esac
  wait_recovered "$restored" "$completed"
done
say "fault schedule done: $TM_DONE TaskManager kills ($AT_CHECKPOINT during a checkpoint, $WITH_TOMBSTONES with graph repair pending), $BROKER_DONE broker kills, $CLUSTER_DONE cluster losses"
kill -0 "$PRODUCER" 2>/dev/null || say "note: the stream ended before the last fault; raise EVENTS or lower RATE for faults during it"
wait "$PRODUCER" || { say "producer failed: $(cat "$WORK/produced.json")"; tail -5 "$WORK/log/produce.out" >&2; exit 1; }
say "producer done: $(cat "$WORK/produced.json")"
QUERIES=$(grep -o '"queries":[0-9]*' "$WORK/produced.json" | cut -d: -f2)
BAD=$(grep -o '"bad":[0-9]*' "$WORK/produced.json" | cut -d: -f2)
RECORDS=$(grep -o '"records":[0-9]*' "$WORK/produced.json" | cut -d: -f2)

# complete_then_stop LABEL JOB_ARGS...: waits until the job's output is committed, stops it with a savepoint; sets SAVEPOINT
complete_then_stop() {
  local label=$1; shift
  java -jar "$JAR" verify "$@" --expect-queries "$QUERIES" --expect-dead-letters "$BAD" --timeout-s 300 --await-only \
      >"$WORK/$label-complete.json" 2>"$WORK/log/$label-complete.out" \
      || { say "$label: output incomplete: $(cat "$WORK/$label-complete.json")"; exit 1; }
  poll_counts
  flink_cli stop --savepointPath "file://$WORK/savepoints/$label" "$JOB_ID" >"$WORK/log/$label-stop.out" 2>&1 \
      || { cat "$WORK/log/$label-stop.out" >&2; exit 1; }
  SAVEPOINT=$(grep -o 'Savepoint completed. Path: [^ ]*' "$WORK/log/$label-stop.out" | sed 's/.*Path: //; s|^file:||')
  say "$label: output complete ($(cat "$WORK/$label-complete.json")), stopped with savepoint $SAVEPOINT"
}
complete_then_stop chaos "${JOB_ARGS[@]}"
CHAOS_SAVEPOINT=$SAVEPOINT
job_done_with_cluster

# --- the reference: the same job on the same input, no faults, its own group and output topics ---
REF_ARGS=("${COMMON_ARGS[@]}" --group-id chaos-reference --results-topic hnsw-results-reference --dead-letter-topic hnsw-dead-letters-reference)
create_topics --results-topic hnsw-results-reference --dead-letter-topic hnsw-dead-letters-reference
submit_job submit-reference -- "${REF_ARGS[@]}"
say "reference job $JOB_ID submitted"
complete_then_stop reference "${REF_ARGS[@]}"
REF_SAVEPOINT=$SAVEPOINT

java -jar "$JAR" verify "${JOB_ARGS[@]}" --expect-queries "$QUERIES" --expect-dead-letters "$BAD" --timeout-s 60 \
    --reference-results-topic hnsw-results-reference --reference-dead-letter-topic hnsw-dead-letters-reference \
    >"$WORK/verify.json" 2>"$WORK/log/verify.out" || true
say "verify: $(cat "$WORK/verify.json")"
grep -h '^verify: ' "$WORK/log/verify.out" | grep -v 'answered' | head -5 >&2 || true
field() { grep -o "\"$1\":[a-z0-9]*" "$WORK/verify.json" | cut -d: -f2; }

# Both savepoints read at once (each inspect is a JVM with its own MiniCluster).
java -jar "$JAR" inspect --savepoint "$CHAOS_SAVEPOINT" --vectors >"$WORK/chaos-index.jsonl" 2>"$WORK/log/chaos-inspect.out" &
CHAOS_INSPECT=$!
java -jar "$JAR" inspect --savepoint "$REF_SAVEPOINT" --vectors >"$WORK/reference-index.jsonl" 2>"$WORK/log/reference-inspect.out" \
    || { cat "$WORK/log/reference-inspect.out" >&2; exit 1; }
wait "$CHAOS_INSPECT" || { cat "$WORK/log/chaos-inspect.out" >&2; exit 1; }
indexes_identical=false
if cmp -s "$WORK/chaos-index.jsonl" "$WORK/reference-index.jsonl"; then indexes_identical=true; fi
say "indexes: $(tail -1 "$WORK/chaos-index.jsonl") (chaos) vs $(tail -1 "$WORK/reference-index.jsonl") (reference)"
$indexes_identical || diff <(cut -c1-300 "$WORK/chaos-index.jsonl") <(cut -c1-300 "$WORK/reference-index.jsonl") | head -10 >&2 || true

missing=$(field missing) duplicated=$(field duplicates) mismatched=$(field mismatches)
dead_same=$(field dead_letters_identical) answers=$(field answers)
printf '{"seed":%s,"taskmanager_kills":%d,"broker_kills":%d,"cluster_restarts":%d,"restores":%d,"checkpoints":%d,"events":%d,"answers":%d,"missing":%d,"duplicated":%d,"mismatched":%d,"dead_letters_identical":%s,"indexes_identical":%s}\n' \
    "$SEED" "$TM_DONE" "$BROKER_DONE" "$CLUSTER_DONE" "$DONE_RESTORED" "$DONE_COMPLETED" "$RECORDS" "${answers:-0}" \
    "${missing:-0}" "${duplicated:-0}" "${mismatched:-0}" "${dead_same:-false}" "$indexes_identical"
if [[ $(field exact) == true && $indexes_identical == true ]]; then
  say "PASSED in $SECONDS s"
else
  say "FAILED: see $WORK"
  exit 1
fi
