/* Building and sending segments: what to send and when. */
#include <string.h>

#include "tcp/tcb.h"

/* The window we advertise: free receive buffer, scaled (RFC 7323 2.3).
 * RFC 7323 2.2: the window in a SYN is never scaled. */
uint16_t tcp_window_field(const struct tcb *t, bool syn)
{
    uint32_t wnd = (uint32_t)ring_space(&t->rcvbuf);
    unsigned shift = syn ? 0 : t->rcv_wscale;
    uint32_t field = wnd >> shift;
    return field > 0xffff ? 0xffff : (uint16_t)field;
}

static void fill_addresses(const struct tcb *t, struct tcp_segment *s)
{
    s->src_addr = t->local_addr;
    s->dst_addr = t->remote_addr;
    s->src_port = t->local_port;
    s->dst_port = t->remote_port;
    s->ttl = 64;
}

/* Put a segment on the wire through the emit callback. */
static void emit_segment(struct tcp_stack *st, uint32_t conn, const struct tcp_segment *s)
{
    size_t len = tcp_segment_encode(s, st->scratch, TCP_PACKET_MAX);
    if (len == 0)
        return;
    st->stats.segs_out++;
    if (s->flags & TCP_RST)
        st->stats.rst_sent++;
    if (st->ops.emit)
        st->ops.emit(st->ctx, conn, st->scratch, len);
}

/* Options we put on every non-SYN segment: timestamps if negotiated. */
static void add_common_options(struct tcp_stack *st, struct tcb *t, struct tcp_segment *s)
{
    if (t->ts_ok) {
        s->opt.has_timestamps = true;
        s->opt.ts_val = (uint32_t)(st->now / 1000u); /* 1 ms clock (RFC 7323 5.4) */
        s->opt.ts_ecr = t->ts_recent;
    }
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

void tcp_send_syn(struct tcp_stack *st, struct tcb *t, bool with_ack)
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
        report_retransmit(st, t, RETX_RTO, t->iss, 1);
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

/* Bytes in the send buffer not yet sent at least once. */
static uint32_t unsent_bytes(const struct tcb *t)
{
    uint32_t buffered_end = t->snd_buf_seq + (uint32_t)t->sndbuf.len;
    return seq_lt(t->snd_nxt, buffered_end) ? buffered_end - t->snd_nxt : 0;
}

/* Send one segment of data (and FIN if it ends the stream) from snd_nxt.
 * Below snd_max it is a retransmission, reported with `cause`. */
static uint32_t send_data_segment(struct tcp_stack *st, struct tcb *t, uint32_t max_len,
                                  enum tcp_retx_cause cause)
{
    uint32_t avail = unsent_bytes(t);
    uint32_t len = avail < max_len ? avail : max_len;
    bool fin = t->fin_queued && len == avail &&
               (!t->fin_sent || seq_le(t->snd_nxt + len, t->fin_seq));
    if (len == 0 && !fin)
        return 0;

    struct tcp_segment s = { 0 };
    fill_addresses(t, &s);
    s.seq = t->snd_nxt;
    s.ack = t->rcv_nxt;
    s.flags = TCP_ACK | (fin ? TCP_FIN : 0) | (len && len == avail ? TCP_PSH : 0);
    s.window = tcp_window_field(t, false);
    add_common_options(st, t, &s);
    uint8_t *payload = NULL;
    if (len) {
        payload = st->scratch + TCP_PACKET_MAX / 2; /* a second area of the scratch */
        ring_peek(&t->sndbuf, t->snd_nxt - t->snd_buf_seq, payload, len);
        s.payload = payload;
        s.payload_len = len;
    }
    uint32_t seq_len = len + (fin ? 1u : 0u);
    if (seq_lt(t->snd_nxt, t->snd_max))
        report_retransmit(st, t, cause, t->snd_nxt, seq_len);
    else if (!t->rtt_timing && len) {
        /* RFC 6298 3: time one segment per RTT; never a retransmission. */
        t->rtt_timing = true;
        t->rtt_seq = t->snd_nxt;
        t->rtt_sent_at = st->now;
    }
    if (fin) {
        t->fin_sent = true;
        t->fin_seq = t->snd_nxt + len;
    }
    t->snd_nxt += seq_len;
    if (seq_gt(t->snd_nxt, t->snd_max))
        t->snd_max = t->snd_nxt;
    ack_sent(st, t);
    emit_segment(st, t->id, &s);
    if (t->timer[TCP_TIMER_RTO] == TCP_TIME_NEVER)
        tcp_arm_rto(st, t); /* RFC 6298 5.1 */
    return seq_len;
}

static bool can_send_data(enum tcp_state s)
{
    return s == TCP_ESTABLISHED || s == TCP_CLOSE_WAIT || s == TCP_FIN_WAIT_1 ||
           s == TCP_CLOSING || s == TCP_LAST_ACK;
}

/* Send what the windows allow: new data, then our FIN once all data is out. */
void tcp_output(struct tcp_stack *st, struct tcb *t)
{
    if (!can_send_data(t->state))
        return;
    for (;;) {
        uint32_t in_flight = t->snd_nxt - t->snd_una;
        uint32_t wnd = t->snd_wnd < t->cc.cwnd ? t->snd_wnd : t->cc.cwnd;
        uint32_t usable = wnd > in_flight ? wnd - in_flight : 0;
        uint32_t limit = usable < t->snd_mss ? usable : t->snd_mss;
        bool fin_due = t->fin_queued && unsent_bytes(t) == 0 &&
                       (!t->fin_sent || seq_le(t->snd_nxt, t->fin_seq));
        if (limit == 0 && !(fin_due && unsent_bytes(t) == 0))
            break;
        /* After a go-back to SND.UNA the resent segments are still the
         * timeout's doing. */
        if (send_data_segment(st, t, limit, RETX_RTO) == 0)
            break;
    }
    /* A pending ACK is left to the delayed-ACK rules: data or a FIN sent
     * above carried it already, otherwise the timer sends it. */
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
    if (t->fin_sent && seq_le(t->snd_una, t->fin_seq))
        t->fin_sent = false; /* the FIN goes again with or after the data */
    t->rtt_timing = false;   /* Karn: no sample from retransmitted data */
    send_data_segment(st, t, t->snd_mss, cause);
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
