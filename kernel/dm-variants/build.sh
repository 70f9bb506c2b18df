#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Builds dm-mod.ko for Debian's 6.1 kernel: stock and one race variant per
# patch in this folder. Each patch is checked to apply to a clean copy of
# drivers/md/ before it is applied. Prints a table and exits non-zero when a
# patch does not apply or a build fails.
#
#   sh kernel/dm-variants/build.sh [VARIANT...]   (default: stock and all patches)
#
# Environment: KVER (default 6.1.0-57-amd64), DM_VARIANTS_CACHE (default
# kernel/.cache/dm-variants), JOBS (default 2).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kver=${KVER:-6.1.0-57-amd64}
headers=/usr/src/linux-headers-$kver
tarball=/usr/src/linux-source-6.1.tar.xz
cache=${DM_VARIANTS_CACHE:-$repo/kernel/.cache/dm-variants}
jobs=${JOBS:-2}

if [ ! -f "$tarball" ] || [ ! -d "$headers" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "installing linux-source-6.1 and linux-headers-$kver" >&2
		apt-get -o DPkg::Lock::Timeout=600 install -y linux-source-6.1 "linux-headers-$kver" >&2 || {
			apt-get -o DPkg::Lock::Timeout=600 update >&2
			apt-get -o DPkg::Lock::Timeout=600 install -y linux-source-6.1 "linux-headers-$kver" >&2
		}
	else
		echo "missing $tarball or $headers: apt-get install linux-source-6.1 linux-headers-$kver" >&2
		exit 2
	fi
fi

# drivers/md/ of the source package, extracted once per package version
src=$cache/src
stamp=$(stat -c '%s-%Y' "$tarball")
if [ "$(cat "$src/.stamp" 2>/dev/null || true)" != "$stamp" ]; then
	echo "extracting drivers/md/ from $tarball" >&2
	rm -rf "$src" && mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1 --wildcards 'linux-source-6.1/drivers/md/*'
	echo "$stamp" > "$src/.stamp"
fi

if [ $# -gt 0 ]; then
	variants="$*"
else
	variants=stock
	for p in "$here"/*.patch; do
		variants="$variants $(basename "$p" .patch)"
	done
fi

status=0
printf '%-36s %-8s %-6s %5s  %s\n' variant applies build secs module
for v in $variants; do
	dir=$cache/build/$v
	rm -rf "$dir" && mkdir -p "$dir/drivers"
	cp -a "$src/drivers/md" "$dir/drivers/md"
	cp "$here/Kbuild" "$dir/drivers/md/Kbuild"
	applies=-
	if [ "$v" != stock ]; then
		patch=$here/$v.patch
		if [ ! -f "$patch" ]; then
			echo "no patch $patch" >&2
			status=1
			continue
		fi
		if patch -p1 -d "$dir" --dry-run --quiet --force < "$patch" > "$dir.patch.log" 2>&1 &&
			patch -p1 -d "$dir" --quiet --force < "$patch" >> "$dir.patch.log" 2>&1; then
			applies=yes
		else
			printf '%-36s %-8s %-6s %5s  %s\n' "$v" no - - "see $dir.patch.log"
			status=1
			continue
		fi
	fi
	start=$(date +%s)
	if make -C "$headers" M="$dir/drivers/md" -j"$jobs" modules > "$dir.build.log" 2>&1 &&
		[ -f "$dir/drivers/md/dm-mod.ko" ]; then
		built=ok
		ko=$dir/drivers/md/dm-mod.ko
	else
		built=FAILED
		ko="see $dir.build.log"
		status=1
	fi
	printf '%-36s %-8s %-6s %5s  %s\n' "$v" "$applies" "$built" "$(($(date +%s) - start))" "$ko"
done
exit $status
