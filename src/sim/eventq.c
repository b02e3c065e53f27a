/* Binary min-heap ordered by (time, order).  The push counter "order" makes
 * every key unique, so the heap's pop sequence is a total order that does not
 * depend on how the heap happens to be arranged internally. */
#include "sim/eventq.h"

#include <stdlib.h>
#include <string.h>

#define EVENTQ_INITIAL_CAP 64

void eventq_init(struct eventq *q)
{
    memset(q, 0, sizeof *q);
}

void eventq_free(struct eventq *q)
{
    free(q->items);
    eventq_init(q);
}

static bool comes_before(const struct eventq_item *x, const struct eventq_item *y)
{
    if (x->time != y->time)
        return x->time < y->time;
    return x->order < y->order;
}

static void swap_items(struct eventq_item *x, struct eventq_item *y)
{
    struct eventq_item t = *x;
    *x = *y;
    *y = t;
}

static void sift_up(struct eventq *q, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!comes_before(&q->items[i], &q->items[parent]))
            break;
        swap_items(&q->items[i], &q->items[parent]);
        i = parent;
    }
}

static void sift_down(struct eventq *q, size_t i)
{
    for (;;) {
        size_t left = 2 * i + 1, right = left + 1, first = i;
        if (left < q->len && comes_before(&q->items[left], &q->items[first]))
            first = left;
        if (right < q->len && comes_before(&q->items[right], &q->items[first]))
            first = right;
        if (first == i)
            return;
        swap_items(&q->items[i], &q->items[first]);
        i = first;
    }
}

static bool ensure_room_for_one(struct eventq *q)
{
    if (q->len < q->cap)
        return true;
    size_t new_cap = q->cap ? q->cap * 2 : EVENTQ_INITIAL_CAP;
    if (new_cap < q->cap || new_cap > SIZE_MAX / sizeof *q->items)
        return false;
    struct eventq_item *items = realloc(q->items, new_cap * sizeof *items);
    if (!items)
        return false;
    q->items = items;
    q->cap = new_cap;
    return true;
}

bool eventq_push(struct eventq *q, struct eventq_item item)
{
    if (!ensure_room_for_one(q))
        return false;
    item.order = q->next_order++;
    q->items[q->len] = item;
    sift_up(q, q->len);
    q->len++;
    return true;
}

const struct eventq_item *eventq_peek(const struct eventq *q)
{
    return q->len ? &q->items[0] : NULL;
}

bool eventq_pop(struct eventq *q, struct eventq_item *out)
{
    if (q->len == 0)
        return false;
    if (out)
        *out = q->items[0];
    q->len--;
    if (q->len > 0) {
        q->items[0] = q->items[q->len];
        sift_down(q, 0);
    }
    return true;
}

size_t eventq_len(const struct eventq *q)
{
    return q->len;
}

const struct eventq_item *eventq_item_at(const struct eventq *q, size_t i)
{
    return i < q->len ? &q->items[i] : NULL;
}

size_t eventq_remove_if(struct eventq *q,
                        bool (*match)(const struct eventq_item *item, void *ctx),
                        void *ctx)
{
    size_t kept = 0;
    for (size_t i = 0; i < q->len; i++) {
        if (!match(&q->items[i], ctx))
            q->items[kept++] = q->items[i];
    }
    size_t removed = q->len - kept;
    q->len = kept;
    /* Rebuild the heap bottom-up (Floyd).  Orders are untouched, so ties
     * still break first-in first-out. */
    for (size_t i = kept / 2; i-- > 0;)
        sift_down(q, i);
    return removed;
}

bool eventq_clone(struct eventq *dst, const struct eventq *src)
{
    eventq_init(dst);
    if (src->len > 0) {
        dst->items = malloc(src->len * sizeof *dst->items);
        if (!dst->items)
            return false;
        memcpy(dst->items, src->items, src->len * sizeof *dst->items);
        dst->cap = dst->len = src->len;
    }
    dst->next_order = src->next_order;
    return true;
}
