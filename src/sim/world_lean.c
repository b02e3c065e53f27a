/* The lean packet store: bytes of packets in flight only.
 *
 * A world that keeps every packet (the default) can show or export any of
 * them later, but a 100 MB transfer would need hundreds of megabytes for
 * that.  In lean mode (world_options.keep_packets = false) the world still
 * owns the bytes of every packet between the moment it is emitted and its
 * last scheduled delivery, because a delivery is only an eventq item naming
 * a packet id.  So a packet is held once per WI_DELIVER item that names it
 * and freed when the last one has been processed; a packet that no delivery
 * ever names (dropped on the wire, sent to no one) is freed at the end of
 * the step that stored it.  Memory is then bounded by what is in flight.
 *
 * Ids are still handed out in order from w->npkts, so events carry the same
 * ids in both modes.  Live packets are found through a chained hash table
 * keyed by id: ids are consecutive, so `id & mask` spreads them evenly and
 * chains stay about one node long, and a packet that stays in flight for a
 * long time costs one node, not a table as wide as the ids issued meanwhile. */
#include "sim/world_internal.h"

#include <stdlib.h>
#include <string.h>

/* Packets up to this size share recycled buffers, so a steady stream of
 * MSS-sized segments costs no malloc/free per packet. */
#define LEAN_BUF_SIZE 2048u
#define LEAN_MIN_BUCKETS 64u
#define LEAN_NIL UINT32_MAX

struct lean_pkt {
    uint8_t *bytes; /* owned while the node is in use */
    uint32_t id;
    uint32_t len;
    uint32_t refs;  /* WI_DELIVER items naming it that have not run yet */
    uint32_t next;  /* next node in its bucket's chain, or in the free list */
    bool copy;      /* a corrupted copy made by the world */
    bool fresh;     /* stored during the current step */
};

struct lean_store {
    struct lean_pkt *nodes;
    size_t nnodes, nodes_cap;
    uint32_t free_node;  /* head of the list of unused nodes */
    uint32_t *buckets;   /* chain heads, mask + 1 of them (a power of two) */
    size_t mask;
    size_t live;
    uint32_t *fresh;     /* nodes stored during the current step (a fresh node
                            stays until the sweep, so its index does too) */
    size_t nfresh, fresh_cap;
    uint8_t **spare;     /* recycled LEAN_BUF_SIZE buffers */
    size_t nspare, spare_cap;
    uint8_t *pending;    /* handed out by world_lean_buffer, not stored yet */
    /* The node of the id looked up last, LEAN_NIL if none: a packet is
     * looked up twice in a row, held just after it is stored and released
     * just after its bytes are read for delivery. */
    uint32_t last_id, last_node;
};

/* Grow *buf to hold at least need elements of size sz (doubling). */
static bool grow_array(void **buf, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 64;
    if (n < need)
        n = need;
    if (n > SIZE_MAX / sz)
        return false;
    void *p = realloc(*buf, n * sz);
    if (!p)
        return false;
    *buf = p;
    *cap = n;
    return true;
}

static uint32_t *new_buckets(size_t n)
{
    uint32_t *b = n <= SIZE_MAX / sizeof *b ? malloc(n * sizeof *b) : NULL;
    for (size_t i = 0; b && i < n; i++)
        b[i] = LEAN_NIL;
    return b;
}

struct lean_store *world_lean_new(void)
{
    struct lean_store *ls = calloc(1, sizeof *ls);
    if (!ls)
        return NULL;
    ls->buckets = new_buckets(LEAN_MIN_BUCKETS);
    if (!ls->buckets) {
        free(ls);
        return NULL;
    }
    ls->mask = LEAN_MIN_BUCKETS - 1;
    ls->free_node = LEAN_NIL;
    ls->last_node = LEAN_NIL;
    return ls;
}

void world_lean_free(struct lean_store *ls)
{
    if (!ls)
        return;
    for (size_t b = 0; b <= ls->mask; b++)
        for (uint32_t n = ls->buckets[b]; n != LEAN_NIL; n = ls->nodes[n].next)
            free(ls->nodes[n].bytes);
    for (size_t i = 0; i < ls->nspare; i++)
        free(ls->spare[i]);
    free(ls->pending);
    free(ls->nodes);
    free(ls->buckets);
    free(ls->fresh);
    free(ls->spare);
    free(ls);
}

size_t world_lean_live(const struct lean_store *ls)
{
    return ls ? ls->live : 0;
}

/* Node holding id, or LEAN_NIL; remembered for the next lookup. */
static uint32_t find_node(struct lean_store *ls, uint32_t id)
{
    if (ls->last_node != LEAN_NIL && ls->last_id == id)
        return ls->last_node;
    uint32_t n = ls->buckets[id & ls->mask];
    while (n != LEAN_NIL && ls->nodes[n].id != id)
        n = ls->nodes[n].next;
    if (n != LEAN_NIL) {
        ls->last_id = id;
        ls->last_node = n;
    }
    return n;
}

/* Double the buckets (done once there are more live packets than buckets,
 * so chains stay short). */
static bool grow_buckets(struct lean_store *ls)
{
    size_t n = (ls->mask + 1) * 2;
    uint32_t *b = new_buckets(n);
    if (!b)
        return false;
    for (size_t i = 0; i <= ls->mask; i++) {
        uint32_t node = ls->buckets[i];
        while (node != LEAN_NIL) {
            uint32_t next = ls->nodes[node].next;
            size_t home = ls->nodes[node].id & (n - 1);
            ls->nodes[node].next = b[home];
            b[home] = node;
            node = next;
        }
    }
    free(ls->buckets);
    ls->buckets = b;
    ls->mask = n - 1;
    return true;
}

static uint32_t take_node(struct lean_store *ls)
{
    if (ls->free_node != LEAN_NIL) {
        uint32_t n = ls->free_node;
        ls->free_node = ls->nodes[n].next;
        return n;
    }
    if (ls->nnodes >= LEAN_NIL ||
        !grow_array((void **)&ls->nodes, &ls->nodes_cap, ls->nnodes + 1, sizeof *ls->nodes))
        return LEAN_NIL;
    return (uint32_t)ls->nnodes++;
}

static uint8_t *take_buffer(struct lean_store *ls, size_t len)
{
    if (len > LEAN_BUF_SIZE)
        return malloc(len);
    if (ls->nspare)
        return ls->spare[--ls->nspare];
    return malloc(LEAN_BUF_SIZE);
}

static void give_buffer(struct lean_store *ls, uint8_t *buf, size_t len)
{
    if (len <= LEAN_BUF_SIZE &&
        grow_array((void **)&ls->spare, &ls->spare_cap, ls->nspare + 1, sizeof *ls->spare)) {
        ls->spare[ls->nspare++] = buf;
        return;
    }
    free(buf);
}

/* Unlink node n from its chain; its buffer and the node are recycled. */
static void remove_node(struct lean_store *ls, uint32_t n)
{
    uint32_t *link = &ls->buckets[ls->nodes[n].id & ls->mask];
    while (*link != n)
        link = &ls->nodes[*link].next;
    *link = ls->nodes[n].next;
    give_buffer(ls, ls->nodes[n].bytes, ls->nodes[n].len);
    if (ls->last_node == n)
        ls->last_node = LEAN_NIL;
    ls->nodes[n] = (struct lean_pkt){ .bytes = NULL, .next = ls->free_node };
    ls->free_node = n;
    ls->live--;
}

uint8_t *world_lean_buffer(struct lean_store *ls, size_t len)
{
    if (len > LEAN_BUF_SIZE)
        return NULL;
    if (!ls->pending)
        ls->pending = take_buffer(ls, len);
    return ls->pending;
}

/* The buffer for a packet of len bytes at pkt: the pending one when the
 * packet was built in it (*adopted is then set: no copy needed), else a
 * fresh or recycled one. */
static uint8_t *buffer_for(struct lean_store *ls, const uint8_t *pkt, size_t len, bool *adopted)
{
    *adopted = pkt && pkt == ls->pending;
    if (*adopted) {
        uint8_t *buf = ls->pending;
        ls->pending = NULL;
        return buf;
    }
    return take_buffer(ls, len ? len : 1);
}

uint32_t world_lean_store(struct world *w, const uint8_t *pkt, size_t len, bool copy)
{
    struct lean_store *ls = w->lean;
    if (w->npkts >= WORLD_NO_PACKET - 1 || len > UINT32_MAX ||
        (ls->live > ls->mask && !grow_buckets(ls)) ||
        !grow_array((void **)&ls->fresh, &ls->fresh_cap, ls->nfresh + 1, sizeof *ls->fresh)) {
        w->oom = true;
        return WORLD_NO_PACKET;
    }
    bool adopted;
    uint8_t *buf = buffer_for(ls, pkt, len, &adopted);
    uint32_t n = buf ? take_node(ls) : LEAN_NIL;
    if (n == LEAN_NIL) {
        free(buf);
        w->oom = true;
        return WORLD_NO_PACKET;
    }
    if (pkt && len && !adopted)
        memcpy(buf, pkt, len);
    uint32_t id = (uint32_t)w->npkts++;
    size_t home = id & ls->mask;
    ls->nodes[n] = (struct lean_pkt){ .bytes = buf, .id = id, .len = (uint32_t)len,
                                      .next = ls->buckets[home], .copy = copy, .fresh = true };
    ls->buckets[home] = n;
    ls->live++;
    ls->fresh[ls->nfresh++] = n;
    ls->last_id = id;
    ls->last_node = n;
    return id;
}

uint8_t *world_lean_packet(struct lean_store *ls, uint32_t id, size_t *len, bool *copy)
{
    uint32_t n = find_node(ls, id);
    if (n == LEAN_NIL)
        return NULL;
    if (len)
        *len = ls->nodes[n].len;
    if (copy)
        *copy = ls->nodes[n].copy;
    return ls->nodes[n].bytes;
}

void world_lean_hold(struct lean_store *ls, uint32_t id)
{
    uint32_t n = find_node(ls, id);
    if (n != LEAN_NIL)
        ls->nodes[n].refs++;
}

void world_lean_release(struct lean_store *ls, uint32_t id)
{
    uint32_t n = find_node(ls, id);
    if (n == LEAN_NIL || ls->nodes[n].refs == 0)
        return;
    if (--ls->nodes[n].refs == 0 && !ls->nodes[n].fresh)
        remove_node(ls, n);
}

void world_lean_sweep(struct lean_store *ls)
{
    for (size_t k = 0; k < ls->nfresh; k++) {
        uint32_t n = ls->fresh[k];
        ls->nodes[n].fresh = false;
        if (ls->nodes[n].refs == 0)
            remove_node(ls, n);
    }
    ls->nfresh = 0;
}
