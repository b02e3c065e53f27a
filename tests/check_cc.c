/* Tests of the congestion-control algorithms (src/tcp/cc_*.c) through the
 * ops table the engine uses.  Expected numbers are worked out by hand from
 * the RFCs (RFC 5681, RFC 3465, RFC 6582, RFC 9438), with an MSS of 1000
 * bytes so that they read easily. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "tcp/cc.h"

#include "check_main.h"

enum { MSS = 1000 };
#define SEGS(n) ((uint32_t)(n) * MSS)
#define USEC_PER_SEC 1000000u

static const struct tcp_cc_ops *ops_of(int algo)
{
    return tcp_cc_ops_for((enum tcp_cc_algo)algo);
}

static struct tcp_cc started(int algo, unsigned iw, uint32_t ssthresh0)
{
    struct tcp_cc cc;
    memset(&cc, 0xa5, sizeof cc); /* init must set every field */
    ops_of(algo)->init(&cc, MSS, iw, ssthresh0);
    return cc;
}

static struct tcp_cc_ack ack_of(uint32_t acked, uint32_t flight, tcp_seq ack, uint64_t now)
{
    return (struct tcp_cc_ack){.acked = acked, .flight = flight, .ack = ack, .now = now, .srtt = 0};
}

/* n ACKs of one segment each, as outside recovery. */
static void ack_segments(int algo, struct tcp_cc *cc, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct tcp_cc_ack a = ack_of(MSS, cc->cwnd, 0, 0);
        ops_of(algo)->on_ack(cc, &a);
    }
}

/* A connection already in congestion avoidance at cwnd = ssthresh = n
 * segments. */
static struct tcp_cc in_congestion_avoidance(int algo, unsigned n)
{
    struct tcp_cc cc = started(algo, 10, SEGS(n));
    cc.cwnd = SEGS(n);
    return cc;
}

/* ---- initial window and ssthresh (RFC 5681 3.1, RFC 6928) ---- */

START_TEST(test_init_initial_windows)
{
    const unsigned iws[] = {1, 2, 4, 10};
    for (size_t i = 0; i < sizeof iws / sizeof iws[0]; i++) {
        struct tcp_cc cc = started(_i, iws[i], 0);
        ck_assert_uint_eq(cc.cwnd, SEGS(iws[i]));
        ck_assert_uint_eq(cc.ssthresh, UINT32_MAX);
        ck_assert_uint_eq(cc.mss, MSS);
        ck_assert_uint_eq(cc.phase, CC_SLOW_START);
        ck_assert_uint_eq(cc.bytes_acked, 0);
        ck_assert_uint_eq(cc.epoch_start, 0);
    }
}
END_TEST

START_TEST(test_init_custom_ssthresh)
{
    struct tcp_cc cc = started(_i, 4, 12345);
    ck_assert_uint_eq(cc.cwnd, SEGS(4));
    ck_assert_uint_eq(cc.ssthresh, 12345);
}
END_TEST

START_TEST(test_init_clamps_odd_windows)
{
    ck_assert_uint_eq(started(_i, 0, 0).cwnd, SEGS(1));
    ck_assert_uint_eq(started(_i, 3, 0).cwnd, SEGS(3));
    ck_assert_uint_eq(started(_i, 11, 0).cwnd, SEGS(10));
    ck_assert_uint_eq(started(_i, 1000000, 0).cwnd, SEGS(10));
}
END_TEST

START_TEST(test_init_saturates_huge_mss)
{
    struct tcp_cc cc;
    ops_of(_i)->init(&cc, UINT32_MAX / 2, 10, 0);
    ck_assert_uint_eq(cc.cwnd, UINT32_MAX);
    ops_of(_i)->init(&cc, 0, 10, 0); /* MSS 0 is nonsense: one byte */
    ck_assert_uint_eq(cc.mss, 1);
    ck_assert_uint_eq(cc.cwnd, 10);
}
END_TEST

/* ---- slow start (RFC 5681 3.1 equation 2) ---- */

START_TEST(test_slow_start_doubles_per_round_trip)
{
    struct tcp_cc cc = started(_i, 10, 0);
    ack_segments(_i, &cc, 10);
    ck_assert_uint_eq(cc.cwnd, SEGS(20));
    ck_assert_uint_eq(cc.phase, CC_SLOW_START);
    ack_segments(_i, &cc, 20);
    ck_assert_uint_eq(cc.cwnd, SEGS(40));
    ck_assert_uint_eq(cc.bytes_acked, 0);
}
END_TEST

START_TEST(test_slow_start_grows_at_most_one_mss_per_ack)
{
    struct tcp_cc cc = started(_i, 2, 0);
    struct tcp_cc_ack stretch = ack_of(SEGS(3), SEGS(3), 0, 0);
    ops_of(_i)->on_ack(&cc, &stretch);
    ck_assert_uint_eq(cc.cwnd, SEGS(3));
    struct tcp_cc_ack small = ack_of(400, SEGS(1), 0, 0);
    ops_of(_i)->on_ack(&cc, &small);
    ck_assert_uint_eq(cc.cwnd, SEGS(3) + 400);
}
END_TEST

START_TEST(test_slow_start_hands_over_at_ssthresh)
{
    struct tcp_cc cc = started(_i, 10, SEGS(15));
    ack_segments(_i, &cc, 5);
    ck_assert_uint_eq(cc.cwnd, SEGS(15));
    ck_assert_uint_eq(cc.phase, CC_SLOW_START);
    ack_segments(_i, &cc, 1);
    ck_assert_uint_eq(cc.phase, CC_CONGESTION_AVOIDANCE);
    ck_assert_uint_lt(cc.cwnd, SEGS(16)); /* no longer one MSS per ACK */
}
END_TEST

/* ---- congestion avoidance with byte counting (RFC 5681 3.1, RFC 3465) ---- */

START_TEST(test_congestion_avoidance_one_mss_per_window)
{
    /* Reno family only (_i in Tahoe..NewReno): CUBIC grows differently. */
    struct tcp_cc cc = in_congestion_avoidance(_i, 10);
    ack_segments(_i, &cc, 9);
    ck_assert_uint_eq(cc.cwnd, SEGS(10));
    ck_assert_uint_eq(cc.bytes_acked, SEGS(9));
    ck_assert_uint_eq(cc.phase, CC_CONGESTION_AVOIDANCE);
    ack_segments(_i, &cc, 1);
    ck_assert_uint_eq(cc.cwnd, SEGS(11));
    ck_assert_uint_eq(cc.bytes_acked, 0);
    ack_segments(_i, &cc, 11);
    ck_assert_uint_eq(cc.cwnd, SEGS(12));
    ck_assert_uint_eq(cc.bytes_acked, 0);
}
END_TEST

START_TEST(test_congestion_avoidance_counts_bytes_not_acks)
{
    struct tcp_cc cc = in_congestion_avoidance(_i, 12);
    /* A stretch ACK of 25 segments still adds one MSS; the rest is kept. */
    struct tcp_cc_ack stretch = ack_of(SEGS(25), SEGS(25), 0, 0);
    ops_of(_i)->on_ack(&cc, &stretch);
    ck_assert_uint_eq(cc.cwnd, SEGS(13));
    ck_assert_uint_eq(cc.bytes_acked, SEGS(13));
    /* One more byte reaches the new cwnd: one more MSS. */
    struct tcp_cc_ack one = ack_of(1, SEGS(1), 0, 0);
    ops_of(_i)->on_ack(&cc, &one);
    ck_assert_uint_eq(cc.cwnd, SEGS(14));
    ck_assert_uint_eq(cc.bytes_acked, 1);
    /* Delayed ACKs of two segments: seven of them make 14 segments. */
    for (int i = 0; i < 6; i++) {
        struct tcp_cc_ack two = ack_of(SEGS(2), SEGS(14), 0, 0);
        ops_of(_i)->on_ack(&cc, &two);
    }
    ck_assert_uint_eq(cc.cwnd, SEGS(14));
    struct tcp_cc_ack last = ack_of(SEGS(2), SEGS(14), 0, 0);
    ops_of(_i)->on_ack(&cc, &last);
    ck_assert_uint_eq(cc.cwnd, SEGS(15));
    ck_assert_uint_eq(cc.bytes_acked, 1);
}
END_TEST

START_TEST(test_growth_saturates)
{
    struct tcp_cc cc = started(_i, 10, 0);
    cc.cwnd = UINT32_MAX - 10;
    ack_segments(_i, &cc, 3);
    ck_assert_uint_eq(cc.cwnd, UINT32_MAX);
    cc.ssthresh = SEGS(2);
    cc.bytes_acked = UINT32_MAX - 5;
    ack_segments(_i, &cc, 3);
    ck_assert_uint_eq(cc.cwnd, UINT32_MAX);
}
END_TEST

START_TEST(test_half_flight)
{
    struct tcp_cc cc = started(TCP_CC_RENO, 10, 0);
    ck_assert_uint_eq(cc_half_flight(&cc, SEGS(20)), SEGS(10));
    ck_assert_uint_eq(cc_half_flight(&cc, SEGS(20) + 1), SEGS(10));
    ck_assert_uint_eq(cc_half_flight(&cc, SEGS(3)), SEGS(2));
    ck_assert_uint_eq(cc_half_flight(&cc, 0), SEGS(2));
    ck_assert_uint_eq(cc_half_flight(&cc, UINT32_MAX), UINT32_MAX / 2);
}
END_TEST

/* ---- Tahoe: no fast recovery ---- */

START_TEST(test_tahoe_loss_restarts_from_one_segment)
{
    struct tcp_cc cc = in_congestion_avoidance(TCP_CC_TAHOE, 20);
    bool recovers = ops_of(TCP_CC_TAHOE)->on_loss_detected(&cc, SEGS(20), 21000, 0);
    ck_assert(!recovers);
    ck_assert_uint_eq(cc.ssthresh, SEGS(10));
    ck_assert_uint_eq(cc.cwnd, SEGS(1));
    ck_assert_uint_eq(cc.phase, CC_SLOW_START);
    ck_assert_uint_eq(cc.bytes_acked, 0);
    /* Slow start again: 1, 2, 4, 8, then 10 = ssthresh. */
    ack_segments(TCP_CC_TAHOE, &cc, 1 + 2 + 4);
    ck_assert_uint_eq(cc.cwnd, SEGS(8));
    ack_segments(TCP_CC_TAHOE, &cc, 2);
    ck_assert_uint_eq(cc.cwnd, SEGS(10));
    ck_assert_uint_eq(cc.phase, CC_SLOW_START);
    ack_segments(TCP_CC_TAHOE, &cc, 1);
    ck_assert_uint_eq(cc.phase, CC_CONGESTION_AVOIDANCE);
}
END_TEST

START_TEST(test_tahoe_recovery_hooks_are_harmless)
{
    struct tcp_cc cc = in_congestion_avoidance(TCP_CC_TAHOE, 10);
    ops_of(TCP_CC_TAHOE)->on_dupack_in_recovery(&cc);
    ck_assert_uint_eq(cc.cwnd, SEGS(10));
    struct tcp_cc_ack a = ack_of(SEGS(10), SEGS(10), 5000, 0);
    ck_assert_int_eq(ops_of(TCP_CC_TAHOE)->on_ack_in_recovery(&cc, &a), CC_RECOVERY_EXIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(11));
}
END_TEST

/* ---- Reno fast recovery (RFC 5681 3.2) ---- */

START_TEST(test_reno_fast_recovery_numbers)
{
    const struct tcp_cc_ops *reno = ops_of(TCP_CC_RENO);
    struct tcp_cc cc = in_congestion_avoidance(TCP_CC_RENO, 20);
    /* Third duplicate ACK with 20 segments in flight from 1000 to 21000. */
    ck_assert(reno->on_loss_detected(&cc, SEGS(20), 21000, 0));
    ck_assert_uint_eq(cc.ssthresh, SEGS(10));
    ck_assert_uint_eq(cc.cwnd, SEGS(13));
    ck_assert_uint_eq(cc.phase, CC_FAST_RECOVERY);
    ck_assert_uint_eq(cc.recover, 21000);
    /* Each further duplicate ACK inflates by one MSS. */
    reno->on_dupack_in_recovery(&cc);
    ck_assert_uint_eq(cc.cwnd, SEGS(14));
    reno->on_dupack_in_recovery(&cc);
    ck_assert_uint_eq(cc.cwnd, SEGS(15));
    ck_assert_uint_eq(cc.phase, CC_FAST_RECOVERY);
    /* The first new ACK, partial though it is, deflates and ends it. */
    struct tcp_cc_ack a = ack_of(SEGS(2), SEGS(20), 3000, 0);
    ck_assert_int_eq(reno->on_ack_in_recovery(&cc, &a), CC_RECOVERY_EXIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(10));
    ck_assert_uint_eq(cc.ssthresh, SEGS(10));
    ck_assert_uint_eq(cc.phase, CC_CONGESTION_AVOIDANCE);
    ck_assert_uint_eq(cc.bytes_acked, 0);
}
END_TEST

START_TEST(test_reno_small_flight_keeps_two_segment_floor)
{
    struct tcp_cc cc = started(_i, 4, 0);
    ck_assert(ops_of(_i)->on_loss_detected(&cc, SEGS(3), 4000, 0));
    ck_assert_uint_eq(cc.ssthresh, SEGS(2));
    ck_assert_uint_eq(cc.cwnd, SEGS(5));
}
END_TEST

START_TEST(test_dupack_outside_recovery_changes_nothing)
{
    struct tcp_cc cc = in_congestion_avoidance(_i, 10);
    ops_of(_i)->on_dupack_in_recovery(&cc);
    ck_assert_uint_eq(cc.cwnd, SEGS(10));
}
END_TEST

/* ---- NewReno partial ACKs (RFC 6582 3.2) ---- */

/* NewReno in recovery: 20 segments were in flight from 1000 to 21000,
 * then three more duplicate ACKs arrived (cwnd 16 segments). */
static struct tcp_cc newreno_in_recovery(void)
{
    const struct tcp_cc_ops *nr = ops_of(TCP_CC_NEWRENO);
    struct tcp_cc cc = in_congestion_avoidance(TCP_CC_NEWRENO, 20);
    ck_assert(nr->on_loss_detected(&cc, SEGS(20), 21000, 0));
    ck_assert_uint_eq(cc.cwnd, SEGS(13));
    for (int i = 0; i < 3; i++) nr->on_dupack_in_recovery(&cc);
    ck_assert_uint_eq(cc.cwnd, SEGS(16));
    return cc;
}

START_TEST(test_newreno_partial_ack_retransmits_and_stays)
{
    const struct tcp_cc_ops *nr = ops_of(TCP_CC_NEWRENO);
    struct tcp_cc cc = newreno_in_recovery();
    /* Partial ACK of 3 segments: 16 - 3 + 1 = 14 segments. */
    struct tcp_cc_ack a = ack_of(SEGS(3), SEGS(20), 4000, 0);
    ck_assert_int_eq(nr->on_ack_in_recovery(&cc, &a), CC_RECOVERY_RETRANSMIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(14));
    ck_assert_uint_eq(cc.ssthresh, SEGS(10));
    ck_assert_uint_eq(cc.phase, CC_FAST_RECOVERY);
    /* Less than one MSS acknowledged: no MSS added back. */
    struct tcp_cc_ack b = ack_of(500, SEGS(17), 4500, 0);
    ck_assert_int_eq(nr->on_ack_in_recovery(&cc, &b), CC_RECOVERY_RETRANSMIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(14) - 500);
    ck_assert_uint_eq(cc.phase, CC_FAST_RECOVERY);
    /* The full ACK: nothing left in flight, so min(ssthresh, 1 + 1 MSS). */
    struct tcp_cc_ack full = ack_of(16500, 16500, 21000, 0);
    ck_assert_int_eq(nr->on_ack_in_recovery(&cc, &full), CC_RECOVERY_EXIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(2));
    ck_assert_uint_eq(cc.phase, CC_CONGESTION_AVOIDANCE);
    ck_assert_uint_eq(cc.bytes_acked, 0);
}
END_TEST

START_TEST(test_newreno_full_ack_window)
{
    const struct tcp_cc_ops *nr = ops_of(TCP_CC_NEWRENO);
    /* New data was sent during recovery: 4 segments remain after the full
     * ACK, so cwnd = min(10, 4 + 1) segments (RFC 6582 3.2 step 3, 1). */
    struct tcp_cc cc = newreno_in_recovery();
    struct tcp_cc_ack full = ack_of(SEGS(20), SEGS(24), 21000, 0);
    ck_assert_int_eq(nr->on_ack_in_recovery(&cc, &full), CC_RECOVERY_EXIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(5));
    /* Beyond recover counts as full too; much left in flight: ssthresh. */
    cc = newreno_in_recovery();
    full = ack_of(SEGS(21), SEGS(33), 22000, 0);
    ck_assert_int_eq(nr->on_ack_in_recovery(&cc, &full), CC_RECOVERY_EXIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(10));
    ck_assert_uint_eq(cc.phase, CC_CONGESTION_AVOIDANCE);
}
END_TEST

START_TEST(test_newreno_partial_ack_never_below_one_segment)
{
    const struct tcp_cc_ops *nr = ops_of(TCP_CC_NEWRENO);
    struct tcp_cc cc = newreno_in_recovery();
    cc.cwnd = 1200;
    struct tcp_cc_ack a = ack_of(800, SEGS(5), 2000, 0);
    ck_assert_int_eq(nr->on_ack_in_recovery(&cc, &a), CC_RECOVERY_RETRANSMIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(1));
    struct tcp_cc_ack big = ack_of(SEGS(9), SEGS(15), 11000, 0);
    ck_assert_int_eq(nr->on_ack_in_recovery(&cc, &big), CC_RECOVERY_RETRANSMIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(1));
}
END_TEST

START_TEST(test_newreno_recover_across_sequence_wrap)
{
    const struct tcp_cc_ops *nr = ops_of(TCP_CC_NEWRENO);
    struct tcp_cc cc = in_congestion_avoidance(TCP_CC_NEWRENO, 20);
    tcp_seq snd_max = 0x00000100u; /* wrapped past 2^32 */
    ck_assert(nr->on_loss_detected(&cc, SEGS(20), snd_max, 0));
    struct tcp_cc_ack partial = ack_of(SEGS(1), SEGS(20), 0xfffffff0u, 0);
    ck_assert_int_eq(nr->on_ack_in_recovery(&cc, &partial), CC_RECOVERY_RETRANSMIT);
    struct tcp_cc_ack full = ack_of(SEGS(19), SEGS(19), snd_max, 0);
    ck_assert_int_eq(nr->on_ack_in_recovery(&cc, &full), CC_RECOVERY_EXIT);
}
END_TEST

/* ---- retransmission timeout (RFC 5681 3.1, RFC 9438 4.8) ---- */

START_TEST(test_rto_collapses_to_one_segment)
{
    struct tcp_cc cc = in_congestion_avoidance(_i, 20);
    ops_of(_i)->on_rto(&cc, SEGS(20), 0);
    /* Reno family: max(FlightSize / 2, 2 SMSS); CUBIC: 0.7 * cwnd. */
    ck_assert_uint_eq(cc.ssthresh, _i == TCP_CC_CUBIC ? SEGS(14) : SEGS(10));
    ck_assert_uint_eq(cc.cwnd, SEGS(1));
    ck_assert_uint_eq(cc.phase, CC_AFTER_RTO);
    ck_assert_uint_eq(cc.bytes_acked, 0);
    /* Slow start again, still labelled "after RTO" below ssthresh. */
    ack_segments(_i, &cc, 3);
    ck_assert_uint_eq(cc.cwnd, SEGS(4));
    ck_assert_uint_eq(cc.phase, CC_AFTER_RTO);
    ack_segments(_i, &cc, _i == TCP_CC_CUBIC ? 10 : 6);
    ck_assert_uint_eq(cc.phase, CC_AFTER_RTO);
    ck_assert_uint_eq(cc.cwnd, cc.ssthresh);
    ack_segments(_i, &cc, 1);
    ck_assert_uint_eq(cc.phase, CC_CONGESTION_AVOIDANCE);
}
END_TEST

START_TEST(test_rto_two_segment_floor)
{
    struct tcp_cc cc = started(_i, 1, 0);
    ops_of(_i)->on_rto(&cc, SEGS(1), 0);
    ck_assert_uint_eq(cc.ssthresh, SEGS(2));
    ck_assert_uint_eq(cc.cwnd, SEGS(1));
}
END_TEST

START_TEST(test_rto_in_fast_recovery)
{
    struct tcp_cc cc = in_congestion_avoidance(_i, 20);
    ops_of(_i)->on_loss_detected(&cc, SEGS(20), 21000, 0);
    ops_of(_i)->on_rto(&cc, SEGS(16), 0);
    ck_assert_uint_eq(cc.cwnd, SEGS(1));
    ck_assert_uint_eq(cc.phase, CC_AFTER_RTO);
    ck_assert_uint_ge(cc.ssthresh, SEGS(2));
}
END_TEST

START_TEST(test_repeated_rto_holds_ssthresh)
{
    /* RFC 5681 3.1: a segment timing out again keeps ssthresh. */
    struct tcp_cc cc = in_congestion_avoidance(_i, 20);
    ops_of(_i)->on_rto(&cc, SEGS(20), 0);
    uint32_t first = cc.ssthresh;
    ops_of(_i)->on_rto(&cc, SEGS(1), 0);
    ck_assert_uint_eq(cc.ssthresh, first);
    ck_assert_uint_eq(cc.cwnd, SEGS(1));
    /* After new data is acknowledged, a timeout is a new loss again. */
    ack_segments(_i, &cc, 1);
    ops_of(_i)->on_rto(&cc, SEGS(6), 0);
    ck_assert_uint_eq(cc.ssthresh, _i == TCP_CC_CUBIC ? SEGS(2) : SEGS(3));
}
END_TEST

/* ---- CUBIC (RFC 9438) ---- */

START_TEST(test_cubic_multiplicative_decrease)
{
    const struct tcp_cc_ops *cubic = ops_of(TCP_CC_CUBIC);
    struct tcp_cc cc = in_congestion_avoidance(TCP_CC_CUBIC, 100);
    ck_assert(cubic->on_loss_detected(&cc, SEGS(100), 101000, 0));
    ck_assert_uint_eq(cc.w_max, SEGS(100));
    ck_assert_uint_eq(cc.ssthresh, SEGS(70));
    ck_assert_uint_eq(cc.cwnd, SEGS(70));
    ck_assert_uint_eq(cc.phase, CC_FAST_RECOVERY);
    ck_assert_uint_eq(cc.recover, 101000);
    /* A tiny window keeps the 2 SMSS floor. */
    cc = in_congestion_avoidance(TCP_CC_CUBIC, 2);
    ck_assert(cubic->on_loss_detected(&cc, SEGS(2), 3000, 0));
    ck_assert_uint_eq(cc.ssthresh, SEGS(2));
    ck_assert_uint_eq(cc.cwnd, SEGS(2));
}
END_TEST

START_TEST(test_cubic_recovery_is_newreno)
{
    const struct tcp_cc_ops *cubic = ops_of(TCP_CC_CUBIC);
    struct tcp_cc cc = in_congestion_avoidance(TCP_CC_CUBIC, 100);
    cubic->on_loss_detected(&cc, SEGS(100), 101000, 0);
    cubic->on_dupack_in_recovery(&cc);
    ck_assert_uint_eq(cc.cwnd, SEGS(71));
    struct tcp_cc_ack partial = ack_of(SEGS(5), SEGS(100), 6000, 0);
    ck_assert_int_eq(cubic->on_ack_in_recovery(&cc, &partial), CC_RECOVERY_RETRANSMIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(67));
    ck_assert_uint_eq(cc.phase, CC_FAST_RECOVERY);
    struct tcp_cc_ack full = ack_of(SEGS(95), SEGS(95), 101000, 5 * USEC_PER_SEC);
    ck_assert_int_eq(cubic->on_ack_in_recovery(&cc, &full), CC_RECOVERY_EXIT);
    ck_assert_uint_eq(cc.cwnd, SEGS(70));
    ck_assert_uint_eq(cc.phase, CC_CONGESTION_AVOIDANCE);
    ck_assert_uint_eq(cc.epoch_start, 5 * USEC_PER_SEC);
    /* K = cbrt((100 - 70) / 0.4) = cbrt(75) = 4.2172 s, to the ms. */
    ck_assert_uint_eq(cc.k_usec, 4217000);
}
END_TEST

/* Runs CUBIC for `seconds` after recovery ended at 70 of w_max segments,
 * one ACK per segment spread evenly over each round trip of rtt µs, and
 * records cwnd at the start of every round trip in `trace`.  Checks on
 * the way that cwnd never shrinks. */
static unsigned cubic_after_loss(struct tcp_cc *cc, uint32_t w_max_segs, uint64_t rtt, uint64_t seconds,
                                 uint32_t *trace, unsigned trace_len)
{
    const struct tcp_cc_ops *cubic = ops_of(TCP_CC_CUBIC);
    *cc = in_congestion_avoidance(TCP_CC_CUBIC, w_max_segs);
    tcp_seq snd_max = 1 + SEGS(w_max_segs);
    cubic->on_loss_detected(cc, cc->cwnd, snd_max, 0);
    struct tcp_cc_ack full = ack_of(cc->cwnd, cc->cwnd, snd_max, 1);
    cubic->on_ack_in_recovery(cc, &full);

    uint64_t now = 1;
    unsigned rounds = 0;
    while (now < 1 + seconds * USEC_PER_SEC && rounds < trace_len) {
        trace[rounds++] = cc->cwnd;
        uint32_t segments = cc->cwnd / MSS;
        for (uint32_t i = 0; i < segments; i++) {
            struct tcp_cc_ack a = ack_of(MSS, cc->cwnd, 0, now + rtt * i / segments);
            a.srtt = rtt;
            uint32_t before = cc->cwnd;
            cubic->on_ack(cc, &a);
            ck_assert_uint_ge(cc->cwnd, before);
        }
        now += rtt;
    }
    return rounds;
}

START_TEST(test_cubic_concave_then_convex)
{
    /* w_max 1000 segments, RTT 100 ms: K = cbrt(300 / 0.4) = 9.086 s, and
     * the Reno-friendly estimate (0.53 segment per RTT) stays far below. */
    enum { ROUNDS = 150 };
    static uint32_t trace[ROUNDS];
    struct tcp_cc cc;
    unsigned n = cubic_after_loss(&cc, 1000, 100000, 15, trace, ROUNDS);
    ck_assert_uint_eq(n, ROUNDS);
    ck_assert_uint_eq(cc.k_usec, 9085000);
    unsigned k_round = 91; /* 9.1 s */

    ck_assert_uint_eq(trace[0], SEGS(700));
    /* Concave: fast at first, flat near K. */
    uint32_t first_second = trace[10] - trace[0];
    uint32_t second_before_k = trace[k_round] - trace[k_round - 10];
    ck_assert_uint_gt(first_second, SEGS(50));
    ck_assert_uint_lt(second_before_k, SEGS(3));
    /* Back at w_max around K (within 1%), and still below it 2 s before. */
    ck_assert_uint_lt(trace[k_round - 20], SEGS(1000));
    ck_assert_uint_ge(trace[k_round], SEGS(990));
    ck_assert_uint_le(trace[k_round], SEGS(1010));
    /* Convex beyond: 0.4 * (3^3 - 2^3) = 7.6 segments in the third second
     * after K, more than in the second before it. */
    uint32_t third_second_after_k = trace[k_round + 30] - trace[k_round + 20];
    ck_assert_uint_gt(third_second_after_k, SEGS(5));
    ck_assert_uint_gt(third_second_after_k, second_before_k);
    ck_assert_uint_gt(trace[k_round + 30], SEGS(1008));
    /* W_cubic(K + 5.8 s) = 1000 + 0.4 * 5.8^3 = 1078 segments. */
    ck_assert_uint_ge(trace[ROUNDS - 1], SEGS(1060));
    ck_assert_uint_le(trace[ROUNDS - 1], SEGS(1090));
}
END_TEST

START_TEST(test_cubic_reno_friendly_region)
{
    /* With a 1 ms RTT the cubic curve is far too slow (K = 4.2 s = 4217
     * RTTs): CUBIC must grow at least like its Reno estimate, 9/17 of a
     * segment per RTT up to w_max, then one segment per RTT. */
    enum { ROUNDS = 120 };
    static uint32_t trace[ROUNDS];
    struct tcp_cc cc;
    cubic_after_loss(&cc, 100, 1000, 1, trace, ROUNDS);
    ck_assert_uint_eq(cc.cwnd, cc.w_est);
    /* 30 segments at 9/17 per RTT take about 57 RTTs. */
    ck_assert_uint_lt(trace[50], SEGS(100));
    ck_assert_uint_ge(trace[65], SEGS(100));
    uint32_t per_ten_rtts = trace[ROUNDS - 1] - trace[ROUNDS - 11];
    ck_assert_uint_ge(per_ten_rtts, SEGS(9));
    ck_assert_uint_le(per_ten_rtts, SEGS(11));
}
END_TEST

START_TEST(test_cubic_never_slower_than_reno_without_loss)
{
    /* No loss yet: the epoch starts at ssthresh with K = 0. */
    struct tcp_cc cubic = started(TCP_CC_CUBIC, 10, SEGS(10));
    struct tcp_cc reno = started(TCP_CC_RENO, 10, SEGS(10));
    uint64_t now = 0;
    for (int round = 0; round < 200; round++) {
        uint32_t segments = cubic.cwnd / MSS;
        for (uint32_t i = 0; i < segments; i++) {
            struct tcp_cc_ack a = ack_of(MSS, cubic.cwnd, 0, now);
            a.srtt = 50000;
            ops_of(TCP_CC_CUBIC)->on_ack(&cubic, &a);
        }
        ack_segments(TCP_CC_RENO, &reno, reno.cwnd / MSS);
        ck_assert_uint_ge(cubic.cwnd + MSS, reno.cwnd);
        now += 50000;
    }
    ck_assert_uint_eq(cubic.phase, CC_CONGESTION_AVOIDANCE);
    /* 10 s of convex growth: 10 + 0.4 * 10^3 = 410 segments. */
    ck_assert_uint_gt(cubic.cwnd, SEGS(380));
    ck_assert_uint_gt(cubic.cwnd, reno.cwnd);
}
END_TEST

START_TEST(test_cubic_after_rto)
{
    const struct tcp_cc_ops *cubic = ops_of(TCP_CC_CUBIC);
    struct tcp_cc cc = in_congestion_avoidance(TCP_CC_CUBIC, 20);
    cubic->on_rto(&cc, SEGS(20), 0);
    ck_assert_uint_eq(cc.ssthresh, SEGS(14));
    ck_assert_uint_eq(cc.epoch_start, 0);
    ck_assert_uint_eq(cc.w_max, 0);
    ack_segments(TCP_CC_CUBIC, &cc, 13);
    ck_assert_uint_eq(cc.cwnd, SEGS(14));
    /* RFC 9438 4.8: the stage after a timeout starts with K = 0 and W_max
     * = the window it starts from. */
    struct tcp_cc_ack a = ack_of(MSS, SEGS(14), 0, 7 * USEC_PER_SEC);
    cubic->on_ack(&cc, &a);
    ck_assert_uint_eq(cc.phase, CC_CONGESTION_AVOIDANCE);
    ck_assert_uint_eq(cc.epoch_start, 7 * USEC_PER_SEC);
    ck_assert_uint_eq(cc.k_usec, 0);
    ck_assert_uint_eq(cc.w_max, SEGS(14));
}
END_TEST

START_TEST(test_cubic_time_zero_and_backwards_clock)
{
    const struct tcp_cc_ops *cubic = ops_of(TCP_CC_CUBIC);
    struct tcp_cc cc = in_congestion_avoidance(TCP_CC_CUBIC, 10);
    struct tcp_cc_ack a = ack_of(MSS, SEGS(10), 0, 0);
    cubic->on_ack(&cc, &a);
    ck_assert_uint_ne(cc.epoch_start, 0); /* an epoch did start */
    cubic->on_ack(&cc, &a);               /* now before epoch_start */
    ck_assert_uint_ge(cc.cwnd, SEGS(10));
}
END_TEST

/* ---- robustness ---- */

START_TEST(test_uninitialised_state_does_not_crash)
{
    const struct tcp_cc_ops *o = ops_of(_i);
    struct tcp_cc cc = {0};
    struct tcp_cc_ack a = ack_of(MSS, MSS, 1, 1);
    o->on_ack(&cc, &a);
    o->on_dupack_in_recovery(&cc);
    o->on_ack_in_recovery(&cc, &a);
    o->on_loss_detected(&cc, 0, 0, 0);
    o->on_rto(&cc, 0, 0);
    o->on_ack(&cc, &a);
    ck_assert_uint_le(cc.cwnd, 2);
}
END_TEST

/* ---- names and the ops lookup ---- */

START_TEST(test_algo_names_round_trip)
{
    const char *const expected[TCP_CC_ALGO_COUNT] = {"tahoe", "reno", "newreno", "cubic"};
    for (int algo = 0; algo < TCP_CC_ALGO_COUNT; algo++) {
        const char *name = tcp_cc_algo_name((enum tcp_cc_algo)algo);
        ck_assert_str_eq(name, expected[algo]);
        ck_assert_int_eq(tcp_cc_algo_from_name(name), algo);
        ck_assert_str_eq(ops_of(algo)->name, name);
    }
    ck_assert_int_eq(tcp_cc_algo_from_name("NewReno"), TCP_CC_NEWRENO);
    ck_assert_int_eq(tcp_cc_algo_from_name("CUBIC"), TCP_CC_CUBIC);
    ck_assert_int_eq(tcp_cc_algo_from_name("vegas"), -1);
    ck_assert_int_eq(tcp_cc_algo_from_name("ren"), -1);
    ck_assert_int_eq(tcp_cc_algo_from_name("renoo"), -1);
    ck_assert_int_eq(tcp_cc_algo_from_name(""), -1);
    ck_assert_int_eq(tcp_cc_algo_from_name(NULL), -1);
    ck_assert_str_eq(tcp_cc_algo_name(TCP_CC_ALGO_COUNT), "?");
}
END_TEST

START_TEST(test_phase_and_cause_names)
{
    ck_assert_str_eq(tcp_cc_phase_name(CC_SLOW_START), "slow-start");
    ck_assert_str_eq(tcp_cc_phase_name(CC_CONGESTION_AVOIDANCE), "congestion-avoidance");
    ck_assert_str_eq(tcp_cc_phase_name(CC_FAST_RECOVERY), "fast-recovery");
    ck_assert_str_eq(tcp_cc_phase_name(CC_AFTER_RTO), "after-rto");
    ck_assert_str_eq(tcp_cc_phase_name(CC_PHASE_COUNT), "?");
    const char *const causes[CC_CAUSE_COUNT] = {
        "init", "ack", "dupack-inflate", "fast-retransmit",
        "partial-ack", "recovery-end", "rto", "idle",
    };
    for (int c = 0; c < CC_CAUSE_COUNT; c++)
        ck_assert_str_eq(tcp_cc_cause_name((enum tcp_cc_cause)c), causes[c]);
    ck_assert_str_eq(tcp_cc_cause_name(CC_CAUSE_COUNT), "?");
    ck_assert_str_eq(tcp_cc_cause_name((enum tcp_cc_cause)-1), "?");
}
END_TEST

START_TEST(test_ops_lookup)
{
    /* Each algorithm has its own complete table. */
    for (int algo = 0; algo < TCP_CC_ALGO_COUNT; algo++) {
        const struct tcp_cc_ops *o = ops_of(algo);
        ck_assert_ptr_nonnull(o);
        ck_assert(o->init && o->on_ack && o->on_loss_detected && o->on_dupack_in_recovery &&
                  o->on_ack_in_recovery && o->on_rto);
        for (int other = 0; other < algo; other++) ck_assert_ptr_ne(o, ops_of(other));
    }
    /* Out of range: NewReno, never NULL. */
    ck_assert_ptr_eq(ops_of(TCP_CC_ALGO_COUNT), ops_of(TCP_CC_NEWRENO));
    ck_assert_ptr_eq(ops_of(99), ops_of(TCP_CC_NEWRENO));
    ck_assert_ptr_eq(ops_of(-1), ops_of(TCP_CC_NEWRENO));
}
END_TEST

static Suite *cc_suite(void)
{
    Suite *s = suite_create("cc");

    TCase *all = tcase_create("every algorithm");
    tcase_add_loop_test(all, test_init_initial_windows, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_init_custom_ssthresh, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_init_clamps_odd_windows, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_init_saturates_huge_mss, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_slow_start_doubles_per_round_trip, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_slow_start_grows_at_most_one_mss_per_ack, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_slow_start_hands_over_at_ssthresh, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_rto_collapses_to_one_segment, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_rto_two_segment_floor, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_repeated_rto_holds_ssthresh, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(all, test_uninitialised_state_does_not_crash, 0, TCP_CC_ALGO_COUNT);
    suite_add_tcase(s, all);

    TCase *reno_family = tcase_create("reno family");
    tcase_add_loop_test(reno_family, test_congestion_avoidance_one_mss_per_window, TCP_CC_TAHOE, TCP_CC_CUBIC);
    tcase_add_loop_test(reno_family, test_congestion_avoidance_counts_bytes_not_acks, TCP_CC_TAHOE,
                        TCP_CC_CUBIC);
    tcase_add_loop_test(reno_family, test_growth_saturates, TCP_CC_TAHOE, TCP_CC_CUBIC);
    tcase_add_test(reno_family, test_half_flight);
    tcase_add_test(reno_family, test_tahoe_loss_restarts_from_one_segment);
    tcase_add_test(reno_family, test_tahoe_recovery_hooks_are_harmless);
    tcase_add_test(reno_family, test_reno_fast_recovery_numbers);
    tcase_add_loop_test(reno_family, test_reno_small_flight_keeps_two_segment_floor, TCP_CC_RENO,
                        TCP_CC_CUBIC);
    tcase_add_loop_test(reno_family, test_dupack_outside_recovery_changes_nothing, 0, TCP_CC_ALGO_COUNT);
    tcase_add_loop_test(reno_family, test_rto_in_fast_recovery, TCP_CC_RENO, TCP_CC_ALGO_COUNT);
    tcase_add_test(reno_family, test_newreno_partial_ack_retransmits_and_stays);
    tcase_add_test(reno_family, test_newreno_full_ack_window);
    tcase_add_test(reno_family, test_newreno_partial_ack_never_below_one_segment);
    tcase_add_test(reno_family, test_newreno_recover_across_sequence_wrap);
    suite_add_tcase(s, reno_family);

    TCase *cubic = tcase_create("cubic");
    tcase_add_test(cubic, test_cubic_multiplicative_decrease);
    tcase_add_test(cubic, test_cubic_recovery_is_newreno);
    tcase_add_test(cubic, test_cubic_concave_then_convex);
    tcase_add_test(cubic, test_cubic_reno_friendly_region);
    tcase_add_test(cubic, test_cubic_never_slower_than_reno_without_loss);
    tcase_add_test(cubic, test_cubic_after_rto);
    tcase_add_test(cubic, test_cubic_time_zero_and_backwards_clock);
    suite_add_tcase(s, cubic);

    TCase *names = tcase_create("names");
    tcase_add_test(names, test_algo_names_round_trip);
    tcase_add_test(names, test_phase_and_cause_names);
    tcase_add_test(names, test_ops_lookup);
    suite_add_tcase(s, names);
    return s;
}

int main(void) { return check_main_run(cc_suite()); }
