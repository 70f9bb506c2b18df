#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every race variant (and stock, as the control) under QEMU with the
# workload mode that reaches its window, and prints one table row per run:
# whether the window was hit, and the kernel's (or the workload's) evidence.
#
#   sh kernel/workload/run-races.sh [--record] [SECONDS] [SKIP_ROWS]
#
# --record also records each row once more with race_delay_ms=0 (no crash; the
# probe kit's probes, 20 iterations) and adds the analysis's findings by rule.
# RACES_ONLY=REGEX keeps the rows whose variant matches. Needs the modules of
# kernel/dm-variants/build.sh (built here when missing). One VM at a time.
set -u
here=$(cd "$(dirname "$0")" && pwd)
record=0
if [ "${1:-}" = --record ]; then record=1; shift; fi
secs=${1:-15}
skip=${2:-0} # rows of the matrix to skip (to resume)

# variant mode delay_ms expected(hit|no)
# variants first (in the order of the project's priorities), then the controls
matrix='
r2-stale-lookup-get lookup 2 hit
r1-publish-before-init lookup 2 hit
r2-closed-stale-lookup-get lookup 2 no
r2-closed-stale-lookup-get dup-create 2 hit
r3-open-while-freeing open 2 hit
r6-register-before-init register 100 hit
r5-unload-in-use unload 0 hit
r4-sleep-in-atomic create 2 hit
stock lookup 2 no
stock dup-create 2 no
stock open 2 no
stock register 100 no
stock unload 0 no
stock create 2 no
'

evidence() {
	grep -m1 -oE 'kernel BUG at [^ ]*dm\.c:[0-9]+|BUG: kernel NULL pointer dereference[^,]*|BUG: scheduling while atomic|BUG: sleeping function called from invalid context|general protection fault|list_(add|del) corruption|unloaded=yes|window_hit=yes' "$1" |
		sed 's|at [^ ]*/drivers/md/|at drivers/md/|'
}

where() {
	rip=$(grep -m1 -oE 'RIP: 0010:[a-z_0-9.]+' "$1" | sed 's/RIP: 0010://')
	caller=$(grep -m1 -A3 'Call Trace' "$1" | grep -oE '[a-z_0-9.]+\+0x' | head -1 | sed 's/+0x//')
	[ -n "$rip" ] && echo "$rip${caller:+ <- $caller}"
}

if [ ! -d "$here/../.cache/dm-variants/build" ]; then
	sh "$here/../dm-variants/build.sh" >&2 || exit 1
fi
printf '%-28s %-10s %5s %-8s %-4s %s\n' variant mode delay expected hit evidence
echo "$matrix" | while read -r variant mode delay expected; do
	[ -n "$variant" ] || continue
	if [ "$skip" -gt 0 ]; then skip=$((skip - 1)); continue; fi
	if [ -n "${RACES_ONLY:-}" ] && ! echo "$variant" | grep -qE "$RACES_ONLY"; then continue; fi
	out=$(sh "$here/run-variant.sh" "$variant" "$mode" "$delay" "$secs" 2 2>&1 | tail -1)
	log=${out##*log=}
	ev=$(evidence "$log")
	if [ -n "$ev" ]; then hit=yes; else hit=no; fi
	loc=
	case "$ev" in "kernel BUG"*|*"NULL pointer"*|"general protection"*) loc=$(where "$log") ;; esac
	summary=$(grep -m1 '^workload ' "$log" | cut -c1-60)
	printf '%-28s %-10s %5s %-8s %-4s %s\n' "$variant" "$mode" "$delay" "$expected" "$hit" \
		"${ev:-$summary}${loc:+ (in $loc)}"
	if [ "$record" = 1 ]; then
		findings=$(RECORD=1 ITER=20 sh "$here/run-variant.sh" "$variant" "$mode" 0 20 1 2>&1 |
			sed -n 's/^RACES: findings //p')
		printf '%-28s %-10s %5s %-8s %-4s %s\n' "" recorded 0 "" "" "findings: ${findings:-no trace (the run crashed or hung)}"
	fi
done
