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
KVER=$(sed -n 's/.*kernel \([^,]*\),.*/\1/p' "$RUN/ftrace/guest.log" | head -1)
cat > "$DEST/README.md" <<EOT
# Linux $KVER: the harness's dm workload, recorded four times

Made by \`npm run kernel:record\` then \`kernel/fixtures.sh\` (see kernel/README.md): Debian's
$KVER kernel under QEMU, its own dm-mod.ko and dm-zero.ko, the workload of kernel/guest/workload.sh.
Each recorder ran the workload in its own boot, so addresses and pids differ between the files; the
events per workload step do not.

| file | what |
|---|---|
| ftrace.txt | /sys/kernel/tracing/trace after the workload |
| trace-cmd.txt | trace-cmd record, then trace-cmd report |
| perf-script.txt | perf record -a, then perf script |
| bpftrace.txt | the bpftrace program dmrl.bt |
| kprobe_events | the probe definitions (tracefs form, addresses resolved in the guest) |
| dmrl.bt | the bpftrace program |
| workload-RECORDER.log | one line per workload step: KIND DEVICE rc=N |

Each trace starts with the \`# !\` header the probe definitions carry. The recordings are whole (not
trimmed). test/unit/kernel/realKernel.test.ts checks them: every line parses, the event counts match the
workload log, the four recorders agree, and there is no finding (6.1 has every fix of the series).
EOT
echo "fixtures: $(cd "$DEST" && wc -l ftrace.txt trace-cmd.txt perf-script.txt bpftrace.txt | tail -1) lines in $DEST"
