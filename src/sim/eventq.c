/* A binary min-heap and EVENTQ_RUNS sorted runs, all ordered by (time,
 * order).  The push counter "order" makes every key unique, so the pop
 * sequence (always the earliest of the heap's top and the runs' fronts) is
 * a total order that does not depend on where an item was kept.
 *
 * Why the runs: in a bulk transfer the queue holds a thousand segments in
 * flight, and a pop from a heap that size walks ten levels with a cache
 * miss or a mispredicted branch at each.  But the segments on one wire
 * arrive in the order they were sent, so they nearly all append to a run
 * and pop from its front in constant time. */
#include "sim/eventq.h"

#include <stdlib.h>
#include <string.h>

#include "util/array.h"

#define EVENTQ_INITIAL_CAP 64

void eventq_init(struct eventq *q)
{
    memset(q, 0, sizeof *q);
    q->first = EVENTQ_RUNS;
}

static void run_free(struct eventq_run *r)
{
    free(r->items);
    memset(r, 0, sizeof *r);
}

void eventq_free(struct eventq *q)
{
    free(q->items);
    for (size_t k = 0; k < EVENTQ_RUNS; k++)
        run_free(&q->runs[k]);
    eventq_init(q);
}

static bool comes_before(const struct eventq_item *x, const struct eventq_item *y)
{
    return (x->time < y->time) | ((x->time == y->time) & (x->order < y->order));
}

/* Both sifts move a hole instead of swapping: the item being placed is held
 * aside and written once where it stops, the others move one step each. */

/* Move the hole at i up, no higher than top, while x comes before the
 * parent (which moves down into the hole); the hole's final index. */
static size_t climb(struct eventq *q, const struct eventq_item *x, size_t i, size_t top)
{
    while (i > top) {
        size_t parent = (i - 1) / 2;
        if (!comes_before(x, &q->items[parent]))
            break;
        q->items[i] = q->items[parent];
        i = parent;
    }
    return i;
}

static void sift_up(struct eventq *q, size_t i)
{
    struct eventq_item x = q->items[i];
    q->items[climb(q, &x, i, 0)] = x;
}

/* Place the item at i below it.  Bottom-up (Floyd): the hole first goes
 * all the way down along the earlier child at each level, which costs one
 * comparison per level instead of two, then the item climbs back up that
 * path to its place.  The item sifted down by a pop is the heap's last, a
 * late one, so it climbs back little.  The path and the values on it are
 * those of the textbook sift (which stops where the item comes before the
 * earlier child), so the heap ends up arranged the same way. */
static void sift_down(struct eventq *q, size_t i)
{
    struct eventq_item x = q->items[i];
    size_t top = i;
    for (;;) {
        size_t left = 2 * i + 1;
        if (left >= q->len)
            break;
        size_t first = left;
        if (left + 1 < q->len)
            first += comes_before(&q->items[left + 1], &q->items[left]);
        q->items[i] = q->items[first];
        i = first;
    }
    q->items[climb(q, &x, i, top)] = x;
}

/* Double an item array (the heap's or a run's), or give it its first
 * EVENTQ_INITIAL_CAP; false, with the array untouched, when the size
 * would overflow or memory runs out. */
static bool grow_items(struct eventq_item **items, size_t *cap)
{
    struct eventq_item *grown = array_grow(*items, cap, sizeof *grown, EVENTQ_INITIAL_CAP);
    if (!grown)
        return false;
    *items = grown;
    return true;
}

static bool ensure_room_for_one(struct eventq *q)
{
    return q->len < q->cap || grow_items(&q->items, &q->cap);
}

static void heap_push(struct eventq *q, struct eventq_item item)
{
    q->items[q->len] = item;
    sift_up(q, q->len);
    q->len++;
}

static void heap_pop(struct eventq *q)
{
    q->len--;
    if (q->len > 0) {
        q->items[0] = q->items[q->len];
        sift_down(q, 0);
    }
}

/* ---- runs ---- */

static const struct eventq_item *run_front(const struct eventq_run *r)
{
    return &r->items[r->head];
}

static const struct eventq_item *run_back(const struct eventq_run *r)
{
    return &r->items[r->head + r->len - 1];
}

/* Room for one more item at the back: slide the items to the front when
 * at least half of the array is free there, else double the array. */
static bool run_room_for_one(struct eventq_run *r)
{
    if (r->head + r->len < r->cap)
        return true;
    if (r->head >= r->cap / 2 && r->head > 0) {
        memmove(r->items, r->items + r->head, r->len * sizeof *r->items);
        r->head = 0;
        return true;
    }
    return grow_items(&r->items, &r->cap);
}

static void run_pop(struct eventq_run *r)
{
    r->head++;
    if (--r->len == 0)
        r->head = 0;
}

/* The run item (already numbered) may be appended to without breaking its
 * order: the one whose last item is the latest among those not later than
 * it (so runs stay tight), else an empty one; -1 for the heap.  Its order
 * is larger than every queued item's, so an equal time is no obstacle. */
static int run_for(const struct eventq *q, const struct eventq_item *item)
{
    int best = -1, empty = -1;
    for (int k = 0; k < EVENTQ_RUNS; k++) {
        const struct eventq_run *r = &q->runs[k];
        if (r->len == 0) {
            if (empty < 0)
                empty = k;
        } else if (run_back(r)->time <= item->time &&
                   (best < 0 || run_back(&q->runs[best])->time < run_back(r)->time)) {
            best = k;
        }
    }
    return best >= 0 ? best : empty;
}

/* The front item of a source (-1 the heap, k run k), which must not be
 * empty. */
static const struct eventq_item *source_front(const struct eventq *q, int source)
{
    return source < 0 ? &q->items[0] : run_front(&q->runs[source]);
}

/* Where the earliest item is, found by looking at every source (q->first
 * caches it between changes): -1 for the heap's top, k for run k's front;
 * EVENTQ_RUNS when the queue is empty. */
static int earliest_source(const struct eventq *q)
{
    const struct eventq_item *first = q->len ? &q->items[0] : NULL;
    int source = q->len ? -1 : EVENTQ_RUNS;
    for (int k = 0; k < EVENTQ_RUNS; k++) {
        const struct eventq_run *r = &q->runs[k];
        if (r->len && (!first || comes_before(run_front(r), first))) {
            first = run_front(r);
            source = k;
        }
    }
    return source;
}

/* ---- the queue ---- */

bool eventq_push(struct eventq *q, struct eventq_item item)
{
    item.order = q->next_order;
    /* The earliest item changes only if this one comes before it. */
    bool becomes_first =
        q->first == EVENTQ_RUNS || comes_before(&item, source_front(q, q->first));
    int k = run_for(q, &item);
    if (k >= 0) {
        struct eventq_run *r = &q->runs[k];
        if (!run_room_for_one(r))
            return false;
        r->items[r->head + r->len++] = item;
    } else {
        if (!ensure_room_for_one(q))
            return false;
        heap_push(q, item);
    }
    if (becomes_first)
        q->first = k; /* -1 when it went to the heap, where it is now the top */
    q->next_order++;
    return true;
}

const struct eventq_item *eventq_peek(const struct eventq *q)
{
    return q->first == EVENTQ_RUNS ? NULL : source_front(q, q->first);
}

bool eventq_pop(struct eventq *q, struct eventq_item *out)
{
    int source = q->first;
    if (source == EVENTQ_RUNS)
        return false;
    if (source < 0) {
        if (out)
            *out = q->items[0];
        heap_pop(q);
    } else {
        if (out)
            *out = *run_front(&q->runs[source]);
        run_pop(&q->runs[source]);
    }
    q->first = earliest_source(q);
    return true;
}

size_t eventq_len(const struct eventq *q)
{
    size_t n = q->len;
    for (size_t k = 0; k < EVENTQ_RUNS; k++)
        n += q->runs[k].len;
    return n;
}

/* The heap's items first, then each run's. */
const struct eventq_item *eventq_item_at(const struct eventq *q, size_t i)
{
    if (i < q->len)
        return &q->items[i];
    i -= q->len;
    for (size_t k = 0; k < EVENTQ_RUNS; k++) {
        const struct eventq_run *r = &q->runs[k];
        if (i < r->len)
            return &r->items[r->head + i];
        i -= r->len;
    }
    return NULL;
}

/* Keep the items of run r that match() refuses, in their order. */
static size_t run_remove_if(struct eventq_run *r,
                            bool (*match)(const struct eventq_item *item, void *ctx), void *ctx)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->len; i++) {
        const struct eventq_item *it = &r->items[r->head + i];
        if (!match(it, ctx))
            r->items[r->head + kept++] = *it;
    }
    size_t removed = r->len - kept;
    r->len = kept;
    if (kept == 0)
        r->head = 0;
    return removed;
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
    for (size_t k = 0; k < EVENTQ_RUNS; k++)
        removed += run_remove_if(&q->runs[k], match, ctx);
    q->first = earliest_source(q);
    return removed;
}

/* n items from src into a new array at *dst (NULL when n is 0). */
static bool copy_items(struct eventq_item **dst, const struct eventq_item *src, size_t n)
{
    *dst = NULL;
    if (n == 0)
        return true;
    *dst = malloc(n * sizeof **dst);
    if (!*dst)
        return false;
    memcpy(*dst, src, n * sizeof **dst);
    return true;
}

bool eventq_clone(struct eventq *dst, const struct eventq *src)
{
    eventq_init(dst);
    if (!copy_items(&dst->items, src->items, src->len))
        return false;
    dst->cap = dst->len = src->len;
    for (size_t k = 0; k < EVENTQ_RUNS; k++) {
        const struct eventq_run *from = &src->runs[k];
        struct eventq_run *to = &dst->runs[k];
        if (!copy_items(&to->items, from->items + from->head, from->len)) {
            eventq_free(dst);
            return false;
        }
        to->cap = to->len = from->len;
    }
    dst->first = src->first;
    dst->next_order = src->next_order;
    return true;
}
