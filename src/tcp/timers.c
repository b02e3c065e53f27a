/* What happens when each timer expires. */
#include "tcp/tcb.h"

static void fire_event(struct tcp_stack *st, struct tcb *t, enum tcp_timer which)
{
    struct tcp_event ev = { .kind = EV_TIMER_FIRE };
    ev.u.timer.timer = (uint8_t)which;
    ev.u.timer.deadline = t->timer[which];
    ev.u.timer.count = which == TCP_TIMER_KEEPALIVE ? t->keepalive_sent : t->backoff;
    t->timer[which] = TCP_TIME_NEVER;
    tcp_stack_timer_moved(st, t, ev.u.timer.deadline, TCP_TIME_NEVER);
    tcb_observe(st, t, &ev);
}

static unsigned retry_limit(const struct tcb *t)
{
    if (t->state == TCP_SYN_SENT)
        return t->cfg.syn_retries;
    if (t->state == TCP_SYN_RECEIVED)
        return t->cfg.synack_retries;
    return t->cfg.retries;
}

/* RFC 6298 5.4-5.6 and RFC 1122 4.2.3.5: retransmit the earliest segment,
 * double the timer, and give up after the configured number of tries. */
static void rto_expired(struct tcp_stack *st, struct tcb *t)
{
    if (t->backoff >= retry_limit(t)) {
        if (t->state == TCP_SYN_RECEIVED && t->passive) {
            /* A half-open connection that never completed: forget it. */
            tcb_close(st, t, CAUSE_TIMEOUT, "RFC 1122 4.2.3.5");
            return;
        }
        /* RFC 9293 3.10.8 (user timeout): signal the user, delete the
         * TCB, enter CLOSED.  No RST: Linux (tcp_write_err) is silent too;
         * BSD sends one.  The app sees the timeout error (ETIMEDOUT). */
        tcb_report_error(st, t, TCP_ERR_TIMEOUT);
        tcb_close(st, t, CAUSE_TIMEOUT, "RFC 1122 4.2.3.5");
        return;
    }
    t->backoff++;
    /* RFC 6298 5.5: back off the timer; 2.5: never beyond the maximum. */
    uint64_t doubled = t->rto_current * 2;
    t->rto_current = doubled > t->cfg.rto_max ? t->cfg.rto_max : doubled;
    if (t->state != TCP_SYN_SENT && t->state != TCP_SYN_RECEIVED)
        tcp_recovery_on_rto(st, t);
    tcp_retransmit_head(st, t, RETX_RTO);
    tcp_arm_rto(st, t); /* RFC 6298 5.6 */
}

/* RFC 1122 4.2.3.6: after an idle period send probes; a peer that answers
 * none of them is gone. */
static void keepalive_expired(struct tcp_stack *st, struct tcb *t)
{
    if (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT)
        return;
    if (t->snd_una != t->snd_max) {
        /* Data outstanding: the retransmission timer watches the peer. */
        tcb_timer_set(st, t, TCP_TIMER_KEEPALIVE, st->now + t->cfg.keepalive_idle);
        return;
    }
    if (t->keepalive_sent >= t->cfg.keepalive_probes) {
        tcp_send_rst(st, t); /* as Linux does when it declares the peer dead */
        tcb_report_error(st, t, TCP_ERR_KEEPALIVE);
        tcb_close(st, t, CAUSE_KEEPALIVE_DEAD, "RFC 1122 4.2.3.6");
        return;
    }
    t->keepalive_sent++;
    /* Traced as a keepalive probe, not counted as a retransmission. */
    struct tcp_event ev = { .kind = EV_RETRANSMIT };
    ev.u.retx.cause = RETX_KEEPALIVE;
    ev.u.retx.seq = t->snd_nxt - 1;
    ev.u.retx.len = 0;
    ev.u.retx.attempt = t->keepalive_sent;
    ev.u.retx.rto = t->cfg.keepalive_interval;
    tcb_observe(st, t, &ev);
    tcp_send_keepalive_probe(st, t);
    tcb_timer_set(st, t, TCP_TIMER_KEEPALIVE, st->now + t->cfg.keepalive_interval);
}

void tcp_timers_fire(struct tcp_stack *st, struct tcb *t, uint64_t now)
{
    for (int i = 0; i < TCP_TIMER_COUNT; i++) {
        if (t->timer[i] > now)
            continue;
        enum tcp_timer which = (enum tcp_timer)i;
        fire_event(st, t, which);
        switch (which) {
        case TCP_TIMER_RTO:
            rto_expired(st, t);
            return; /* the connection may be gone; the rest fire next call */
        case TCP_TIMER_DELACK:
            if (t->ack_pending)
                tcp_send_ack(st, t);
            break;
        case TCP_TIMER_KEEPALIVE:
            keepalive_expired(st, t);
            return;
        case TCP_TIMER_TIME_WAIT:
            /* RFC 9293 3.10.8: 2 MSL over, delete the TCB. */
            tcb_close(st, t, CAUSE_TIME_WAIT_DONE, "RFC 9293 3.10.8");
            return;
        case TCP_TIMER_FIN_WAIT_2:
            tcb_close(st, t, CAUSE_FIN_WAIT_2_DONE, "Linux tcp_fin_timeout");
            return;
        case TCP_TIMER_PERSIST:
            tcp_persist_expired(st, t);
            break;
        case TCP_TIMER_COUNT:
            break;
        }
    }
}
