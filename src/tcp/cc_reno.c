/* Reno: Tahoe plus fast recovery (RFC 5681 3.2).  After the fast
 * retransmit the window is inflated by one segment per duplicate ACK (each
 * one says a segment left the network) and deflated to ssthresh by the
 * first ACK of new data, which ends recovery even when it covers only part
 * of the window: the weakness NewReno fixes. */
#include "tcp/cc.h"

static uint32_t clamp_u32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void reno_on_ack(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    cc_reno_grow(cc, a->acked);
}

static bool reno_on_loss_detected(struct tcp_cc *cc, uint32_t flight, tcp_seq snd_max, uint64_t now)
{
    (void)now;
    /* RFC 5681 3.2 step 2: ssthresh = max(FlightSize / 2, 2 * SMSS). */
    cc->ssthresh = cc_half_flight(cc, flight);
    /* RFC 5681 3.2 step 3: cwnd = ssthresh + 3 * SMSS, "artificially
     * inflating" it by the three segments the duplicate ACKs say have
     * left the network. */
    cc->cwnd = clamp_u32((uint64_t)cc->ssthresh + 3 * (uint64_t)cc->mss);
    cc->phase = CC_FAST_RECOVERY;
    cc->bytes_acked = 0;
    /* One past the highest byte sent (RFC 6582 3.2 step 2's "recover"). */
    cc->recover = snd_max;
    return true;
}

static void reno_on_dupack_in_recovery(struct tcp_cc *cc)
{
    /* RFC 5681 3.2 step 4: "For each additional duplicate ACK received
     * (after the third), cwnd MUST be incremented by SMSS." */
    if (cc->phase == CC_FAST_RECOVERY) cc->cwnd = clamp_u32((uint64_t)cc->cwnd + cc->mss);
}

static enum tcp_cc_recovery_step reno_on_ack_in_recovery(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    (void)a;
    /* RFC 5681 3.2 step 6: on the next ACK of new data, "set cwnd to
     * ssthresh", deflating the window; recovery is over. */
    cc->cwnd = cc->ssthresh;
    cc->phase = CC_CONGESTION_AVOIDANCE;
    cc->bytes_acked = 0;
    return CC_RECOVERY_EXIT;
}

/* A timeout is handled by the whole Reno family as Tahoe handles it
 * (RFC 5681 3.1). */
static void reno_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now)
{
    tcp_cc_ops_for(TCP_CC_TAHOE)->on_rto(cc, flight, now);
}

const struct tcp_cc_ops tcp_cc_reno_ops = {
    .name = "reno",
    .init = cc_common_init,
    .on_ack = reno_on_ack,
    .on_loss_detected = reno_on_loss_detected,
    .on_dupack_in_recovery = reno_on_dupack_in_recovery,
    .on_ack_in_recovery = reno_on_ack_in_recovery,
    .on_rto = reno_on_rto,
};
