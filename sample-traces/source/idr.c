/*
 * idr.c - the part of the integer-to-pointer table that dm uses for its
 * minor numbers.  A model: a flat array of slots stands in for the radix
 * tree, and every id lives in a layer of its own, so each new id uses up
 * one preallocated layer (the real tree needs a new one only now and then).
 * Callers serialise idr_get_new/idr_find/idr_remove themselves; idr->lock
 * only guards the preallocated layers.
 */
#include "dm.h"

struct idr_layer {
	void *ptr;
	struct idr_layer *next;		/* free list link */
};

/*
 * Fill the private cache of free layers.  May sleep when gfp allows it, so
 * call it before taking the lock that serialises idr_get_new.  Returns 0
 * only when memory ran out.
 */
int idr_pre_get(struct idr *idp, gfp_t gfp)
{
	while (idp->free_count < 1) {
		struct idr_layer *l = kzalloc(sizeof(*l), gfp);
		if (!l)
			return 0;
		spin_lock(&idp->lock);
		l->next = idp->free_list;
		idp->free_list = l;
		idp->free_count++;
		spin_unlock(&idp->lock);
	}
	return 1;
}

static struct idr_layer *take_layer(struct idr *idp)
{
	struct idr_layer *l;

	spin_lock(&idp->lock);
	l = idp->free_list;
	if (l) {
		idp->free_list = l->next;
		idp->free_count--;
	}
	spin_unlock(&idp->lock);
	return l;
}

/*
 * Store ptr under the lowest free id.  -EAGAIN: the preallocated layers
 * ran out (someone else used them since our idr_pre_get); -ENOSPC: full.
 */
int idr_get_new(struct idr *idp, void *ptr, int *id)
{
	struct idr_layer *l;
	int i = 0;

	while (i < IDR_SIZE && idp->slot[i])
		i++;
	if (i == IDR_SIZE)
		return -ENOSPC;
	l = take_layer(idp);
	if (!l)
		return -EAGAIN;
	l->ptr = ptr;
	idp->slot[i] = l;
	*id = i;
	return 0;
}

void *idr_find(struct idr *idp, int id)
{
	if (id < 0 || id >= IDR_SIZE || !idp->slot[id])
		return NULL;
	return idp->slot[id]->ptr;
}

void idr_remove(struct idr *idp, int id)
{
	if (id < 0 || id >= IDR_SIZE || !idp->slot[id])
		return;
	kfree(idp->slot[id]);
	idp->slot[id] = NULL;
}
