#!/usr/bin/env bash
# Runs flink-hnsw's `bench` and the hnswlib reference driver (../shared/peers/hnswlib) on the same
# data and parameters, alternating them for --rounds rounds (best of each kept, since a shared 2-core
# machine is noisy): hnswlib, then `bench` with float vectors, then `bench --quantization int8`
# (unless --no-int8). Prints one JSON line per run plus a summary line with the ratios:
#   qps_ratio_at_recall       = our float QPS / hnswlib QPS, each interpolated at recall@k = --target (0.95)
#   build_ratio               = our float inserts/s / hnswlib inserts/s
#   int8_qps_ratio_at_recall  = our int8 QPS (re-ranked) / hnswlib's (float) QPS at the target
#   int8_build_ratio          = our int8 inserts/s / hnswlib inserts/s
#   int8_memory_ratio         = index_memory_bytes of the int8 index / the float index's
#
#   scripts/compare-hnswlib.sh [--rounds 2] [--target 0.95] [--plot FILE.svg] [--no-int8] [bench flags...]
# --plot draws every run's recall@k against QPS (java -jar flink-hnsw.jar plot) into FILE.svg.
# Bench flags default to the SIFT set in ../shared/data with M=16, efC=200, k=10.
# Needs g++ and libhnswlib-dev (apt-get install -y g++ libhnswlib-dev) and a built job jar.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEER="${HNSWLIB_PEER:-$ROOT/../shared/peers/hnswlib/run.sh}"
JAR="${FLINK_HNSW_JAR:-$ROOT/job/target/flink-hnsw.jar}"
DATA="$ROOT/../shared/data/sift-ngt5k-128-euclidean"
rounds=2
target=0.95
plot=""
int8=1
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --plot) plot="$2"; shift 2 ;;
    --no-int8) int8=0; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ ${#args[@]} -eq 0 ]]; then
  args=(--base "$DATA/base.fvecs" --queries "$DATA/query.fvecs" --groundtruth "$DATA/groundtruth.ivecs"
        --metric l2 --k 10 --m 16 --ef-construction 200 --ef 10,12,16,20,24,32,40,48,64,96,128,160)
fi
if [[ ! -f "$JAR" ]]; then
  echo "compare-hnswlib: $JAR missing; building it" >&2
  (cd "$ROOT" && mvn -B -q package -DskipTests)
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for ((r = 1; r <= rounds; r++)); do
  echo "compare-hnswlib: round $r/$rounds: hnswlib" >&2
  "$PEER" "${args[@]}" > "$out/hnswlib-$r.jsonl"
  echo "compare-hnswlib: round $r/$rounds: flink-hnsw" >&2
  java -jar "$JAR" bench "${args[@]}" > "$out/flink-hnsw-$r.jsonl"
  if [[ $int8 == 1 ]]; then
    echo "compare-hnswlib: round $r/$rounds: flink-hnsw --quantization int8" >&2
    java -jar "$JAR" bench "${args[@]}" --quantization int8 > "$out/flink-hnsw-int8-$r.jsonl"
  fi
done
cat "$out"/*.jsonl
if [[ -n "$plot" ]]; then
  runs=()
  for ((r = 1; r <= rounds; r++)); do
    runs+=("$out/flink-hnsw-$r.jsonl" "$out/hnswlib-$r.jsonl")
    if [[ $int8 == 1 ]]; then runs+=("$out/flink-hnsw-int8-$r.jsonl"); fi
  done
  java -jar "$JAR" plot --out "$plot" "${runs[@]}"
fi
python3 - "$out" "$target" <<'PY'
import glob, json, sys
out, target = sys.argv[1], float(sys.argv[2])

def qps_at(rows, target):
    """QPS interpolated linearly in recall where the recall curve (by ef) first reaches target."""
    rows = sorted(rows, key=lambda r: r["ef"])
    prev = None
    for r in rows:
        if r["recall_at_k"] >= target:
            if prev is None or r["recall_at_k"] == prev["recall_at_k"]:
                return r["qps"]
            f = (target - prev["recall_at_k"]) / (r["recall_at_k"] - prev["recall_at_k"])
            return prev["qps"] + f * (r["qps"] - prev["qps"])
        prev = r
    return None

best = {}
for path in sorted(glob.glob(out + "/*.jsonl")):
    peer = path.rsplit("/", 1)[1].rsplit("-", 1)[0]
    rows = [json.loads(l) for l in open(path) if l.strip()]
    rows = [r for r in rows if "churn_rounds" not in r]
    q = qps_at(rows, target)
    b = rows[0]["inserts_per_s"]
    cur = best.setdefault(peer, {"qps": None, "build": 0, "memory": None})
    if q is not None and (cur["qps"] is None or q > cur["qps"]):
        cur["qps"] = q
    cur["build"] = max(cur["build"], b)
    cur["memory"] = rows[0].get("index_memory_bytes")
ours, ref, int8 = best.get("flink-hnsw"), best.get("hnswlib"), best.get("flink-hnsw-int8")
ratio = lambda a, b: round(a / b, 3) if a and b else None
summary = {
    "summary": "flink-hnsw vs hnswlib", "target_recall": target,
    "flink_hnsw_qps_at_target": round(ours["qps"], 1) if ours["qps"] else None,
    "hnswlib_qps_at_target": round(ref["qps"], 1) if ref["qps"] else None,
    "qps_ratio_at_recall": ratio(ours["qps"], ref["qps"]),
    "flink_hnsw_inserts_per_s": round(ours["build"], 1), "hnswlib_inserts_per_s": round(ref["build"], 1),
    "build_ratio": ratio(ours["build"], ref["build"])}
if int8:
    summary.update({
        "int8_qps_at_target": round(int8["qps"], 1) if int8["qps"] else None,
        "int8_qps_ratio_at_recall": ratio(int8["qps"], ref["qps"]),
        "int8_inserts_per_s": round(int8["build"], 1), "int8_build_ratio": ratio(int8["build"], ref["build"]),
        "int8_memory_ratio": ratio(int8["memory"], ours["memory"])})
print(json.dumps(summary))
PY
