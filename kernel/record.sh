#!/bin/bash
# Records a dm workload on a real Linux kernel under QEMU with four recorders
# (ftrace, trace-cmd, perf, bpftrace). See kernel/README.md.
#
# usage: kernel/record.sh [PHASE...]      (default: ftrace trace-cmd perf bpftrace)
# env:   DMRL_KERNEL_PKG   kernel package (default linux-image-6.1.0-57-amd64)
#        DMRL_VM_TIMEOUT   seconds one VM may run (default 300)
#        DMRL_VM_LOCK      a lock file: each VM runs under `flock` on it (machines shared by several users)
#        DMRL_PROBES       a directory with kprobe_events and dmrl.bt to use instead of generating them
#        DMRL_RUN          the run folder to write into (default: a new one under kernel/.cache/runs);
#                          e.g. to record one recorder again beside the others of a run
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
CACHE=$HERE/.cache
PKG=${DMRL_KERNEL_PKG:-linux-image-6.1.0-57-amd64}
VM_TIMEOUT=${DMRL_VM_TIMEOUT:-300}
PHASES=("$@")
[ ${#PHASES[@]} -eq 0 ] && PHASES=(ftrace trace-cmd perf bpftrace)
START=$(date +%s)

say() { echo "kernel:record: $*" >&2; }
die() { say "error: $*"; exit 1; }
mkdir -p "$CACHE"

# ---- 1. host tools (Debian packages) --------------------------------------------------
# command -> package
declare -A NEED=(
  [qemu-system-x86_64]=qemu-system-x86 [busybox]=busybox-static [dmsetup]=dmsetup [trace-cmd]=trace-cmd
  [perf]=linux-perf [bpftrace]=bpftrace [cpio]=cpio [objdump]=binutils [modinfo]=kmod [flock]=util-linux
)
missing_pkgs() {
  local cmd
  for cmd in "${!NEED[@]}"; do command -v "$cmd" > /dev/null || echo "${NEED[$cmd]}"; done
  # the static busybox: the guest has no libc of its own for it
  if command -v busybox > /dev/null && ! file -L "$(command -v busybox)" 2>/dev/null | grep -q 'statically linked'; then echo busybox-static; fi
}
MISSING=$(missing_pkgs | sort -u | tr '\n' ' ')
if [ -n "$MISSING" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    say "installing $MISSING"
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $MISSING > "$CACHE/apt.log" 2>&1 ||
      { apt-get -o DPkg::Lock::Timeout=600 update > /dev/null 2>&1 && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $MISSING >> "$CACHE/apt.log" 2>&1; } ||
      die "could not install $MISSING (see $CACHE/apt.log)"
  fi
  MISSING=$(missing_pkgs | sort -u | tr '\n' ' ')
  [ -z "$MISSING" ] || die "missing: ${MISSING% } (install these Debian packages: apt-get install ${MISSING% })"
fi
command -v node > /dev/null || die "missing: node (the probe definitions are generated with it)"

# ---- 2. the kernel: a Debian package, unpacked (no install) --------------------------
KDIR=$CACHE/kernel
if ! ls "$KDIR"/boot/vmlinuz-* > /dev/null 2>&1; then
  rm -rf "$KDIR" && mkdir -p "$KDIR/deb"
  say "fetching $PKG"
  if ! (cd "$KDIR/deb" && apt-get download "$PKG" > /dev/null 2>&1); then
    # the archive moves to new ABIs: take the image the meta-package depends on now
    ALT=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    [ -n "$ALT" ] || die "cannot download $PKG and linux-image-amd64 names no image (apt-get update?)"
    say "$PKG is not available; using $ALT"
    (cd "$KDIR/deb" && apt-get download "$ALT" > /dev/null 2>&1) || die "cannot download $ALT"
  fi
  dpkg-deb -x "$KDIR"/deb/*.deb "$KDIR" || die "cannot unpack $(ls "$KDIR"/deb)"
fi
VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-* | head -1)
KVER=${VMLINUZ##*/vmlinuz-}
MODDIR=$KDIR/lib/modules/$KVER/kernel/drivers/md
for m in dm-mod dm-zero; do
  [ -f "$MODDIR/$m.ko" ] || die "$MODDIR/$m.ko is not in the kernel package"
done
say "kernel $KVER"

# ---- 3. probe definitions, from the disassembly of the dm-mod.ko that will run ---------
PROBES=$CACHE/probes
KIT="$REPO/dist/cli.js"
if [ -n "${DMRL_PROBES:-}" ]; then
  PROBES=$DMRL_PROBES
else
  # the project's probe kit (dm-race-lens probes); build the CLI first if needed
  if ! { node "$KIT" --help 2>&1 || true; } | grep -q 'dm-race-lens probes'; then
    (cd "$REPO" && npm run --silent build) >&2 || die "cannot build the CLI (npm install first?)"
  fi
  rm -rf "$PROBES" && mkdir -p "$PROBES"
  for fmt in tracefs:kprobe_events bpftrace:dmrl.bt; do
    set +e
    node "$KIT" probes --module "$MODDIR/dm-mod.ko" --format "${fmt%%:*}" --out "$PROBES/${fmt#*:}" 2> "$PROBES/${fmt#*:}.log"
    rc=$?
    set -e
    # exit 1: some vocabulary event could not be placed (listed in the log); the others are usable
    [ $rc -le 1 ] || { cat "$PROBES/${fmt#*:}.log" >&2; die "dm-race-lens probes --format ${fmt%%:*} failed"; }
    [ $rc -eq 0 ] || say "some events could not be placed: see $PROBES/${fmt#*:}.log"
  done
  say "probes from the probe kit: $(grep -c '^[pr]:' "$PROBES/kprobe_events") kprobe events"
fi
for f in kprobe_events dmrl.bt; do [ -f "$PROBES/$f" ] || die "no $f in $PROBES"; done

# ---- 4. initramfs: static busybox, the recorders with the libraries ldd lists ----------
ROOT=$CACHE/initramfs
INITRD=$CACHE/initramfs.cpio.gz
rm -rf "$ROOT" && mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,modules,probes,etc}
cp "$(command -v busybox)" "$ROOT/bin/busybox"
for applet in $("$ROOT/bin/busybox" --list); do
  [ -e "$ROOT/bin/$applet" ] || ln -s busybox "$ROOT/bin/$applet"
done
copy_with_libs() {
  local bin=$1 lib
  cp -L "$bin" "$ROOT/usr/bin/"
  for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
    mkdir -p "$ROOT$(dirname "$lib")"
    [ -e "$ROOT$lib" ] || cp -L "$lib" "$ROOT$lib"
  done
}
for cmd in dmsetup trace-cmd perf bpftrace; do copy_with_libs "$(command -v "$cmd")"; done
# trace-cmd and perf read their plugins; bpftrace needs nothing else (BTF is in the guest kernel)
cp "$MODDIR/dm-mod.ko" "$MODDIR/dm-zero.ko" "$ROOT/modules/"
cp "$PROBES/kprobe_events" "$PROBES/dmrl.bt" "$ROOT/probes/"
cp "$HERE/guest/init" "$ROOT/init" && chmod +x "$ROOT/init"
cp "$HERE/guest/workload.sh" "$HERE/guest/apply-probes.sh" "$HERE/guest/through-oops.sh" "$ROOT/"
echo "root:x:0:0:root:/:/bin/sh" > "$ROOT/etc/passwd"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD"
say "initramfs $(du -h "$INITRD" | cut -f1)"

# ---- 5. one VM per recorder -----------------------------------------------------------
if grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ]; then
  ACCEL=(-accel kvm -cpu host -smp 2 -m 2048)
else
  ACCEL=(-accel tcg,thread=multi -cpu max -smp 2 -m 4096)
fi
RUN=${DMRL_RUN:-$CACHE/runs/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$RUN"
ln -sfn "$RUN" "$CACHE/runs/latest"
LOCK=()
[ -n "${DMRL_VM_LOCK:-}" ] && LOCK=(flock "$DMRL_VM_LOCK")

failed=0
for phase in "${PHASES[@]}"; do
  out=$RUN/$phase
  rm -rf "$out" && mkdir -p "$out"
  t0=$(date +%s)
  say "phase $phase: booting ($(echo "${ACCEL[@]}" | cut -d' ' -f2))"
  set +e
  "${LOCK[@]}" timeout --kill-after=10 "$VM_TIMEOUT" qemu-system-x86_64 "${ACCEL[@]}" \
    -display none -no-reboot -net none -monitor none \
    -serial "file:$out/console.log" -serial "file:$out/serial1.txt" \
    -kernel "$VMLINUZ" -initrd "$INITRD" \
    -append "console=ttyS0 rdinit=/init panic=-1 quiet dmrl.phase=$phase dmrl.watchdog=$((VM_TIMEOUT - 40))" \
    > "$out/qemu.log" 2>&1
  rc=$?
  set -e
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    say "phase $phase: the VM did not stop within ${VM_TIMEOUT}s; its console ends with:"
    tail -n 30 "$out/console.log" >&2
  fi
  if ! grep -q "=====DMRL-END $phase=====" "$out/serial1.txt" 2>/dev/null; then
    say "phase $phase FAILED: no results came back (qemu exit $rc). Console ($out/console.log) ends with:"
    tail -n 40 "$out/console.log" >&2
    cat "$out/qemu.log" >&2
    failed=1
    continue
  fi
  sed -n "/=====DMRL-BEGIN $phase=====/,/=====DMRL-END $phase=====/p" "$out/serial1.txt" | sed '1d;$d' | tr -d '\r' |
    base64 -d | tar -xzf - -C "$out" || { say "phase $phase FAILED: the result archive is damaged"; failed=1; continue; }
  status=$(cat "$out/status" 2>/dev/null || echo none)
  if [ "$status" != done ]; then
    say "phase $phase FAILED: guest status '$status'. Console ends with:"
    tail -n 30 "$out/console.log" >&2
    failed=1
  fi
  # the guest's own uptime at power-off: the VM's time, without any wait for the lock
  vm=$(sed -n 's/^\[ *\([0-9]*\)\.[0-9]*\] reboot: Power down.*/\1/p' "$out/console.log" | tail -1)
  say "phase $phase: $status in $(($(date +%s) - t0)) s (guest up ${vm:-?} s); $(ls "$out" | tr '\n' ' ')"
  if [ -s "$out/probe-errors.log" ]; then say "phase $phase: probes refused:"; sed 's/^/    /' "$out/probe-errors.log" >&2; fi
done
say "recordings in $RUN ($(($(date +%s) - START)) s)"
exit $failed
