/* The world: hosts running the engine, the wires between them, the packet
 * store, the trace and the step loop.  Scripted rules live in
 * world_rules.c, snapshots and seeking in world_seek.c.
 *
 * Re-entrancy rule: the engine calls emit() and observe() while the world is
 * inside one of the stack's functions, so those callbacks only record and
 * schedule; they never call back into any stack. */
#include "sim/world_internal.h"

#include <stdlib.h>
#include <string.h>

#include "tcp/segment.h"

/* How much one autoread or ACT_READ call asks for at a time. */
#define APP_READ_CHUNK 16384u

/* A paced writer ("send N rate=R") writes on a grid of this period: at
 * each tick, the bytes the rate has allowed since it began.  A millisecond
 * keeps the writes coarse enough to read in a trace and fine enough that
 * any rate above 8 kbit/s writes on every tick. */
#define APP_PACE_TICK TCP_USEC_PER_MS
/* Bits per byte times microseconds per millisecond: rate_bps * ms / this
 * is bytes. */
#define APP_PACE_BITS_MS (8u * TCP_USEC_PER_MS)

/* Grow *buf so it holds at least need elements of size sz. */
static bool grow(void **buf, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / sz)
            return false;
        n *= 2;
    }
    void *p = realloc(*buf, n * sz);
    if (!p)
        return false;
    *buf = p;
    *cap = n;
    return true;
}

/* ------------------------------------------------------------------ */
/* Trace and packet store                                               */

/* Where the next event goes: the end of the trace, or *unrecorded when the
 * world keeps no trace; NULL when out of memory.  Its time is set. */
static struct trace_entry *entry_for_event(struct world *w, struct trace_entry *unrecorded)
{
    struct trace_entry *e = unrecorded;
    if (w->opt.record_trace) {
        if (!grow((void **)&w->trace, &w->trace_cap, w->trace_len + 1, sizeof *w->trace)) {
            w->oom = true;
            return NULL;
        }
        e = &w->trace[w->trace_len++];
    }
    w->nevents++;
    e->t = w->st.now;
    return e;
}

/* What the world itself keeps of an event of host's (ev->endpoint is not
 * read: cb_observe may not have written it). */
static void event_bookkeeping(struct world *w, unsigned host, const struct tcp_event *ev)
{
    /* Reasons from DROP_HOST_DOWN on are the world's own (the wire, the
     * fault rules, a crashed host); the engine counts its drops itself. */
    if (ev->kind == EV_SEG_DROP && host < w->s->nhosts &&
        ev->u.seg.drop >= DROP_HOST_DOWN && ev->u.seg.drop < DROP_REASON_COUNT)
        w->st.hosts[host].drops[ev->u.seg.drop]++;
    if (ev->kind == EV_SEG_IN && host < w->s->nhosts)
        w->st.hosts[host].app.send_blocked = false;
}

/* The event in e is complete: what the world itself keeps of it, then the
 * listeners and the rules. */
static void event_recorded(struct world *w, const struct trace_entry *e)
{
    const struct tcp_event *ev = &e->ev;
    event_bookkeeping(w, ev->endpoint, ev);
    if (w->opt.on_event)
        w->opt.on_event(w->opt.ctx, e);
    world_rules_on_event(w, ev);
}

void world_record(struct world *w, const struct tcp_event *ev)
{
    struct trace_entry unrecorded, *e = entry_for_event(w, &unrecorded);
    if (!e)
        return;
    e->ev = *ev;
    event_recorded(w, e);
}

uint32_t world_store_packet(struct world *w, const uint8_t *pkt, size_t len, bool copy)
{
    if (w->lean)
        return world_lean_store(w, pkt, len, copy);
    if (w->npkts >= WORLD_NO_PACKET - 1 ||
        !grow((void **)&w->pkts, &w->pkts_cap, w->npkts + 1, sizeof *w->pkts) ||
        !grow((void **)&w->arena, &w->arena_cap, w->arena_len + len + 1, 1)) {
        w->oom = true;
        return WORLD_NO_PACKET;
    }
    if (pkt && len)
        memcpy(w->arena + w->arena_len, pkt, len);
    w->pkts[w->npkts] = (struct packet_rec){ .offset = w->arena_len, .len = len, .copy = copy,
                                             .sent_at = w->st.now };
    w->arena_len += len;
    return (uint32_t)w->npkts++;
}

/* The bytes of packet id wherever they are kept, NULL if they are not. */
static uint8_t *packet_bytes(const struct world *w, uint32_t id, size_t *len, bool *copy)
{
    if (w->lean)
        return world_lean_packet(w->lean, id, len, copy);
    if (id >= w->npkts)
        return NULL;
    if (len)
        *len = w->pkts[id].len;
    if (copy)
        *copy = w->pkts[id].copy;
    return w->arena + w->pkts[id].offset;
}

/* The event's view of a decoded segment (seg starts zeroed). */
static void seg_from_decoded(const struct tcp_segment *d, struct tcp_event_seg *seg)
{
    seg->seq = d->seq;
    seg->ack = d->ack;
    seg->len = (uint32_t)d->payload_len;
    seg->win = d->window;
    seg->flags = d->flags;
    if (d->opt.has_mss) {
        seg->opts |= TCP_EVOPT_MSS;
        seg->mss = d->opt.mss;
    }
    if (d->opt.has_wscale)
        seg->opts |= TCP_EVOPT_WSCALE;
    if (d->opt.sack_permitted)
        seg->opts |= TCP_EVOPT_SACK_OK;
    if (d->opt.sack_count)
        seg->opts |= TCP_EVOPT_SACK;
    if (d->opt.has_timestamps)
        seg->opts |= TCP_EVOPT_TS;
    seg->src_port = d->src_port;
    seg->dst_port = d->dst_port;
    seg->src_addr = d->src_addr;
    seg->dst_addr = d->dst_addr;
}

/* Fill seg from a packet's bytes; fields stay zero when it does not decode
 * (a corrupted copy, say). */
void world_seg_from_packet(const uint8_t *pkt, size_t len, struct tcp_event_seg *seg)
{
    struct tcp_segment d;
    memset(seg, 0, sizeof *seg);
    if (pkt && tcp_segment_decode(pkt, len, &d) == SEG_OK)
        seg_from_decoded(&d, seg);
}

int world_host_by_addr(const struct world *w, uint32_t addr)
{
    for (unsigned i = 0; i < w->s->nhosts; i++)
        if (w->s->hosts[i].addr == addr)
            return (int)i;
    return -1;
}

void world_schedule(struct world *w, uint64_t time, uint32_t kind, uint32_t a, uint64_t b)
{
    struct eventq_item it = { .time = time, .kind = kind, .a = a, .b = b };
    if (!eventq_push(&w->st.q, it)) {
        w->oom = true;
        return;
    }
    if (kind == WI_DELIVER && w->lean)
        world_lean_hold(w->lean, (uint32_t)b); /* its bytes must outlive the wait */
}

/* ------------------------------------------------------------------ */
/* Engine callbacks                                                     */

static void record_wire_drop(struct world *w, int host, struct tcp_event_seg seg,
                             uint32_t conn, enum tcp_drop_reason why)
{
    struct tcp_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_SEG_DROP;
    ev.endpoint = (uint16_t)host;
    ev.conn = conn;
    ev.u.seg = seg;
    ev.u.seg.drop = (uint8_t)why;
    world_record(w, &ev);
}

static enum tcp_drop_reason drop_reason_of(enum wire_fate f)
{
    switch (f) {
    case WIRE_DROP_BURST: return DROP_BURST_LOSS;
    case WIRE_DROP_QUEUE: return DROP_QUEUE_FULL;
    default: return DROP_LOSS;
    }
}

uint32_t world_corrupt_copy(struct world *w, uint32_t id, uint64_t bit)
{
    size_t len = 0;
    if (!packet_bytes(w, id, &len, NULL) || len == 0)
        return id;
    /* Store a placeholder first: storing may move the arena, so the bytes
     * are looked up again afterwards. */
    uint32_t cid = world_store_packet(w, NULL, len, true);
    if (cid == WORLD_NO_PACKET)
        return id;
    uint8_t *dst = packet_bytes(w, cid, NULL, NULL);
    memcpy(dst, packet_bytes(w, id, NULL, NULL), len);
    bit %= (uint64_t)len * 8;
    dst[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    return cid;
}

/* What the scenario's fault rules do to one segment. */
struct fault_effect {
    bool drop, duplicate, corrupt;
    uint64_t delay;
};

static struct fault_effect apply_faults(struct world *w, int from, int to,
                                        const struct tcp_event_seg *seg)
{
    struct fault_effect fx = { 0 };
    for (size_t i = 0; i < w->s->nfaults; i++) {
        const struct scn_fault *f = &w->s->faults[i];
        if (!world_seg_match(&f->match, from, to, seg->flags, seg->len))
            continue;
        unsigned n = ++w->st.fault_counts[i];
        if (f->match.nth != 0 && n != f->match.nth)
            continue;
        /* Every rule counts every matching segment, even one an earlier
         * rule drops, so "nth=2" means the second such segment sent. */
        switch (f->kind) {
        case FAULT_DROP: fx.drop = true; break;
        case FAULT_DELAY: fx.delay += f->delay; break;
        case FAULT_DUPLICATE: fx.duplicate = true; break;
        case FAULT_CORRUPT: fx.corrupt = true; break;
        }
    }
    return fx;
}

/* Send packet id of len bytes (already recorded as EV_SEG_OUT) from host
 * `from` through the fault rules and the wire towards its destination. */
static void route_packet(struct world *w, int from, uint32_t conn, uint32_t id, size_t len,
                         const struct tcp_event_seg *seg)
{
    int to = world_host_by_addr(w, seg->dst_addr);
    if (to < 0)
        return; /* nobody has that address: the packet goes nowhere */
    struct fault_effect fx = apply_faults(w, from, to, seg);
    if (fx.drop) {
        record_wire_drop(w, from, *seg, conn, DROP_FAULT);
        return;
    }
    int link = scenario_link_index(w->s, from, to);
    if (link < 0)
        return; /* no wire between them */
    struct wire_verdict v;
    wire_offer_into(&w->st.wires[link], &w->st.rng, w->st.now, len, &v);
    if (v.fate != WIRE_DELIVER) {
        record_wire_drop(w, from, *seg, conn, drop_reason_of(v.fate));
        return;
    }
    uint32_t first = id;
    if (v.corrupt)
        first = world_corrupt_copy(w, id, v.corrupt_bit);
    else if (fx.corrupt && len > 0)
        first = world_corrupt_copy(w, id, prng_below(&w->st.rng, (uint64_t)len * 8));
    world_schedule(w, v.arrival + fx.delay, WI_DELIVER, (uint32_t)to, first);
    if (v.duplicate)
        world_schedule(w, v.dup_arrival + fx.delay, WI_DELIVER, (uint32_t)to, id);
    if (fx.duplicate)
        world_schedule(w, v.arrival + fx.delay, WI_DELIVER, (uint32_t)to, id);
}

/* The event is built in its trace entry, like cb_observe's, and routed
 * from there: route_packet records nothing before its last act, a wire
 * drop, which takes the segment by value, so the entry cannot move under
 * it while it reads the segment. */
static void cb_emit(void *ctx, uint32_t conn, const uint8_t *pkt, size_t len,
                    const struct tcp_segment *seg)
{
    struct host_ctx *hc = ctx;
    struct world *w = hc->w;
    uint32_t id = world_store_packet(w, pkt, len, false);
    if (id == WORLD_NO_PACKET)
        return;
    struct trace_entry unrecorded, *e = entry_for_event(w, &unrecorded);
    /* Out of memory for the trace: the event is lost (the run stops), but
     * the packet still goes on the wire, as it always did. */
    bool recorded = e != NULL;
    if (!recorded)
        e = &unrecorded;
    struct tcp_event *ev = &e->ev;
    memset(ev, 0, sizeof *ev);
    ev->kind = EV_SEG_OUT;
    ev->endpoint = (uint16_t)hc->host;
    ev->conn = conn;
    /* From the segment the stack encoded, not by decoding the packet: the
     * fields are the same (tcp_stack_ops.emit), and reading back the
     * header just written field by field waited for those stores, 144,000
     * times in loss0.  (ev was zeroed above.) */
    seg_from_decoded(seg, &ev->u.seg);
    ev->u.seg.packet = id;
    if (recorded)
        event_recorded(w, e);
    route_packet(w, hc->host, conn, id, len, &ev->u.seg);
}

/* The engine's event, with the world's part (the host, the packet being
 * delivered) written into the entry itself.  One copy per event, not two:
 * the engine has just written the event field by field, and a copy reads
 * it in wide loads that wait for those small stores to reach the cache;
 * a second copy read back the endpoint just patched in the same way. */
static void cb_observe(void *ctx, const struct tcp_event *in)
{
    struct host_ctx *hc = ctx;
    struct world *w = hc->w;
    if (!(w->wanted_kinds & WORLD_EV_BIT(in->kind))) {
        /* Nobody looks at this kind (a lean world's timers, windows,
         * cwnd...): count it and keep the world's own part, no copy. */
        w->nevents++;
        event_bookkeeping(w, (unsigned)hc->host, in);
        return;
    }
    struct trace_entry unrecorded, *e = entry_for_event(w, &unrecorded);
    if (!e)
        return;
    e->ev = *in;
    e->ev.endpoint = (uint16_t)hc->host;
    if ((in->kind == EV_SEG_IN || in->kind == EV_SEG_DROP) && w->delivering != WORLD_NO_PACKET)
        e->ev.u.seg.packet = w->delivering;
    event_recorded(w, e);
}

static uint32_t cb_random32(void *ctx)
{
    struct host_ctx *hc = ctx;
    return prng_u32(&hc->w->st.rng);
}

/* A lean world keeps each packet in a buffer of its own anyway: the stack
 * builds the packet right there instead of in its scratch buffer, and
 * cb_emit's store keeps it without a copy (a copy that also waited for the
 * packet's bytes, just written, to reach the cache).  A full world appends
 * packets to its arena, which may move, so the stack builds in its own. */
static uint8_t *cb_packet_buffer(void *ctx, size_t len)
{
    struct host_ctx *hc = ctx;
    return hc->w->lean ? world_lean_buffer(hc->w->lean, len) : NULL;
}

static const struct tcp_stack_ops world_stack_ops = {
    .emit = cb_emit,
    .observe = cb_observe,
    .random32 = cb_random32,
    .packet_buffer = cb_packet_buffer,
};

/* ------------------------------------------------------------------ */
/* Hosts                                                                */

void world_app_reset(struct app_state *app)
{
    free(app->conns);
    free(app->pend);
    /* The stream statistics (and their digests) span the whole run. */
    struct host_app_stats keep = app->stats;
    struct stream_digest written = app->written, read = app->read;
    memset(app, 0, sizeof *app);
    app->stats = keep;
    app->written = written;
    app->read = read;
    app->tick_at = TCP_TIME_NEVER;
}

static bool host_start_stack(struct world *w, int host)
{
    struct host_state *h = &w->st.hosts[host];
    h->stack = tcp_stack_new(w->s->hosts[host].addr, &h->cfg, &w->stack_ops, &w->hctx[host]);
    h->up = h->stack != NULL;
    h->timer_at = TCP_TIME_NEVER;
    return h->up;
}

static void record_host_event(struct world *w, int host, bool up)
{
    struct tcp_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_HOST;
    ev.endpoint = (uint16_t)host;
    ev.u.host.up = up ? 1 : 0;
    world_record(w, &ev);
}

/* The host vanishes without a word: no RST, no FIN; its stack is gone and
 * its pending timer items become stale. */
void world_host_crash(struct world *w, int host)
{
    struct host_state *h = &w->st.hosts[host];
    if (!h->up)
        return;
    w->unobserved_gone += tcp_stack_unobserved(h->stack);
    tcp_stack_free(h->stack);
    h->stack = NULL;
    h->up = false;
    h->epoch++;
    h->timer_at = TCP_TIME_NEVER;
    world_app_reset(&h->app);
    record_host_event(w, host, false);
}

/* The host comes back knowing no connections (a reboot of an up host is a
 * crash and a reboot at once). */
void world_host_reboot(struct world *w, int host)
{
    struct host_state *h = &w->st.hosts[host];
    if (h->up) {
        w->unobserved_gone += tcp_stack_unobserved(h->stack);
        tcp_stack_free(h->stack);
        h->stack = NULL;
    }
    h->epoch++;
    world_app_reset(&h->app);
    if (!host_start_stack(w, host)) {
        w->oom = true;
        return;
    }
    record_host_event(w, host, true);
}

/* Make sure an eventq item exists for the host's earliest deadline. */
static void host_reschedule_timer(struct world *w, int host)
{
    struct host_state *h = &w->st.hosts[host];
    if (!h->up)
        return;
    uint64_t d = tcp_stack_next_deadline(h->stack);
    if (d == TCP_TIME_NEVER)
        return;
    if (d < w->st.now)
        d = w->st.now;
    if (h->timer_at == TCP_TIME_NEVER || d < h->timer_at) {
        world_schedule(w, d, WI_TIMER, (uint32_t)host, h->epoch);
        h->timer_at = d;
    }
}

/* ------------------------------------------------------------------ */
/* The app on each host                                                 */

bool world_app_own(struct world *w, struct app_state *app, int sock)
{
    if (sock <= 0)
        return false;
    for (size_t i = 0; i < app->nconns; i++)
        if (app->conns[i].sock == sock)
            return true;
    if (!grow((void **)&app->conns, &app->conns_cap, app->nconns + 1, sizeof *app->conns)) {
        w->oom = true;
        return false;
    }
    app->conns[app->nconns++] = (struct app_conn){ .sock = sock, .eof_seen = false };
    return true;
}

/* ------------------------------------------------------------------ */
/* App timing: paced writes and slow reads                              */

/* Make sure a WI_APP item exists at or before `at` for the host's app. */
static void app_schedule_tick(struct world *w, int host, uint64_t at)
{
    struct host_state *h = &w->st.hosts[host];
    if (at == TCP_TIME_NEVER || (h->app.tick_at != TCP_TIME_NEVER && h->app.tick_at <= at))
        return;
    if (at < w->st.now)
        at = w->st.now;
    world_schedule(w, at, WI_APP, (uint32_t)host, h->epoch);
    h->app.tick_at = at;
}

/* The WI_APP item for `time` ran: the app has no item scheduled any more
 * unless a later one (kept in tick_at) is still waiting. */
void world_app_tick_done(struct world *w, int host, uint64_t time)
{
    struct app_state *app = &w->st.hosts[host].app;
    if (app->tick_at == time)
        app->tick_at = TCP_TIME_NEVER;
}

/* floor(rate_bps * ms / 8000), saturating: the bytes a paced writer may
 * have written `ms` milliseconds after it began.  Split by quotient and
 * remainder so the product cannot overflow for any sane run length. */
static uint64_t pace_allowance(uint64_t rate_bps, uint64_t ms)
{
    uint64_t q = rate_bps / APP_PACE_BITS_MS, r = rate_bps % APP_PACE_BITS_MS;
    if (q && ms > UINT64_MAX / q)
        return UINT64_MAX;
    uint64_t whole = q * ms;
    /* r < 8000, so r * (ms % 8000) < 64e6 and r * (ms / 8000) < ms. */
    uint64_t part = r * (ms / APP_PACE_BITS_MS) + r * (ms % APP_PACE_BITS_MS) / APP_PACE_BITS_MS;
    return whole > UINT64_MAX - part ? UINT64_MAX : whole + part;
}

/* The first tick (in ms after the start) at which the allowance exceeds
 * `done`: ceil((done + 1) * 8000 / rate); UINT64_MAX if beyond reach. */
static uint64_t pace_next_tick(uint64_t rate_bps, uint64_t done)
{
    if (done >= UINT64_MAX / APP_PACE_BITS_MS)
        return UINT64_MAX;
    uint64_t bits_ms = (done + 1) * APP_PACE_BITS_MS;
    return bits_ms / rate_bps + (bits_ms % rate_bps != 0);
}

/* How many bytes of paced send p may be written now; schedules the tick
 * that allows more when it is 0. */
static uint64_t paced_room(struct world *w, int host, struct pending_send *p)
{
    uint64_t now = w->st.now;
    if (!p->started) {
        p->started = true;
        p->start = now;
    }
    uint64_t allowed = pace_allowance(p->rate_bps, (now - p->start) / APP_PACE_TICK);
    if (allowed > p->total)
        allowed = p->total;
    if (allowed > p->done)
        return allowed - p->done;
    uint64_t tick = pace_next_tick(p->rate_bps, p->done);
    if (tick != UINT64_MAX && tick <= (UINT64_MAX - p->start) / APP_PACE_TICK)
        app_schedule_tick(w, host, p->start + tick * APP_PACE_TICK);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The app's calls                                                      */

void world_app_queue_send(struct world *w, int host, const char *text, uint64_t bytes,
                          uint64_t rate_bps)
{
    struct app_state *app = &w->st.hosts[host].app;
    if (text)
        bytes = strlen(text);
    if (bytes == 0)
        return;
    if (!grow((void **)&app->pend, &app->pend_cap, app->npend + 1, sizeof *app->pend)) {
        w->oom = true;
        return;
    }
    app->pend[app->npend++] = (struct pending_send){
        .text = text, .total = bytes, .done = 0, .rate_bps = rate_bps,
    };
    app->send_blocked = false;
}

/* "respond": answer what has been read so far (bytes read before the
 * responder started do not count) and every request from now on. */
void world_app_start_responder(struct world *w, int host, uint64_t request, uint64_t response)
{
    struct app_state *app = &w->st.hosts[host].app;
    app->resp_request = request;
    app->resp_response = response;
    app->resp_unanswered = 0;
}

/* Every complete request read so far gets its response, queued as one
 * write (count * response bytes). */
static void app_answer_requests(struct world *w, int host, uint64_t got)
{
    struct app_state *app = &w->st.hosts[host].app;
    if (app->resp_request == 0)
        return;
    app->resp_unanswered += got;
    uint64_t count = app->resp_unanswered / app->resp_request;
    if (count == 0)
        return;
    app->resp_unanswered -= count * app->resp_request;
    uint64_t bytes = app->resp_response && count > UINT64_MAX / app->resp_response
                         ? UINT64_MAX : count * app->resp_response;
    world_app_queue_send(w, host, NULL, bytes, 0);
}

/* tcp_recv_in_place's take(): the app looks at what it reads only to
 * digest it, so it digests the bytes where they lie in the receive buffer
 * instead of copying them out first. */
static void digest_piece(void *ctx, const uint8_t *piece, size_t size)
{
    stream_digest_update(ctx, piece, size);
}

long world_app_read(struct world *w, int host, int sock, uint64_t max)
{
    struct host_state *h = &w->st.hosts[host];
    long total = 0;
    while (max == 0 || (uint64_t)total < max) {
        size_t want = tcp_sock_readable(h->stack, sock);
        if (want == 0)
            break;
        if (want > APP_READ_CHUNK)
            want = APP_READ_CHUNK;
        if (max && want > max - (uint64_t)total)
            want = (size_t)(max - (uint64_t)total);
        long got = tcp_recv_in_place(h->stack, sock, want, digest_piece, &h->app.read,
                                     w->st.now);
        if (got <= 0)
            break;
        h->app.stats.bytes_read += (uint64_t)got;
        h->app.stats.digest_read = stream_digest_value(&h->app.read);
        total += got;
    }
    if (total > 0)
        app_answer_requests(w, host, (uint64_t)total);
    return total;
}

/* "read N every=T": autoread stops and the first read happens now. */
void world_app_start_slow_reader(struct world *w, int host, uint64_t bytes, uint64_t every)
{
    struct app_state *app = &w->st.hosts[host].app;
    app->read_bytes = bytes;
    app->read_every = every;
    app->next_read_at = w->st.now;
}

/* Nothing more can ever be read on sock: it is closed, or the peer's FIN
 * has been read up to. */
static bool sock_drained(const struct tcp_stack *st, int sock)
{
    if (tcp_sock_readable(st, sock) > 0)
        return false;
    return tcp_sock_eof(st, sock) || tcp_sock_state(st, sock) == TCP_CLOSED;
}

/* The slow reader's turn: read once per period and schedule the next
 * one, until the connection has nothing more to give. */
static void app_pump_slow_read(struct world *w, int host)
{
    struct host_state *h = &w->st.hosts[host];
    struct app_state *app = &h->app;
    if (app->read_every == 0)
        return;
    if (w->st.now >= app->next_read_at) {
        if (app->sock > 0)
            world_app_read(w, host, app->sock, app->read_bytes);
        uint64_t periods = (w->st.now - app->next_read_at) / app->read_every + 1;
        if (app->next_read_at > UINT64_MAX - periods * app->read_every)
            return;
        app->next_read_at += periods * app->read_every;
    }
    if (app->sock > 0 && sock_drained(h->stack, app->sock))
        return;
    app_schedule_tick(w, host, app->next_read_at);
}

static bool sock_can_send(const struct tcp_stack *st, int sock)
{
    enum tcp_state s = tcp_sock_state(st, sock);
    return s == TCP_ESTABLISHED || s == TCP_CLOSE_WAIT;
}

uint8_t world_pattern_byte(uint64_t index, int host)
{
    return (uint8_t)(index * 131u + 7u + (uint64_t)host);
}

/* tcp_send_with's copy: the app digests what it writes as the bytes go
 * into the send buffer, in one pass instead of a copy and a second read
 * (measured: 2-3 ms less per 100 MB than memcpy and then the digest). */
static void copy_and_digest(void *ctx, uint8_t *dst, const uint8_t *src, size_t size)
{
    stream_digest_copy(ctx, dst, src, size);
}

/* Offer the pending sends to the send buffer, oldest first. */
static void app_pump_sends(struct world *w, int host)
{
    struct host_state *h = &w->st.hosts[host];
    struct app_state *app = &h->app;
    while (app->npend && !app->send_blocked && app->sock > 0 &&
           sock_can_send(h->stack, app->sock)) {
        struct pending_send *p = &app->pend[0];
        uint64_t left = p->total - p->done;
        if (p->rate_bps) {
            uint64_t room = paced_room(w, host, p);
            if (room == 0)
                return;
            if (room < left)
                left = room;
        }
        size_t n = left > APP_READ_CHUNK ? APP_READ_CHUNK : (size_t)left;
        /* Point at the bytes instead of copying them: the send buffer
         * usually takes a few KB of the chunk. */
        const uint8_t *buf = p->text ? (const uint8_t *)p->text + p->done
                                     : world_pattern_span(w, host, app->stats.bytes_written, n);
        if (!buf) {
            w->oom = true;
            return;
        }
        long got = tcp_send_with(h->stack, app->sock, buf, n, copy_and_digest, &app->written,
                                 w->st.now);
        if (got > 0) {
            /* copy_and_digest has digested the bytes the buffer took. */
            app->stats.bytes_written += (uint64_t)got;
            app->stats.digest_written = stream_digest_value(&app->written);
            p->done += (uint64_t)got;
        }
        if (got < (long)n)
            app->send_blocked = true;
        if (p->done == p->total) {
            app->npend--;
            memmove(app->pend, app->pend + 1, app->npend * sizeof *app->pend);
        }
    }
}

/* A shutdown or close asked for while writes were queued waits for them
 * (the app wrote, then closed); returns false when nothing is queued and
 * the caller should act at once. */
bool world_app_defer_close(struct world *w, int host, bool full_close)
{
    struct app_state *app = &w->st.hosts[host].app;
    if (app->npend == 0)
        return false;
    if (full_close)
        app->close_pending = true;
    else
        app->shutdown_pending = true;
    return true;
}

/* The queued writes are done: do the shutdown or close that waited. */
static void app_finish_deferred_close(struct world *w, int host)
{
    struct host_state *h = &w->st.hosts[host];
    struct app_state *app = &h->app;
    if (app->npend || app->sock <= 0 || !(app->close_pending || app->shutdown_pending))
        return;
    if (app->close_pending)
        tcp_close(h->stack, app->sock, w->st.now);
    else
        tcp_shutdown(h->stack, app->sock, w->st.now);
    app->close_pending = app->shutdown_pending = false;
}

static void app_pump_accept(struct world *w, int host)
{
    struct host_state *h = &w->st.hosts[host];
    struct app_state *app = &h->app;
    if (!h->cfg.autoaccept || app->listener <= 0)
        return;
    for (;;) {
        struct tcp_listen_stats ls;
        if (tcp_listen_stats(h->stack, app->listener, &ls) < 0 || ls.accept_queue == 0)
            return;
        int c = tcp_accept(h->stack, app->listener, w->st.now);
        if (c <= 0)
            return;
        app->sock = c;
        app->stats.accepted++;
        world_app_own(w, app, c);
    }
}

static void app_pump_reads(struct world *w, int host)
{
    struct host_state *h = &w->st.hosts[host];
    /* A slow reader reads on its own schedule instead. */
    bool autoread = h->cfg.autoread && h->app.read_every == 0;
    for (size_t i = 0; i < h->app.nconns; i++) {
        int sock = h->app.conns[i].sock;
        if (autoread)
            world_app_read(w, host, sock, 0);
        /* conns may not move here: reads never add connections. */
        if (!h->app.conns[i].eof_seen && tcp_sock_readable(h->stack, sock) == 0 &&
            tcp_sock_eof(h->stack, sock)) {
            h->app.conns[i].eof_seen = true;
            world_rules_on_eof(w, host);
        }
    }
}

void world_app_pump(struct world *w, int host)
{
    if (!w->st.hosts[host].up)
        return;
    app_pump_accept(w, host);
    app_pump_slow_read(w, host);
    app_pump_sends(w, host);
    app_pump_reads(w, host);
    /* Reading may have completed a request: send its response in the
     * same step, as a server's app would. */
    if (w->st.hosts[host].app.resp_request)
        app_pump_sends(w, host);
    app_finish_deferred_close(w, host);
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

void world_options_default(struct world_options *o)
{
    *o = (struct world_options){ .record_trace = true, .keep_packets = true };
}

struct world *world_new(const struct scenario *s, uint64_t seed)
{
    return world_new_with(s, seed, NULL);
}

/* The event kinds that must reach event_recorded: all of them for a
 * trace; else those the rules wait for and those on_event asked for. */
static uint32_t wanted_kinds(const struct world *w)
{
    if (w->opt.record_trace)
        return WORLD_EV_ALL;
    uint32_t kinds = w->rule_kinds;
    if (w->opt.on_event)
        kinds |= w->opt.event_kinds ? w->opt.event_kinds : WORLD_EV_ALL;
    return kinds;
}

struct world *world_new_with(const struct scenario *s, uint64_t seed,
                             const struct world_options *o)
{
    if (!s || s->nhosts > SCN_MAX_HOSTS)
        return NULL;
    struct world *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->s = s;
    if (o)
        w->opt = *o;
    else
        world_options_default(&w->opt);
    if (!w->opt.keep_packets && !(w->lean = world_lean_new())) {
        free(w);
        return NULL;
    }
    w->rule_kinds = world_rules_event_kinds(s);
    w->wanted_kinds = wanted_kinds(w);
    /* The engine reports only what cb_observe can use: the wanted kinds
     * and the two the world's bookkeeping needs (event_bookkeeping); it
     * counts the rest, which world_event_count adds back. */
    w->stack_ops = world_stack_ops;
    if (w->wanted_kinds != WORLD_EV_ALL)
        w->stack_ops.observed =
            w->wanted_kinds | WORLD_EV_BIT(EV_SEG_IN) | WORLD_EV_BIT(EV_SEG_DROP);
    w->delivering = WORLD_NO_PACKET;
    prng_seed(&w->st.rng, seed);
    eventq_init(&w->st.q);
    w->scratch = malloc(TCP_PACKET_MAX);
    w->st.wires = calloc(s->nlinks ? s->nlinks : 1, sizeof *w->st.wires);
    w->st.fault_counts = calloc(s->nfaults ? s->nfaults : 1, sizeof *w->st.fault_counts);
    if (!w->scratch || !w->st.wires || !w->st.fault_counts || !world_rules_init(w))
        goto fail;
    for (size_t i = 0; i < s->nlinks; i++)
        wire_init(&w->st.wires[i], &s->links[i].params);
    for (unsigned i = 0; i < s->nhosts; i++) {
        w->hctx[i] = (struct host_ctx){ .w = w, .host = (int)i };
        w->st.hosts[i].cfg = s->hosts[i].cfg;
        struct app_state *app = &w->st.hosts[i].app;
        stream_digest_init(&app->read);
        stream_digest_init(&app->written);
        app->stats.digest_read = stream_digest_value(&app->read);
        app->stats.digest_written = stream_digest_value(&app->written);
        w->st.hosts[i].app.tick_at = TCP_TIME_NEVER;
        if (!host_start_stack(w, (int)i))
            goto fail;
    }
    for (size_t i = 0; i < s->nrules; i++)
        if (s->rules[i].trigger.kind == TRIG_AT)
            world_schedule(w, s->rules[i].trigger.at, WI_RULE, (uint32_t)i, 0);
    if (w->oom || (world_seekable(w) && !world_snapshot_take(w)))
        goto fail;
    return w;
fail:
    world_free(w);
    return NULL;
}

void world_free(struct world *w)
{
    if (!w)
        return;
    world_snapshots_free(w);
    world_state_free(w, &w->st);
    free(w->checkpoint_of_rule);
    free(w->note_of_rule);
    free(w->trace);
    free(w->pkts);
    free(w->arena);
    world_lean_free(w->lean);
    world_pattern_free(w);
    world_users_free(w);
    free(w->scratch);
    free(w);
}

/* ------------------------------------------------------------------ */
/* Stepping                                                             */

static void deliver_packet(struct world *w, int host, uint32_t id)
{
    size_t len = 0;
    const uint8_t *bytes = packet_bytes(w, id, &len, NULL);
    if (!bytes)
        return;
    struct host_state *h = &w->st.hosts[host];
    if (!h->up) {
        struct tcp_event_seg seg;
        world_seg_from_packet(bytes, len, &seg);
        seg.packet = id;
        record_wire_drop(w, host, seg, 0, DROP_HOST_DOWN);
    } else {
        /* The stack may emit while it reads, and emitting can move the
         * arena.  A lean store's buffers never move, and this one is held
         * until the release below, so it is read in place. */
        if (len > TCP_PACKET_MAX)
            len = TCP_PACKET_MAX;
        if (!w->lean) {
            memcpy(w->scratch, bytes, len);
            bytes = w->scratch;
        }
        w->delivering = id;
        tcp_stack_input(h->stack, w->st.now, bytes, len);
        w->delivering = WORLD_NO_PACKET;
    }
    if (w->lean)
        world_lean_release(w->lean, id);
}

/* A timer item is stale when its host crashed or rebooted since, or when
 * the stack's deadline moved later than the item (it was cancelled or
 * re-armed).  A stale item that was the host's scheduled one leaves no item
 * for the current deadline, so schedule that. */
static bool timer_item_live(struct world *w, const struct eventq_item *it)
{
    if (it->a >= w->s->nhosts)
        return false;
    struct host_state *h = &w->st.hosts[it->a];
    if (!h->up || it->b != h->epoch)
        return false;
    if (it->time == h->timer_at)
        h->timer_at = TCP_TIME_NEVER;
    if (tcp_stack_next_deadline(h->stack) <= it->time)
        return true;
    host_reschedule_timer(w, (int)it->a);
    return false;
}

/* An app item is stale when its host crashed or rebooted since (the app
 * it was for is gone). */
static bool app_item_live(const struct world *w, const struct eventq_item *it)
{
    return it->a < w->s->nhosts && w->st.hosts[it->a].up && it->b == w->st.hosts[it->a].epoch;
}

static void do_item(struct world *w, const struct eventq_item *it)
{
    switch (it->kind) {
    case WI_DELIVER:
        if (it->a < w->s->nhosts)
            deliver_packet(w, (int)it->a, (uint32_t)it->b);
        break;
    case WI_TIMER:
        tcp_stack_advance(w->st.hosts[it->a].stack, w->st.now);
        break;
    case WI_RULE:
        if (it->a < w->s->nrules)
            world_rule_run(w, it->a);
        break;
    case WI_INJECT:
        if (it->a < w->s->nrules)
            world_inject_run(w, it->a, (unsigned)it->b);
        break;
    case WI_APP:
        /* The app's own work happens in settle(), which pumps every app. */
        world_app_tick_done(w, (int)it->a, it->time);
        break;
    case WI_USER_INJECT:
        world_user_inject_run(w, it->a, (unsigned)it->b);
        break;
    default:
        break;
    }
}

/* "at end" rules run at the moment the run ends: its duration (unless
 * time already passed it, which a scenario cannot make happen). */
static void finish_run(struct world *w)
{
    if (!w->st.end_rules_ran) {
        if (w->st.now < w->s->duration)
            w->st.now = w->s->duration;
        w->st.end_rules_ran = true;
        world_rules_run_end(w);
    }
    w->st.done = true;
}

/* After anything happened: let the apps of the hosts in `hosts` (a bit
 * per host) react, then make sure each one's next deadline has an item
 * in the queue. */
static void settle(struct world *w, uint32_t hosts)
{
    for (unsigned i = 0; i < w->s->nhosts; i++)
        if (hosts & (UINT32_C(1) << i))
            world_app_pump(w, (int)i);
    for (unsigned i = 0; i < w->s->nhosts; i++)
        if (hosts & (UINT32_C(1) << i))
            host_reschedule_timer(w, (int)i);
}

#define ALL_HOSTS UINT32_MAX
_Static_assert(SCN_MAX_HOSTS <= 32, "a host set fits a uint32_t");

/* The hosts that item `it` could have changed, for settle.  A delivery, a timer
 * or an app tick runs one host's stack or app, and the engine's callbacks
 * only record and schedule, so no other host's stack or app moved: its
 * pump would find what the previous one left (every pump goes until its
 * app must wait: nothing to accept, read or write, or a tick scheduled
 * for when a paced writer or a slow reader may go on) and do nothing.  A
 * bulk transfer runs half a million such no-op pumps.  Scripted rules and
 * injected segments may touch any host. */
static uint32_t hosts_touched(const struct world *w, const struct eventq_item *it)
{
    bool one_host = it->kind == WI_DELIVER || it->kind == WI_TIMER || it->kind == WI_APP;
    return one_host && it->a < w->s->nhosts ? UINT32_C(1) << it->a : ALL_HOSTS;
}

bool world_step(struct world *w)
{
    if (!w || w->st.done)
        return false;
    /* A user action is a step of its own, at the point it was made. */
    if (w->nusers && world_user_run_due(w)) {
        settle(w, ALL_HOSTS);
        world_maybe_snapshot(w);
        return true;
    }
    for (;;) {
        const struct eventq_item *next = eventq_peek(&w->st.q);
        if (w->oom || !next || next->time > w->s->duration) {
            finish_run(w);
            return false;
        }
        struct eventq_item it;
        eventq_pop(&w->st.q, &it);
        if (it.kind == WI_TIMER && !timer_item_live(w, &it))
            continue;
        if (it.kind == WI_APP && !app_item_live(w, &it))
            continue;
        if (it.time > w->st.now)
            w->st.now = it.time;
        do_item(w, &it);
        settle(w, hosts_touched(w, &it));
        if (w->lean)
            world_lean_sweep(w->lean);
        world_maybe_snapshot(w);
        return true;
    }
}

void world_run(struct world *w)
{
    while (world_step(w))
        ;
}

/* ------------------------------------------------------------------ */
/* Views                                                                */

bool world_done(const struct world *w) { return w->st.done; }
uint64_t world_now(const struct world *w) { return w->st.now; }
size_t world_trace_len(const struct world *w) { return w->trace_len; }
const struct trace_entry *world_trace(const struct world *w) { return w->trace; }
/* Those reported and those the engine only counted (stack_ops.observed). */
size_t world_event_count(const struct world *w)
{
    uint64_t n = w->nevents + w->unobserved_gone;
    for (unsigned i = 0; i < w->s->nhosts; i++)
        if (w->st.hosts[i].stack)
            n += tcp_stack_unobserved(w->st.hosts[i].stack);
    return (size_t)n;
}
size_t world_packet_count(const struct world *w) { return w->npkts; }
const struct scenario *world_scenario(const struct world *w) { return w->s; }

const uint8_t *world_packet(const struct world *w, uint32_t id, size_t *len)
{
    return packet_bytes(w, id, len, NULL);
}

bool world_packet_is_copy(const struct world *w, uint32_t id)
{
    bool copy = false;
    return packet_bytes(w, id, NULL, &copy) && copy;
}

static bool host_ok(const struct world *w, int host)
{
    return host >= 0 && (unsigned)host < w->s->nhosts;
}

const struct tcp_stack *world_stack(const struct world *w, int host)
{
    return host_ok(w, host) ? w->st.hosts[host].stack : NULL;
}

int world_host_socket(const struct world *w, int host)
{
    return host_ok(w, host) ? w->st.hosts[host].app.sock : 0;
}

int world_host_listener(const struct world *w, int host)
{
    return host_ok(w, host) ? w->st.hosts[host].app.listener : 0;
}

bool world_host_up(const struct world *w, int host)
{
    return host_ok(w, host) && w->st.hosts[host].up;
}

const struct host_app_stats *world_host_app(const struct world *w, int host)
{
    return host_ok(w, host) ? &w->st.hosts[host].app.stats : NULL;
}

void world_checkpoint_counts(const struct world *w, unsigned *passed, unsigned *failed)
{
    if (passed)
        *passed = w->st.passed;
    if (failed)
        *failed = w->st.failed;
}

uint32_t world_drops(const struct world *w, int host, enum tcp_drop_reason r)
{
    if (!host_ok(w, host) || (unsigned)r >= DROP_REASON_COUNT)
        return 0;
    return w->st.hosts[host].drops[r];
}
