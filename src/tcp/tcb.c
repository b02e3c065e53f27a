/* Connection blocks: creation, copying, and the helpers every part of the
 * engine uses to change state, arm timers and report what happened. */
#include "tcp/tcb.h"

#include <stdlib.h>
#include <string.h>

struct tcb *tcb_new(struct tcp_stack *st, const struct tcp_config *cfg)
{
    struct tcb *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->id = ++st->next_conn_id;
    t->state = TCP_CLOSED;
    t->cfg = *cfg;
    t->local_addr = st->addr;
    if (!ring_init(&t->sndbuf, cfg->sndbuf) || !ring_init(&t->rcvbuf, cfg->rcvbuf)) {
        ring_free(&t->sndbuf);
        ring_free(&t->rcvbuf);
        free(t);
        return NULL;
    }
    for (int i = 0; i < TCP_TIMER_COUNT; i++)
        t->timer[i] = TCP_TIME_NEVER;
    rtt_init(&t->rtt, cfg->rto_initial);
    t->rto_current = cfg->rto_initial;
    t->snd_mss = TCP_DEFAULT_PEER_MSS;
    t->cc_ops = tcp_cc_ops_for((enum tcp_cc_algo)cfg->cc);
    reasm_init(&t->reasm);
    sb_init(&t->sb);
    return t;
}

void tcb_destroy(struct tcp_stack *st, struct tcb *t)
{
    if (!t)
        return;
    if (t->sock > 0 && t->sock < st->nsocks && st->socks[t->sock] == t) {
        st->socks[t->sock] = NULL;
        tcp_stack_rescan_deadline(st); /* its timers no longer count */
    }
    if (t->listener) {
        free(t->listener->accept_queue);
        free(t->listener);
    }
    ring_free(&t->sndbuf);
    ring_free(&t->rcvbuf);
    reasm_free(&t->reasm);
    sb_free(&t->sb);
    free(t);
}

struct tcb *tcb_clone(const struct tcb *t)
{
    struct tcb *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *t;
    c->listener = NULL;
    c->sndbuf.data = c->rcvbuf.data = NULL;
    reasm_init(&c->reasm);
    sb_init(&c->sb);
    if (!ring_clone(&c->sndbuf, &t->sndbuf) || !ring_clone(&c->rcvbuf, &t->rcvbuf) ||
        !reasm_clone(&c->reasm, &t->reasm) || !sb_clone(&c->sb, &t->sb))
        goto fail;
    if (t->listener) {
        c->listener = malloc(sizeof *c->listener);
        if (!c->listener)
            goto fail;
        *c->listener = *t->listener;
        c->listener->accept_queue = calloc(t->listener->accept_max + 1, sizeof(int));
        if (!c->listener->accept_queue)
            goto fail;
        memcpy(c->listener->accept_queue, t->listener->accept_queue,
               t->listener->accept_len * sizeof(int));
    }
    return c;
fail:
    ring_free(&c->sndbuf);
    ring_free(&c->rcvbuf);
    reasm_free(&c->reasm);
    sb_free(&c->sb);
    if (c->listener)
        free(c->listener->accept_queue);
    free(c->listener);
    free(c);
    return NULL;
}

void tcb_observe(struct tcp_stack *st, const struct tcb *t, struct tcp_event *ev)
{
    if (st->ops.observed && !(st->ops.observed & (UINT32_C(1) << ev->kind))) {
        st->unobserved++;
        return;
    }
    ev->conn = t ? t->id : 0;
    if (st->ops.observe)
        st->ops.observe(st->ctx, ev);
}

void tcb_set_state(struct tcp_stack *st, struct tcb *t, enum tcp_state to,
                   enum tcp_state_cause cause, const char *rfc)
{
    if (t->state == to)
        return;
    struct tcp_event ev = { .kind = EV_STATE };
    ev.u.state.from = (uint8_t)t->state;
    ev.u.state.to = (uint8_t)to;
    ev.u.state.cause = (uint8_t)cause;
    ev.u.state.rfc = rfc;
    t->state = to;
    tcb_observe(st, t, &ev);
}

void tcb_timer_set(struct tcp_stack *st, struct tcb *t, enum tcp_timer which, uint64_t deadline)
{
    uint64_t was = t->timer[which];
    if (was == deadline)
        return;
    t->timer[which] = deadline;
    tcp_stack_timer_moved(st, t, was, deadline);
    struct tcp_event ev = { .kind = EV_TIMER_SET };
    ev.u.timer.timer = (uint8_t)which;
    ev.u.timer.deadline = deadline;
    ev.u.timer.count = which == TCP_TIMER_KEEPALIVE ? t->keepalive_sent : t->backoff;
    tcb_observe(st, t, &ev);
}

void tcb_timer_cancel(struct tcp_stack *st, struct tcb *t, enum tcp_timer which)
{
    if (t->timer[which] == TCP_TIME_NEVER)
        return;
    struct tcp_event ev = { .kind = EV_TIMER_CANCEL };
    ev.u.timer.timer = (uint8_t)which;
    ev.u.timer.deadline = t->timer[which];
    t->timer[which] = TCP_TIME_NEVER;
    tcp_stack_timer_moved(st, t, ev.u.timer.deadline, TCP_TIME_NEVER);
    tcb_observe(st, t, &ev);
}

void tcb_report_error(struct tcp_stack *st, struct tcb *t, enum tcp_error err)
{
    t->error = err;
    struct tcp_event ev = { .kind = EV_ERROR };
    ev.u.error.err = (uint8_t)err;
    tcb_observe(st, t, &ev);
}

bool tcb_app_owns(const struct tcb *t)
{
    return t->accepted && !t->app_closed;
}

void tcb_close(struct tcp_stack *st, struct tcb *t, enum tcp_state_cause cause, const char *rfc)
{
    for (int i = 0; i < TCP_TIMER_COUNT; i++)
        tcb_timer_cancel(st, t, (enum tcp_timer)i);
    enum tcp_state was = t->state;
    tcb_set_state(st, t, TCP_CLOSED, cause, rfc);
    if (t->parent && !t->accepted && (was == TCP_SYN_RECEIVED || was == TCP_ESTABLISHED ||
                                       was == TCP_CLOSE_WAIT))
        tcp_listener_child_gone(st, t);
    /* The app keeps a handle to a connection it owns until it releases
     * it, so it can still read the error; everything else goes now. */
    if (!tcb_app_owns(t))
        tcb_destroy(st, t);
}

void tcb_init_sequence(struct tcp_stack *st, struct tcb *t)
{
    /* RFC 9293 3.4.1: the ISN comes from a clock-driven generator; RFC
     * 6528 adds a keyed hash of the 4-tuple.  The world's seeded random
     * source stands in for both so that runs are reproducible. */
    t->iss = t->cfg.isn_fixed ? t->cfg.isn
                              : (st->ops.random32 ? st->ops.random32(st->ctx) : 0);
    if (t->passive && st->reopen_pending) {
        t->iss = st->reopen_iss; /* reopening from TIME-WAIT (stack.c) */
        st->reopen_pending = false;
    }
    t->snd_una = t->iss;
    t->snd_nxt = t->iss;
    t->snd_max = t->iss;
    t->snd_buf_seq = t->iss + 1;
    if (!t->passive)
        t->snd_mss = t->cfg.mss; /* until the peer's SYN tells us its MSS */
    tcb_cc_init(st, t);
}

void tcb_cc_init(struct tcp_stack *st, struct tcb *t)
{
    t->cc_ops = tcp_cc_ops_for((enum tcp_cc_algo)t->cfg.cc);
    t->cc_ops->init(&t->cc, t->snd_mss, t->cfg.initial_window, t->cfg.ssthresh_initial);
    t->cc.recover = t->iss;
    tcb_report_cc(st, t, CC_CAUSE_INIT);
}

void tcb_report_cc(struct tcp_stack *st, struct tcb *t, enum tcp_cc_cause cause)
{
    if (t->cc.cwnd == t->shown_cwnd && t->cc.ssthresh == t->shown_ssthresh &&
        t->cc.phase == t->shown_phase)
        return;
    t->shown_cwnd = t->cc.cwnd;
    t->shown_ssthresh = t->cc.ssthresh;
    t->shown_phase = t->cc.phase;
    struct tcp_event ev = { .kind = EV_CWND };
    ev.u.cwnd.cwnd = t->cc.cwnd;
    ev.u.cwnd.ssthresh = t->cc.ssthresh;
    ev.u.cwnd.phase = t->cc.phase;
    ev.u.cwnd.cause = (uint8_t)cause;
    tcb_observe(st, t, &ev);
}

void tcb_report_window(struct tcp_stack *st, struct tcb *t)
{
    uint32_t rcv_wnd = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    if (t->snd_una == t->shown_snd_una && t->snd_nxt == t->shown_snd_nxt &&
        t->snd_wnd == t->shown_snd_wnd && t->rcv_nxt == t->shown_rcv_nxt &&
        rcv_wnd == t->shown_rcv_wnd)
        return;
    t->shown_snd_una = t->snd_una;
    t->shown_snd_nxt = t->snd_nxt;
    t->shown_snd_wnd = t->snd_wnd;
    t->shown_rcv_nxt = t->rcv_nxt;
    t->shown_rcv_wnd = rcv_wnd;
    struct tcp_event ev = { .kind = EV_WINDOW };
    ev.u.window.snd_una = t->snd_una;
    ev.u.window.snd_nxt = t->snd_nxt;
    ev.u.window.snd_wnd = t->snd_wnd;
    ev.u.window.rcv_nxt = t->rcv_nxt;
    ev.u.window.rcv_wnd = rcv_wnd;
    tcb_observe(st, t, &ev);
}
