#!/bin/sh
# SPDX-License-Identifier: MIT
# Boots Debian's 6.1 kernel under QEMU with one dm-mod.ko (stock or a race
# variant built by kernel/dm-variants/build.sh), runs dm-race-workload in a
# busybox initramfs and prints the guest's console log. A kernel BUG or oops
# panics the guest (oops=panic), so a hit window ends the run at once.
#
#   sh kernel/workload/run-variant.sh VARIANT MODE [DELAY_MS] [SECONDS] [THREADS]
#
# The console log is also kept in kernel/.cache/races-vm/VARIANT-MODE-DELAY.log.
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
for a in sh mount insmod rmmod mkdir cat echo sleep timeout poweroff dmesg grep ls; do
	ln -s busybox "$root/bin/$a"
done
cp "$bin" "$root/bin/dm-race-workload"
cp "$ko" "$root/dm-mod.ko"
cat > "$root/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo 1 > /proc/sys/kernel/printk_ratelimit_burst 2>/dev/null
insmod /dm-mod.ko $([ "$delay" = 0 ] || echo race_delay_ms=$delay) || echo "RACES: insmod failed"
echo "RACES: start variant=$variant mode=$mode delay=$delay"
timeout $((secs + 30)) dm-race-workload -t $secs -j $threads -d /tmp $mode
echo "RACES: workload exit=\$?"
echo "RACES: done"
poweroff -f
EOF
chmod +x "$root/init"
initrd=$cache/initrd-$$.cpio.gz
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd"
rm -rf "$root"

log=$cache/$variant-$mode-$delay.log
accel="-accel tcg,thread=multi -cpu max"
grep -qE 'vmx|svm' /proc/cpuinfo && accel="-accel kvm -cpu host"
status=0
flock "$lock" timeout $((secs + 240)) qemu-system-x86_64 $accel -smp 2 -m 1024 \
	-nographic -no-reboot -net none -kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 rdinit=/init panic=-1 oops=panic quiet loglevel=4" \
	< /dev/null > "$log" 2>&1 || status=$?
rm -f "$initrd"
cat "$log"
echo "RACES: qemu exit=$status log=$log"
