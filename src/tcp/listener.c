/* A listening socket: the SYN (half-open) queue, the accept queue, and
 * SYN cookies (RFC 9293 3.10.7.2 LISTEN; RFC 4987 for the SYN-flood
 * defences; the queue behaviour follows Linux, which the lessons show). */
#include <stdlib.h>
#include <string.h>

#include "tcp/tcb.h"

static void listen_event(struct tcp_stack *st, const struct tcb *l, enum tcp_listen_what what,
                         const struct tcp_segment *seg)
{
    struct tcp_event ev = { .kind = EV_LISTEN };
    ev.u.listen.what = (uint8_t)what;
    ev.u.listen.syn_queue = l->listener->syn_len;
    ev.u.listen.accept_queue = l->listener->accept_len;
    if (seg) {
        ev.u.listen.peer_addr = seg->src_addr;
        ev.u.listen.peer_port = seg->src_port;
    }
    tcb_observe(st, l, &ev);
}

struct tcb *tcp_stack_find_listener(const struct tcp_stack *st, uint16_t port)
{
    for (int i = 1; i < st->nsocks; i++) {
        struct tcb *t = st->socks[i];
        if (t && t->state == TCP_LISTEN && t->local_port == port)
            return t;
    }
    return NULL;
}

static struct tcb *parent_of(const struct tcp_stack *st, const struct tcb *child)
{
    struct tcb *l = tcp_stack_tcb(st, child->parent);
    return l && l->listener ? l : NULL;
}

bool tcp_listener_accept_full(const struct tcp_stack *st, const struct tcb *child)
{
    const struct tcb *l = parent_of(st, child);
    return l && l->listener->accept_len >= l->listener->accept_max;
}

/* The final ACK of a child was ignored because the accept queue is full:
 * count it and say so, as for a returning SYN cookie (LISTEN_ACCEPT_DROPPED). */
void tcp_listener_accept_dropped(struct tcp_stack *st, const struct tcb *child,
                                 const struct tcp_segment *seg)
{
    struct tcb *l = parent_of(st, child);
    if (!l)
        return;
    l->listener->stats.accept_dropped++;
    listen_event(st, l, LISTEN_ACCEPT_DROPPED, seg);
}

/* A child connection made from a SYN: SYN-RECEIVED, SYN-ACK sent. */
static struct tcb *spawn_child(struct tcp_stack *st, struct tcb *l, const struct tcp_segment *seg)
{
    struct tcb *c = tcb_new(st, &l->cfg);
    if (!c)
        return NULL;
    if (tcp_stack_attach(st, c) < 0) {
        tcb_destroy(st, c);
        return NULL;
    }
    c->local_port = l->local_port;
    c->remote_addr = seg->src_addr;
    c->remote_port = seg->src_port;
    c->bound = true;
    c->passive = true;
    c->parent = l->sock;
    c->irs = seg->seq;
    c->rcv_nxt = seg->seq + 1;
    c->last_rcv = st->now;
    tcb_apply_syn_options(c, seg);
    return c;
}

/* A SYN at a listener (RFC 9293 3.10.7.2, third check). */
static void listen_syn(struct tcp_stack *st, struct tcb *l, const struct tcp_segment *seg)
{
    struct tcp_listener *q = l->listener;
    /* Linux drops a SYN outright while the accept queue is full: a new
     * connection could not be handed over anyway. */
    if (q->accept_len >= q->accept_max) {
        q->stats.syn_dropped++;
        tcp_drop_segment(st, l, seg, DROP_ACCEPT_QUEUE_FULL);
        listen_event(st, l, LISTEN_SYN_DROPPED, seg);
        return;
    }
    if (q->syn_len >= l->cfg.syn_backlog) {
        if (!l->cfg.syncookies) {
            q->stats.syn_dropped++;
            tcp_drop_segment(st, l, seg, DROP_SYN_QUEUE_FULL);
            listen_event(st, l, LISTEN_SYN_DROPPED, seg);
            return;
        }
        /* RFC 4987 3.6: answer with a SYN-ACK whose ISN encodes the
         * connection, keeping no state at all. */
        struct tcb tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.cfg = l->cfg;
        tmp.local_addr = st->addr;
        tmp.local_port = l->local_port;
        tmp.remote_addr = seg->src_addr;
        tmp.remote_port = seg->src_port;
        tmp.rcv_nxt = seg->seq + 1;
        tmp.rcvbuf.cap = l->cfg.rcvbuf;
        tmp.id = l->id;
        uint16_t mss = 0;
        tmp.iss = syncookie_make(st->cookie_secret, seg, st->now, &mss);
        tmp.snd_max = tmp.iss; /* a first transmission, never repeated */
        tmp.cfg.mss = mss;
        tmp.cfg.wscale = -1;    /* a cookie cannot remember the options */
        tmp.cfg.sack = false;
        tmp.cfg.timestamps = false;
        /* Stateless: mark the RTO "armed" so tcp_send_syn arms nothing. */
        for (int i = 0; i < TCP_TIMER_COUNT; i++)
            tmp.timer[i] = TCP_TIME_NEVER;
        tmp.timer[TCP_TIMER_RTO] = 0;
        q->stats.cookies_sent++;
        listen_event(st, l, LISTEN_COOKIE_SENT, seg);
        tcp_send_syn(st, &tmp, true);
        return;
    }
    struct tcb *c = spawn_child(st, l, seg);
    if (!c)
        return;
    q->syn_len++;
    q->stats.syn_queue = q->syn_len;
    tcb_init_sequence(st, c);
    /* The child starts as a copy of the listener, so its first transition
     * reads LISTEN -> SYN_RECEIVED, as in the RFC's diagram. */
    c->state = TCP_LISTEN;
    tcb_set_state(st, c, TCP_SYN_RECEIVED, CAUSE_RCV_SYN, "RFC 9293 3.10.7.2");
    listen_event(st, l, LISTEN_SYN_QUEUED, seg);
    tcp_send_syn(st, c, true);
}

/* An ACK at a listener: either a SYN cookie coming back, or an error. */
static void listen_ack(struct tcp_stack *st, struct tcb *l, const struct tcp_segment *seg)
{
    struct tcp_listener *q = l->listener;
    uint16_t mss = 0;
    if (l->cfg.syncookies && !(seg->flags & (TCP_SYN | TCP_RST)) &&
        syncookie_check(st->cookie_secret, seg, st->now, &mss)) {
        if (q->accept_len >= q->accept_max) {
            q->stats.accept_dropped++;
            tcp_drop_segment(st, l, seg, DROP_ACCEPT_QUEUE_FULL);
            listen_event(st, l, LISTEN_ACCEPT_DROPPED, seg);
            return;
        }
        struct tcp_segment syn = *seg;
        syn.seq = seg->seq - 1;
        syn.opt.has_mss = true;
        syn.opt.mss = mss;
        struct tcb *c = spawn_child(st, l, &syn);
        if (!c)
            return;
        c->iss = seg->ack - 1;
        c->snd_una = c->iss;
        c->snd_nxt = c->iss + 1;
        c->snd_max = c->iss + 1;
        c->snd_buf_seq = c->iss + 1;
        /* The window our cookie SYN-ACK offered (unscaled, RFC 7323 2.2). */
        c->rcv_adv = c->rcv_nxt + tcp_window_field(c, true);
        tcb_cc_init(st, c);
        c->state = TCP_SYN_RECEIVED; /* reconstructed, never announced */
        /* It never took a place in the SYN queue (that is the point of a
         * cookie, RFC 4987 3.6), so it is not counted there. */
        c->from_cookie = true;
        q->stats.cookies_accepted++;
        listen_event(st, l, LISTEN_COOKIE_ACCEPTED, seg);
        tcp_input_segment(st, c, seg);
        return;
    }
    /* RFC 9293 3.10.7.2: "any acknowledgment is bad if it arrives on a
     * connection still in the LISTEN state": <SEQ=SEG.ACK><CTL=RST>. */
    tcp_drop_segment(st, l, seg, l->cfg.syncookies ? DROP_BAD_COOKIE : DROP_BAD_ACK);
    tcp_send_rst_for(st, seg);
}

void tcp_listen_input(struct tcp_stack *st, struct tcb *l, const struct tcp_segment *seg)
{
    if (seg->flags & TCP_RST) {
        tcp_drop_segment(st, l, seg, DROP_STATE); /* first check: ignore a RST */
        return;
    }
    if (seg->flags & TCP_ACK) {
        listen_ack(st, l, seg);
        return;
    }
    if (seg->flags & TCP_SYN) {
        listen_syn(st, l, seg);
        return;
    }
    tcp_drop_segment(st, l, seg, DROP_STATE); /* fourth: anything else, drop */
}

/* The handshake completed: from the SYN queue to the accept queue.  The
 * connection is ESTABLISHED whether or not the app ever calls accept(). */
void tcp_listener_child_established(struct tcp_stack *st, struct tcb *child)
{
    struct tcb *l = parent_of(st, child);
    if (!l)
        return;
    struct tcp_listener *q = l->listener;
    if (q->syn_len && !child->from_cookie)
        q->syn_len--;
    q->accept_queue[q->accept_len++] = child->sock;
    q->stats.syn_queue = q->syn_len;
    q->stats.accept_queue = q->accept_len;
    listen_event(st, l, LISTEN_ACCEPT_QUEUED, NULL);
}

/* A child that was never accepted closed (reset, timed out). */
void tcp_listener_child_gone(struct tcp_stack *st, struct tcb *child)
{
    struct tcb *l = parent_of(st, child);
    if (!l)
        return;
    struct tcp_listener *q = l->listener;
    bool queued = false;
    for (unsigned i = 0; i < q->accept_len; i++) {
        if (q->accept_queue[i] == child->sock) {
            memmove(&q->accept_queue[i], &q->accept_queue[i + 1],
                    (q->accept_len - i - 1) * sizeof(int));
            q->accept_len--;
            queued = true;
            break;
        }
    }
    if (!queued && q->syn_len && !child->from_cookie) {
        q->syn_len--;
        listen_event(st, l, LISTEN_SYN_EXPIRED, NULL);
    }
    q->stats.syn_queue = q->syn_len;
    q->stats.accept_queue = q->accept_len;
}

int tcp_listen(struct tcp_stack *st, int sock, unsigned backlog, uint64_t now)
{
    st->now = now;
    struct tcb *t = tcp_stack_tcb(st, sock);
    int rc = 0;
    if (!t || t->state != TCP_CLOSED || !t->bound) {
        rc = -TCP_ERR_INVALID;
    } else {
        t->listener = calloc(1, sizeof *t->listener);
        unsigned max = backlog ? backlog : 1;
        if (t->listener)
            t->listener->accept_queue = calloc(max + 1, sizeof(int));
        if (!t->listener || !t->listener->accept_queue) {
            if (t->listener)
                free(t->listener);
            t->listener = NULL;
            rc = -TCP_ERR_NO_BUFFER;
        } else {
            t->listener->accept_max = max;
            t->listener->stats.accept_queue_max = max;
            t->listener->stats.syn_queue_max = t->cfg.syn_backlog;
            tcb_set_state(st, t, TCP_LISTEN, CAUSE_APP_LISTEN, "RFC 9293 3.10.1");
        }
    }
    struct tcp_event ev = { .kind = EV_APP };
    ev.u.app.call = APP_LISTEN;
    ev.u.app.result = rc;
    ev.u.app.bytes = backlog;
    tcb_observe(st, t, &ev);
    return rc;
}

int tcp_accept(struct tcp_stack *st, int sock, uint64_t now)
{
    st->now = now;
    struct tcb *l = tcp_stack_tcb(st, sock);
    int rc;
    if (!l || !l->listener) {
        rc = -TCP_ERR_INVALID;
    } else if (l->listener->accept_len == 0) {
        return -TCP_ERR_WOULD_BLOCK; /* polling is not an event worth a line */
    } else {
        struct tcp_listener *q = l->listener;
        rc = q->accept_queue[0];
        memmove(&q->accept_queue[0], &q->accept_queue[1], (q->accept_len - 1) * sizeof(int));
        q->accept_len--;
        q->stats.accept_queue = q->accept_len;
        struct tcb *c = tcp_stack_tcb(st, rc);
        if (c)
            c->accepted = true;
        listen_event(st, l, LISTEN_ACCEPTED, NULL);
    }
    struct tcp_event ev = { .kind = EV_APP };
    ev.u.app.call = APP_ACCEPT;
    ev.u.app.result = rc;
    tcb_observe(st, l, &ev);
    return rc;
}

int tcp_listen_stats(const struct tcp_stack *st, int sock, struct tcp_listen_stats *out)
{
    const struct tcb *l = tcp_stack_tcb(st, sock);
    if (!l || !l->listener)
        return -TCP_ERR_INVALID;
    *out = l->listener->stats;
    out->syn_queue = l->listener->syn_len;
    out->accept_queue = l->listener->accept_len;
    return 0;
}
