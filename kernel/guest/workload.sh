#!/bin/sh
# The dm workload the harness records. Every step runs under a timeout and logs one line:
#   <kind> <device> rc=<exit status>
# kind: create (dynamic minor), create-fixed (--major/--minor), create-linear (a linear device on
# another one: its table opens that one), lookup-name, lookup-number, list, open (dd reads the
# device), hold (a shell keeps it open), remove, rmmod. The fixture tests compare the recorded events with these lines.
export DM_DISABLE_UDEV=1
T=30
MAJ=$(awk '$2 == "device-mapper" { print $1 }' /proc/devices)
SIZE=2048

step() { # step KIND DEVICE CMD...
  kind=$1 dev=$2
  shift 2
  timeout $T "$@" > /tmp/step.out 2>&1
  rc=$?
  echo "$kind $dev rc=$rc"
  [ $rc -ne 0 ] && sed 's/^/    /' /tmp/step.out
  return 0
}
create() { step create "$1" dmsetup create "$1" --table "0 $SIZE zero"; }
create_fixed() { step create-fixed "$1" dmsetup create "$1" --major "$MAJ" --minor "$2" --table "0 $SIZE zero"; }
by_name() { step lookup-name "$1" dmsetup info "$1"; }
by_number() { step lookup-number "$1" dmsetup info -j "$MAJ" -m "$2"; }
open_read() { step open "$1" dd if=/dev/mapper/"$1" of=/dev/null bs=4096 count=8; }
remove() { step remove "$1" dmsetup remove "$1"; }

echo "# major $MAJ"
# creates: dynamic and fixed minors, a linear device on a zero one
create z0
create z1
create_fixed f0 100
create_fixed f1 101
step create-linear l0 dmsetup create l0 --table "0 $SIZE linear /dev/mapper/z0 0"

# lookups by name and by number
by_name z0
step lookup-name z1 dmsetup status z1
step lookup-name l0 dmsetup table l0
step list - dmsetup ls
by_number f0 100
by_number f1 101
by_number z0 0
by_number none 200

# opens, and a remove while open (refused)
open_read z1
open_read f0
( exec 3< /dev/mapper/f1; sleep 4 ) &
holder=$!
sleep 1
remove f1
wait $holder
echo "hold f1 rc=$?"

# concurrent jobs: create, look up, open and remove their own device, beside a lookup loop
for j in 1 2 3; do
  (
    create c$j
    by_name c$j
    by_number f0 100
    open_read c$j
    remove c$j
  ) > /tmp/job$j.log &
done
(
  for i in 1 2 3 4 5 6; do by_number f1 101; done
) > /tmp/loop.log &
wait
cat /tmp/job1.log /tmp/job2.log /tmp/job3.log /tmp/loop.log

# removes; dm_mod refuses to unload while a device exists, then unloads
remove l0
remove z0
remove z1
remove f0
step rmmod dm_mod rmmod dm_mod
remove f1
step rmmod dm_zero rmmod dm_zero
step rmmod dm_mod rmmod dm_mod
echo "# end"
