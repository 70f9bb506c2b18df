#!/bin/bash
# Turns one harness run (kernel/.cache/runs/NAME, one folder per recorder) into the fixture layout
# the tests read: DEST/<recorder file>, DEST/workload-<recorder>.log, the probe definitions.
#
# usage: kernel/fixtures.sh [RUN_DIR] [DEST]   (default: the latest run, sample-traces/real/linux-6.1)
# The recordings are kept whole (about a thousand lines each): cutting lines out of a trace could
# drop the event that orders two others and invent a finding.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RUN=$(cd "${1:-$HERE/.cache/runs/latest}" && pwd -P)
DEST=${2:-$(dirname "$HERE")/sample-traces/real/linux-6.1}
mkdir -p "$DEST"

declare -A FILE=([ftrace]=ftrace.txt [trace-cmd]=trace-cmd.txt [perf]=perf-script.txt [bpftrace]=bpftrace.txt)
for phase in ftrace trace-cmd perf bpftrace; do
  src=$RUN/$phase
  [ -f "$src/${FILE[$phase]}" ] || { echo "fixtures: no $phase recording in $RUN" >&2; exit 1; }
  [ "$(cat "$src/status" 2>/dev/null)" = done ] || { echo "fixtures: the $phase run did not finish" >&2; exit 1; }
  cp "$src/${FILE[$phase]}" "$DEST/${FILE[$phase]}"
  cp "$src/workload.log" "$DEST/workload-$phase.log"
done
cp "$RUN/ftrace/kprobe_events" "$DEST/kprobe_events"
cp "$RUN/bpftrace/dmrl.bt" "$DEST/dmrl.bt"
echo "fixtures: $(cd "$DEST" && wc -l ftrace.txt trace-cmd.txt perf-script.txt bpftrace.txt | tail -1) lines in $DEST"
