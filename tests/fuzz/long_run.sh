#!/bin/sh
# long_run.sh — the long fuzz runs whose figures docs/fuzzing.md records: each
# target named, one at a time, at the lowest priority, for SECS seconds
# (default 300), from a copy of its checked-in corpus. Prints one summary
# line per target (libFuzzer's final stats, corpus size, crash artifacts);
# logs, work corpora and any crash-* files stay under OUT.
# Usage: [SECS=300] [OUT=/tmp/fuzz-long] tests/fuzz/long_run.sh target ...
#   (target = the name without _fuzz, e.g. appliance_dispatch)
set -eu
secs=${SECS:-300}
out=${OUT:-/tmp/fuzz-long}
mkdir -p "$out"
for t in "$@"; do
  rm -rf "$out/$t.corpus" "$out/$t.art"
  mkdir -p "$out/$t.corpus" "$out/$t.art"
  cp tests/fuzz/corpus/"$t"/* "$out/$t.corpus/"
  rc=0
  nice -n 19 build/fuzz/fuzz/"${t}_fuzz" -max_total_time="$secs" -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/$t.art/" \
      "$out/$t.corpus" > "$out/$t.log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log")
  final=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$out/$t.log" | tail -1 | sed 's/.*DONE *//')
  echo "$t rc=$rc runs=$runs exec/s=$eps $final corpus_files=$(ls "$out/$t.corpus" | wc -l) crashes=$(ls "$out/$t.art" | wc -l)"
done
