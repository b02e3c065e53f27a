/* Building and sending segments: what to send and when. */
#include <string.h>

#include "tcp/tcb.h"

/* RCV.WND to advertise.  Receiver-side silly window avoidance (RFC 1122
 * 4.2.3.3): the right edge moves only when it can move by at least
 * min(half the buffer, one MSS); and it never moves left (RFC 9293
 * 3.8.6.2.2).  Out-of-order data already occupies buffer space. */
uint32_t tcp_receive_window(const struct tcb *t)
{
    size_t space = ring_space(&t->rcvbuf);
    uint32_t free_space = space > t->reasm.bytes ? (uint32_t)(space - t->reasm.bytes) : 0;
    uint32_t current = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    if (free_space <= current)
        return current;
    uint32_t half_buffer = (uint32_t)(t->rcvbuf.cap / 2);
    uint32_t threshold = half_buffer < t->snd_mss ? half_buffer : t->snd_mss;
    return free_space - current >= threshold ? free_space : current;
}

/* After the app reads: is a window update worth a segment of its own?
 * Only once the window we could offer is at least twice what the peer
 * still has (Linux's rule); otherwise the next ACK carries it anyway, and
 * an app reading in small pieces would double the ACK traffic. */
bool tcp_window_update_due(const struct tcb *t)
{
    uint32_t current = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    uint32_t possible = tcp_receive_window(t);
    return possible > current && possible / 2 >= current;
}

/* The window field of a segment we send (RFC 7323 2.3: scaled; 2.2: never
 * in a SYN), remembering the right edge it advertises. */
uint16_t tcp_window_field(struct tcb *t, bool syn)
{
    uint32_t wnd = tcp_receive_window(t);
    unsigned shift = syn ? 0 : t->rcv_wscale;
    uint32_t field = wnd >> shift;
    if (field > 0xffff)
        field = 0xffff;
    tcp_seq edge = t->rcv_nxt + (field << shift);
    if (seq_gt(edge, t->rcv_adv))
        t->rcv_adv = edge;
    return (uint16_t)field;
}

static void fill_addresses(const struct tcb *t, struct tcp_segment *s)
{
    s->src_addr = t->local_addr;
    s->dst_addr = t->remote_addr;
    s->src_port = t->local_port;
    s->dst_port = t->remote_port;
    s->ttl = 64;
}

/* Where to build a packet of len bytes: the caller's memory when it offers
 * some (it keeps the packets: that saves a copy of each), else our scratch
 * buffer.  *cap is set to the room there. */
static uint8_t *packet_memory(struct tcp_stack *st, size_t len, size_t *cap)
{
    uint8_t *buf = len && st->ops.packet_buffer ? st->ops.packet_buffer(st->ctx, len) : NULL;
    *cap = buf ? len : TCP_PACKET_MAX;
    return buf ? buf : st->scratch;
}

/* Put a segment on the wire through the emit callback. */
static void emit_segment(struct tcp_stack *st, uint32_t conn, const struct tcp_segment *s)
{
    size_t cap;
    uint8_t *buf = packet_memory(st, tcp_segment_encoded_len(s), &cap);
    size_t len = tcp_segment_encode(s, buf, cap);
    if (len == 0)
        return;
    st->stats.segs_out++;
    if (s->flags & TCP_RST)
        st->stats.rst_sent++;
    if (st->ops.emit)
        st->ops.emit(st->ctx, conn, buf, len, s);
}

/* RFC 2018 4 / RFC 2883: SACK blocks in every ACK while the receiver
 * holds out-of-order data or has a duplicate to report. */
static void add_sack_option(struct tcp_stack *st, struct tcb *t, struct tcp_segment *s)
{
    if (!t->sack_ok || (reasm_empty(&t->reasm) && !t->reasm.dsack_pending))
        return;
    /* With timestamps only three blocks fit in the 40 option bytes. */
    unsigned room = t->ts_ok ? 3 : TCP_SACK_MAX_BLOCKS;
    bool dsack = false;
    unsigned n = reasm_sack_blocks(&t->reasm, s->opt.sack, room, &dsack);
    if (n == 0)
        return;
    s->opt.sack_count = (uint8_t)n;
    struct tcp_event ev = { .kind = EV_SACK };
    ev.u.sack.sent = 1;
    ev.u.sack.count = (uint8_t)n;
    ev.u.sack.dsack = dsack;
    for (unsigned i = 0; i < n; i++) {
        ev.u.sack.blocks[i].left = s->opt.sack[i].left;
        ev.u.sack.blocks[i].right = s->opt.sack[i].right;
    }
    tcb_observe(st, t, &ev);
}

/* Options we put on every non-SYN segment: timestamps if negotiated, SACK
 * blocks when there is something to report. */
static void add_common_options(struct tcp_stack *st, struct tcb *t, struct tcp_segment *s)
{
    if (t->ts_ok) {
        s->opt.has_timestamps = true;
        s->opt.ts_val = (uint32_t)(st->now / 1000u); /* 1 ms clock (RFC 7323 5.4) */
        s->opt.ts_ecr = t->ts_recent;
    }
    add_sack_option(st, t, s);
}

/* Sending any segment that carries ACK satisfies a pending delayed ACK. */
static void ack_sent(struct tcp_stack *st, struct tcb *t)
{
    t->ack_pending = false;
    t->unacked_segments = 0;
    tcb_timer_cancel(st, t, TCP_TIMER_DELACK);
}

void tcp_arm_rto(struct tcp_stack *st, struct tcb *t)
{
    tcb_timer_set(st, t, TCP_TIMER_RTO, st->now + t->rto_current);
}

static void report_retransmit(struct tcp_stack *st, struct tcb *t, enum tcp_retx_cause cause,
                              tcp_seq seq, uint32_t len)
{
    t->retransmits++;
    st->stats.retransmits++;
    struct tcp_event ev = { .kind = EV_RETRANSMIT };
    ev.u.retx.cause = (uint8_t)cause;
    ev.u.retx.seq = seq;
    ev.u.retx.len = len;
    ev.u.retx.attempt = t->backoff ? t->backoff : 1;
    ev.u.retx.rto = t->rto_current;
    tcb_observe(st, t, &ev);
}

/* Our SYN (or SYN-ACK); sent again below SND.MAX, it is reported with
 * `cause`. */
static void send_syn(struct tcp_stack *st, struct tcb *t, bool with_ack, enum tcp_retx_cause cause)
{
    struct tcp_segment s = { 0 };
    fill_addresses(t, &s);
    s.seq = t->iss;
    s.flags = TCP_SYN;
    if (with_ack) {
        s.flags |= TCP_ACK;
        s.ack = t->rcv_nxt;
    }
    s.window = tcp_window_field(t, true);
    /* RFC 9293 3.7.1: announce our MSS on the SYN.  The other options are
     * offered on a SYN, and on a SYN-ACK only if the peer offered them. */
    s.opt.has_mss = true;
    s.opt.mss = t->cfg.mss;
    bool offer = !with_ack;
    if (t->cfg.wscale >= 0 && (offer || t->wscale_ok)) {
        s.opt.has_wscale = true;
        s.opt.wscale = (uint8_t)t->cfg.wscale;
    }
    if (t->cfg.sack && (offer || t->sack_ok))
        s.opt.sack_permitted = true;
    if (t->cfg.timestamps && (offer || t->ts_ok)) {
        s.opt.has_timestamps = true;
        s.opt.ts_val = (uint32_t)(st->now / 1000u);
        s.opt.ts_ecr = with_ack ? t->ts_recent : 0;
    }
    if (seq_lt(t->iss, t->snd_max)) {
        report_retransmit(st, t, cause, t->iss, 1);
        t->rtt_timing = false; /* Karn */
    } else {
        t->rtt_timing = true;
        t->rtt_seq = t->iss;
        t->rtt_sent_at = st->now;
    }
    t->snd_nxt = t->iss + 1;
    if (seq_gt(t->snd_nxt, t->snd_max))
        t->snd_max = t->snd_nxt;
    if (with_ack)
        ack_sent(st, t);
    emit_segment(st, t->id, &s);
    if (t->timer[TCP_TIMER_RTO] == TCP_TIME_NEVER)
        tcp_arm_rto(st, t);
}

void tcp_send_syn(struct tcp_stack *st, struct tcb *t, bool with_ack)
{
    send_syn(st, t, with_ack, RETX_RTO);
}

/* A duplicate of the peer's SYN arrived in SYN-RECEIVED.  RFC 9293
 * 3.10.7.4 asks for an acknowledgment; like Linux (tcp_check_req ->
 * inet_rtx_syn_ack) we send the SYN-ACK again, which is that ACK and also
 * repairs a lost SYN-ACK, and restart its timer with the current
 * (backed-off) value.  Linux counts it in RetransSegs; so do we. */
void tcp_answer_duplicate_syn(struct tcp_stack *st, struct tcb *t)
{
    send_syn(st, t, true, RETX_DUP_SYN);
    tcp_arm_rto(st, t);
}

void tcp_send_ack(struct tcp_stack *st, struct tcb *t)
{
    struct tcp_segment s = { 0 };
    fill_addresses(t, &s);
    s.seq = t->snd_nxt;
    s.ack = t->rcv_nxt;
    s.flags = TCP_ACK;
    s.window = tcp_window_field(t, false);
    add_common_options(st, t, &s);
    ack_sent(st, t);
    emit_segment(st, t->id, &s);
}

/* RFC 1122 4.2.3.6: a probe carries SEG.SEQ = SND.NXT - 1 so the peer
 * must answer with an ACK; we send it without the garbage byte. */
void tcp_send_keepalive_probe(struct tcp_stack *st, struct tcb *t)
{
    struct tcp_segment s = { 0 };
    fill_addresses(t, &s);
    s.seq = t->snd_nxt - 1;
    s.ack = t->rcv_nxt;
    s.flags = TCP_ACK;
    s.window = tcp_window_field(t, false);
    add_common_options(st, t, &s);
    emit_segment(st, t->id, &s);
}

/* RFC 9293 3.10.7.1 (and 3.5.2): the reset for a segment that matches no
 * connection, or is unacceptable in SYN-SENT / SYN-RECEIVED / LISTEN.
 * If the segment has ACK:  <SEQ=SEG.ACK><CTL=RST>
 * else:                    <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
void tcp_send_rst_for(struct tcp_stack *st, const struct tcp_segment *in)
{
    if (in->flags & TCP_RST)
        return; /* never answer a reset with a reset */
    struct tcp_segment s = { 0 };
    s.src_addr = in->dst_addr;
    s.dst_addr = in->src_addr;
    s.src_port = in->dst_port;
    s.dst_port = in->src_port;
    s.ttl = 64;
    if (in->flags & TCP_ACK) {
        s.seq = in->ack;
        s.flags = TCP_RST;
    } else {
        s.seq = 0;
        s.ack = in->seq + tcp_segment_seq_len(in);
        s.flags = TCP_RST | TCP_ACK;
    }
    emit_segment(st, 0, &s);
}

/* RFC 9293 3.10.5 (ABORT) and the other "send a reset" cases of an existing
 * connection: <SEQ=SND.NXT><CTL=RST>. */
void tcp_send_rst(struct tcp_stack *st, struct tcb *t)
{
    struct tcp_segment s = { 0 };
    fill_addresses(t, &s);
    s.seq = t->snd_nxt;
    s.flags = TCP_RST;
    emit_segment(st, t->id, &s);
}

/* End of the data the app has written (sequence number after the last
 * byte); our FIN, once queued, takes this sequence number. */
static tcp_seq data_end(const struct tcb *t)
{
    return t->snd_buf_seq + (uint32_t)t->sndbuf.len;
}

/* Bytes written by the app and not yet sent even once. */
uint32_t tcp_unsent_bytes(const struct tcb *t)
{
    tcp_seq end = data_end(t);
    tcp_seq from = seq_max(t->snd_nxt, t->snd_max);
    return seq_lt(from, end) ? end - from : 0;
}

static void report_probe(struct tcp_stack *st, struct tcb *t, tcp_seq seq, uint32_t len)
{
    struct tcp_event ev = { .kind = EV_RETRANSMIT };
    ev.u.retx.cause = RETX_PROBE;
    ev.u.retx.seq = seq;
    ev.u.retx.len = len;
    ev.u.retx.attempt = t->persist_backoff + 1;
    ev.u.retx.rto = t->rto_current;
    tcb_observe(st, t, &ev);
}

/* Send [seq, seq + len) of the stream, with our FIN if it comes right after
 * and is queued.  SND.NXT is the caller's business.  Below SND.MAX this is
 * a retransmission, reported with `cause`; a probe is reported as one.
 * Returns the sequence space used (0 when there was nothing to send). */
uint32_t tcp_transmit(struct tcp_stack *st, struct tcb *t, tcp_seq seq, uint32_t len,
                      enum tcp_retx_cause cause, bool probe)
{
    tcp_seq end = data_end(t);
    uint32_t avail = seq_lt(seq, end) ? end - seq : 0;
    if (len > avail)
        len = avail;
    bool fin = t->fin_queued && seq + len == end;
    if (len == 0 && !fin)
        return 0;

    struct tcp_segment s = { 0 };
    fill_addresses(t, &s);
    s.seq = seq;
    s.ack = t->rcv_nxt;
    s.flags = TCP_ACK | (fin ? TCP_FIN : 0) | (len && len == avail ? TCP_PSH : 0);
    s.window = tcp_window_field(t, false);
    add_common_options(st, t, &s);
    if (len) {
        /* The encoder copies the payload into the packet; hand it the bytes
         * in the send buffer directly unless they wrap around the ring. */
        size_t offset = seq - t->snd_buf_seq;
        const uint8_t *payload = ring_contiguous(&t->sndbuf, offset, len);
        if (!payload) {
            uint8_t *copy = st->scratch + TCP_PACKET_MAX / 2; /* second half of the scratch */
            ring_peek(&t->sndbuf, offset, copy, len);
            payload = copy;
        }
        s.payload = payload;
        s.payload_len = len;
    }
    uint32_t seq_len = len + (fin ? 1u : 0u);
    tcp_seq seg_end = seq + seq_len;
    if (probe || (cause == RETX_PROBE && !seq_gt(seg_end, t->snd_max))) {
        report_probe(st, t, seq, seq_len); /* a probe, or only the refused probe byte again */
    } else if (cause == RETX_PROBE) {
        /* The window reopened: this segment starts at the probe byte the
         * peer refused (it lay beyond a zero window, RFC 9293 3.8.6.1) and
         * goes on into new data.  The peer never took that byte, so this
         * is a plain send, not a retransmission.  No RTT timing: an ACK
         * could still answer the earlier probe (Karn). */
    } else if (seq_lt(seq, t->snd_max)) {
        report_retransmit(st, t, cause, seq, seq_len);
        /* Karn (RFC 6298 3): a retransmitted segment gives no sample. */
        if (t->rtt_timing && seq_le(seq, t->rtt_seq) && seq_lt(t->rtt_seq, seg_end))
            t->rtt_timing = false;
    } else if (!t->rtt_timing && len && !t->ts_ok) {
        /* RFC 6298 3: time one segment per RTT (timestamps time them all). */
        t->rtt_timing = true;
        t->rtt_seq = seq;
        t->rtt_sent_at = st->now;
    }
    if (fin) {
        t->fin_sent = true;
        t->fin_seq = end;
    }
    if (seq_gt(seg_end, t->snd_max))
        t->snd_max = seg_end;
    ack_sent(st, t);
    emit_segment(st, t->id, &s);
    if (!probe && t->timer[TCP_TIMER_RTO] == TCP_TIME_NEVER)
        tcp_arm_rto(st, t); /* RFC 6298 5.1 */
    return seq_len;
}

static bool can_send_data(enum tcp_state s)
{
    return s == TCP_ESTABLISHED || s == TCP_CLOSE_WAIT || s == TCP_FIN_WAIT_1 ||
           s == TCP_CLOSING || s == TCP_LAST_ACK;
}

enum send_verdict { SEND_NOW, HOLD_NAGLE, HOLD_SWS };

/* RFC 1122 4.2.3.4: the sender's silly-window avoidance, with Nagle's
 * algorithm (RFC 896) as its "unacknowledged data" condition. */
static enum send_verdict send_policy(const struct tcb *t, uint32_t len, uint32_t unsent,
                                     uint32_t in_flight)
{
    if (len >= t->snd_mss)
        return SEND_NOW;                 /* (1) a full-sized segment */
    bool nagle_allows = !t->cfg.nagle || in_flight == 0;
    if (len == unsent)
        return nagle_allows ? SEND_NOW : HOLD_NAGLE; /* (2) all queued data */
    if (t->max_snd_wnd && len >= t->max_snd_wnd / 2)
        return nagle_allows ? SEND_NOW : HOLD_NAGLE; /* (3) half the largest window */
    return HOLD_SWS;
}

/* RFC 9293 3.8.6.1: with data waiting and a zero window, probe on a timer
 * (the persist timer) with exponential backoff.  The same timer is the
 * sender's SWS override (RFC 1122 4.2.3.4 (4)). */
static void arm_persist(struct tcp_stack *st, struct tcb *t, bool sws_override)
{
    if (t->timer[TCP_TIMER_PERSIST] != TCP_TIME_NEVER)
        return;
    uint64_t wait;
    if (sws_override) {
        wait = t->cfg.sws_override;
    } else {
        wait = t->rto_current > t->cfg.persist_min ? t->rto_current : t->cfg.persist_min;
        for (unsigned i = 0; i < t->persist_backoff && wait < t->cfg.persist_max; i++)
            wait *= 2;
        if (wait > t->cfg.persist_max)
            wait = t->cfg.persist_max;
    }
    if (wait)
        tcb_timer_set(st, t, TCP_TIMER_PERSIST, st->now + wait);
}

/* Send new data as the windows and the send policy allow, then our FIN
 * once all data is out. */
void tcp_output(struct tcp_stack *st, struct tcb *t)
{
    if (!can_send_data(t->state))
        return;
    if (t->in_recovery && t->sack_recovery) {
        tcp_sack_recovery_output(st, t);
        return;
    }
    for (;;) {
        uint32_t unsent = seq_lt(t->snd_nxt, data_end(t)) ? data_end(t) - t->snd_nxt : 0;
        if (unsent == 0) {
            if (t->fin_queued && t->snd_nxt == data_end(t))
                t->snd_nxt += tcp_transmit(st, t, t->snd_nxt, 0, RETX_RTO, false);
            break;
        }
        uint32_t in_flight = t->snd_nxt - t->snd_una;
        uint32_t wnd = t->snd_wnd < t->cc.cwnd ? t->snd_wnd : t->cc.cwnd;
        uint32_t usable = wnd > in_flight ? wnd - in_flight : 0;
        uint32_t len = usable < t->snd_mss ? usable : t->snd_mss;
        if (len > unsent)
            len = unsent;
        if (len == 0) {
            if (t->snd_wnd == 0 && t->snd_max == t->snd_una)
                arm_persist(st, t, false);
            break;
        }
        enum send_verdict v = send_policy(t, len, unsent, in_flight);
        if (v != SEND_NOW) {
            if (v == HOLD_SWS && in_flight == 0)
                arm_persist(st, t, true);
            break;
        }
        /* Below SND.MAX this re-sends either a refused window probe's byte
         * (the window has reopened) or, after a go-back to SND.UNA, what the
         * timeout declared lost. */
        enum tcp_retx_cause cause = t->probe_unresent ? RETX_PROBE : RETX_RTO;
        t->snd_nxt += tcp_transmit(st, t, t->snd_nxt, len, cause, false);
        if (!seq_lt(t->snd_nxt, t->snd_max))
            t->probe_unresent = false;
    }
    /* A pending ACK is left to the delayed-ACK rules: data or a FIN sent
     * above carried it already, otherwise the timer sends it. */
}

/* The persist timer fired: probe a zero window with one byte (RFC 9293
 * 3.8.6.1, RFC 1122 4.2.2.17), or, if the window is open, override the
 * sender's silly-window avoidance and send what fits. */
void tcp_persist_expired(struct tcp_stack *st, struct tcb *t)
{
    if (!can_send_data(t->state))
        return;
    if (t->snd_wnd == 0) {
        if (!seq_lt(t->snd_una, data_end(t)))
            return; /* nothing left to send */
        tcp_transmit(st, t, t->snd_una, 1, RETX_PROBE, true);
        /* The probe byte lies beyond the (zero) window: SND.NXT stays
         * before it, so once the window opens the byte goes again with the
         * data unless the probe's ACK took it (as BSD's tcp_output pulls
         * SND.NXT back to SND.UNA while the window is zero). */
        t->snd_nxt = t->snd_una;
        t->probe_unresent = true;
        t->persist_backoff++;
        arm_persist(st, t, false);
        return;
    }
    uint32_t in_flight = t->snd_nxt - t->snd_una;
    uint32_t wnd = t->snd_wnd < t->cc.cwnd ? t->snd_wnd : t->cc.cwnd;
    uint32_t usable = wnd > in_flight ? wnd - in_flight : 0;
    uint32_t len = usable < t->snd_mss ? usable : t->snd_mss;
    if (len) {
        /* Open window: new data, or the refused probe byte with it. */
        enum tcp_retx_cause cause = t->probe_unresent ? RETX_PROBE : RETX_RTO;
        t->snd_nxt += tcp_transmit(st, t, t->snd_nxt, len, cause, false);
        if (!seq_lt(t->snd_nxt, t->snd_max))
            t->probe_unresent = false;
    }
    tcp_output(st, t);
}

/* RFC 6298 5.4: on timeout retransmit the earliest unacknowledged segment.
 * Going back to SND.UNA lets tcp_output resend the rest as the window
 * (cwnd = 1 MSS after a timeout, RFC 5681 3.1) opens again. */
void tcp_retransmit_head(struct tcp_stack *st, struct tcb *t, enum tcp_retx_cause cause)
{
    if (t->state == TCP_SYN_SENT) {
        tcp_send_syn(st, t, false);
        return;
    }
    if (t->state == TCP_SYN_RECEIVED) {
        tcp_send_syn(st, t, true);
        return;
    }
    t->snd_nxt = t->snd_una;
    t->probe_unresent = false; /* from here on, re-sends are the timeout's */
    t->rtt_timing = false;     /* Karn: no sample from retransmitted data */
    t->snd_nxt += tcp_transmit(st, t, t->snd_una, t->snd_mss, cause, false);
}

/* RFC 1122 4.2.3.2 / RFC 5681 4.2: ACK at least every second full-sized
 * segment; otherwise wait up to the delayed-ACK timeout.  force_now is for
 * out-of-order data, a filled gap or a FIN that ends in TIME_WAIT. */
void tcp_ack_received_data(struct tcp_stack *st, struct tcb *t, bool force_now)
{
    t->ack_pending = true;
    t->unacked_segments++;
    if (force_now || t->cfg.delack_timeout == 0 || t->unacked_segments >= 2) {
        tcp_send_ack(st, t);
        return;
    }
    if (t->timer[TCP_TIMER_DELACK] == TCP_TIME_NEVER)
        tcb_timer_set(st, t, TCP_TIMER_DELACK, st->now + t->cfg.delack_timeout);
}
