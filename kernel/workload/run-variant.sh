#!/bin/sh
# SPDX-License-Identifier: MIT
# Boots Debian's 6.1 kernel under QEMU with one dm-mod.ko (stock or a race
# variant built by kernel/dm-variants/build.sh), runs dm-race-workload in a
# busybox initramfs and prints the guest's console log. Unrecorded, a kernel BUG
# or oops panics the guest (oops=panic, and an RCU stall or soft lockup too), so a
# hit window ends the run at once.
#
#   sh kernel/workload/run-variant.sh VARIANT MODE [DELAY_MS] [SECONDS] [THREADS]
#
# The console log is also kept in kernel/.cache/races-vm/VARIANT-MODE-DELAY.log.
# RECORD=1 records the workload with the probe kit (dist/cli.js probes --format
# script, derived from this very dm-mod.ko), brings the ftrace text back over a
# second serial port to VARIANT-MODE-DELAY.trace.txt and prints the analysis's
# findings by rule. A recorded run does not panic on an oops: kernel/guest/through-oops.sh (the
# harness's guest uses it too) sends back the trace, which ends at the oops.
# ITER=N stops each workload loop after N iterations (keeps a recording small).
# Only one VM runs at a time on the machine: the run waits for /work/wt/vm.lock
# (VM_LOCK) and is bounded by timeout.
set -eu

[ $# -ge 2 ] || { echo "usage: $0 VARIANT MODE [DELAY_MS] [SECONDS] [THREADS]" >&2; exit 2; }
variant=$1 mode=$2 delay=${3:-0} secs=${4:-20} threads=${5:-2}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kver=${KVER:-6.1.0-57-amd64}
cache=$repo/kernel/.cache/races-vm
ko=$repo/kernel/.cache/dm-variants/build/$variant/drivers/md/dm-mod.ko
lock=${VM_LOCK:-/work/wt/vm.lock}
mkdir -p "$cache"

[ -f "$ko" ] || { echo "no $ko: run sh kernel/dm-variants/build.sh $variant" >&2; exit 2; }

# the kernel image of the package the modules were built for
vmlinuz=$cache/vmlinuz-$kver
if [ ! -f "$vmlinuz" ]; then
	(cd "$cache" && apt-get download "linux-image-$kver" >&2)
	rm -rf "$cache/kpkg" && dpkg-deb -x "$cache"/linux-image-"$kver"_*.deb "$cache/kpkg"
	cp "$cache/kpkg/boot/vmlinuz-$kver" "$vmlinuz"
	rm -rf "$cache/kpkg"
fi

# the workload, static
bin=$cache/dm-race-workload
if [ ! -x "$bin" ] || [ "$here/dm-race-workload.c" -nt "$bin" ]; then
	gcc -static -O2 -Wall -Wextra -pthread -o "$bin" "$here/dm-race-workload.c"
fi

# initramfs: busybox, the workload, the module, an init that runs one mode
root=$cache/root-$$
rm -rf "$root" && mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp"
cp "$(command -v busybox)" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
record=${RECORD:-0}
run="dm-race-workload -t $secs -i ${ITER:-0} -j $threads -d /tmp $mode"
if [ "$record" = 1 ]; then
	[ -f "$repo/dist/cli.js" ] || (cd "$repo" && npm run --silent build)
	# exit 1: some events could not be placed (listed in the script); still usable
	node "$repo/dist/cli.js" probes --module "$ko" --format script --out "$root/dmrl-record.sh" 2> "$cache/probes.log" ||
		[ $? = 1 ] || { cat "$cache/probes.log" >&2; exit 2; }
	run="sh /dmrl-record.sh /tmp/trace.txt -- $run"
fi
cp "$bin" "$root/bin/dm-race-workload"
cp "$repo/kernel/guest/through-oops.sh" "$root/through-oops.sh"
cp "$ko" "$root/dm-mod.ko"
cat > "$root/init" <<EOF
#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo 1 > /proc/sys/kernel/printk_ratelimit_burst 2>/dev/null
insmod /dm-mod.ko $([ "$delay" = 0 ] || echo race_delay_ms=$delay) || echo "RACES: insmod failed"
echo "RACES: start variant=$variant mode=$mode delay=$delay"
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
if [ "$record" = 1 ]; then
	# through an oops: the watcher dumps what ftrace holds once the kernel reports one
	. /through-oops.sh
	run_through_oops $((secs + 60)) "sh /dmrl-record.sh /tmp/trace.txt --dump" $run
	echo "RACES: workload done (status \$?, kernel reports \$OOPS_REPORTS)"
else
	timeout $((secs + 60)) $run
	echo "RACES: workload exit=\$?"
fi
if [ -s /tmp/trace.txt ]; then
	echo "=====RACES-TRACE-BEGIN=====" > /dev/ttyS1
	gzip -c /tmp/trace.txt | base64 > /dev/ttyS1
	echo "=====RACES-TRACE-END=====" > /dev/ttyS1
	sync
fi
echo "RACES: done"
poweroff -f
EOF
chmod +x "$root/init"
initrd=$cache/initrd-$$.cpio.gz
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd"
rm -rf "$root"

log=$cache/$variant-$mode-$delay.log
tty1=$cache/$variant-$mode-$delay.ttyS1
trace=$cache/$variant-$mode-$delay.trace.txt
rm -f "$tty1" "$trace"
accel="-accel tcg,thread=multi -cpu max"
grep -qE 'vmx|svm' /proc/cpuinfo && accel="-accel kvm -cpu host"
# a hit window ends the run at once (panic), except when recording: then the guest lives on
# after the oops so that its watchdog can send the trace back
panics="oops=panic sysctl.kernel.panic_on_rcu_stall=1 softlockup_panic=1"
[ "$record" = 1 ] && panics="sysctl.kernel.panic_on_oops=0 sysctl.kernel.panic_on_rcu_stall=0 softlockup_panic=0"
status=0
flock "$lock" timeout $((secs + 240)) qemu-system-x86_64 $accel -smp 2 -m 1024 \
	-display none -monitor none -serial stdio -serial "file:$tty1" -no-reboot -net none -kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 rdinit=/init panic=-1 $panics quiet loglevel=4" \
	< /dev/null > "$log" 2>&1 || status=$?
rm -f "$initrd"
cat "$log"
if [ -s "$tty1" ] && grep -q RACES-TRACE-END "$tty1"; then
	sed -n '/RACES-TRACE-BEGIN/,/RACES-TRACE-END/p' "$tty1" | sed '1d;$d' | tr -d '\r' | base64 -d | gunzip > "$trace"
	echo "RACES: trace $(wc -l < "$trace") lines: $trace"
	node "$repo/dist/cli.js" analyze "$trace" --format json | node -e '
		let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
			const r = JSON.parse(s), by = {};
			for (const f of r.findings) by[f.rule + ":" + f.severity] = (by[f.rule + ":" + f.severity] || 0) + 1;
			console.log("RACES: findings " + (Object.entries(by).map(([k, n]) => k + "=" + n).join(" ") || "none") +
				" (events " + r.events + ", diagnostics " + r.errors.length + ")");
		});'
fi
echo "RACES: qemu exit=$status log=$log"
