/* Segment arrival for a connection (RFC 9293 3.10.7.3 and 3.10.7.4), in the
 * RFC's order: sequence number, RST, SYN, ACK, text, FIN.  Each step is a
 * function named after what it checks; each returns false when the segment
 * has been dealt with and processing stops. */
#include "tcp/tcb.h"

/* Option bytes the timestamps option takes in every segment. */
#define TCP_TIMESTAMPS_SPACE 12u

static void drop(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg,
                 enum tcp_drop_reason why)
{
    tcp_drop_segment(st, t, seg, why);
}

/* RFC 7323 / RFC 2018 / RFC 9293 3.7.1: what the peer's SYN offered. */
void tcb_apply_syn_options(struct tcb *t, const struct tcp_segment *seg)
{
    uint16_t peer_mss = seg->opt.has_mss ? seg->opt.mss : TCP_DEFAULT_PEER_MSS;
    t->snd_mss = peer_mss < t->cfg.mss ? peer_mss : t->cfg.mss;
    if (t->snd_mss == 0)
        t->snd_mss = 1;
    t->wscale_ok = seg->opt.has_wscale && t->cfg.wscale >= 0;
    if (t->wscale_ok) {
        /* RFC 7323 2.3: a shift above 14 is treated as 14. */
        t->snd_wscale = seg->opt.wscale > 14 ? 14 : seg->opt.wscale;
        t->rcv_wscale = (uint8_t)t->cfg.wscale;
    } else {
        t->snd_wscale = t->rcv_wscale = 0;
    }
    t->sack_ok = seg->opt.sack_permitted && t->cfg.sack;
    t->ts_ok = seg->opt.has_timestamps && t->cfg.timestamps;
    if (t->ts_ok)
        t->ts_recent = seg->opt.ts_val;
    /* RFC 6691 2 (RFC 9293 3.7.1): the MSS counts no options, so "the
     * sender MUST reduce the TCP data length to account for any ... TCP
     * options that it is including": timestamps ride on every segment
     * and take 12 bytes (10, padded). */
    if (t->ts_ok && t->snd_mss > TCP_TIMESTAMPS_SPACE)
        t->snd_mss -= TCP_TIMESTAMPS_SPACE;
    t->rcv_adv = seg->seq + 1; /* nothing advertised beyond RCV.NXT yet */
}

static void take_peer_window(struct tcb *t, const struct tcp_segment *seg)
{
    /* RFC 7323 2.2: the window of a SYN is not scaled. */
    unsigned shift = (seg->flags & TCP_SYN) ? 0 : t->snd_wscale;
    t->snd_wnd = (uint32_t)seg->window << shift;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = seg->ack;
    if (t->snd_wnd > t->max_snd_wnd)
        t->max_snd_wnd = t->snd_wnd; /* RFC 1122 4.2.3.4: max(SND.WND) */
}

/* RFC 9293 3.10.7.3: SYN-SENT. */
void tcp_input_syn_sent(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    bool has_ack = seg->flags & TCP_ACK;
    /* First: the ACK must acknowledge our SYN (ISS < SEG.ACK =< SND.NXT). */
    if (has_ack && (seq_le(seg->ack, t->iss) || seq_gt(seg->ack, t->snd_nxt))) {
        drop(st, t, seg, DROP_BAD_ACK);
        tcp_send_rst_for(st, seg); /* <SEQ=SEG.ACK><CTL=RST>, unless it was a RST */
        return;
    }
    /* Second: RST.  RFC 5961 3.2: in SYN-SENT a RST is acceptable when its
     * ACK acknowledges the SYN; one without ACK is dropped. */
    if (seg->flags & TCP_RST) {
        if (!has_ack) {
            drop(st, t, seg, DROP_RST_IGNORED);
            return;
        }
        tcb_report_error(st, t, TCP_ERR_REFUSED);
        tcb_close(st, t, CAUSE_RCV_RST, "RFC 9293 3.10.7.3");
        return;
    }
    if (!(seg->flags & TCP_SYN)) {
        drop(st, t, seg, DROP_STATE); /* "Fifth, if neither SYN nor RST, drop" */
        return;
    }
    /* Fourth: SYN. */
    t->irs = seg->seq;
    t->rcv_nxt = seg->seq + 1;
    tcb_apply_syn_options(t, seg);
    tcb_cc_init(st, t);
    t->last_rcv = st->now;
    if (has_ack) {
        t->snd_una = seg->ack;
        tcb_timer_cancel(st, t, TCP_TIMER_RTO);
        /* The handshake gives the first RTT sample unless the SYN was
         * retransmitted (Karn: the ACK could be for either copy). */
        if (t->backoff == 0 && t->rtt_timing) {
            rtt_sample(&t->rtt, st->now - t->rtt_sent_at, t->cfg.rto_min, t->cfg.rto_max);
            struct tcp_event ev = { .kind = EV_RTT };
            ev.u.rtt.sample = st->now - t->rtt_sent_at;
            ev.u.rtt.srtt = t->rtt.srtt;
            ev.u.rtt.rttvar = t->rtt.rttvar;
            ev.u.rtt.rto = t->rtt.rto;
            tcb_observe(st, t, &ev);
        }
        t->rtt_timing = false;
        /* RFC 6298 5.7: after a SYN timeout, data starts with RTO >= 3 s. */
        if (t->backoff > 0 && !t->rtt.has_sample && t->rtt.rto < 3 * TCP_USEC_PER_SEC)
            t->rtt.rto = 3 * TCP_USEC_PER_SEC;
        t->backoff = 0;
        t->rto_current = t->rtt.rto;
        take_peer_window(t, seg);
        tcb_set_state(st, t, TCP_ESTABLISHED, CAUSE_RCV_SYN_ACK, "RFC 9293 3.10.7.3");
        /* Data on a SYN-ACK is rare; it is not queued (the RFC allows
         * either) and the peer will send it again. */
        /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, or data that carries it. */
        t->ack_pending = true;
        tcp_output(st, t);
        if (t->ack_pending)
            tcp_send_ack(st, t);
        if (t->cfg.keepalive)
            tcb_timer_set(st, t, TCP_TIMER_KEEPALIVE, st->now + t->cfg.keepalive_idle);
        tcb_report_window(st, t);
        return;
    }
    /* Simultaneous open (RFC 9293 3.5 figure 7): SYN-RECEIVED, send
     * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. */
    tcb_set_state(st, t, TCP_SYN_RECEIVED, CAUSE_RCV_SYN, "RFC 9293 3.10.7.3");
    take_peer_window(t, seg);
    t->snd_max = t->iss; /* the SYN-ACK is a new segment, not a retransmission */
    tcp_send_syn(st, t, true);
}

/* First check: is the segment acceptable?  (RFC 9293 3.10.7.4, the table
 * of four cases on SEG.LEN and RCV.WND.) */
static bool sequence_acceptable(const struct tcb *t, const struct tcp_segment *seg)
{
    uint32_t len = tcp_segment_seq_len(seg);
    /* RCV.WND is what we advertised (RFC 9293 3.3.1). */
    uint32_t wnd = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    tcp_seq lo = t->rcv_nxt, hi = t->rcv_nxt + wnd;
    if (len == 0 && wnd == 0)
        return seg->seq == t->rcv_nxt;
    if (len == 0)
        return seq_in_half_open(seg->seq, lo, hi);
    if (wnd == 0)
        return false;
    return seq_in_half_open(seg->seq, lo, hi) || seq_in_half_open(seg->seq + len - 1, lo, hi);
}

/* RFC 5961 3.2 / 4.2 / 5.2: the challenge ACK, <SEQ=SND.NXT><ACK=RCV.NXT>. */
static void challenge_ack(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    drop(st, t, seg, DROP_CHALLENGED);
    tcp_send_ack(st, t);
}

/* RFC 9293 3.10.7.4 TIME-WAIT: "The only thing that can arrive in this
 * state is a retransmission of the remote FIN.  Acknowledge it, and
 * restart the 2 MSL timeout." */
static bool time_wait_fin(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    if (t->state != TCP_TIME_WAIT || !(seg->flags & TCP_FIN) || (seg->flags & TCP_RST))
        return true;
    if (seg->seq + tcp_segment_seq_len(seg) != t->rcv_nxt)
        return true;
    drop(st, t, seg, DROP_OUT_OF_WINDOW);
    tcp_send_ack(st, t);
    tcb_timer_set(st, t, TCP_TIMER_TIME_WAIT, st->now + 2 * t->cfg.msl);
    return false;
}

static bool check_sequence(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    if (sequence_acceptable(t, seg))
        return true;
    /* A retransmitted SYN in SYN-RECEIVED is not dropped as out of
     * window: it is answered with our SYN-ACK (RFC 9293 3.10.7.4 asks for
     * an acknowledgment; see tcp_answer_duplicate_syn). */
    if (t->state == TCP_SYN_RECEIVED && (seg->flags & TCP_SYN) && !(seg->flags & TCP_ACK) &&
        seg->seq == t->irs) {
        tcp_answer_duplicate_syn(st, t);
        return false;
    }
    drop(st, t, seg, DROP_OUT_OF_WINDOW);
    /* A segment we already have entirely: report it with D-SACK in the
     * ACK below (RFC 2883 4.1.1). */
    if (t->sack_ok && t->cfg.dsack && seg->payload_len && seq_lt(seg->seq, t->rcv_nxt)) {
        tcp_seq end = seg->seq + (uint32_t)seg->payload_len;
        reasm_note_duplicate(&t->reasm, seg->seq, seq_min(end, t->rcv_nxt));
    }
    /* "If an incoming segment is not acceptable, an acknowledgment should
     * be sent in reply (unless the RST bit is set)". */
    if (!(seg->flags & TCP_RST))
        tcp_send_ack(st, t);
    return false;
}

/* Second check: RST (RFC 9293 3.10.7.4 with RFC 5961 3.2). */
static bool check_rst(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    if (!(seg->flags & TCP_RST))
        return true;
    if (seg->seq != t->rcv_nxt) {
        /* In the window but not exact: maybe blind, so challenge. */
        challenge_ack(st, t, seg);
        return false;
    }
    switch (t->state) {
    case TCP_SYN_RECEIVED:
        if (t->passive) {
            /* Passive open: "return this connection to LISTEN".  The
             * listener still listens; this half-open child just goes. */
            tcb_close(st, t, CAUSE_RCV_RST, "RFC 9293 3.10.7.4");
            return false;
        }
        tcb_report_error(st, t, TCP_ERR_REFUSED);
        break;
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        tcb_report_error(st, t, TCP_ERR_RESET);
        break;
    default: /* CLOSING, LAST-ACK, TIME-WAIT: just close */
        break;
    }
    tcb_close(st, t, CAUSE_RCV_RST, "RFC 9293 3.10.7.4");
    return false;
}

/* Fourth check: SYN in a synchronized state (RFC 5961 4.2: always a
 * challenge ACK, whatever the sequence number). */
static bool check_syn(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    if (!(seg->flags & TCP_SYN))
        return true;
    if (t->state == TCP_SYN_RECEIVED && t->passive) {
        /* RFC 9293: a passive open returns to LISTEN. */
        drop(st, t, seg, DROP_STATE);
        tcb_close(st, t, CAUSE_RCV_SYN, "RFC 9293 3.10.7.4");
        return false;
    }
    challenge_ack(st, t, seg);
    return false;
}

static void report_rtt(struct tcp_stack *st, struct tcb *t, uint64_t sample)
{
    rtt_sample(&t->rtt, sample, t->cfg.rto_min, t->cfg.rto_max);
    struct tcp_event ev = { .kind = EV_RTT };
    ev.u.rtt.sample = sample;
    ev.u.rtt.srtt = t->rtt.srtt;
    ev.u.rtt.rttvar = t->rtt.rttvar;
    ev.u.rtt.rto = t->rtt.rto;
    tcb_observe(st, t, &ev);
}

/* An RTT sample for an ACK of new data: from the echoed timestamp when
 * timestamps are in use (RFC 7323 4.1), else from the one timed segment
 * (RFC 6298 3, with Karn's rule applied when it was retransmitted). */
static bool rtt_measure(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    if (t->ts_ok && seg->opt.has_timestamps && seg->opt.ts_ecr) {
        uint32_t now_ms = (uint32_t)(st->now / 1000u);
        uint32_t elapsed_ms = now_ms - seg->opt.ts_ecr;
        if (elapsed_ms >= 0x80000000u)
            return false; /* from the future: ignore */
        report_rtt(st, t, (uint64_t)(elapsed_ms ? elapsed_ms : 1) * 1000u);
        return true;
    }
    if (!t->rtt_timing || !seq_gt(seg->ack, t->rtt_seq))
        return false;
    t->rtt_timing = false;
    report_rtt(st, t, st->now - t->rtt_sent_at);
    return true;
}

/* SND.UNA advances: drop acknowledged bytes, take an RTT sample, restart
 * or stop the retransmission timer (RFC 6298 5.2, 5.3).  Returns the
 * number of data bytes newly acknowledged (a SYN or FIN is not data). */
static uint32_t new_data_acked(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    tcp_seq ack = seg->ack;
    t->snd_una = ack;
    if (seq_lt(t->snd_nxt, ack))
        t->snd_nxt = ack; /* after a go-back, an ACK can pass SND.NXT */
    uint32_t data_end = t->snd_buf_seq + (uint32_t)t->sndbuf.len;
    tcp_seq data_acked_to = seq_min(ack, data_end);
    uint32_t acked = 0;
    if (seq_gt(data_acked_to, t->snd_buf_seq)) {
        acked = data_acked_to - t->snd_buf_seq;
        ring_consume(&t->sndbuf, acked);
        t->snd_buf_seq = data_acked_to;
    }
    bool sampled = rtt_measure(st, t, seg);
    /* SACK ranges at or below the new SND.UNA mean nothing any more. */
    if (t->sack_ok && t->sb.count)
        sb_update(&t->sb, t->snd_una, t->snd_max, NULL, 0, NULL);
    bool was_backed_off = t->backoff > 0;
    t->backoff = 0; /* progress: the retry count starts again */
    if (sampled) {
        /* RFC 6298 5: only a new measurement collapses a backed-off RTO
         * (Karn: an ACK of retransmitted data gives none). */
        t->rto_current = t->rtt.rto;
    } else if (was_backed_off && !t->rtt.has_sample && t->state == TCP_SYN_RECEIVED) {
        /* RFC 6298 5.7: our SYN-ACK timed out: data starts with RTO >= 3 s. */
        if (t->rtt.rto < 3 * TCP_USEC_PER_SEC)
            t->rtt.rto = 3 * TCP_USEC_PER_SEC;
        t->rto_current = t->rtt.rto;
    }
    if (t->snd_una == t->snd_max) {
        tcb_timer_cancel(st, t, TCP_TIMER_RTO);
    } else if (!(t->in_recovery && !t->sack_recovery && t->partial_ack_seen &&
                 seq_lt(ack, t->cc.recover))) {
        /* RFC 6298 5.3: restart the timer on new data acknowledged; but in
         * NewReno recovery only the first partial ACK does (RFC 6582 3.2
         * step 3: "for the first partial ACK ... reset the retransmit
         * timer", RFC 6582's "Impatient" variant), so a window with many
         * losses times out instead of crawling one hole per RTT for ever. */
        tcp_arm_rto(st, t);
    }
    return acked;
}

/* RFC 2018 / RFC 2883: take the SACK blocks of an arriving ACK into the
 * scoreboard.  Returns true if they told us something new. */
static bool take_sack_blocks(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    if (!t->sack_ok || seg->opt.sack_count == 0)
        return false;
    bool dsack = false;
    bool news = sb_update(&t->sb, seg->ack, t->snd_max, seg->opt.sack, seg->opt.sack_count, &dsack);
    struct tcp_event ev = { .kind = EV_SACK };
    ev.u.sack.sent = 0;
    ev.u.sack.count = seg->opt.sack_count;
    ev.u.sack.dsack = dsack;
    for (unsigned i = 0; i < seg->opt.sack_count && i < 4; i++) {
        ev.u.sack.blocks[i].left = seg->opt.sack[i].left;
        ev.u.sack.blocks[i].right = seg->opt.sack[i].right;
    }
    tcb_observe(st, t, &ev);
    return news;
}

/* RFC 5681 2 "DUPLICATE ACKNOWLEDGMENT": outstanding data, no data and no
 * SYN/FIN on the segment, the ACK number equal to SND.UNA and the window
 * unchanged.  A zero window is excluded: those are answers to window
 * probes.  With SACK, an ACK carrying new SACK information also counts
 * (RFC 6675 2). */
static bool is_duplicate_ack(const struct tcb *t, const struct tcp_segment *seg,
                             uint32_t window_before, bool sack_news)
{
    if (seg->ack != t->snd_una || t->snd_max == t->snd_una)
        return false;
    if (seg->payload_len || (seg->flags & (TCP_SYN | TCP_FIN)) || seg->window == 0)
        return false;
    uint32_t window = (uint32_t)seg->window << t->snd_wscale;
    return window == window_before || sack_news;
}

static bool our_fin_acked(const struct tcb *t)
{
    return t->fin_sent && seq_gt(t->snd_una, t->fin_seq);
}

static void enter_time_wait(struct tcp_stack *st, struct tcb *t, enum tcp_state_cause cause)
{
    tcb_set_state(st, t, TCP_TIME_WAIT, cause, "RFC 9293 3.10.7.4");
    for (int i = 0; i < TCP_TIMER_COUNT; i++)
        if (i != TCP_TIMER_DELACK)
            tcb_timer_cancel(st, t, (enum tcp_timer)i);
    tcb_timer_set(st, t, TCP_TIMER_TIME_WAIT, st->now + 2 * t->cfg.msl);
}

/* Our FIN is acknowledged: FIN-WAIT-1 -> FIN-WAIT-2. */
static void fin_wait_1_done(struct tcp_stack *st, struct tcb *t)
{
    tcb_set_state(st, t, TCP_FIN_WAIT_2, CAUSE_RCV_ACK, "RFC 9293 3.10.7.4");
    /* Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 does not wait for
     * ever.  The RFC has no such timer. */
    if (t->app_closed && t->cfg.fin_wait2_timeout)
        tcb_timer_set(st, t, TCP_TIMER_FIN_WAIT_2, st->now + t->cfg.fin_wait2_timeout);
}

/* Fifth check: the ACK field. */
static bool check_ack(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    if (!(seg->flags & TCP_ACK)) {
        drop(st, t, seg, DROP_NO_ACK);
        return false;
    }
    if (t->state == TCP_SYN_RECEIVED) {
        if (!(seq_lt(t->snd_una, seg->ack) && seq_le(seg->ack, t->snd_nxt))) {
            drop(st, t, seg, DROP_BAD_ACK);
            tcp_send_rst_for(st, seg);
            return false;
        }
        if (t->passive && tcp_listener_accept_full(st, t)) {
            /* Linux: with a full accept queue the final ACK is ignored and
             * the SYN-ACK timer keeps running. */
            drop(st, t, seg, DROP_ACCEPT_QUEUE_FULL);
            tcp_listener_accept_dropped(st, t, seg);
            return false;
        }
        take_peer_window(t, seg);
        new_data_acked(st, t, seg);
        tcb_set_state(st, t, TCP_ESTABLISHED, CAUSE_RCV_ACK, "RFC 9293 3.10.7.4");
        if (t->passive)
            tcp_listener_child_established(st, t);
        if (t->cfg.keepalive)
            tcb_timer_set(st, t, TCP_TIMER_KEEPALIVE, st->now + t->cfg.keepalive_idle);
    }
    if (seq_gt(seg->ack, t->snd_max)) {
        /* Acknowledges something not yet sent: ACK and drop. */
        drop(st, t, seg, DROP_BAD_ACK);
        tcp_send_ack(st, t);
        return false;
    }
    uint32_t window_before = t->snd_wnd;
    bool sack_news = take_sack_blocks(st, t, seg);
    if (seq_gt(seg->ack, t->snd_una)) {
        uint32_t flight_before = t->snd_max - t->snd_una;
        uint32_t acked = new_data_acked(st, t, seg);
        tcp_recovery_on_new_ack(st, t, acked, flight_before);
    } else if (is_duplicate_ack(t, seg, window_before, sack_news)) {
        tcp_recovery_on_dupack(st, t, seg->ack);
    }
    /* Window update (RFC 9293 3.10.7.4, the SND.WL1/SND.WL2 rule). */
    if (seq_le(t->snd_una, seg->ack) &&
        (seq_lt(t->snd_wl1, seg->seq) ||
         (t->snd_wl1 == seg->seq && seq_le(t->snd_wl2, seg->ack)))) {
        take_peer_window(t, seg);
        if (t->snd_wnd > 0 && t->timer[TCP_TIMER_PERSIST] != TCP_TIME_NEVER) {
            /* The window opened: stop probing (RFC 9293 3.8.6.1). */
            tcb_timer_cancel(st, t, TCP_TIMER_PERSIST);
            t->persist_backoff = 0;
        }
    }

    switch (t->state) {
    case TCP_FIN_WAIT_1:
        /* A FIN that acknowledges ours takes FIN-WAIT-1 straight to
         * TIME-WAIT in the eighth step ("if our FIN has been ACKed (perhaps
         * in this segment), then enter TIME-WAIT", RFC 9293 3.10.7.4), so
         * leave FIN-WAIT-1 here only for a segment without FIN. */
        if (our_fin_acked(t) && !(seg->flags & TCP_FIN))
            fin_wait_1_done(st, t);
        break;
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        if (our_fin_acked(t)) {
            if (t->state == TCP_CLOSING)
                enter_time_wait(st, t, CAUSE_RCV_ACK);
            else
                tcb_close(st, t, CAUSE_RCV_ACK, "RFC 9293 3.10.7.4");
            return false;
        }
        /* The peer's text and FIN are behind us, but ours may not be:
         * data queued before CLOSE still goes out, then the FIN (RFC 9293
         * 3.10.4), as the window opened by this ACK allows. */
        tcp_output(st, t);
        tcb_report_window(st, t);
        return false;
    case TCP_TIME_WAIT:
        return false;
    default:
        break;
    }
    return true;
}

enum text_outcome {
    TEXT_IN_ORDER,     /* everything up to the segment's end is in: a FIN counts */
    TEXT_NOT_IN_ORDER, /* a gap remains: a FIN must wait */
    TEXT_CONNECTION_GONE,
};

/* In-order bytes reach the receive buffer; if that closed a gap, the
 * out-of-order queue's next block follows.  Returns false when the buffer
 * could not take everything. */
static bool deliver_in_order(struct tcb *t, const uint8_t *data, uint32_t len)
{
    uint32_t taken = (uint32_t)ring_write(&t->rcvbuf, data, len);
    t->rcv_nxt += taken;
    /* Even with the buffer full, drain: it discards held bytes that
     * RCV.NXT has just passed, so they stop counting against the window. */
    t->rcv_nxt += reasm_drain(&t->reasm, t->rcv_nxt, &t->rcvbuf);
    return taken == len;
}

/* Seventh: the segment text (RFC 9293 3.10.7.4), with out-of-order
 * segments kept for later (RFC 9293 3.10.7.4 allows it; RFC 2018 needs it
 * for SACK). */
static enum text_outcome process_text(struct tcp_stack *st, struct tcb *t,
                                      const struct tcp_segment *seg)
{
    bool can_receive = t->state == TCP_ESTABLISHED || t->state == TCP_FIN_WAIT_1 ||
                       t->state == TCP_FIN_WAIT_2;
    const uint8_t *data = seg->payload;
    uint32_t len = (uint32_t)seg->payload_len;
    tcp_seq seq = seg->seq;
    if (seg->flags & TCP_SYN)
        seq++;
    if (len && can_receive && t->app_closed) {
        /* RFC 1122 4.2.2.13 / RFC 2525 2.17: data for an app that has
         * closed cannot be delivered: reset the connection. */
        tcp_send_rst(st, t);
        tcb_report_error(st, t, TCP_ERR_RESET);
        tcb_close(st, t, CAUSE_APP_CLOSE, "RFC 1122 4.2.2.13");
        return TEXT_CONNECTION_GONE;
    }
    /* Trim what we already have; report it with D-SACK (RFC 2883). */
    bool duplicate = false;
    if (seq_lt(seq, t->rcv_nxt)) {
        uint32_t dup = t->rcv_nxt - seq;
        if (dup > len)
            dup = len;
        if (dup && t->sack_ok && t->cfg.dsack)
            reasm_note_duplicate(&t->reasm, seq, seq + dup);
        duplicate = dup > 0;
        data += dup;
        len -= dup;
        seq += dup;
    }
    if (len == 0 || !can_receive) {
        if (duplicate)
            tcp_send_ack(st, t);
        if (len == 0 && seq == t->rcv_nxt)
            return TEXT_IN_ORDER;
        /* A FIN beyond a gap: ACK at once, like out-of-order data, so the
         * sender learns what is missing (RFC 5681 4.2). */
        if ((seg->flags & TCP_FIN) && can_receive) {
            t->ooo_fin = true;
            t->ooo_fin_seq = seq;
            tcp_send_ack(st, t);
        }
        return TEXT_NOT_IN_ORDER;
    }
    if (seq == t->rcv_nxt) {
        bool filled_gap = !reasm_empty(&t->reasm);
        bool all_taken = deliver_in_order(t, data, len);
        /* A FIN held beyond the gap is next now: process_fin() sends the
         * one ACK that covers the data and the FIN. */
        bool fin_follows = t->ooo_fin && t->ooo_fin_seq == t->rcv_nxt;
        /* RFC 5681 4.2: an ACK at once when a segment fills (part of) a
         * gap, so the sender's recovery moves on; else delayed ACK. */
        if (!fin_follows)
            tcp_ack_received_data(st, t, filled_gap || duplicate);
        return all_taken ? TEXT_IN_ORDER : TEXT_NOT_IN_ORDER;
    }
    /* Beyond RCV.NXT: keep it (within the window we offered) and send a
     * duplicate ACK at once, with SACK blocks (RFC 5681 4.2, RFC 2018). */
    tcp_seq limit = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv : t->rcv_nxt;
    reasm_insert_into(&t->reasm, &t->rcvbuf, t->rcv_nxt, seq, data, len, limit,
                      t->sack_ok && t->cfg.dsack);
    if ((seg->flags & TCP_FIN) && seq_le(seq + len, limit)) {
        t->ooo_fin = true;
        t->ooo_fin_seq = seq + len;
    }
    tcp_send_ack(st, t);
    return TEXT_NOT_IN_ORDER;
}

/* Eighth: FIN (RFC 9293 3.10.7.4). */
static void process_fin(struct tcp_stack *st, struct tcb *t)
{
    /* A FIN that waited beyond a gap: this segment filled it. */
    bool filled_gap = t->ooo_fin;
    t->fin_rcvd = true;
    t->ooo_fin = false;
    t->rcv_nxt += 1; /* the FIN's sequence number */
    switch (t->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        tcb_set_state(st, t, TCP_CLOSE_WAIT, CAUSE_RCV_FIN, "RFC 9293 3.10.7.4");
        /* A FIN may wait for the delayed-ACK timer: if the app closes in
         * the meantime its FIN carries the ACK (the three-way close).  Not
         * when it filled a gap: that ACK goes at once (RFC 5681 4.2). */
        t->unacked_segments = 0;
        tcp_ack_received_data(st, t, filled_gap);
        break;
    case TCP_FIN_WAIT_1:
        if (our_fin_acked(t)) {
            enter_time_wait(st, t, CAUSE_RCV_FIN_ACK);
        } else {
            tcb_set_state(st, t, TCP_CLOSING, CAUSE_RCV_FIN, "RFC 9293 3.10.7.4");
        }
        tcp_send_ack(st, t);
        break;
    case TCP_FIN_WAIT_2:
        tcb_timer_cancel(st, t, TCP_TIMER_FIN_WAIT_2);
        enter_time_wait(st, t, CAUSE_RCV_FIN);
        tcp_send_ack(st, t);
        break;
    default: /* CLOSE-WAIT, CLOSING, LAST-ACK: remain */
        tcp_send_ack(st, t);
        break;
    }
}

/* Any segment from the peer shows it is alive: restart the keepalive idle
 * period (RFC 1122 4.2.3.6). */
static void peer_alive(struct tcp_stack *st, struct tcb *t)
{
    t->last_rcv = st->now;
    t->keepalive_sent = 0;
    if (t->cfg.keepalive && (t->state == TCP_ESTABLISHED || t->state == TCP_CLOSE_WAIT))
        tcb_timer_set(st, t, TCP_TIMER_KEEPALIVE, st->now + t->cfg.keepalive_idle);
}

static bool is_simultaneous_open_syn_ack(const struct tcb *t, const struct tcp_segment *seg)
{
    return t->state == TCP_SYN_RECEIVED && !t->passive &&
           (seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
           seg->seq + 1 == t->rcv_nxt && seg->ack == t->snd_nxt && seg->payload_len == 0;
}

/* RFC 9293 3.10.7.4: the synchronized states (and SYN-RECEIVED). */
void tcp_input_segment(struct tcp_stack *st, struct tcb *t, const struct tcp_segment *seg)
{
    if (t->state == TCP_SYN_SENT) {
        tcp_input_syn_sent(st, t, seg);
        return;
    }
    struct tcp_segment simultaneous;
    if (is_simultaneous_open_syn_ack(t, seg)) {
        /* RFC 9293 3.5 figure 8: in a simultaneous open the peer's SYN-ACK
         * completes the connection.  Taken literally, the acceptability
         * test rejects it (its SYN lies before RCV.NXT), so, like Linux, we
         * process it as the ACK it carries. */
        simultaneous = *seg;
        simultaneous.flags &= (uint8_t)~TCP_SYN;
        simultaneous.seq = seg->seq + 1;
        seg = &simultaneous;
    }
    if (!time_wait_fin(st, t, seg))
        return;
    if (!check_sequence(st, t, seg))
        return;
    if (!check_rst(st, t, seg))
        return;
    if (!check_syn(st, t, seg))
        return;
    if (t->ts_ok && seg->opt.has_timestamps)
        t->ts_recent = seg->opt.ts_val;
    if (!check_ack(st, t, seg))
        return;
    peer_alive(st, t);
    enum text_outcome text = process_text(st, t, seg);
    if (text == TEXT_CONNECTION_GONE)
        return;
    bool fin_in_order = ((seg->flags & TCP_FIN) && text == TEXT_IN_ORDER) ||
                        (t->ooo_fin && t->ooo_fin_seq == t->rcv_nxt);
    if (fin_in_order)
        process_fin(st, t);
    /* The segment acknowledged our FIN but its own FIN could not be taken
     * yet (a gap, or no room): FIN-WAIT-2 after all. */
    if (t->state == TCP_FIN_WAIT_1 && our_fin_acked(t))
        fin_wait_1_done(st, t);
    tcp_output(st, t);
    tcb_report_window(st, t);
}
