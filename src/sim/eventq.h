/* The world's agenda: happenings scheduled at virtual times (a segment
 * arriving, a host's timer deadline, a scripted action), kept in a binary
 * min-heap and a few sorted runs beside it.  Items due at the same time
 * come out in the order they were pushed, so a run never depends on how
 * the items happen to be arranged: that is what makes the world
 * deterministic.
 *
 * The queue does not know what the items mean: kind, a and b are the
 * world's to define (e.g. kind = segment arrival, a = host, b = packet id). */
#ifndef TCPVIZ_SIM_EVENTQ_H
#define TCPVIZ_SIM_EVENTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eventq_item {
    uint64_t time;   /* absolute µs when it happens */
    uint64_t order;  /* set by eventq_push: breaks ties first-in first-out */
    uint32_t kind;
    uint32_t a;
    uint64_t b;
};

/* Items that were pushed in (time, order) order, taken from the front:
 * items[head .. head + len). */
struct eventq_run {
    struct eventq_item *items;
    size_t head, len, cap;
};

/* Most items arrive in time order per source (the segments on one wire,
 * the ACKs coming back), so an item that is not earlier than the last item
 * of one of a few runs is appended to it in O(1); only the others go to the
 * heap.  Every item is in exactly one of them. */
#define EVENTQ_RUNS 4

struct eventq {
    struct eventq_item *items; /* the heap: heap order, items[0] is its earliest */
    size_t len, cap;           /* of the heap */
    struct eventq_run runs[EVENTQ_RUNS];
    int first;                 /* where the earliest item is: -1 the heap's top,
                                  k run k's front, EVENTQ_RUNS none (empty) */
    uint64_t next_order;       /* pushes so far */
};

void eventq_init(struct eventq *q);
void eventq_free(struct eventq *q);
/* Schedule item (its order field is ignored and assigned here).  Returns
 * false, leaving the queue unchanged, when out of memory. */
bool eventq_push(struct eventq *q, struct eventq_item item);
/* The earliest item, or NULL when empty.  Valid until the next change. */
const struct eventq_item *eventq_peek(const struct eventq *q);
/* Remove the earliest item into *out (out may be NULL); false when empty. */
bool eventq_pop(struct eventq *q, struct eventq_item *out);
size_t eventq_len(const struct eventq *q);
/* Item number i in no particular order (i < eventq_len), for views that list
 * what is pending, e.g. segments in flight; NULL when out of range. */
const struct eventq_item *eventq_item_at(const struct eventq *q, size_t i);
/* Remove every item for which match returns true (e.g. a segment the user
 * chose to drop).  Returns how many were removed.  The FIFO order among the
 * remaining items is kept. */
size_t eventq_remove_if(struct eventq *q,
                        bool (*match)(const struct eventq_item *item, void *ctx),
                        void *ctx);
/* Deep copy for world snapshots.  dst must not own memory (fresh, or after
 * eventq_free).  Returns false when out of memory; dst is then an empty
 * queue that is safe to free. */
bool eventq_clone(struct eventq *dst, const struct eventq *src);

#endif
