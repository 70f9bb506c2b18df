/*
 * dm.c - a model of the device-mapper core paths that create, look up,
 * open and free a mapped_device, as they stood before the April 2006
 * minor/refcount series.  Written for dm-race-lens; not kernel code.
 *
 * The simulator (extension/core/simulate) executes these paths step by
 * step.  "@step NAME" comments mark the statements it reports in
 * .dmtrace files; their line numbers are looked up, never hard-coded.
 */
#include "dm.h"

static const char *_name = "device-mapper";
static int _major;
static kmem_cache_t *_io_cache;
static struct block_device_operations dm_blk_dops;

/*
 * A minor that is reserved but whose device is not ready to be found
 * holds this placeholder in _minor_idr; lookups treat it as absent.
 */
#define MINOR_ALLOCED ((void *)-1)

/*
 * Guards _minor_idr (every idr_get_new, idr_replace, idr_find and
 * idr_remove) and the last drop of md->holders.  A spinlock, so that
 * dm_put can take it with atomic_dec_and_lock: nothing may sleep here.
 */
static DEFINE_SPINLOCK(_minor_lock);
static struct idr _minor_idr;

/*---------------------------------------------------------------
 * Minor numbers
 *---------------------------------------------------------------*/
static void free_minor(unsigned int minor)
{
	spin_lock(&_minor_lock);			/* @step free_minor:lock */
	idr_remove(&_minor_idr, minor);			/* @step free_minor:remove */
	spin_unlock(&_minor_lock);			/* @step free_minor:unlock */
}

/* Reserve the lowest free minor; it holds MINOR_ALLOCED until published. */
static int next_free_minor(unsigned int *minor)
{
	int r, m;

	/* May sleep: preallocate before taking _minor_lock. */
	if (!idr_pre_get(&_minor_idr, GFP_KERNEL))	/* @step minor:pre_get */
		return -ENOMEM;

	spin_lock(&_minor_lock);			/* @step minor:lock */

	r = idr_get_new(&_minor_idr, MINOR_ALLOCED, &m); /* @step minor:get_new */
	if (r)
		goto out;

	if (m >= (1 << MINORBITS)) {
		idr_remove(&_minor_idr, m);
		r = -ENOSPC;
		goto out;
	}
	*minor = m;

out:
	spin_unlock(&_minor_lock);			/* @step minor:unlock */
	return r;
}

/*---------------------------------------------------------------
 * Creating and freeing a mapped_device
 *---------------------------------------------------------------*/
static struct mapped_device *alloc_dev(void)
{
	unsigned int minor;
	void *old;
	struct mapped_device *md = kmalloc(sizeof(*md), GFP_KERNEL); /* @step alloc:kmalloc */

	if (!md)
		return NULL;

	if (next_free_minor(&minor) < 0)
		goto bad_minor;

	memset(md, 0, sizeof(*md));			/* @step alloc:memset */
	init_rwsem(&md->io_lock);
	atomic_set(&md->holders, 1);			/* @step alloc:holders */

	md->queue = blk_alloc_queue(GFP_KERNEL);	/* @step alloc:queue */
	if (!md->queue)
		goto bad_queue;
	md->queue->queuedata = md;
	blk_queue_make_request(md->queue, dm_request);

	md->io_pool = mempool_create_slab_pool(16, _io_cache); /* @step alloc:io_pool */
	if (!md->io_pool)
		goto bad_pool;

	md->disk = alloc_disk(1);			/* @step alloc:disk */
	if (!md->disk)
		goto bad_disk;
	md->disk->major = _major;
	md->disk->first_minor = minor;
	md->disk->fops = &dm_blk_dops;
	md->disk->queue = md->queue;
	md->disk->private_data = md;
	sprintf(md->disk->disk_name, "dm-%d", minor);
	add_disk(md->disk);				/* @step alloc:add_disk */

	atomic_set(&md->pending, 0);			/* @step alloc:pending */
	init_waitqueue_head(&md->wait);			/* @step alloc:wait */
	init_waitqueue_head(&md->eventq);		/* @step alloc:eventq */

	/* Only now may dm_find_md return md. */
	spin_lock(&_minor_lock);			/* @step publish:lock */
	old = idr_replace(&_minor_idr, md, minor);	/* @step publish:replace */
	spin_unlock(&_minor_lock);			/* @step publish:unlock */
	BUG_ON(old != MINOR_ALLOCED);

	return md;

bad_disk:
	mempool_destroy(md->io_pool);
bad_pool:
	blk_put_queue(md->queue);
bad_queue:
	free_minor(minor);
bad_minor:
	kfree(md);					/* @step alloc:bad_free */
	return NULL;
}

static void free_dev(struct mapped_device *md)
{
	unsigned int minor = md->disk->first_minor;

	mempool_destroy(md->io_pool);			/* @step free:io_pool */
	del_gendisk(md->disk);				/* @step free:del_gendisk */
	free_minor(minor);

	/* An open that still finds the gendisk must not find md. */
	spin_lock(&_minor_lock);			/* @step free:pd_lock */
	md->disk->private_data = NULL;			/* @step free:pd_clear */
	spin_unlock(&_minor_lock);			/* @step free:pd_unlock */

	put_disk(md->disk);				/* @step free:put_disk */
	blk_put_queue(md->queue);			/* @step free:queue */
	kfree(md);					/* @step free:kfree */
}

int dm_create(struct mapped_device **result)
{
	struct mapped_device *md = alloc_dev();

	if (!md)
		return -ENXIO;
	*result = md;
	return 0;
}

/*---------------------------------------------------------------
 * References and lookup
 *---------------------------------------------------------------*/
void dm_get(struct mapped_device *md)
{
	atomic_inc(&md->holders);			/* @step get:inc */
}

void dm_put(struct mapped_device *md)
{
	if (atomic_dec_and_lock(&md->holders, &_minor_lock)) { /* @step put:dec */
		/* holders is 0: from here on no lookup may find md. */
		idr_replace(&_minor_idr, MINOR_ALLOCED,	/* @step put:unpublish */
			    dm_disk(md)->first_minor);
		set_bit(DMF_FREEING, &md->flags);	/* @step put:set_freeing */
		spin_unlock(&_minor_lock);		/* @step put:unlock */
		dm_table_destroy(md);
		free_dev(md);
	}
}

static struct mapped_device *dm_find_md(dev_t dev)
{
	struct mapped_device *md;
	unsigned int minor = MINOR(dev);

	if (MAJOR(dev) != _major || minor >= (1 << MINORBITS))
		return NULL;

	spin_lock(&_minor_lock);			/* @step find:lock */

	md = idr_find(&_minor_idr, minor);		/* @step find:idr_find */
	if (md && (md == MINOR_ALLOCED ||		/* @step find:check */
		   dm_disk(md)->first_minor != minor ||
		   test_bit(DMF_FREEING, &md->flags)))	/* @step find:test_freeing */
		md = NULL;
	else if (md)
		dm_get(md);				/* @step find:get */

	spin_unlock(&_minor_lock);			/* @step find:unlock */

	return md;
}

/* Returns md with a reference held, taken while md could not be freed. */
struct mapped_device *dm_get_md(dev_t dev)
{
	return dm_find_md(dev);
}

/* What a lookup ioctl (DM_DEV_STATUS and friends) does with the device. */
int dm_dev_status(dev_t dev, char *name)
{
	struct mapped_device *md = dm_get_md(dev);

	if (!md)
		return -ENXIO;
	strcpy(name, md->disk->disk_name);		/* @step status:use */
	dm_put(md);					/* @step status:put */
	return 0;
}

/*---------------------------------------------------------------
 * Block device operations
 *---------------------------------------------------------------*/
static int dm_blk_open(struct inode *inode, struct file *file)
{
	struct mapped_device *md;

	/*
	 * private_data holds no reference: read it, check it and take our
	 * reference under the lock that the final dm_put and free_dev take.
	 */
	spin_lock(&_minor_lock);			/* @step open:lock */

	md = inode->i_bdev->bd_disk->private_data;	/* @step open:private_data */
	if (!md)
		goto out;

	if (test_bit(DMF_FREEING, &md->flags)) {	/* @step open:test_freeing */
		md = NULL;
		goto out;
	}

	dm_get(md);					/* @step open:get */

out:
	spin_unlock(&_minor_lock);			/* @step open:unlock */

	return md ? 0 : -ENXIO;
}

static int dm_blk_close(struct inode *inode, struct file *file)
{
	struct mapped_device *md;

	/*
	 * As in dm_blk_open: the unlock orders everything this opener did
	 * with md before the final put, which takes the same lock.
	 */
	spin_lock(&_minor_lock);			/* @step close:lock */
	md = inode->i_bdev->bd_disk->private_data;	/* @step close:private_data */
	spin_unlock(&_minor_lock);			/* @step close:unlock */

	/* Outside the lock: a final put takes _minor_lock itself. */
	dm_put(md);					/* @step close:put */
	return 0;
}

/* A bio submitted by an opener: counted in pending, completion wakes wait. */
static int dm_request(request_queue_t *q, struct bio *bio)
{
	struct mapped_device *md = q->queuedata;

	atomic_inc(&md->pending);			/* @step io:pending */
	__split_bio(md, bio);
	if (atomic_dec_and_test(&md->pending))
		wake_up(&md->wait);			/* @step io:wake */
	return 0;
}

static struct block_device_operations dm_blk_dops = {
	.open = dm_blk_open,
	.release = dm_blk_close,
	.owner = THIS_MODULE
};

/*---------------------------------------------------------------
 * Module load and unload
 *---------------------------------------------------------------*/
static int __init dm_init(void)
{
	_io_cache = kmem_cache_create("dm_io", sizeof(struct dm_io), 0, 0, NULL, NULL);
	if (!_io_cache)
		return -ENOMEM;
	_major = register_blkdev(0, _name);
	return _major < 0 ? _major : 0;
}

static void __exit dm_exit(void)
{
	kmem_cache_destroy(_io_cache);			/* @step exit:caches */
	unregister_blkdev(_major, _name);
}

module_init(dm_init);
module_exit(dm_exit);
