/* One host's TCP: sockets, port binding, demultiplexing arriving segments
 * to connections, and the user calls of RFC 9293 3.10. */
#include <stdlib.h>
#include <string.h>

#include "tcp/tcb.h"

struct tcp_stack *tcp_stack_new(uint32_t addr, const struct tcp_config *defaults,
                                const struct tcp_stack_ops *ops, void *ctx)
{
    struct tcp_stack *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->scratch = malloc(TCP_PACKET_MAX);
    st->cap = 16;
    st->socks = calloc((size_t)st->cap, sizeof *st->socks);
    if (!st->scratch || !st->socks) {
        free(st->scratch);
        free(st->socks);
        free(st);
        return NULL;
    }
    st->addr = addr;
    st->defaults = *defaults;
    if (ops)
        st->ops = *ops;
    st->ctx = ctx;
    st->nsocks = 1;
    st->next_deadline = TCP_TIME_NEVER;
    st->next_ephemeral = TCP_EPHEMERAL_FIRST;
    st->cookie_secret = st->ops.random32 ? st->ops.random32(ctx) : 0x5eed;
    return st;
}

void tcp_stack_free(struct tcp_stack *st)
{
    if (!st)
        return;
    for (int i = 1; i < st->nsocks; i++)
        tcb_destroy(st, st->socks[i]);
    free(st->socks);
    free(st->scratch);
    free(st);
}

struct tcp_stack *tcp_stack_clone(const struct tcp_stack *src, void *ctx)
{
    struct tcp_stack *st = malloc(sizeof *st);
    if (!st)
        return NULL;
    *st = *src;
    st->ctx = ctx;
    st->scratch = malloc(TCP_PACKET_MAX);
    st->socks = calloc((size_t)src->cap, sizeof *st->socks);
    if (!st->scratch || !st->socks) {
        free(st->scratch);
        free(st->socks);
        free(st);
        return NULL;
    }
    for (int i = 1; i < src->nsocks; i++) {
        if (!src->socks[i])
            continue;
        st->socks[i] = tcb_clone(src->socks[i]);
        if (!st->socks[i]) {
            st->nsocks = i;
            tcp_stack_free(st);
            return NULL;
        }
    }
    return st;
}

struct tcb *tcp_stack_tcb(const struct tcp_stack *st, int sock)
{
    if (sock <= 0 || sock >= st->nsocks)
        return NULL;
    return st->socks[sock];
}

int tcp_stack_attach(struct tcp_stack *st, struct tcb *t)
{
    if (st->nsocks == st->cap) {
        int cap = st->cap * 2;
        struct tcb **grown = realloc(st->socks, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        memset(grown + st->cap, 0, (size_t)(cap - st->cap) * sizeof *grown);
        st->socks = grown;
        st->cap = cap;
    }
    t->sock = st->nsocks++;
    st->socks[t->sock] = t;
    for (int i = 0; i < TCP_TIMER_COUNT; i++) /* it may come with timers armed */
        tcp_stack_timer_moved(st, t, TCP_TIME_NEVER, t->timer[i]);
    return t->sock;
}

static void app_event(struct tcp_stack *st, const struct tcb *t, enum tcp_app_call call,
                      long result, uint64_t bytes)
{
    struct tcp_event ev = { .kind = EV_APP };
    ev.u.app.call = (uint8_t)call;
    ev.u.app.result = (int32_t)result;
    ev.u.app.bytes = bytes;
    tcb_observe(st, t, &ev);
}

/* ---- Arrival ---------------------------------------------------------- */

static struct tcb *find_connection(const struct tcp_stack *st, const struct tcp_segment *seg)
{
    for (int i = 1; i < st->nsocks; i++) {
        struct tcb *t = st->socks[i];
        if (t && t->state != TCP_CLOSED && t->state != TCP_LISTEN &&
            t->local_port == seg->dst_port && t->remote_port == seg->src_port &&
            t->remote_addr == seg->src_addr)
            return t;
    }
    return NULL;
}

void tcp_seg_event(struct tcp_stack *st, const struct tcb *t, const struct tcp_segment *seg,
                   enum tcp_event_kind kind, enum tcp_drop_reason why)
{
    struct tcp_event ev = { .kind = (uint8_t)kind };
    ev.u.seg.seq = seg->seq;
    ev.u.seg.ack = seg->ack;
    ev.u.seg.len = (uint32_t)seg->payload_len;
    ev.u.seg.win = seg->window;
    ev.u.seg.flags = seg->flags;
    ev.u.seg.src_port = seg->src_port;
    ev.u.seg.dst_port = seg->dst_port;
    ev.u.seg.src_addr = seg->src_addr;
    ev.u.seg.dst_addr = seg->dst_addr;
    ev.u.seg.drop = (uint8_t)why;
    if (seg->opt.has_mss) {
        ev.u.seg.opts |= TCP_EVOPT_MSS;
        ev.u.seg.mss = seg->opt.mss;
    }
    if (seg->opt.has_wscale) ev.u.seg.opts |= TCP_EVOPT_WSCALE;
    if (seg->opt.sack_permitted) ev.u.seg.opts |= TCP_EVOPT_SACK_OK;
    if (seg->opt.sack_count) ev.u.seg.opts |= TCP_EVOPT_SACK;
    if (seg->opt.has_timestamps) ev.u.seg.opts |= TCP_EVOPT_TS;
    tcb_observe(st, t, &ev);
}

void tcp_drop_segment(struct tcp_stack *st, const struct tcb *t, const struct tcp_segment *seg,
                      enum tcp_drop_reason why)
{
    st->stats.drops[why]++;
    tcp_seg_event(st, t, seg, EV_SEG_DROP, why);
}

/* RFC 9293 3.6.1 (MAY-2, from RFC 1122 4.2.2.13): a new SYN may reopen a
 * 4-tuple held by TIME-WAIT.  Which SYN is new enough is RFC 6191 2's test
 * (BSD's and Linux's too): with timestamps on the old connection and
 * offered for the new one, a timestamp above the last one seen (or equal,
 * with a higher sequence number); otherwise a sequence number above the old
 * RCV.NXT.  Returns the RFC the decision follows, or NULL to refuse (the
 * SYN then meets TIME-WAIT, which acknowledges it: RFC 9293 3.10.7.4). */
static const char *syn_reopens_time_wait(const struct tcb *t, const struct tcp_segment *seg)
{
    if (t->state != TCP_TIME_WAIT || !(seg->flags & TCP_SYN) ||
        (seg->flags & (TCP_ACK | TCP_RST)))
        return NULL;
    bool new_uses_timestamps = seg->opt.has_timestamps && t->cfg.timestamps;
    if (t->ts_ok && new_uses_timestamps) {
        int32_t newer = (int32_t)(seg->opt.ts_val - t->ts_recent);
        bool ok = newer > 0 || (newer == 0 && seq_gt(seg->seq, t->rcv_nxt));
        return ok ? "RFC 6191" : NULL;
    }
    return seq_gt(seg->seq, t->rcv_nxt) ? "RFC 9293 3.6.1" : NULL;
}

/* RFC 9293 3.6.1 (1): the reopened connection's ISS lies above every
 * sequence number the old one used; like Linux, a window's worth above
 * its SND.NXT. */
static tcp_seq iss_after_time_wait(const struct tcb *t)
{
    tcp_seq iss = t->snd_max + 65535u + 2u;
    return iss ? iss : 1u;
}

void tcp_stack_input(struct tcp_stack *st, uint64_t now, const uint8_t *pkt, size_t len)
{
    st->now = now;
    struct tcp_segment seg;
    enum seg_error err = tcp_segment_decode(pkt, len, &seg);
    if (err != SEG_OK) {
        enum tcp_drop_reason why =
            (err == SEG_ERR_IP_CHECKSUM || err == SEG_ERR_TCP_CHECKSUM) ? DROP_CHECKSUM
                                                                        : DROP_MALFORMED;
        /* A bad checksum does not stop the headers being read: show the
         * student which segment was lost (fields stay zero only when the
         * headers themselves are cut short or malformed). */
        if (why != DROP_CHECKSUM || tcp_segment_decode_headers(pkt, len, &seg) != SEG_OK)
            memset(&seg, 0, sizeof seg);
        tcp_drop_segment(st, NULL, &seg, why);
        return;
    }
    st->stats.segs_in++;
    if (seg.dst_addr != st->addr) {
        tcp_drop_segment(st, NULL, &seg, DROP_NO_SOCKET);
        return;
    }
    struct tcb *t = find_connection(st, &seg);
    /* The listener is looked up only when no connection takes the
     * segment, or when a SYN may reopen a TIME-WAIT 4-tuple: the common
     * case, a segment of an existing connection, needs one scan. */
    const char *reopen = t ? syn_reopens_time_wait(t, &seg) : NULL;
    if (reopen && tcp_stack_find_listener(st, seg.dst_port)) {
        st->reopen_iss = iss_after_time_wait(t);
        st->reopen_pending = true;
        tcb_close(st, t, CAUSE_RCV_SYN, reopen);
        t = NULL;
    }
    if (t) {
        tcp_seg_event(st, t, &seg, EV_SEG_IN, DROP_NONE);
        tcp_input_segment(st, t, &seg);
        return;
    }
    struct tcb *l = tcp_stack_find_listener(st, seg.dst_port);
    if (l) {
        tcp_seg_event(st, l, &seg, EV_SEG_IN, DROP_NONE);
        tcp_listen_input(st, l, &seg);
        st->reopen_pending = false; /* the listener may have dropped the SYN */
        return;
    }
    /* RFC 9293 3.10.7.1: CLOSED.  Discard, and answer anything but a RST
     * with a reset. */
    tcp_drop_segment(st, NULL, &seg, DROP_NO_SOCKET);
    tcp_send_rst_for(st, &seg);
}

/* ---- Timers ----------------------------------------------------------- */

static uint64_t tcb_next_deadline(const struct tcb *t)
{
    uint64_t next = TCP_TIME_NEVER;
    for (int i = 0; i < TCP_TIMER_COUNT; i++)
        if (t->timer[i] < next)
            next = t->timer[i];
    return next;
}

/* The earliest timer of the connections in socks, by looking at each. */
static uint64_t scan_deadlines(const struct tcp_stack *st)
{
    uint64_t next = TCP_TIME_NEVER;
    for (int i = 1; i < st->nsocks; i++) {
        const struct tcb *t = st->socks[i];
        if (t) {
            uint64_t d = tcb_next_deadline(t);
            if (d < next)
                next = d;
        }
    }
    return next;
}

void tcp_stack_rescan_deadline(struct tcp_stack *st)
{
    st->next_deadline = scan_deadlines(st);
}

/* An earlier deadline is the new earliest at once; only when the earliest
 * one moves later (cancelled, fired, re-armed) must the others be looked
 * at, which is rare next to how often the world asks. */
void tcp_stack_timer_moved(struct tcp_stack *st, const struct tcb *t, uint64_t was, uint64_t is)
{
    bool in_socks = t->sock > 0 && t->sock < st->nsocks && st->socks[t->sock] == t;
    if (!in_socks || was == is)
        return;
    if (is < st->next_deadline)
        st->next_deadline = is;
    else if (was == st->next_deadline)
        tcp_stack_rescan_deadline(st);
}

uint64_t tcp_stack_next_deadline(const struct tcp_stack *st)
{
    return st->next_deadline;
}

void tcp_stack_advance(struct tcp_stack *st, uint64_t now)
{
    st->now = now;
    /* A firing timer can close (and free) its connection or make new
     * ones, so look each handle up again and repeat until nothing is due. */
    bool fired;
    do {
        fired = false;
        for (int i = 1; i < st->nsocks; i++) {
            struct tcb *t = st->socks[i];
            if (t && tcb_next_deadline(t) <= now) {
                tcp_timers_fire(st, t, now);
                fired = true;
            }
        }
    } while (fired);
}

/* ---- User calls ------------------------------------------------------- */

int tcp_socket(struct tcp_stack *st)
{
    struct tcb *t = tcb_new(st, &st->defaults);
    if (!t)
        return -TCP_ERR_NO_BUFFER;
    t->accepted = true; /* the app made it, the app owns it */
    if (tcp_stack_attach(st, t) < 0) {
        tcb_destroy(st, t);
        return -TCP_ERR_NO_BUFFER;
    }
    return t->sock;
}

int tcp_set_config(struct tcp_stack *st, int sock, const struct tcp_config *cfg)
{
    struct tcb *t = tcp_stack_tcb(st, sock);
    if (!t)
        return -TCP_ERR_INVALID;
    if (cfg->sndbuf < t->sndbuf.len || cfg->rcvbuf < t->rcvbuf.len)
        return -TCP_ERR_NO_BUFFER;
    /* Out-of-order bytes kept in the receive buffer's free space may not
     * fit a smaller one: the queue takes them out first. */
    if (!reasm_leave_ring(&t->reasm, &t->rcvbuf, t->rcv_nxt))
        return -TCP_ERR_NO_BUFFER;
    if (!ring_resize(&t->sndbuf, cfg->sndbuf) || !ring_resize(&t->rcvbuf, cfg->rcvbuf))
        return -TCP_ERR_NO_BUFFER;
    bool new_cc = cfg->cc != t->cfg.cc;
    t->cfg = *cfg;
    if (new_cc) {
        /* A new algorithm takes over the current window (like Linux's
         * TCP_CONGESTION), keeping cwnd and ssthresh. */
        t->cc_ops = tcp_cc_ops_for((enum tcp_cc_algo)cfg->cc);
    }
    /* Keepalive switched on or off applies from now. */
    if (t->state == TCP_ESTABLISHED || t->state == TCP_CLOSE_WAIT) {
        if (cfg->keepalive && t->timer[TCP_TIMER_KEEPALIVE] == TCP_TIME_NEVER)
            tcb_timer_set(st, t, TCP_TIMER_KEEPALIVE, st->now + cfg->keepalive_idle);
        else if (!cfg->keepalive)
            tcb_timer_cancel(st, t, TCP_TIMER_KEEPALIVE);
    }
    return 0;
}

const struct tcp_config *tcp_get_config(const struct tcp_stack *st, int sock)
{
    const struct tcb *t = tcp_stack_tcb(st, sock);
    return t ? &t->cfg : NULL;
}

/* Is the port used by another socket?  With SO_REUSEADDR, connections in
 * TIME_WAIT do not count (Linux semantics). */
static bool port_in_use(const struct tcp_stack *st, const struct tcb *self, uint16_t port,
                        bool reuseaddr)
{
    for (int i = 1; i < st->nsocks; i++) {
        const struct tcb *t = st->socks[i];
        if (!t || t == self || !t->bound || t->local_port != port)
            continue;
        /* A dead connection the app has not released yet frees its port;
         * a socket that is bound but has not connected yet holds it
         * (POSIX bind: EADDRINUSE). */
        if (t->state == TCP_CLOSED && t->remote_port != 0)
            continue;
        if (reuseaddr && t->state == TCP_TIME_WAIT)
            continue;
        return true;
    }
    return false;
}

int tcp_bind(struct tcp_stack *st, int sock, uint16_t port, uint64_t now)
{
    st->now = now;
    struct tcb *t = tcp_stack_tcb(st, sock);
    int rc = 0;
    if (!t || t->bound || t->state != TCP_CLOSED)
        rc = -TCP_ERR_INVALID;
    else if (port_in_use(st, t, port, t->cfg.reuseaddr))
        rc = -TCP_ERR_ADDR_IN_USE;
    else {
        t->local_port = port;
        t->bound = true;
    }
    app_event(st, t, APP_BIND, rc, port);
    return rc;
}

static uint16_t pick_ephemeral(struct tcp_stack *st, const struct tcb *self)
{
    for (unsigned tries = 0; tries < 16384; tries++) {
        uint16_t p = st->next_ephemeral;
        st->next_ephemeral = p == 65535 ? TCP_EPHEMERAL_FIRST : (uint16_t)(p + 1);
        if (!port_in_use(st, self, p, false))
            return p;
    }
    return 0;
}

/* RFC 9293 3.10.1 OPEN (active): send a SYN, enter SYN-SENT. */
int tcp_connect(struct tcp_stack *st, int sock, uint32_t addr, uint16_t port, uint64_t now)
{
    st->now = now;
    struct tcb *t = tcp_stack_tcb(st, sock);
    int rc = 0;
    if (!t || t->state != TCP_CLOSED) {
        rc = -TCP_ERR_INVALID;
    } else {
        if (!t->bound) {
            t->local_port = pick_ephemeral(st, t);
            t->bound = t->local_port != 0;
        }
        /* The 4-tuple held by another connection, TIME-WAIT included:
         * SO_REUSEADDR let bind() share the port, but a connection's
         * identity is its 4-tuple, so connect() fails (RFC 9293 3.10.1
         * OPEN in TIME-WAIT: "connection already exists"; Linux answers
         * EADDRNOTAVAIL).  Only the peer may reopen it (RFC 9293 3.6.1). */
        for (int i = 1; t->bound && i < st->nsocks; i++) {
            struct tcb *o = st->socks[i];
            if (o && o != t && o->local_port == t->local_port && o->remote_addr == addr &&
                o->remote_port == port && o->state != TCP_CLOSED) {
                rc = -TCP_ERR_ADDR_NOT_AVAIL;
                break;
            }
        }
        if (!t->bound)
            rc = -TCP_ERR_ADDR_IN_USE;
    }
    app_event(st, t, APP_CONNECT, rc, port);
    if (rc < 0)
        return rc;
    t->remote_addr = addr;
    t->remote_port = port;
    tcb_init_sequence(st, t);
    tcb_set_state(st, t, TCP_SYN_SENT, CAUSE_APP_OPEN, "RFC 9293 3.10.1");
    tcp_send_syn(st, t, false);
    return 0;
}

/* RFC 9293 3.10.2 SEND. */
long tcp_send(struct tcp_stack *st, int sock, const uint8_t *data, size_t len, uint64_t now)
{
    return tcp_send_with(st, sock, data, len, NULL, NULL, now);
}

long tcp_send_with(struct tcp_stack *st, int sock, const uint8_t *data, size_t len,
                   tcp_copy_fn copy, void *ctx, uint64_t now)
{
    st->now = now;
    struct tcb *t = tcp_stack_tcb(st, sock);
    long rc;
    if (!t)
        rc = -TCP_ERR_INVALID;
    else if (t->error)
        rc = -(long)t->error;
    else if (t->fin_queued || (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT &&
                               t->state != TCP_SYN_SENT && t->state != TCP_SYN_RECEIVED))
        rc = -TCP_ERR_CLOSING;
    else
        rc = (long)(copy ? ring_write_with(&t->sndbuf, data, len, copy, ctx)
                         : ring_write(&t->sndbuf, data, len));
    app_event(st, t, APP_SEND, rc, len);
    if (rc > 0) {
        tcp_output(st, t);
        tcb_report_window(st, t);
    }
    return rc;
}

/* RFC 9293 3.10.3 RECEIVE, the bytes going to take() (see tcp_recv_in_place). */
static long receive(struct tcp_stack *st, int sock, size_t cap, tcp_recv_take_fn take,
                    void *ctx, uint64_t now)
{
    st->now = now;
    struct tcb *t = tcp_stack_tcb(st, sock);
    long rc;
    if (!t) {
        rc = -TCP_ERR_INVALID;
    } else if (t->rcvbuf.len == 0) {
        if (t->error)
            rc = -(long)t->error;
        else if (t->fin_rcvd)
            rc = 0; /* end of stream */
        else
            return -TCP_ERR_WOULD_BLOCK; /* nothing yet: not worth an event */
    } else {
        size_t n = cap < t->rcvbuf.len ? cap : t->rcvbuf.len;
        ring_visit(&t->rcvbuf, n, take, ctx);
        ring_consume(&t->rcvbuf, n);
        rc = (long)n;
        /* Reading frees buffer space; once the window can open by enough
         * (RFC 1122 4.2.3.3), tell the peer with a window update. */
        bool synchronized = t->state == TCP_ESTABLISHED || t->state == TCP_FIN_WAIT_1 ||
                            t->state == TCP_FIN_WAIT_2;
        if (synchronized && tcp_window_update_due(t)) {
            tcp_send_ack(st, t);
            tcb_report_window(st, t);
        }
    }
    app_event(st, t, APP_RECV, rc, cap);
    return rc;
}

/* tcp_recv's take(): copy each piece to the end of what the caller's
 * buffer holds so far. */
static void copy_out(void *ctx, const uint8_t *piece, size_t size)
{
    uint8_t **dst = ctx;
    memcpy(*dst, piece, size);
    *dst += size;
}

long tcp_recv(struct tcp_stack *st, int sock, uint8_t *buf, size_t cap, uint64_t now)
{
    uint8_t *dst = buf;
    return receive(st, sock, cap, copy_out, &dst, now);
}

long tcp_recv_in_place(struct tcp_stack *st, int sock, size_t cap, tcp_recv_take_fn take,
                       void *ctx, uint64_t now)
{
    return receive(st, sock, cap, take, ctx, now);
}

/* Queue our FIN after the data (RFC 9293 3.10.4 CLOSE: "queue this until
 * all preceding SENDs have been segmentized, then form a FIN"). */
static int begin_close(struct tcp_stack *st, struct tcb *t, enum tcp_app_call call)
{
    switch (t->state) {
    case TCP_CLOSED:
        return -TCP_ERR_INVALID;
    case TCP_LISTEN:
    case TCP_SYN_SENT:
        tcb_close(st, t, CAUSE_APP_CLOSE, "RFC 9293 3.10.4");
        return 0;
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        t->fin_queued = true;
        tcb_set_state(st, t, TCP_FIN_WAIT_1, CAUSE_APP_CLOSE, "RFC 9293 3.10.4");
        break;
    case TCP_CLOSE_WAIT:
        t->fin_queued = true;
        tcb_set_state(st, t, TCP_LAST_ACK, CAUSE_APP_CLOSE, "RFC 9293 3.10.4");
        break;
    default:
        /* Already closing: nothing more to send. */
        return call == APP_CLOSE ? 0 : -TCP_ERR_CLOSING;
    }
    if (t->state != TCP_CLOSED && t->snd_una != t->iss)
        tcp_output(st, t);
    return 0;
}

int tcp_shutdown(struct tcp_stack *st, int sock, uint64_t now)
{
    st->now = now;
    struct tcb *t = tcp_stack_tcb(st, sock);
    int rc = t ? begin_close(st, t, APP_SHUTDOWN) : -TCP_ERR_INVALID;
    if (t && tcp_stack_tcb(st, sock) == t)
        app_event(st, t, APP_SHUTDOWN, rc, 0);
    return rc;
}

int tcp_close(struct tcp_stack *st, int sock, uint64_t now)
{
    st->now = now;
    struct tcb *t = tcp_stack_tcb(st, sock);
    if (!t) {
        app_event(st, NULL, APP_CLOSE, -TCP_ERR_INVALID, 0);
        return -TCP_ERR_INVALID;
    }
    app_event(st, t, APP_CLOSE, 0, 0);
    /* RFC 2525 2.17 / RFC 1122 4.2.2.13: closing with unread data loses
     * it; say so to the peer with a reset instead of a FIN. */
    if (t->rcvbuf.len > 0 && t->state != TCP_LISTEN) {
        t->app_closed = true;
        return tcp_abort(st, sock, now);
    }
    if (t->listener) {
        /* Children never accepted go with their listener. */
        for (int i = 1; i < st->nsocks; i++) {
            struct tcb *c = st->socks[i];
            if (c && c->parent == sock && !c->accepted) {
                c->parent = 0;
                if (c->state != TCP_CLOSED)
                    tcp_send_rst(st, c);
                tcb_close(st, c, CAUSE_APP_CLOSE, "RFC 9293 3.10.4");
            }
        }
    }
    int rc = begin_close(st, t, APP_CLOSE);
    struct tcb *still = tcp_stack_tcb(st, sock);
    if (still == t)
        t->app_closed = true;
    return rc;
}

/* RFC 9293 3.10.5 ABORT. */
int tcp_abort(struct tcp_stack *st, int sock, uint64_t now)
{
    st->now = now;
    struct tcb *t = tcp_stack_tcb(st, sock);
    if (!t)
        return -TCP_ERR_INVALID;
    app_event(st, t, APP_ABORT, 0, 0);
    switch (t->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        tcp_send_rst(st, t);
        break;
    default:
        break;
    }
    if (t->state != TCP_CLOSED)
        tcb_close(st, t, CAUSE_APP_ABORT, "RFC 9293 3.10.5");
    return 0;
}

void tcp_release(struct tcp_stack *st, int sock)
{
    struct tcb *t = tcp_stack_tcb(st, sock);
    if (t && t->state == TCP_CLOSED)
        tcb_destroy(st, t);
    else if (t)
        t->accepted = false; /* the stack finishes it and frees it */
}

/* ---- Views ------------------------------------------------------------ */

enum tcp_state tcp_sock_state(const struct tcp_stack *st, int sock)
{
    const struct tcb *t = tcp_stack_tcb(st, sock);
    return t ? t->state : TCP_CLOSED;
}

const struct tcb *tcp_sock_tcb(const struct tcp_stack *st, int sock)
{
    return tcp_stack_tcb(st, sock);
}

enum tcp_error tcp_sock_error(const struct tcp_stack *st, int sock)
{
    const struct tcb *t = tcp_stack_tcb(st, sock);
    return t ? t->error : TCP_OK;
}

size_t tcp_sock_readable(const struct tcp_stack *st, int sock)
{
    const struct tcb *t = tcp_stack_tcb(st, sock);
    return t ? t->rcvbuf.len : 0;
}

bool tcp_sock_eof(const struct tcp_stack *st, int sock)
{
    const struct tcb *t = tcp_stack_tcb(st, sock);
    return t && t->fin_rcvd && t->rcvbuf.len == 0;
}

uint32_t tcp_sock_conn_id(const struct tcp_stack *st, int sock)
{
    const struct tcb *t = tcp_stack_tcb(st, sock);
    return t ? t->id : 0;
}

int tcp_sock_max(const struct tcp_stack *st)
{
    return st->nsocks - 1;
}

const struct tcp_stack_stats *tcp_stack_stats(const struct tcp_stack *st)
{
    return &st->stats;
}

uint64_t tcp_stack_unobserved(const struct tcp_stack *st)
{
    return st->unobserved;
}
