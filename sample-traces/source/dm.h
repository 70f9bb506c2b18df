/*
 * dm.h - declarations shared by the dm-race-lens model of the device-mapper
 * core (dm.c) and its minor-number table (idr.c).
 *
 * This is a teaching model, not kernel code: it keeps only what the 2006
 * mapped_device create/lookup/open/free races depend on.  Comments of the
 * form "@step NAME" mark the statements the simulator executes; the
 * simulator finds their line numbers by searching for the markers.
 */
#ifndef DM_MODEL_H
#define DM_MODEL_H

#define MINORBITS	20
#define DMF_FREEING	3

#define IDR_SIZE	32

struct idr_layer;

struct idr {
	struct idr_layer *slot[IDR_SIZE];
	struct idr_layer *free_list;	/* layers preallocated by idr_pre_get */
	int free_count;
	spinlock_t lock;		/* protects free_list only */
};

struct mapped_device {
	struct rw_semaphore io_lock;
	atomic_t holders;		/* references; the last put frees */
	unsigned long flags;		/* DMF_* bits */
	request_queue_t *queue;
	mempool_t *io_pool;
	struct gendisk *disk;		/* disk->private_data points back here */
	atomic_t pending;		/* bios in flight */
	wait_queue_head_t wait;		/* woken when pending reaches 0 */
	wait_queue_head_t eventq;	/* table events */
};

int idr_pre_get(struct idr *idp, gfp_t gfp);
int idr_get_new(struct idr *idp, void *ptr, int *id);
void *idr_find(struct idr *idp, int id);
void idr_remove(struct idr *idp, int id);

void dm_get(struct mapped_device *md);
void dm_put(struct mapped_device *md);

#endif
