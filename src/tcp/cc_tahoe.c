/* Tahoe: slow start, congestion avoidance and fast retransmit, but no fast
 * recovery (Jacobson 1988; the behaviour RFC 5681 3.1 gives for a
 * timeout).  Any loss, whether three duplicate ACKs or a timeout, sends
 * the window back to one segment and slow start runs up to the new
 * ssthresh.  Reno and NewReno reuse this file's timeout handling. */
#include "tcp/cc.h"

static void tahoe_on_ack(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    cc_reno_grow(cc, a->acked);
}

/* The segment that timed out has been retransmitted by the timer already
 * when nothing new was acknowledged since the last timeout: the window is
 * still the loss window, which any ACK of new data would have grown
 * (ssthresh is at least 2 SMSS after a timeout, so slow start runs). */
static bool is_repeated_timeout(const struct tcp_cc *cc)
{
    return cc->phase == CC_AFTER_RTO && cc->cwnd <= cc->mss;
}

static bool tahoe_on_loss_detected(struct tcp_cc *cc, uint32_t flight, tcp_seq snd_max, uint64_t now)
{
    (void)now;
    /* RFC 5681 3.1 equation 4: ssthresh = max(FlightSize / 2, 2 * SMSS). */
    cc->ssthresh = cc_half_flight(cc, flight);
    /* Tahoe has no fast recovery: after the fast retransmit it restarts
     * from one segment, exactly as after a timeout. */
    cc->cwnd = cc->mss;
    cc->phase = CC_SLOW_START;
    cc->bytes_acked = 0;
    /* Kept for the engine's "one fast retransmit per window" check
     * (RFC 6582 3.2 step 2 describes the same guard). */
    cc->recover = snd_max;
    return false;
}

/* Never called for Tahoe (it never enters fast recovery); harmless. */
static void tahoe_on_dupack_in_recovery(struct tcp_cc *cc)
{
    (void)cc;
}

/* Never called for Tahoe either; an ACK is just an ACK. */
static enum tcp_cc_recovery_step tahoe_on_ack_in_recovery(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    cc_reno_grow(cc, a->acked);
    return CC_RECOVERY_EXIT;
}

static void tahoe_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now)
{
    (void)now;
    /* RFC 5681 3.1: ssthresh follows equation 4 on the first timeout of a
     * segment, and "is held constant" when that segment times out again. */
    if (!is_repeated_timeout(cc)) cc->ssthresh = cc_half_flight(cc, flight);
    /* RFC 5681 3.1: "cwnd MUST be set to no more than the loss window, LW,
     * which equals 1 full-sized segment (regardless of the value of IW)". */
    cc->cwnd = cc->mss;
    cc->phase = CC_AFTER_RTO;
    cc->bytes_acked = 0;
}

const struct tcp_cc_ops tcp_cc_tahoe_ops = {
    .name = "tahoe",
    .init = cc_common_init,
    .on_ack = tahoe_on_ack,
    .on_loss_detected = tahoe_on_loss_detected,
    .on_dupack_in_recovery = tahoe_on_dupack_in_recovery,
    .on_ack_in_recovery = tahoe_on_ack_in_recovery,
    .on_rto = tahoe_on_rto,
};
