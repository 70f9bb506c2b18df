# SPDX-License-Identifier: MIT
# Sourced by the guests (kernel/guest/init and kernel/workload/run-variant.sh's init): the one way
# a recording gets through a kernel oops.
#
#   run_through_oops LIMIT DUMP COMMAND [ARGS...]
#
# runs COMMAND in the background and waits for it. When the kernel reports an oops (BUG:, kernel BUG at, Oops,
# general protection fault in dmesg) or COMMAND outlives LIMIT seconds, and COMMAND is still
# running 3 s later, it runs DUMP (a shell command that writes what ftrace holds, from trace_pipe:
# reading `trace` may wait for an RCU grace period that never comes after an oops) and returns 124
# without waiting any longer: the oopsing task died holding a lock and the others spin on it, so
# COMMAND never returns. Otherwise it returns COMMAND's status. OOPS_REPORTS is set to the number
# of kernel reports seen.
run_through_oops() {
	limit=$1 dump=$2
	shift 2
	"$@" &
	pid=$! n=0
	OOPS_REPORTS=0
	while kill -0 $pid 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		OOPS_REPORTS=$(dmesg | grep -cE 'BUG[: ]|Oops|general protection fault')
		[ "$OOPS_REPORTS" = 0 ] && [ $n -lt "$limit" ] && continue
		sleep 3
		kill -0 $pid 2>/dev/null || break
		echo "through-oops: $1 stuck after ${n}s (kernel reports: $OOPS_REPORTS), dumping the trace" >&2
		eval "$dump"
		return 124
	done
	wait $pid
}
