#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every race variant (and stock, as the control) under QEMU with the
# workload mode that reaches its window, and prints one table row per run:
# whether the window was hit, and the kernel's (or the workload's) evidence.
#
#   sh kernel/workload/run-races.sh [--record] [SECONDS] [SKIP_ROWS]
#
# --record (npm run test:kernel -- --races) records that very run with the probe kit (derived from
# the row's dm-mod.ko; ITER iterations, default 20, one racing task; through an oops, so a run whose
# window crashed the kernel still gives its trace, ending at the oops) and adds the analysis's
# findings by rule and a verdict: ok when the row's rule is flagged and no other rule has an error
# (stock and R2-closed: no error). The traces stay in kernel/.cache/races-vm/VARIANT-MODE-DELAY.trace.txt.
# RACES_ONLY=REGEX keeps the rows whose variant matches. Needs the modules of
# kernel/dm-variants/build.sh (built here when missing). One VM at a time.
set -u
here=$(cd "$(dirname "$0")" && pwd)
record=0
if [ "${1:-}" = --record ]; then record=1; shift; fi
secs=${1:-15}
skip=${2:-0} # rows of the matrix to skip (to resume)

# variant mode delay_ms expected(hit|no) rule record_delay_ms
# rule: the findings a recording must give ("none": no error). record_delay_ms: the delay of the
# recorded run (--record), where the widened window would lose the trace: R4's delay makes the kernel
# panic in an interrupt within half a second, before any trace can be sent, while its pattern (a
# GFP_KERNEL preload inside _minor_lock) is in the trace of every create whatever the timing.
# Variants first (in the order of the project's priorities), then the controls.
matrix='
r2-stale-lookup-get lookup 2 hit DMR2 2
r1-publish-before-init lookup 2 hit DMR1 2
r2-closed-stale-lookup-get lookup 2 no none 2
r2-closed-stale-lookup-get dup-create 2 hit DMR2 2
r3-open-while-freeing open 2 hit DMR3 2
r6-register-before-init register 100 hit DMR6 100
r5-unload-in-use unload 0 hit DMR5 0
r4-sleep-in-atomic create 2 hit DMR4 0
stock lookup 2 no none 2
stock dup-create 2 no none 2
stock open 2 no none 2
stock register 100 no none 100
stock unload 0 no none 0
stock create 2 no none 0
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
# findings "DMR2:error=5 DMR2:warning=52" against the row's rule: ok when that rule is flagged and
# no other rule has an error (a predictive warning of another rule is listed, not failed: see
# docs/race-variants.md); for "none", when there is no error at all
verdict() {
	case "$2" in
		"" | "no trace"*) echo "-" ; return ;;
	esac
	errors=$(echo "$2" | tr ' ' '\n' | grep ':error=' | cut -d: -f1)
	if [ "$1" = none ]; then
		[ -z "$errors" ] && echo ok || echo MISS
	elif echo "$2" | tr ' ' '\n' | grep -q "^$1:" && [ -z "$(echo "$errors" | grep -v "^$1\$")" ]; then
		echo ok
	else
		echo MISS
	fi
}

if [ "$record" = 1 ]; then
	printf '%-28s %-10s %5s %-4s %-60s %-36s %s\n' variant mode delay hit evidence findings verdict
else
	printf '%-28s %-10s %5s %-8s %-4s %s\n' variant mode delay expected hit evidence
fi
echo "$matrix" | while read -r variant mode delay expected rule record_delay; do
	[ -n "$variant" ] || continue
	if [ "$skip" -gt 0 ]; then skip=$((skip - 1)); continue; fi
	if [ -n "${RACES_ONLY:-}" ] && ! echo "$variant" | grep -qE "$RACES_ONLY"; then continue; fi
	if [ "$record" = 1 ]; then
		delay=$record_delay
		out=$(RECORD=1 ITER=${ITER:-20} sh "$here/run-variant.sh" "$variant" "$mode" "$delay" "$secs" 1 2>&1)
	else
		out=$(sh "$here/run-variant.sh" "$variant" "$mode" "$delay" "$secs" 2 2>&1)
	fi
	log=$(echo "$out" | sed -n 's/^RACES: qemu exit=.* log=//p')
	ev=$(evidence "$log")
	if [ -n "$ev" ]; then hit=yes; else hit=no; fi
	loc=
	case "$ev" in "kernel BUG"*|*"NULL pointer"*|"general protection"*) loc=$(where "$log") ;; esac
	summary=$(grep -m1 '^workload ' "$log" | cut -c1-60)
	if [ "$record" = 1 ]; then
		findings=$(echo "$out" | sed -n 's/^RACES: findings \([^(]*\) (.*/\1/p' | sed 's/ *$//')
		printf '%-28s %-10s %5s %-4s %-60s %-36s %s\n' "$variant" "$mode" "$delay" "$hit" \
			"$(echo "${ev:-$summary}${loc:+ (in $loc)}" | cut -c1-60)" "${findings:-no trace}" "$(verdict "$rule" "$findings")"
	else
		printf '%-28s %-10s %5s %-8s %-4s %s\n' "$variant" "$mode" "$delay" "$expected" "$hit" \
			"${ev:-$summary}${loc:+ (in $loc)}"
	fi
done
