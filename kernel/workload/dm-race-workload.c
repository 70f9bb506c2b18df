// SPDX-License-Identifier: MIT
// Copyright (c) 2026 dm-race-lens contributors
//
// dm-race-workload: drives the device-mapper control interface in tight loops
// so that the race windows of kernel/dm-variants/ are hit. Built static
// (gcc -static) to run in a busybox initramfs. It talks to /dev/mapper/control
// with the DM ioctls directly: no libdevmapper, no udev.
//
//   dm-race-workload [-t SECONDS] [-i ITERATIONS] [-j THREADS] [-m MINOR] [-d DIR] MODE
//
// MODE
//   lookup      R1, R2: create + remove of a device with a fixed minor, while
//               THREADS tasks look it up by device number (DM_DEV_STATUS)
//   dup-create  R2 by the other path: DM_DEV_CREATE of a taken name with a
//               fixed minor (the md is published, then destroyed on -EBUSY),
//               while THREADS tasks look that minor up by number
//   open        R3: create + table load + resume, then remove, while THREADS
//               tasks open and close the block device (with -i: paced, for as
//               long as the creates and removes go on)
//   create      R4: THREADS tasks create and remove devices with any minor
//   unload      R5: a device exists, THREADS tasks open/close it, the main
//               task unloads dm_mod (delete_module) until it succeeds
//   register    R6: a task opens the block device as soon as the first table
//               load makes it visible; the device is then removed while it is
//               still open (DM_DEV_REMOVE must fail with EBUSY)
//
// Every mode stops after SECONDS (default 10), or when each loop has run
// ITERATIONS times (default: no limit; short runs to record), and prints one summary line,
// "workload MODE key=value ...", then exits 0 (2 on a setup error).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 16384
#define MAX_THREADS 16

static int control_fd = -1;
static unsigned int dm_major;
static unsigned int seconds = 10;
static long max_iter; // 0: no limit
static unsigned int nthreads = 2;
static unsigned int base_minor = 200;
static const char *node_dir = "/dev";
static atomic_int stop;

// counters shared by the threads of a mode
static atomic_long n_ok, n_enxio, n_ebusy, n_other, n_iter;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "dm-race-workload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static unsigned int find_dm_major(void)
{
	FILE *f = fopen("/proc/devices", "r");
	char line[128];
	unsigned int major = 0, m;
	char name[64];

	if (!f)
		die("/proc/devices");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %63s", &m, name) == 2 && !strcmp(name, "device-mapper"))
			major = m;
	fclose(f);
	if (!major) {
		errno = ENODEV;
		die("device-mapper major in /proc/devices");
	}
	return major;
}

static void open_control(void)
{
	control_fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (control_fd < 0) {
		// a busybox initramfs has no /dev/mapper: make the node (misc 10, dynamic minor)
		FILE *f = fopen("/sys/class/misc/device-mapper/dev", "r");
		unsigned int ma, mi;

		if (!f || fscanf(f, "%u:%u", &ma, &mi) != 2)
			die("/dev/mapper/control");
		fclose(f);
		mkdir("/dev/mapper", 0755);
		if (mknod("/dev/mapper/control", S_IFCHR | 0600, makedev(ma, mi)) && errno != EEXIST)
			die("mknod /dev/mapper/control");
		control_fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
		if (control_fd < 0)
			die("/dev/mapper/control");
	}
}

static struct dm_ioctl *new_request(void *buf, const char *name, int minor)
{
	struct dm_ioctl *io = buf;

	memset(buf, 0, BUF_SIZE);
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = BUF_SIZE;
	io->data_start = sizeof(*io);
	if (name)
		snprintf(io->name, sizeof(io->name), "%s", name);
	if (minor >= 0) {
		io->flags |= DM_PERSISTENT_DEV_FLAG;
		io->dev = makedev(dm_major, minor);
	}
	return io;
}

// returns 0 or -errno
static int dm_call(unsigned long cmd, struct dm_ioctl *io)
{
	return ioctl(control_fd, cmd, io) ? -errno : 0;
}

static int dm_create(const char *name, int minor)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));

	return dm_call(DM_DEV_CREATE, new_request(buf, name, minor));
}

static int dm_remove(const char *name)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));

	return dm_call(DM_DEV_REMOVE, new_request(buf, name, -1));
}

// a lookup by device number only, as `dmsetup info -j MAJ -m MIN` does
static int dm_status_by_dev(int minor)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct dm_ioctl *io = new_request(buf, NULL, -1);

	io->dev = makedev(dm_major, minor);
	return dm_call(DM_DEV_STATUS, io);
}

// one "error" target of 8 sectors: built into dm-mod, needs no other module
static int dm_load_error_table(const char *name)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct dm_ioctl *io = new_request(buf, name, -1);
	struct dm_target_spec *spec = (void *)(buf + io->data_start);

	io->target_count = 1;
	spec->sector_start = 0;
	spec->length = 8;
	snprintf(spec->target_type, sizeof(spec->target_type), "error");
	((char *)(spec + 1))[0] = '\0';
	return dm_call(DM_TABLE_LOAD, io);
}

static int dm_resume(const char *name)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));

	return dm_call(DM_DEV_SUSPEND, new_request(buf, name, -1));
}

static void remove_quietly(const char *name)
{
	for (int i = 0; i < 1000 && dm_remove(name) == -EBUSY; i++)
		usleep(1000);
}

// a block device node of our own, so that nothing depends on udev or devtmpfs
static void block_node(char *path, size_t size, int minor)
{
	snprintf(path, size, "%s/rw-dm-%d", node_dir, minor);
	unlink(path);
	if (mknod(path, S_IFBLK | 0600, makedev(dm_major, minor)))
		die(path);
}

// the loop condition of every mode: not stopped, and under the iteration limit
static int more(long *done)
{
	return !stop && (!max_iter || (*done)++ < max_iter);
}

static void count(int r)
{
	if (r == 0)
		n_ok++;
	else if (r == -ENXIO || r == -ENODEV || r == -ENOENT)
		n_enxio++;
	else if (r == -EBUSY)
		n_ebusy++;
	else
		n_other++;
}

// the threads of a mode; run_for_seconds ends early once all of them returned
struct job {
	void *(*fn)(void *);
	uintptr_t arg;
};
static struct job jobs[MAX_THREADS + 1];
static unsigned int threads_started;
static atomic_uint threads_done;

static void *job_main(void *p)
{
	struct job *job = p;

	job->fn((void *)job->arg);
	threads_done++;
	return NULL;
}

static void run_threads(void *(*fn)(void *), unsigned int n, pthread_t *tids)
{
	for (unsigned int i = 0; i < n; i++) {
		struct job *job = &jobs[threads_started++];

		job->fn = fn;
		job->arg = i;
		if (pthread_create(&tids[i], NULL, job_main, job))
			die("pthread_create");
	}
}

static void join_threads(unsigned int n, pthread_t *tids)
{
	for (unsigned int i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
}

static void run_for_seconds(void)
{
	double end = now() + seconds;

	while (now() < end && threads_done < threads_started)
		usleep(10000);
	stop = 1;
}

// --- lookup and dup-create: lookups by number of base_minor ---

static atomic_int creator_done;
// set by the open mode: its openers are paced (see open_loop)
static int open_paced;

// with an iteration limit (a recording), the lookups are paced and last as
// long as the creator, so that they overlap its creates and removes
static void *lookup_loop(void *arg)
{
	(void)arg;
	while (!stop && !creator_done) {
		count(dm_status_by_dev(base_minor));
		if (max_iter)
			usleep(500);
	}
	return NULL;
}

static void *create_remove_fixed(void *arg)
{
	long i = 0;

	(void)arg;
	while (more(&i)) {
		if (dm_create("rw-lookup", base_minor) == 0) {
			n_iter++;
			remove_quietly("rw-lookup");
		}
	}
	creator_done = 1;
	return NULL;
}

static void *create_taken_name(void *arg)
{
	long i = 0;

	(void)arg;
	while (more(&i))
		if (dm_create("rw-keep", base_minor) == -EBUSY)
			n_iter++;
	creator_done = 1;
	return NULL;
}

static void mode_lookup(int dup)
{
	pthread_t tids[MAX_THREADS + 1];

	if (dup) {
		remove_quietly("rw-keep");
		if (dm_create("rw-keep", base_minor + 1))
			die("create rw-keep");
	}
	// one device made and removed before any lookup runs: a recording then has a completed device
	// (R1's md_init_done) even when the first racing create is found half-made and the kernel oopses;
	// a trace with no md_init_done at all cannot tell a device never initialised from a probe not placed
	if (!dup && dm_create("rw-lookup", base_minor) == 0)
		remove_quietly("rw-lookup");
	// lookups counted separately from the creator's outcomes
	run_threads(lookup_loop, nthreads, tids);
	run_threads(dup ? create_taken_name : create_remove_fixed, 1, tids + nthreads);
	run_for_seconds();
	join_threads(nthreads + 1, tids);
	if (dup)
		remove_quietly("rw-keep");
	printf("workload %s minor=%u creates=%ld lookups_found=%ld lookups_absent=%ld lookups_other=%ld\n",
	       dup ? "dup-create" : "lookup", base_minor, (long)n_iter, (long)n_ok,
	       (long)n_enxio, (long)(n_ebusy + n_other));
}

// --- open: opens of the block device racing its removal ---

static char open_path[256];
// the open mode's creator ran its last iteration (with -i, the openers last as long as it)
static atomic_int remover_done;

static void *open_loop(void *arg)
{
	long i = 0;
	// with an iteration limit (a recording), the open mode's opens are paced and last as long
	// as its creates and removes, so that some are inside dm_blk_open while a remove frees
	int paced = max_iter && open_paced;

	(void)arg;
	while (paced ? !stop && !remover_done : more(&i)) {
		int fd = open(open_path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			n_ok++;
			close(fd);
		} else {
			count(-errno);
		}
		if (paced)
			usleep(500);
	}
	return NULL;
}

static int create_with_table(const char *name, int minor)
{
	int r = dm_create(name, minor);

	if (r == 0 && (r = dm_load_error_table(name)) == 0)
		r = dm_resume(name);
	if (r)
		remove_quietly(name);
	return r;
}

static void mode_open(void)
{
	pthread_t tids[MAX_THREADS];
	long removes = 0, remove_busy = 0, i = 0;

	block_node(open_path, sizeof(open_path), base_minor);
	open_paced = 1;
	run_threads(open_loop, nthreads, tids);
	double end = now() + seconds;
	while (now() < end && more(&i)) {
		if (create_with_table("rw-open", base_minor))
			continue;
		n_iter++;
		int r;
		while ((r = dm_remove("rw-open")) == -EBUSY)
			remove_busy++;
		if (r == 0)
			removes++;
	}
	remover_done = 1;
	stop = 1;
	join_threads(nthreads, tids);
	unlink(open_path);
	printf("workload open minor=%u creates=%ld removes=%ld remove_ebusy=%ld opens_ok=%ld opens_absent=%ld opens_other=%ld\n",
	       base_minor, (long)n_iter, removes, remove_busy, (long)n_ok, (long)n_enxio,
	       (long)(n_ebusy + n_other));
}

// --- create: any-minor creates and removes from several tasks ---

static void *create_any_loop(void *arg)
{
	char name[32];
	long i = 0;

	snprintf(name, sizeof(name), "rw-create-%u", (unsigned int)(uintptr_t)arg);
	while (more(&i)) {
		int r = dm_create(name, -1);

		count(r);
		if (r == 0)
			remove_quietly(name);
	}
	return NULL;
}

static void mode_create(void)
{
	pthread_t tids[MAX_THREADS];

	run_threads(create_any_loop, nthreads, tids);
	run_for_seconds();
	join_threads(nthreads, tids);
	printf("workload create creates=%ld create_failed=%ld\n", (long)n_ok,
	       (long)(n_enxio + n_ebusy + n_other));
}

// --- unload: delete_module racing a live device ---

static void mode_unload(void)
{
	pthread_t tids[MAX_THREADS];
	int r = -ETIMEDOUT, unloaded = 0;
	long refused = 0;

	if (create_with_table("rw-unload", base_minor))
		die("create rw-unload");
	block_node(open_path, sizeof(open_path), base_minor);
	// the control fd pins dm_mod: close it, so only the device can
	close(control_fd);
	control_fd = -1;
	run_threads(open_loop, nthreads, tids);
	// let the opens get going first, so that the unload races them
	for (int i = 0; i < 1000 && !n_ok; i++)
		usleep(1000);
	double end = now() + seconds;
	while (now() < end) {
		r = syscall(SYS_delete_module, "dm_mod", O_NONBLOCK) ? -errno : 0;
		if (r == 0) {
			unloaded = 1;
			break;
		}
		refused++;
		usleep(1000);
	}
	stop = 1;
	join_threads(nthreads, tids);
	unlink(open_path);
	if (!unloaded) {
		open_control();
		remove_quietly("rw-unload");
	}
	printf("workload unload live_device=1 unloaded=%s refused=%ld last_error=%s opens_ok=%ld opens_absent=%ld\n",
	       unloaded ? "yes" : "no", refused, unloaded ? "none" : strerror(-r), (long)n_ok,
	       (long)n_enxio);
}

// --- register: an opener reached through the first table load ---

static atomic_int opened, closed, remove_done;

// opens as soon as the node works, keeps the device open until the main task
// has tried to remove it (at most 1 s: a kernel that lost the open makes the
// remove wait for this close), then closes
static void *open_when_visible(void *arg)
{
	(void)arg;
	int fd = -1;

	while (!stop && fd < 0)
		fd = open(open_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	opened = 1;
	for (int i = 0; i < 1000 && !remove_done && !stop; i++)
		usleep(1000);
	close(fd);
	closed = 1;
	return NULL;
}

static void mode_register(void)
{
	long rounds = 0, open_in_time = 0, remove_busy = 0, remove_while_open = 0;
	double end = now() + seconds;

	block_node(open_path, sizeof(open_path), base_minor);
	while (now() < end && (!max_iter || rounds < max_iter)) {
		pthread_t tid;

		if (dm_create("rw-register", base_minor))
			continue;
		opened = closed = remove_done = stop = 0;
		if (pthread_create(&tid, NULL, open_when_visible, NULL))
			die("pthread_create");
		int r = dm_load_error_table("rw-register");
		// the device is open by now, or the opener missed this round
		for (int i = 0; i < 200 && !opened; i++)
			usleep(1000);
		if (r == 0 && opened && !closed) {
			open_in_time++;
			// the device is open: a correct kernel refuses with EBUSY; a
			// kernel that lost the open removes it (after the close)
			r = dm_remove("rw-register");
			if (r == 0)
				remove_while_open++;
			else if (r == -EBUSY)
				remove_busy++;
		}
		remove_done = 1;
		stop = 1;
		pthread_join(tid, NULL);
		remove_quietly("rw-register");
		rounds++;
	}
	unlink(open_path);
	printf("workload register minor=%u rounds=%ld opened_before_remove=%ld remove_ebusy=%ld remove_while_open=%ld window_hit=%s\n",
	       base_minor, rounds, open_in_time, remove_busy, remove_while_open,
	       remove_while_open ? "yes" : "no");
}

static void usage(void)
{
	fprintf(stderr, "usage: dm-race-workload [-t SECONDS] [-i ITERATIONS] [-j THREADS] [-m MINOR] [-d DIR] "
			"lookup|dup-create|open|create|unload|register\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "t:i:j:m:d:")) != -1) {
		switch (c) {
		case 't': seconds = strtoul(optarg, NULL, 10); break;
		case 'i': max_iter = strtol(optarg, NULL, 10); break;
		case 'j': nthreads = strtoul(optarg, NULL, 10); break;
		case 'm': base_minor = strtoul(optarg, NULL, 10); break;
		case 'd': node_dir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || nthreads < 1 || nthreads > MAX_THREADS)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	dm_major = find_dm_major();
	open_control();

	const char *mode = argv[optind];
	if (!strcmp(mode, "lookup"))
		mode_lookup(0);
	else if (!strcmp(mode, "dup-create"))
		mode_lookup(1);
	else if (!strcmp(mode, "open"))
		mode_open();
	else if (!strcmp(mode, "create"))
		mode_create();
	else if (!strcmp(mode, "unload"))
		mode_unload();
	else if (!strcmp(mode, "register"))
		mode_register();
	else
		usage();
	return 0;
}
