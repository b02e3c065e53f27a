/* The views' index of the segments in the trace (trace_index.h). */
#include "ui/trace_index.h"

#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "tcp/stack.h"
#include "ui/ui.h"
#include "ui/view_kit.h"

#define NO_SLOT UINT32_MAX
/* How far back a segment looks for the EV_RETRANSMIT that announced it:
 * the engine reports it just before handing the packet over. */
#define RETX_LOOKBACK 8
/* How many recent segments a corrupted copy is compared with when it was
 * not made right after its original. */
#define COPY_LOOKBACK 256

/* A fact learnt from one trace event, logged so a fork can undo it. */
enum fact_kind { FACT_IN, FACT_DUP, FACT_DROP, FACT_COPY };
struct fact {
    size_t index;             /* the trace event that told it */
    uint32_t slot;            /* the segment it is about */
    uint32_t packet;          /* FACT_COPY: the copy's id */
    uint8_t kind;             /* enum fact_kind */
};

struct trace_index {
    /* One fingerprint per trace event indexed. */
    uint32_t *print;
    size_t nevents, print_cap;

    struct ti_seg *segs;
    size_t nsegs, segs_cap;

    struct fact *facts;
    size_t nfacts, facts_cap;

    /* packet id -> segment number, NO_SLOT if unknown. */
    uint32_t *slot_of;
    size_t slot_cap;

    uint32_t talk[SCN_MAX_HOSTS][SCN_MAX_HOSTS];
};

/* Grow *buf so that it holds at least n elements of size sz. */
static bool reserve(void **buf, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap)
        return true;
    size_t c = *cap ? *cap : 64;
    while (c < n)
        c *= 2;
    void *p = realloc(*buf, c * sz);
    if (!p)
        return false;
    *buf = p;
    *cap = c;
    return true;
}

struct trace_index *trace_index_new(void)
{
    struct trace_index *ti = calloc(1, sizeof *ti);
    return ti;
}

void trace_index_free(struct trace_index *ti)
{
    if (!ti)
        return;
    free(ti->print);
    free(ti->segs);
    free(ti->facts);
    free(ti->slot_of);
    free(ti);
}

size_t trace_index_events(const struct trace_index *ti) { return ti->nevents; }
size_t trace_index_count(const struct trace_index *ti) { return ti->nsegs; }

const struct ti_seg *trace_index_seg(const struct trace_index *ti, size_t k)
{
    return k < ti->nsegs ? &ti->segs[k] : NULL;
}

/* ------------------------------------------------------------------ */
/* Fingerprints: enough of an event to notice that a fork rewrote it.  The
 * union is read field by field, never as raw bytes, because events are not
 * all zeroed before they are filled. */

static uint32_t mix(uint32_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (uint8_t)(v >> (8 * i));
        h *= 16777619u; /* FNV-1a */
    }
    return h;
}

static bool is_seg_kind(uint8_t kind)
{
    return kind == EV_SEG_OUT || kind == EV_SEG_IN || kind == EV_SEG_DROP;
}

static uint32_t fingerprint(const struct trace_entry *e)
{
    uint32_t h = 2166136261u;
    h = mix(h, e->t);
    h = mix(h, ((uint64_t)e->ev.kind << 48) | ((uint64_t)e->ev.endpoint << 32) | e->ev.conn);
    if (is_seg_kind(e->ev.kind)) {
        const struct tcp_event_seg *s = &e->ev.u.seg;
        h = mix(h, ((uint64_t)s->seq << 32) | s->ack);
        h = mix(h, ((uint64_t)s->packet << 32) | ((uint32_t)s->flags << 8) | s->drop);
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* Undo */

static void undo_fact(struct trace_index *ti, const struct fact *f)
{
    struct ti_seg *s = &ti->segs[f->slot];
    switch ((enum fact_kind)f->kind) {
    case FACT_IN: s->in_index = TI_NONE; break;
    case FACT_DUP: s->dups--; break;
    case FACT_DROP: s->drop_index = TI_NONE; break;
    case FACT_COPY:
        ti->slot_of[f->packet] = NO_SLOT;
        s->copy = UINT32_MAX;
        break;
    }
}

static void forget_seg(struct trace_index *ti, const struct ti_seg *s)
{
    if (s->packet < ti->slot_cap)
        ti->slot_of[s->packet] = NO_SLOT;
    if (s->from >= 0 && s->to >= 0)
        ti->talk[s->from][s->to]--;
}

void trace_index_truncate(struct trace_index *ti, size_t n)
{
    /* Facts and segments are both in trace order: pop from the ends.
     * Facts go first, since they point at segments. */
    while (ti->nfacts > 0 && ti->facts[ti->nfacts - 1].index >= n)
        undo_fact(ti, &ti->facts[--ti->nfacts]);
    while (ti->nsegs > 0 && ti->segs[ti->nsegs - 1].out_index >= n)
        forget_seg(ti, &ti->segs[--ti->nsegs]);
    if (ti->nevents > n)
        ti->nevents = n;
}

/* ------------------------------------------------------------------ */
/* Indexing one event */

static bool add_fact(struct trace_index *ti, size_t index, uint32_t slot, uint32_t packet,
                     enum fact_kind kind)
{
    if (!reserve((void **)&ti->facts, &ti->facts_cap, ti->nfacts + 1, sizeof *ti->facts))
        return false;
    ti->facts[ti->nfacts++] = (struct fact){ .index = index, .slot = slot, .packet = packet,
                                             .kind = (uint8_t)kind };
    return true;
}

static bool map_packet(struct trace_index *ti, uint32_t packet, uint32_t slot)
{
    if (packet == UINT32_MAX)
        return false;
    size_t old = ti->slot_cap;
    if (!reserve((void **)&ti->slot_of, &ti->slot_cap, (size_t)packet + 1, sizeof *ti->slot_of))
        return false;
    for (size_t i = old; i < ti->slot_cap; i++)
        ti->slot_of[i] = NO_SLOT;
    ti->slot_of[packet] = slot;
    return true;
}

static int host_of_addr(const struct scenario *scn, uint32_t addr)
{
    for (unsigned i = 0; scn && i < scn->nhosts; i++)
        if (scn->hosts[i].addr == addr)
            return (int)i;
    return -1;
}

/* The EV_RETRANSMIT that announced the segment at trace index i, if any:
 * the same connection re-sending from the same sequence number, with no
 * other segment of that sender in between. */
static const struct trace_entry *announcing_retransmit(const struct trace_entry *tr, size_t i)
{
    const struct tcp_event *out = &tr[i].ev;
    for (size_t k = i, steps = 0; k-- > 0 && steps < RETX_LOOKBACK; steps++) {
        const struct tcp_event *ev = &tr[k].ev;
        if (ev->endpoint != out->endpoint)
            continue;
        if (ev->kind == EV_SEG_OUT)
            return NULL;
        if (ev->kind == EV_RETRANSMIT && ev->conn == out->conn && ev->u.retx.seq == out->u.seg.seq)
            return &tr[k];
    }
    return NULL;
}

static bool index_seg_out(struct trace_index *ti, const struct world *w,
                          const struct trace_entry *tr, size_t i)
{
    const struct scenario *scn = world_scenario(w);
    const struct tcp_event *ev = &tr[i].ev;
    if (!reserve((void **)&ti->segs, &ti->segs_cap, ti->nsegs + 1, sizeof *ti->segs))
        return false;
    uint32_t slot = (uint32_t)ti->nsegs;
    if (!map_packet(ti, ev->u.seg.packet, slot))
        return false;
    struct ti_seg *s = &ti->segs[ti->nsegs++];
    memset(s, 0, sizeof *s);
    s->packet = ev->u.seg.packet;
    s->from = (scn && ev->endpoint < scn->nhosts) ? (int)ev->endpoint : -1;
    s->to = host_of_addr(scn, ev->u.seg.dst_addr);
    s->conn = ev->conn;
    s->out_index = i;
    s->t_out = tr[i].t;
    s->seg = ev->u.seg;
    s->retx_index = s->in_index = s->drop_index = TI_NONE;
    s->copy = UINT32_MAX;
    const struct trace_entry *rx = announcing_retransmit(tr, i);
    if (rx) {
        s->retx_index = (size_t)(rx - tr);
        s->retx_cause = rx->ev.u.retx.cause;
        s->retx_attempt = rx->ev.u.retx.attempt;
    }
    if (s->from >= 0 && s->to >= 0)
        ti->talk[s->from][s->to]++;
    return true;
}

/* Bits that differ between two buffers of the same length, up to 2. */
static unsigned differing_bits(const uint8_t *a, const uint8_t *b, size_t len)
{
    unsigned n = 0;
    for (size_t i = 0; i < len && n < 2; i++) {
        uint8_t x = a[i] ^ b[i];
        while (x && n < 2) {
            n++;
            x &= (uint8_t)(x - 1);
        }
    }
    return n;
}

static bool is_copy_of(const struct world *w, uint32_t copy, uint32_t original)
{
    size_t clen = 0, olen = 0;
    const uint8_t *c = world_packet(w, copy, &clen);
    const uint8_t *o = world_packet(w, original, &olen);
    return c && o && clen == olen && differing_bits(c, o, clen) == 1;
}

/* A corrupted copy carries its own packet id: find the segment it was
 * made from (the world makes it right after storing the original, so try
 * the id before first) and remember the mapping. */
static uint32_t resolve_copy(struct trace_index *ti, const struct world *w, uint32_t packet,
                             size_t index)
{
    if (!world_packet_is_copy(w, packet))
        return NO_SLOT;
    uint32_t slot = NO_SLOT;
    if (packet > 0 && packet - 1 < ti->slot_cap && ti->slot_of[packet - 1] != NO_SLOT &&
        is_copy_of(w, packet, packet - 1))
        slot = ti->slot_of[packet - 1];
    for (size_t k = ti->nsegs, n = 0; slot == NO_SLOT && k-- > 0 && n < COPY_LOOKBACK; n++)
        if (ti->segs[k].in_index == TI_NONE && is_copy_of(w, packet, ti->segs[k].packet))
            slot = (uint32_t)k;
    if (slot == NO_SLOT || ti->segs[slot].copy != UINT32_MAX)
        return NO_SLOT;
    if (!map_packet(ti, packet, slot))
        return NO_SLOT;
    if (!add_fact(ti, index, slot, packet, FACT_COPY)) {
        ti->slot_of[packet] = NO_SLOT;
        return NO_SLOT;
    }
    ti->segs[slot].copy = packet;
    return slot;
}

static uint32_t slot_for(struct trace_index *ti, const struct world *w, uint32_t packet,
                         size_t index)
{
    if (packet < ti->slot_cap && ti->slot_of[packet] != NO_SLOT)
        return ti->slot_of[packet];
    return resolve_copy(ti, w, packet, index);
}

/* The wire's and the world's reasons: the packet died between the hosts.
 * The others are the receiver's (or a crashed receiver's). */
static bool drop_is_on_wire(uint8_t reason)
{
    switch (reason) {
    case DROP_LOSS: case DROP_BURST_LOSS: case DROP_QUEUE_FULL: case DROP_FAULT: case DROP_USER:
        return true;
    default:
        return false;
    }
}

static bool index_seg_in(struct trace_index *ti, const struct world *w,
                         const struct trace_entry *e, size_t i)
{
    uint32_t slot = slot_for(ti, w, e->ev.u.seg.packet, i);
    if (slot == NO_SLOT)
        return true; /* not a packet we saw leave: nothing to tell */
    struct ti_seg *s = &ti->segs[slot];
    if (s->in_index != TI_NONE || s->drop_index != TI_NONE) {
        if (!add_fact(ti, i, slot, 0, FACT_DUP))
            return false;
        s->dups++;
        return true;
    }
    if (!add_fact(ti, i, slot, 0, FACT_IN))
        return false;
    s->in_index = i;
    s->t_in = e->t;
    return true;
}

static bool index_seg_drop(struct trace_index *ti, const struct world *w,
                           const struct trace_entry *e, size_t i)
{
    uint32_t slot = slot_for(ti, w, e->ev.u.seg.packet, i);
    if (slot == NO_SLOT)
        return true;
    struct ti_seg *s = &ti->segs[slot];
    bool on_wire = drop_is_on_wire(e->ev.u.seg.drop);
    /* A receiver's drop after a duplicate arrived is the duplicate's. */
    if (s->drop_index != TI_NONE || (!on_wire && s->dups > 0))
        return true;
    if (!add_fact(ti, i, slot, 0, FACT_DROP))
        return false;
    s->drop_index = i;
    s->t_drop = e->t;
    s->drop = e->ev.u.seg.drop;
    s->drop_on_wire = on_wire;
    return true;
}

static bool index_event(struct trace_index *ti, const struct world *w,
                        const struct trace_entry *tr, size_t i)
{
    switch ((enum tcp_event_kind)tr[i].ev.kind) {
    case EV_SEG_OUT: return index_seg_out(ti, w, tr, i);
    case EV_SEG_IN: return index_seg_in(ti, w, &tr[i], i);
    case EV_SEG_DROP: return index_seg_drop(ti, w, &tr[i], i);
    default: return true;
    }
}

/* Where the world's trace stops agreeing with what was indexed: the first
 * event whose fingerprint differs, looking back from the last one both
 * have.  Returns the number of events that still agree. */
static size_t agreeing_prefix(const struct trace_index *ti, const struct trace_entry *tr,
                              size_t len)
{
    size_t m = len < ti->nevents ? len : ti->nevents;
    while (m > 0 && ti->print[m - 1] != fingerprint(&tr[m - 1]))
        m--;
    return m;
}

bool trace_index_sync(struct trace_index *ti, const struct world *w)
{
    size_t len = world_trace_len(w);
    const struct trace_entry *tr = world_trace(w);
    size_t agree = agreeing_prefix(ti, tr, len);
    if (agree < ti->nevents && agree < len)
        trace_index_truncate(ti, agree);
    if (len <= ti->nevents)
        return true;
    if (!reserve((void **)&ti->print, &ti->print_cap, len, sizeof *ti->print))
        return false;
    for (size_t i = ti->nevents; i < len; i++) {
        if (!index_event(ti, w, tr, i))
            return false;
        ti->print[i] = fingerprint(&tr[i]);
        ti->nevents = i + 1;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Queries */

size_t trace_index_count_upto(const struct trace_index *ti, size_t cursor)
{
    /* First segment sent after the cursor: segments are in send order. */
    size_t lo = 0, hi = ti->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ti->segs[mid].out_index <= cursor)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t trace_index_find(const struct trace_index *ti, uint32_t packet)
{
    if (packet >= ti->slot_cap || ti->slot_of[packet] == NO_SLOT)
        return -1;
    return ti->slot_of[packet];
}

struct ti_fate_at trace_index_fate(const struct ti_seg *s, size_t cursor)
{
    struct ti_fate_at f = { .fate = TI_IN_FLIGHT };
    bool dropped = s->drop_index != TI_NONE && s->drop_index <= cursor;
    bool arrived = s->in_index != TI_NONE && s->in_index <= cursor;
    if (s->out_index > cursor) {
        f.fate = TI_UNSENT;
    } else if (dropped) {
        f.fate = TI_DROPPED;
        f.t = s->t_drop;
        f.drop = s->drop;
        f.on_wire = s->drop_on_wire;
    } else if (arrived) {
        f.fate = TI_ARRIVED;
        f.t = s->t_in;
    } else if (s->to < 0) {
        f.fate = TI_NOWHERE;
        f.t = s->t_out;
    }
    f.corrupted = s->copy != UINT32_MAX && f.fate != TI_IN_FLIGHT && f.fate != TI_UNSENT;
    return f;
}

uint64_t trace_index_arrival(const struct ti_seg *s, const struct scenario *scn)
{
    uint64_t t;
    if (s->in_index != TI_NONE) {
        t = s->t_in;
    } else if (s->drop_index != TI_NONE && !s->drop_on_wire) {
        t = s->t_drop;
    } else {
        /* Not arrived as far as the index knows: what the link promises. */
        uint64_t travel = 10000; /* wire_params_defaults' 10 ms */
        int link = (scn && s->from >= 0 && s->to >= 0) ? scenario_link_index(scn, s->from, s->to)
                                                      : -1;
        if (link >= 0) {
            const struct wire_params *p = &scn->links[link].params;
            uint64_t bytes = 40u + s->seg.len;
            travel = p->delay + (p->rate_bps ? bytes * 8u * 1000000u / p->rate_bps : 0);
        }
        t = s->t_out + travel;
    }
    return t > s->t_out ? t : s->t_out + 1;
}

unsigned trace_index_progress(const struct ti_seg *s, const struct scenario *scn, uint64_t now)
{
    if (now <= s->t_out)
        return 0;
    uint64_t arrive = trace_index_arrival(s, scn);
    if (now >= arrive)
        return 1000;
    return (unsigned)((now - s->t_out) * 1000u / (arrive - s->t_out));
}

uint32_t trace_index_talk(const struct trace_index *ti, int a, int b)
{
    if (a < 0 || b < 0 || a >= SCN_MAX_HOSTS || b >= SCN_MAX_HOSTS)
        return 0;
    return ti->talk[a][b] + ti->talk[b][a];
}

struct trace_index *trace_index_for_ui(const struct ui *ui, bool *temporary)
{
    struct trace_index *ti = ui->trace_index;
    *temporary = ti == NULL;
    if (!ti && !(ti = trace_index_new()))
        return NULL;
    /* A partial index is still right for the events it holds. */
    (void)trace_index_sync(ti, ui->world);
    return ti;
}

void trace_index_done(struct trace_index *ti, bool temporary)
{
    if (temporary)
        trace_index_free(ti);
}

const struct tcb *trace_index_host_tcb(const struct world *w, int host)
{
    struct vk_side side;
    vk_side_of_world(w, host, &side);
    return side.up ? side.tcb : NULL;
}
