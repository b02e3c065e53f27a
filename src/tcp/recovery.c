/* Loss recovery: duplicate ACKs, fast retransmit, fast recovery (Reno,
 * RFC 5681 3.2; NewReno, RFC 6582), SACK-based recovery (RFC 6675), and
 * the congestion response to a retransmission timeout.  The numbers come
 * from the connection's congestion-control algorithm (cc.h); this file
 * decides when to ask and what to retransmit. */
#include "tcp/tcb.h"

static bool sack_recovery_possible(const struct tcb *t)
{
    /* RFC 6675 needs SND.NXT = SND.MAX (no go-back in progress). */
    return t->sack_ok && t->cfg.sack_recovery && t->snd_nxt == t->snd_max;
}

static uint32_t flight_size(const struct tcb *t)
{
    return t->snd_max - t->snd_una; /* RFC 5681 2: FlightSize */
}

/* RFC 6675 NextSeg() and the transmission loop of its step (C): send
 * while the estimated pipe is below cwnd. */
void tcp_sack_recovery_output(struct tcp_stack *st, struct tcb *t)
{
    unsigned dupthresh = t->cfg.dupthresh;
    for (;;) {
        uint32_t pipe = sb_pipe(&t->sb, t->snd_una, t->snd_max, t->snd_mss, dupthresh);
        if (pipe >= t->cc.cwnd)
            break;
        uint32_t room = t->cc.cwnd - pipe;
        /* New data must also fit the peer's window. */
        uint32_t window_left = t->snd_wnd > flight_size(t) ? t->snd_wnd - flight_size(t) : 0;
        uint32_t new_data = tcp_unsent_bytes(t);
        if (new_data > window_left)
            new_data = window_left;
        tcp_seq seq;
        uint32_t len;
        bool is_new;
        if (!sb_next_seg(&t->sb, t->snd_una, t->snd_max, t->snd_mss, dupthresh, new_data, &seq,
                         &len, &is_new))
            break;
        if (len > room && room < t->snd_mss)
            break; /* wait for the pipe to drain by a whole segment */
        uint32_t sent = tcp_transmit(st, t, seq, len, RETX_SACK, false);
        if (sent == 0)
            break;
        if (is_new)
            t->snd_nxt = t->snd_max;
        else if (seq_gt(seq + sent, t->sb.high_rxt))
            t->sb.high_rxt = seq + sent;
    }
    /* Our FIN, once all data is out. */
    if (t->fin_queued && !t->fin_sent && tcp_unsent_bytes(t) == 0) {
        tcp_transmit(st, t, t->snd_max, 0, RETX_RTO, false);
        t->snd_nxt = t->snd_max;
    }
}

/* Fast retransmit (RFC 5681 3.2 steps 2-3, RFC 6675 5 step 4). */
static void enter_recovery(struct tcp_stack *st, struct tcb *t)
{
    uint32_t flight = flight_size(t);
    bool fast_recovery = t->cc_ops->on_loss_detected(&t->cc, flight, t->snd_max, st->now);
    t->cc.recover = t->snd_max;
    if (fast_recovery && sack_recovery_possible(t)) {
        /* RFC 6675 5 (4.2): cwnd = ssthresh; the pipe estimate, not
         * window inflation, paces the recovery. */
        t->in_recovery = true;
        t->sack_recovery = true;
        t->cc.cwnd = t->cc.ssthresh;
        t->cc.phase = CC_FAST_RECOVERY;
        tcb_report_cc(st, t, CC_CAUSE_FAST_RETRANSMIT);
        t->sb.high_rxt = t->snd_una;
        /* (4.3): retransmit the first segment NextSeg() names: the head. */
        uint32_t sent = tcp_transmit(st, t, t->snd_una, t->snd_mss, RETX_FAST, false);
        t->sb.high_rxt = t->snd_una + sent;
        tcp_sack_recovery_output(st, t);
        return;
    }
    t->in_recovery = fast_recovery;
    t->sack_recovery = false;
    t->partial_ack_seen = false;
    tcb_report_cc(st, t, CC_CAUSE_FAST_RETRANSMIT);
    tcp_transmit(st, t, t->snd_una, t->snd_mss, RETX_FAST, false);
}

void tcp_recovery_on_dupack(struct tcp_stack *st, struct tcb *t, tcp_seq ack)
{
    t->dupacks++;
    struct tcp_event ev = { .kind = EV_DUPACK };
    ev.u.dupack.ack = ack;
    ev.u.dupack.count = t->dupacks;
    tcb_observe(st, t, &ev);

    if (t->in_recovery) {
        if (!t->sack_recovery) {
            /* RFC 5681 3.2 step 4: each further duplicate means a segment
             * left the network: inflate cwnd by one SMSS. */
            t->cc_ops->on_dupack_in_recovery(&t->cc);
            tcb_report_cc(st, t, CC_CAUSE_DUPACK_INFLATE);
        }
        return;
    }
    /* RFC 6582 3.2 step 2 (and 4.1): after a timeout, duplicates for data
     * sent before it (ACK not beyond "recover") do not start a new
     * recovery. */
    if (!seq_gt(ack, t->cc.recover))
        return;
    /* RFC 6675 5: with SACK, a loss may also be declared by IsLost(). */
    bool sack_says_lost = t->sack_ok && t->cfg.sack_recovery &&
                          sb_is_lost(&t->sb, t->snd_una, t->snd_mss, t->cfg.dupthresh);
    if (t->dupacks == t->cfg.dupthresh || (sack_says_lost && t->dupacks < t->cfg.dupthresh))
        enter_recovery(st, t);
}

void tcp_recovery_on_new_ack(struct tcp_stack *st, struct tcb *t, uint32_t acked,
                             uint32_t flight_before)
{
    struct tcp_cc_ack a = {
        .acked = acked,
        .flight = flight_before,
        .ack = t->snd_una,
        .now = st->now,
        .srtt = t->rtt.has_sample ? t->rtt.srtt : 0,
    };
    t->dupacks = 0;
    if (!t->in_recovery) {
        if (acked == 0)
            return; /* only our SYN or FIN: no data, no growth */
        t->cc_ops->on_ack(&t->cc, &a);
        tcb_report_cc(st, t, CC_CAUSE_ACK);
        return;
    }
    if (t->sack_recovery) {
        /* RFC 6675 5: recovery ends when the cumulative ACK covers
         * RecoveryPoint; cwnd stays at ssthresh. */
        if (seq_ge(t->snd_una, t->cc.recover)) {
            t->in_recovery = false;
            t->sack_recovery = false;
            t->cc.cwnd = t->cc.ssthresh;
            t->cc.phase = CC_CONGESTION_AVOIDANCE;
            tcb_report_cc(st, t, CC_CAUSE_RECOVERY_END);
        }
        return;
    }
    enum tcp_cc_recovery_step step = t->cc_ops->on_ack_in_recovery(&t->cc, &a);
    if (step == CC_RECOVERY_EXIT) {
        t->in_recovery = false;
        tcb_report_cc(st, t, CC_CAUSE_RECOVERY_END);
    } else if (step == CC_RECOVERY_RETRANSMIT) {
        /* RFC 6582 3.2 step 3: a partial ACK: retransmit the first
         * unacknowledged segment and stay in fast recovery. */
        tcb_report_cc(st, t, CC_CAUSE_PARTIAL_ACK);
        tcp_transmit(st, t, t->snd_una, t->snd_mss, RETX_RECOVERY, false);
        t->partial_ack_seen = true;
    }
}

/* RFC 5681 3.1 equation 4 and RFC 6298 5.5-5.6; RFC 6582 4.1 records
 * "recover" so late duplicates do not start a fast retransmit; RFC 6675
 * 5.1: after a timeout the SACK information is not trusted any more. */
void tcp_recovery_on_rto(struct tcp_stack *st, struct tcb *t)
{
    t->cc_ops->on_rto(&t->cc, flight_size(t), st->now);
    t->cc.recover = t->snd_max;
    t->in_recovery = false;
    t->sack_recovery = false;
    t->dupacks = 0;
    sb_reset(&t->sb);
    tcb_report_cc(st, t, CC_CAUSE_RTO);
}
