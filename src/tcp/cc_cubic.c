/* CUBIC (RFC 9438): in congestion avoidance the window follows a cubic
 * function of the time since the last reduction, centred on W_max, the
 * window where the last loss happened:
 *
 *     W_cubic(t) = C * (t - K)^3 + W_max      (segments, seconds)
 *
 * It climbs fast, flattens out near W_max (concave region) and, past K,
 * probes for more bandwidth ever faster (convex region).  A loss cuts the
 * window to beta_cubic = 0.7 of itself rather than half.  Slow start and
 * the recovery (fast retransmit, NewReno partial ACKs) are the Reno
 * family's.
 *
 * Everything is kept in bytes and microseconds.  K comes from an integer
 * cube root and W_cubic from + - * / on doubles only (no libm), so a run
 * gives the same numbers on every machine. */
#include "tcp/cc.h"

/* RFC 9438 4.1: C = 0.4 (segments per second cubed), kept as a fraction. */
enum { C_NUM = 4, C_DEN = 10 };
/* RFC 9438 4.1 and 4.6: beta_cubic = 0.7, kept as a fraction. */
enum { BETA_NUM = 7, BETA_DEN = 10 };
/* RFC 9438 4.3: alpha_cubic = 3 * (1 - beta) / (1 + beta) = 0.9 / 1.7. */
enum { ALPHA_NUM = 9, ALPHA_DEN = 17 };
/* K^3 in ms^3 for one segment of W_max - cwnd_epoch: 1e9 / C. */
#define MS3_PER_SEGMENT (1000000000ull * C_DEN / C_NUM)
#define USEC_PER_SEC 1e6
/* Beyond an hour from K the window is pinned at one end anyway; the bound
 * keeps the cube far from any double overflow. */
#define MAX_OFFSET_SEC 3600.0

static uint32_t clamp_u32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* floor(cbrt(n)), one bit of the root per round (the classic shift-and-
 * subtract method): exact, and no floating point. */
static uint64_t cube_root_u64(uint64_t n)
{
    uint64_t root = 0;
    for (int shift = 63; shift >= 0; shift -= 3) {
        root *= 2;
        /* (root + 1)^3 - root^3, scaled by 2^shift; compared unshifted so
         * that it never overflows. */
        uint64_t step = 3 * root * (root + 1) + 1;
        if ((n >> shift) >= step) {
            n -= step << shift;
            root++;
        }
    }
    return root;
}

/* RFC 9438 4.2 equation 2: K = cbrt((W_max - cwnd_epoch) / C), the time
 * the cubic function takes to climb from cwnd_epoch back to W_max.
 * Millisecond precision: diff < 2^32 and 1e9 / C = 2.5e9 < 2^32, so the
 * product cannot overflow. */
static uint64_t time_to_w_max_usec(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss)
{
    if (w_max <= cwnd_epoch || mss == 0) return 0;
    uint64_t k_ms_cubed = (uint64_t)(w_max - cwnd_epoch) * MS3_PER_SEGMENT / mss;
    return cube_root_u64(k_ms_cubed) * 1000;
}

/* RFC 9438 4.2 equation 1, in bytes, t microseconds into the epoch. */
static uint32_t cubic_window(const struct tcp_cc *cc, uint64_t t_usec)
{
    double offset = ((double)t_usec - (double)cc->k_usec) / USEC_PER_SEC;
    if (offset > MAX_OFFSET_SEC) offset = MAX_OFFSET_SEC;
    if (offset < -MAX_OFFSET_SEC) offset = -MAX_OFFSET_SEC;
    double w = (double)cc->w_max + C_NUM * offset * offset * offset * (double)cc->mss / C_DEN;
    if (w <= 0) return 0;
    if (w >= (double)UINT32_MAX) return UINT32_MAX;
    return (uint32_t)w;
}

/* A congestion-avoidance stage starts (RFC 9438 4.2, t_epoch).  With no
 * earlier maximum above the current window (the first stage, or the first
 * after a timeout: RFC 9438 4.8) W_max is the current window and K = 0. */
static void begin_epoch(struct tcp_cc *cc, uint64_t now)
{
    cc->epoch_start = now ? now : 1; /* 0 means "no epoch" */
    if (cc->w_max < cc->cwnd) cc->w_max = cc->cwnd;
    cc->k_usec = time_to_w_max_usec(cc->w_max, cc->cwnd, cc->mss);
    /* RFC 9438 4.3: "W_est is set equal to cwnd_epoch at the start of the
     * congestion avoidance stage." */
    cc->w_est = cc->cwnd;
    cc->bytes_acked = 0;
}

static void forget_epoch(struct tcp_cc *cc)
{
    cc->epoch_start = 0;
    cc->bytes_acked = 0;
}

/* RFC 9438 4.3: W_est += alpha_cubic * segments_acked / cwnd, that is
 * alpha segments per cwnd of bytes acknowledged, counted in bytes as in
 * RFC 3465.  alpha becomes 1 once W_est reaches the window of the last
 * reduction (W_max here, as fast convergence is not used). */
static void grow_reno_estimate(struct tcp_cc *cc, uint32_t acked)
{
    uint64_t counted = (uint64_t)cc->bytes_acked + acked;
    if (counted < cc->cwnd) {
        cc->bytes_acked = (uint32_t)counted;
        return;
    }
    cc->bytes_acked = clamp_u32(counted - cc->cwnd);
    uint64_t step = cc->w_est >= cc->w_max ? cc->mss : (uint64_t)cc->mss * ALPHA_NUM / ALPHA_DEN;
    cc->w_est = clamp_u32(cc->w_est + step);
}

/* RFC 9438 4.2: target = W_cubic(t + RTT), but at least cwnd and at most
 * 1.5 * cwnd. */
static uint32_t growth_target(const struct tcp_cc *cc, uint64_t t_usec)
{
    uint32_t w = cubic_window(cc, t_usec);
    uint64_t ceiling = (uint64_t)cc->cwnd + cc->cwnd / 2;
    if (w < cc->cwnd) return cc->cwnd;
    return w > ceiling ? clamp_u32(ceiling) : w;
}

static void cubic_congestion_avoidance(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    cc->phase = CC_CONGESTION_AVOIDANCE;
    if (cc->epoch_start == 0) begin_epoch(cc, a->now);
    uint64_t t = a->now > cc->epoch_start ? a->now - cc->epoch_start : 0;
    grow_reno_estimate(cc, a->acked);

    /* RFC 9438 4.3: "If W_cubic(t) is less than W_est, then CUBIC is in
     * the Reno-friendly region and cwnd SHOULD be set to W_est". */
    if (cubic_window(cc, t) < cc->w_est) {
        if (cc->w_est > cc->cwnd) cc->cwnd = cc->w_est;
        return;
    }
    /* RFC 9438 4.4 and 4.5 (concave and convex regions): "cwnd MUST be
     * incremented by (target - cwnd) / cwnd for each received new ACK",
     * scaled by the bytes this ACK covers, and never past the target.
     * Rounded up: truncating would leave a large window stuck up to a
     * segment short of a target that is close (near W_max). */
    uint32_t target = growth_target(cc, t + a->srtt);
    uint64_t room = target - cc->cwnd;
    uint64_t increase = (room * a->acked + cc->cwnd - 1) / cc->cwnd;
    cc->cwnd = clamp_u32(cc->cwnd + (increase < room ? increase : room));
}

static void cubic_on_ack(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    /* RFC 9438 4.10: below ssthresh CUBIC uses the standard slow start.
     * (A window of 0, from a never-initialised struct, stays out of the
     * divisions below.) */
    if (cc->cwnd < cc->ssthresh || cc->cwnd == 0) {
        cc_reno_grow(cc, a->acked);
        return;
    }
    cubic_congestion_avoidance(cc, a);
}

/* RFC 9438 4.6: ssthresh = cwnd * beta_cubic, and at least 2 segments. */
static uint32_t reduced_window(const struct tcp_cc *cc)
{
    uint64_t reduced = (uint64_t)cc->cwnd * BETA_NUM / BETA_DEN;
    uint64_t floor = 2 * (uint64_t)cc->mss;
    return clamp_u32(reduced > floor ? reduced : floor);
}

static bool cubic_on_loss_detected(struct tcp_cc *cc, uint32_t flight, tcp_seq snd_max, uint64_t now)
{
    (void)flight;
    (void)now;
    /* RFC 9438 4.6: remember where the loss happened, then cut the window
     * to 0.7 of it.  (Fast convergence, 4.7, is optional and not used.) */
    cc->w_max = cc->cwnd;
    cc->ssthresh = reduced_window(cc);
    cc->cwnd = cc->ssthresh;
    cc->phase = CC_FAST_RECOVERY;
    cc->recover = snd_max;
    forget_epoch(cc);
    return true;
}

/* Recovery is NewReno's (RFC 6582 via RFC 9438 4.6): one segment per
 * further duplicate ACK (RFC 5681 3.2 step 4). */
static void cubic_on_dupack_in_recovery(struct tcp_cc *cc)
{
    tcp_cc_ops_for(TCP_CC_NEWRENO)->on_dupack_in_recovery(cc);
}

static enum tcp_cc_recovery_step cubic_on_ack_in_recovery(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    /* A partial ACK is handled exactly as NewReno does (RFC 6582 3.2
     * step 3): deflate, retransmit the next hole, stay. */
    if (!seq_ge(a->ack, cc->recover))
        return tcp_cc_ops_for(TCP_CC_NEWRENO)->on_ack_in_recovery(cc, a);
    /* Full ACK: the window is the reduced one and the cubic curve starts
     * climbing from here (RFC 9438 4.6 and 4.2, t_epoch). */
    cc->cwnd = cc->ssthresh;
    cc->phase = CC_CONGESTION_AVOIDANCE;
    begin_epoch(cc, a->now);
    return CC_RECOVERY_EXIT;
}

/* As in Tahoe: no ACK of new data since the last timeout means the same
 * segment timed out again. */
static bool is_repeated_timeout(const struct tcp_cc *cc)
{
    return cc->phase == CC_AFTER_RTO && cc->cwnd <= cc->mss;
}

static void cubic_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now)
{
    (void)flight;
    (void)now;
    /* RFC 9438 4.8: ssthresh as in 4.6 (held constant when the same
     * segment times out again, RFC 5681 3.1), cwnd = the loss window of
     * one segment; the next congestion-avoidance stage starts with K = 0
     * and W_max = the window it starts from. */
    if (!is_repeated_timeout(cc)) cc->ssthresh = reduced_window(cc);
    cc->cwnd = cc->mss;
    cc->phase = CC_AFTER_RTO;
    cc->w_max = 0;
    cc->k_usec = 0;
    cc->w_est = 0;
    forget_epoch(cc);
}

const struct tcp_cc_ops tcp_cc_cubic_ops = {
    .name = "cubic",
    .init = cc_common_init,
    .on_ack = cubic_on_ack,
    .on_loss_detected = cubic_on_loss_detected,
    .on_dupack_in_recovery = cubic_on_dupack_in_recovery,
    .on_ack_in_recovery = cubic_on_ack_in_recovery,
    .on_rto = cubic_on_rto,
};
