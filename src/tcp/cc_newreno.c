/* NewReno (RFC 6582): Reno's fast recovery, except that an ACK covering
 * only part of what was outstanding when recovery began (a "partial ACK")
 * means another segment of that window was lost: retransmit it at once and
 * stay in recovery, instead of leaving and waiting for a timeout.  Entry,
 * inflation and timeouts are Reno's. */
#include "tcp/cc.h"

static void newreno_on_ack(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    cc_reno_grow(cc, a->acked);
}

/* RFC 6582 3.2 step 2 is RFC 5681's: same ssthresh, same
 * ssthresh + 3 * SMSS, same "recover = highest sequence sent". */
static bool newreno_on_loss_detected(struct tcp_cc *cc, uint32_t flight, tcp_seq snd_max, uint64_t now)
{
    return tcp_cc_ops_for(TCP_CC_RENO)->on_loss_detected(cc, flight, snd_max, now);
}

static void newreno_on_dupack_in_recovery(struct tcp_cc *cc)
{
    tcp_cc_ops_for(TCP_CC_RENO)->on_dupack_in_recovery(cc);
}

/* RFC 6582 3.2 step 3, option 1: cwnd = min(ssthresh, max(FlightSize,
 * SMSS) + SMSS), FlightSize being what is still outstanding after this
 * ACK.  Unlike option 2 (cwnd = ssthresh) it cannot release a burst when
 * little data is left in flight. */
static void leave_recovery(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    uint32_t flight_after = a->flight > a->acked ? a->flight - a->acked : 0;
    uint64_t paced = (uint64_t)(flight_after > cc->mss ? flight_after : cc->mss) + cc->mss;
    cc->cwnd = paced < cc->ssthresh ? (uint32_t)paced : cc->ssthresh;
    cc->phase = CC_CONGESTION_AVOIDANCE;
    cc->bytes_acked = 0;
}

/* RFC 6582 3.2 step 3, partial acknowledgments: "deflate the congestion
 * window by the amount of new data acknowledged by the cumulative
 * acknowledgment field.  If the partial ACK acknowledges at least one SMSS
 * of new data, then add back SMSS bytes to the congestion window."  Never below one segment, so that the
 * retransmission the partial ACK calls for can always be sent. */
static void deflate_on_partial_ack(struct tcp_cc *cc, uint32_t acked)
{
    uint64_t cwnd = cc->cwnd > acked ? cc->cwnd - acked : 0;
    if (acked >= cc->mss) cwnd += cc->mss;
    if (cwnd < cc->mss) cwnd = cc->mss;
    cc->cwnd = cwnd > UINT32_MAX ? UINT32_MAX : (uint32_t)cwnd;
}

static enum tcp_cc_recovery_step newreno_on_ack_in_recovery(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    /* recover is one past the highest byte sent when recovery began, so a
     * "full acknowledgment" (RFC 6582 3.2 step 3) reaches at least it. */
    if (seq_ge(a->ack, cc->recover)) {
        leave_recovery(cc, a);
        return CC_RECOVERY_EXIT;
    }
    deflate_on_partial_ack(cc, a->acked);
    return CC_RECOVERY_RETRANSMIT;
}

static void newreno_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now)
{
    tcp_cc_ops_for(TCP_CC_TAHOE)->on_rto(cc, flight, now);
}

const struct tcp_cc_ops tcp_cc_newreno_ops = {
    .name = "newreno",
    .init = cc_common_init,
    .on_ack = newreno_on_ack,
    .on_loss_detected = newreno_on_loss_detected,
    .on_dupack_in_recovery = newreno_on_dupack_in_recovery,
    .on_ack_in_recovery = newreno_on_ack_in_recovery,
    .on_rto = newreno_on_rto,
};
