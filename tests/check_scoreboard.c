/* Tests of the SACK scoreboard and the RFC 6675 helpers
 * (src/tcp/scoreboard.c).
 *
 * Most cases use one flight of 10 segments of 1000 octets (SMSS 1000,
 * DupThresh 3) where the receiver SACKed segments 3-4 and 6-10, so the
 * holes are segments 1, 2 and 5.  They run once with small sequence
 * numbers and twice with the flight straddling 2^32, at two different
 * places, so every rule is also checked across the wrap.
 *
 * The last test drives random SACK blocks through the scoreboard and checks
 * every answer against a per-octet model written straight from the RFC
 * text (a bitmap, IsLost and SetPipe octet by octet). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/scoreboard.h"
#include "tcp/seq.h"

#include "check_main.h"

#define MSS 1000u
#define DUPTHRESH 3u
#define FLIGHT 10u

/* Where segment 1 starts: ordinary, 0 inside segment 5 (a hole), 0 inside
 * the SACKed segments 6-10. */
static const tcp_seq bases[] = { 1000u, 0xFFFFEE6Cu /* 2^32 - 4500 */, 0xFFFFE2B4u /* 2^32 - 7500 */ };
#define NBASES (int)(sizeof bases / sizeof bases[0])

/* First octet of segment i (1-based) and one past its last octet. */
static tcp_seq seg_start(tcp_seq base, unsigned i) { return base + (i - 1) * MSS; }
static tcp_seq seg_end(tcp_seq base, unsigned i) { return base + i * MSS; }

static struct tcp_sack_block blk(tcp_seq left, tcp_seq right)
{
    return (struct tcp_sack_block){ .left = left, .right = right };
}

/* One update that must not be a D-SACK; returns sb_update's answer. */
static bool update_plain(struct tcp_scoreboard *sb, tcp_seq una, tcp_seq max,
                         const struct tcp_sack_block *blocks, unsigned n)
{
    bool dsack = true;
    bool fresh = sb_update(sb, una, max, blocks, n, &dsack);
    ck_assert(!dsack);
    return fresh;
}

/* The flight: SACK of 3-4 and 6-10, most recent block first as a receiver
 * sends them (RFC 2018 section 4). */
static void setup_flight(struct tcp_scoreboard *sb, tcp_seq base)
{
    sb_init(sb);
    sb->high_rxt = base;
    struct tcp_sack_block blocks[] = {
        blk(seg_start(base, 6), seg_end(base, 10)),
        blk(seg_start(base, 3), seg_end(base, 4)),
    };
    ck_assert(update_plain(sb, base, seg_end(base, FLIGHT), blocks, 2));
}

static void assert_range(const struct tcp_scoreboard *sb, size_t i, tcp_seq start, tcp_seq end)
{
    ck_assert_uint_lt(i, sb->count);
    ck_assert_uint_eq(sb->ranges[i].start, start);
    ck_assert_uint_eq(sb->ranges[i].end, end);
}

static void assert_next(const struct tcp_scoreboard *sb, tcp_seq una, tcp_seq max, uint32_t avail,
                        tcp_seq want_seq, uint32_t want_len, bool want_new)
{
    tcp_seq seq = 0;
    uint32_t len = 0;
    bool is_new = !want_new;
    ck_assert(sb_next_seg(sb, una, max, MSS, DUPTHRESH, avail, &seq, &len, &is_new));
    ck_assert_uint_eq(seq, want_seq);
    ck_assert_uint_eq(len, want_len);
    ck_assert(is_new == want_new);
}

/* ---- the 10-segment flight -------------------------------------------- */

START_TEST(test_flight_ranges)
{
    tcp_seq base = bases[_i];
    struct tcp_scoreboard sb;
    setup_flight(&sb, base);
    ck_assert_uint_eq(sb.count, 2);
    assert_range(&sb, 0, seg_start(base, 3), seg_end(base, 4));
    assert_range(&sb, 1, seg_start(base, 6), seg_end(base, 10));
    ck_assert_uint_eq(sb.sacked_bytes, 7000);
    ck_assert(!sb_is_sacked(&sb, seg_start(base, 1)));
    ck_assert(!sb_is_sacked(&sb, seg_end(base, 2) - 1));
    ck_assert(sb_is_sacked(&sb, seg_start(base, 3)));
    ck_assert(sb_is_sacked(&sb, seg_end(base, 4) - 1));
    ck_assert(!sb_is_sacked(&sb, seg_end(base, 4)));
    ck_assert(sb_is_sacked(&sb, seg_start(base, 6)));
    ck_assert(sb_is_sacked(&sb, seg_end(base, 10) - 1));
    ck_assert(!sb_is_sacked(&sb, seg_end(base, 10)));
    sb_free(&sb);
}
END_TEST

START_TEST(test_flight_is_lost)
{
    tcp_seq base = bases[_i];
    struct tcp_scoreboard sb;
    setup_flight(&sb, base);
    /* Above segments 1 and 2: 7000 SACKed octets > (3 - 1) * 1000. */
    ck_assert(sb_is_lost(&sb, seg_start(base, 1), MSS, DUPTHRESH));
    ck_assert(sb_is_lost(&sb, seg_start(base, 2), MSS, DUPTHRESH));
    ck_assert(sb_is_lost(&sb, seg_end(base, 2) - 1, MSS, DUPTHRESH));
    /* Above segment 5: 5000 octets, five segments. */
    ck_assert(sb_is_lost(&sb, seg_start(base, 5), MSS, DUPTHRESH));
    /* Inside segment 9: 1999 octets (two segments) above, not enough. */
    ck_assert(!sb_is_lost(&sb, seg_start(base, 9), MSS, DUPTHRESH));
    /* Nothing is SACKed above the flight. */
    ck_assert(!sb_is_lost(&sb, seg_end(base, 10), MSS, DUPTHRESH));
    /* A larger DupThresh (e.g. after reordering was seen) asks for more:
     * 8 segments, 7000 octets is not more than 7 * 1000. */
    ck_assert(!sb_is_lost(&sb, seg_start(base, 1), MSS, 8));
    ck_assert(sb_is_lost(&sb, seg_start(base, 1), MSS, 7));
    sb_free(&sb);
}
END_TEST

START_TEST(test_flight_pipe)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    setup_flight(&sb, base);
    /* Holes 1, 2, 5 are all lost, the rest SACKed: nothing in flight. */
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 0);
    /* Each retransmitted lost octet is back in the network once. */
    sb.high_rxt = seg_end(base, 1);
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 1000);
    sb.high_rxt = seg_end(base, 2);
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 2000);
    sb.high_rxt = seg_end(base, 5);
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 3000);
    /* One new segment sent (rule 2): above every SACK, so not lost. */
    ck_assert_uint_eq(sb_pipe(&sb, base, seg_end(base, 11), MSS, DUPTHRESH), 4000);
    /* A high_rxt from an older episode, below snd_una, counts as nothing
     * retransmitted; one beyond snd_max likewise. */
    sb.high_rxt = base - 5000;
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 0);
    sb.high_rxt = max + 5000;
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 0);
    sb_free(&sb);
}
END_TEST

START_TEST(test_pipe_holes_not_yet_lost)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    sb_init(&sb);
    sb.high_rxt = base;
    /* Only 9-10 SACKed: 2000 octets, two segments -- below DupThresh, so
     * segments 1-8 are presumed still in the network. */
    struct tcp_sack_block nine_ten = blk(seg_start(base, 9), seg_end(base, 10));
    ck_assert(update_plain(&sb, base, max, &nine_ten, 1));
    ck_assert(!sb_is_lost(&sb, seg_start(base, 1), MSS, DUPTHRESH));
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 8000);
    /* Segment 1 retransmitted although not lost: counted twice (SetPipe
     * (a) and (b)). */
    sb.high_rxt = seg_end(base, 1);
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 9000);

    /* Segment 8 SACKed too: now three segments above 1-7, all lost. */
    struct tcp_sack_block eight = blk(seg_start(base, 8), seg_end(base, 8));
    sb.high_rxt = base;
    ck_assert(update_plain(&sb, base, max, &eight, 1));
    ck_assert_uint_eq(sb.count, 1);
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 0);
    sb.high_rxt = seg_end(base, 1);
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 1000);
    sb_free(&sb);
}
END_TEST

START_TEST(test_flight_next_seg)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    setup_flight(&sb, base);
    /* Rule 1 first, lowest lost hole first, each time above high_rxt. */
    assert_next(&sb, base, max, 5000, seg_start(base, 1), MSS, false);
    sb.high_rxt = seg_end(base, 1);
    assert_next(&sb, base, max, 5000, seg_start(base, 2), MSS, false);
    sb.high_rxt = seg_end(base, 2);
    /* Segment 5 is lost too (5000 octets SACKed above it). */
    assert_next(&sb, base, max, 5000, seg_start(base, 5), MSS, false);
    sb.high_rxt = seg_end(base, 5);
    /* Rule 2: every hole is retransmitted, new data next. */
    assert_next(&sb, base, max, 5000, max, MSS, true);
    assert_next(&sb, base, max, 300, max, 300, true);
    /* Nothing left to send at all. */
    tcp_seq seq;
    uint32_t len = 7;
    bool is_new = true;
    ck_assert(!sb_next_seg(&sb, base, max, MSS, DUPTHRESH, 0, &seq, &len, &is_new));
    ck_assert_uint_eq(len, 0);
    ck_assert(!is_new);
    sb_free(&sb);
}
END_TEST

START_TEST(test_next_seg_rule3)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    sb_init(&sb);
    sb.high_rxt = base;
    struct tcp_sack_block ten = blk(seg_start(base, 10), seg_end(base, 10));
    ck_assert(update_plain(&sb, base, max, &ten, 1));
    /* Nothing is lost: new data goes first (rule 2)... */
    assert_next(&sb, base, max, 700, max, 700, true);
    /* ...and without new data the first unSACKed octet (rule 3). */
    assert_next(&sb, base, max, 0, seg_start(base, 1), MSS, false);
    sb.high_rxt = seg_end(base, 4);
    assert_next(&sb, base, max, 0, seg_start(base, 5), MSS, false);
    /* Everything below the SACK was retransmitted: rule 3 has nothing. */
    sb.high_rxt = seg_end(base, 9);
    tcp_seq seq;
    uint32_t len;
    bool is_new;
    ck_assert(!sb_next_seg(&sb, base, max, MSS, DUPTHRESH, 0, &seq, &len, &is_new));
    sb_free(&sb);
}
END_TEST

START_TEST(test_next_seg_len_stops_at_sack)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    sb_init(&sb);
    sb.high_rxt = base;
    /* A 500-octet hole under a big SACK: only the hole is resent. */
    struct tcp_sack_block most = blk(base + 500, max);
    ck_assert(update_plain(&sb, base, max, &most, 1));
    assert_next(&sb, base, max, 0, base, 500, false);
    sb_free(&sb);

    /* high_rxt inside a hole: resume there, and stop at the SACKed data. */
    sb_init(&sb);
    struct tcp_sack_block three_on = blk(seg_start(base, 3), max);
    ck_assert(update_plain(&sb, base, max, &three_on, 1));
    sb.high_rxt = base + 1500;
    assert_next(&sb, base, max, 0, base + 1500, 500, false);
    /* A smaller MSS caps the length. */
    tcp_seq seq;
    uint32_t len;
    bool is_new;
    ck_assert(sb_next_seg(&sb, base, max, 200, DUPTHRESH, 0, &seq, &len, &is_new));
    ck_assert_uint_eq(seq, base + 1500);
    ck_assert_uint_eq(len, 200);
    sb_free(&sb);
}
END_TEST

/* ---- D-SACK (RFC 2883) ------------------------------------------------ */

START_TEST(test_dsack_below_snd_una)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    setup_flight(&sb, base);
    bool dsack = false;
    /* A duplicate of data already cumulatively acknowledged. */
    struct tcp_sack_block old = blk(base - 1000, base);
    ck_assert(!sb_update(&sb, base, max, &old, 1, &dsack));
    ck_assert(dsack);
    ck_assert_uint_eq(sb.count, 2);
    ck_assert_uint_eq(sb.sacked_bytes, 7000);

    /* The same D-SACK with a real SACK behind it: the SACK still counts. */
    struct tcp_sack_block two[] = { old, blk(seg_start(base, 5), seg_end(base, 5)) };
    dsack = false;
    ck_assert(sb_update(&sb, base, max, two, 2, &dsack));
    ck_assert(dsack);
    ck_assert_uint_eq(sb.count, 1);
    assert_range(&sb, 0, seg_start(base, 3), seg_end(base, 10));
    ck_assert_uint_eq(sb.sacked_bytes, 8000);

    /* After the ACK moved to segment 3, a D-SACK of segment 2. */
    struct tcp_sack_block seg2 = blk(seg_start(base, 2), seg_end(base, 2));
    dsack = false;
    ck_assert(!sb_update(&sb, seg_start(base, 3), max, &seg2, 1, &dsack));
    ck_assert(dsack);
    /* The D-SACK flag is cleared on an ordinary ACK; NULL is allowed. */
    ck_assert(!sb_update(&sb, seg_start(base, 3), max, NULL, 0, &dsack));
    ck_assert(!dsack);
    ck_assert(!sb_update(&sb, seg_start(base, 3), max, &seg2, 1, NULL));
    sb_free(&sb);
}
END_TEST

START_TEST(test_dsack_inside_second_block)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    sb_init(&sb);
    /* As in the examples of RFC 2883: segment 4 arrived twice; the second
     * block is the SACKed block that contains it. */
    struct tcp_sack_block blocks[] = {
        blk(seg_start(base, 4), seg_end(base, 4)),
        blk(seg_start(base, 3), seg_end(base, 5)),
    };
    bool dsack = false;
    ck_assert(sb_update(&sb, base, max, blocks, 2, &dsack));
    ck_assert(dsack);
    ck_assert_uint_eq(sb.count, 1);
    assert_range(&sb, 0, seg_start(base, 3), seg_end(base, 5));
    ck_assert_uint_eq(sb.sacked_bytes, 3000);
    /* The same ACK again: still a D-SACK, nothing new. */
    dsack = false;
    ck_assert(!sb_update(&sb, base, max, blocks, 2, &dsack));
    ck_assert(dsack);
    sb_free(&sb);
}
END_TEST

START_TEST(test_repeated_sack_is_not_dsack)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    setup_flight(&sb, base);
    /* A receiver repeating its blocks (or a duplicated ACK) reports data
     * the sender already knows as SACKed: no news, but no D-SACK either,
     * because it is not inside the second block. */
    struct tcp_sack_block again[] = {
        blk(seg_start(base, 6), seg_end(base, 10)),
        blk(seg_start(base, 3), seg_end(base, 4)),
    };
    ck_assert(!update_plain(&sb, base, max, again, 2));
    ck_assert(!update_plain(&sb, base, max, again, 1));
    /* First block only partly inside the second: not a D-SACK. */
    struct tcp_sack_block partial[] = {
        blk(seg_start(base, 4), seg_end(base, 5)),
        blk(seg_start(base, 3), seg_end(base, 4)),
    };
    ck_assert(update_plain(&sb, base, max, partial, 2));
    ck_assert_uint_eq(sb.count, 1);
    ck_assert_uint_eq(sb.sacked_bytes, 8000);
    sb_free(&sb);
}
END_TEST

/* ---- range bookkeeping -------------------------------------------------- */

START_TEST(test_merging)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    sb_init(&sb);
    struct tcp_sack_block b;

    b = blk(seg_start(base, 2), seg_end(base, 2));
    ck_assert(update_plain(&sb, base, max, &b, 1));
    b = blk(seg_start(base, 4), seg_end(base, 4));
    ck_assert(update_plain(&sb, base, max, &b, 1));
    ck_assert_uint_eq(sb.count, 2);
    /* Segment 3 touches both neighbours: one range. */
    b = blk(seg_start(base, 3), seg_end(base, 3));
    ck_assert(update_plain(&sb, base, max, &b, 1));
    ck_assert_uint_eq(sb.count, 1);
    assert_range(&sb, 0, seg_start(base, 2), seg_end(base, 4));
    ck_assert_uint_eq(sb.sacked_bytes, 3000);
    /* Wholly inside: nothing new. */
    b = blk(seg_start(base, 2) + 100, seg_start(base, 2) + 200);
    ck_assert(!update_plain(&sb, base, max, &b, 1));
    /* Overlapping the right edge: only the new half counts. */
    b = blk(seg_start(base, 4) + 500, seg_end(base, 5));
    ck_assert(update_plain(&sb, base, max, &b, 1));
    assert_range(&sb, 0, seg_start(base, 2), seg_end(base, 5));
    ck_assert_uint_eq(sb.sacked_bytes, 4000);
    /* Two islands, given out of order in one ACK. */
    struct tcp_sack_block islands[] = {
        blk(seg_start(base, 9), seg_end(base, 9)),
        blk(seg_start(base, 7), seg_end(base, 7)),
    };
    ck_assert(update_plain(&sb, base, max, islands, 2));
    ck_assert_uint_eq(sb.count, 3);
    ck_assert_uint_eq(sb.sacked_bytes, 6000);
    /* One block swallowing both islands and touching the first range. */
    b = blk(seg_start(base, 6), seg_end(base, 10));
    ck_assert(update_plain(&sb, base, max, &b, 1));
    ck_assert_uint_eq(sb.count, 1);
    assert_range(&sb, 0, seg_start(base, 2), seg_end(base, 10));
    ck_assert_uint_eq(sb.sacked_bytes, 9000);
    sb_free(&sb);
}
END_TEST

START_TEST(test_invalid_blocks_ignored)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    sb_init(&sb);
    struct tcp_sack_block bad[] = {
        blk(seg_start(base, 3), seg_start(base, 3)),          /* empty */
        blk(seg_end(base, 3), seg_start(base, 3)),            /* reversed */
        blk(seg_start(base, 9), seg_end(base, 10) + 1),       /* beyond snd_max */
        blk(max + 1000, max + 2000),                          /* never sent */
    };
    ck_assert(!update_plain(&sb, base, max, bad, 4));
    ck_assert_uint_eq(sb.count, 0);
    ck_assert_uint_eq(sb.sacked_bytes, 0);
    /* An invalid first block is no D-SACK and does not hide the next. */
    struct tcp_sack_block mixed[] = { bad[1], blk(seg_start(base, 5), seg_end(base, 5)) };
    ck_assert(update_plain(&sb, base, max, mixed, 2));
    ck_assert_uint_eq(sb.sacked_bytes, 1000);
    /* A later block starting below snd_una only adds its upper part. */
    struct tcp_sack_block straddle[] = { mixed[1], blk(base - 300, base + 200) };
    ck_assert(update_plain(&sb, base, max, straddle, 2));
    assert_range(&sb, 0, base, base + 200);
    ck_assert_uint_eq(sb.sacked_bytes, 1200);
    sb_free(&sb);
}
END_TEST

START_TEST(test_cumulative_ack_trims)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    setup_flight(&sb, base);
    sb.high_rxt = seg_end(base, 1);
    /* An ACK into the middle of a range trims it. */
    ck_assert(!update_plain(&sb, seg_start(base, 3) + 500, max, NULL, 0));
    assert_range(&sb, 0, seg_start(base, 3) + 500, seg_end(base, 4));
    ck_assert_uint_eq(sb.sacked_bytes, 6500);
    /* high_rxt below the new snd_una moves up to it. */
    ck_assert_uint_eq(sb.high_rxt, seg_start(base, 3) + 500);
    /* Segments 1-2 repaired: the ACK jumps over 3-4. */
    ck_assert(!update_plain(&sb, seg_end(base, 4), max, NULL, 0));
    ck_assert_uint_eq(sb.count, 1);
    assert_range(&sb, 0, seg_start(base, 6), seg_end(base, 10));
    ck_assert_uint_eq(sb.sacked_bytes, 5000);
    ck_assert(!sb_is_sacked(&sb, seg_start(base, 3)));
    ck_assert_uint_eq(sb.high_rxt, seg_end(base, 4));
    /* Everything acknowledged. */
    ck_assert(!update_plain(&sb, max, max, NULL, 0));
    ck_assert_uint_eq(sb.count, 0);
    ck_assert_uint_eq(sb.sacked_bytes, 0);
    ck_assert_uint_eq(sb_pipe(&sb, max, max, MSS, DUPTHRESH), 0);
    tcp_seq seq;
    uint32_t len;
    bool is_new;
    ck_assert(!sb_next_seg(&sb, max, max, MSS, DUPTHRESH, 0, &seq, &len, &is_new));
    sb_free(&sb);
}
END_TEST

START_TEST(test_clone_is_independent)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb, copy;
    setup_flight(&sb, base);
    sb.rescue_valid = true;
    sb.rescue_rxt = base + 42;
    ck_assert(sb_clone(&copy, &sb));
    ck_assert_uint_eq(copy.count, 2);
    ck_assert_uint_eq(copy.sacked_bytes, 7000);
    ck_assert_uint_eq(copy.high_rxt, base);
    ck_assert(copy.rescue_valid);
    ck_assert_uint_eq(copy.rescue_rxt, base + 42);
    ck_assert_ptr_ne(copy.ranges, sb.ranges);

    struct tcp_sack_block five = blk(seg_start(base, 5), seg_end(base, 5));
    ck_assert(update_plain(&sb, base, max, &five, 1));
    ck_assert_uint_eq(sb.count, 1);
    ck_assert_uint_eq(copy.count, 2);
    assert_range(&copy, 0, seg_start(base, 3), seg_end(base, 4));
    ck_assert(!sb_is_sacked(&copy, seg_start(base, 5)));

    struct tcp_sack_block one = blk(seg_start(base, 1), seg_end(base, 1));
    ck_assert(update_plain(&copy, base, max, &one, 1));
    ck_assert(!sb_is_sacked(&sb, seg_start(base, 1)));
    sb_free(&sb);
    sb_free(&copy);

    /* An empty scoreboard clones too. */
    struct tcp_scoreboard empty, empty_copy;
    sb_init(&empty);
    ck_assert(sb_clone(&empty_copy, &empty));
    ck_assert_uint_eq(empty_copy.count, 0);
    sb_free(&empty_copy);
    sb_free(&empty);
}
END_TEST

START_TEST(test_reset_clears)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    setup_flight(&sb, base);
    sb.rescue_valid = true;
    sb_reset(&sb);
    ck_assert_uint_eq(sb.count, 0);
    ck_assert_uint_eq(sb.sacked_bytes, 0);
    ck_assert(!sb.rescue_valid);
    ck_assert(!sb_is_sacked(&sb, seg_start(base, 3)));
    ck_assert(!sb_is_lost(&sb, seg_start(base, 1), MSS, DUPTHRESH));
    /* With nothing SACKed and nothing lost, all of the flight is in pipe. */
    ck_assert_uint_eq(sb_pipe(&sb, base, max, MSS, DUPTHRESH), 10000);
    /* Usable again afterwards. */
    struct tcp_sack_block five = blk(seg_start(base, 5), seg_end(base, 5));
    ck_assert(update_plain(&sb, base, max, &five, 1));
    ck_assert_uint_eq(sb.sacked_bytes, 1000);
    sb_free(&sb);
}
END_TEST

/* ---- IsLost's two criteria ---------------------------------------------- */

START_TEST(test_is_lost_criteria)
{
    tcp_seq base = bases[_i];
    tcp_seq max = seg_end(base, FLIGHT);
    struct tcp_scoreboard sb;
    sb_init(&sb);
    /* Exactly (DupThresh - 1) * SMSS = 2000 octets above: not lost. */
    struct tcp_sack_block b = blk(max - 2000, max);
    ck_assert(update_plain(&sb, base, max, &b, 1));
    ck_assert(!sb_is_lost(&sb, base, MSS, DUPTHRESH));
    /* One octet more: lost. */
    b = blk(max - 2001, max);
    ck_assert(update_plain(&sb, base, max, &b, 1));
    ck_assert(sb_is_lost(&sb, base, MSS, DUPTHRESH));
    sb_free(&sb);

    /* Three small discontiguous SACKed pieces of 100 octets: only 300
     * octets, but DupThresh separate sequences, so lost. */
    sb_init(&sb);
    struct tcp_sack_block pieces[] = {
        blk(seg_start(base, 3), seg_start(base, 3) + 100),
        blk(seg_start(base, 5), seg_start(base, 5) + 100),
    };
    ck_assert(update_plain(&sb, base, max, pieces, 2));
    ck_assert(!sb_is_lost(&sb, base, MSS, DUPTHRESH));
    struct tcp_sack_block third = blk(seg_start(base, 7), seg_start(base, 7) + 100);
    ck_assert(update_plain(&sb, base, max, &third, 1));
    ck_assert(sb_is_lost(&sb, base, MSS, DUPTHRESH));
    /* Above the first piece only two remain. */
    ck_assert(!sb_is_lost(&sb, seg_start(base, 4), MSS, DUPTHRESH));
    sb_free(&sb);
}
END_TEST

/* ---- random blocks against a per-octet model ---------------------------- */

#define MODEL_SPAN 4096u /* octets the model can describe, from its origin */
#define MODEL_MSS 50u

struct model {
    tcp_seq origin;             /* offsets below are from here */
    uint32_t una, max;          /* offsets of snd_una and snd_max */
    uint32_t high_rxt;          /* offset */
    bool sacked[MODEL_SPAN];
};

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64: small, deterministic, good enough to pick test blocks. */
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static uint32_t random_below(uint64_t *state, uint32_t n)
{
    return (uint32_t)(next_random(state) % n);
}

/* IsLost of every octet of the window, straight from the RFC 6675
 * definition over the bitmap: runs of SACKed octets above it, each run
 * counted as ceil(len / mss) segments, and the SACKed octets above it. */
static void model_lost(const struct model *m, bool *lost)
{
    uint32_t bytes = 0, done_segs = 0, run = 0;
    for (uint32_t off = m->max; off-- > m->una;) {
        uint32_t segs = done_segs + (run + MODEL_MSS - 1) / MODEL_MSS;
        lost[off] = segs >= DUPTHRESH || bytes > (DUPTHRESH - 1) * MODEL_MSS;
        if (m->sacked[off]) {
            run++;
            bytes++;
        } else {
            done_segs += (run + MODEL_MSS - 1) / MODEL_MSS;
            run = 0;
        }
    }
}

static uint32_t model_pipe(const struct model *m, const bool *lost)
{
    uint32_t pipe = 0;
    for (uint32_t off = m->una; off < m->max; off++) {
        if (m->sacked[off])
            continue;
        if (!lost[off])
            pipe++;
        if (off < m->high_rxt)
            pipe++;
    }
    return pipe;
}

/* NextSeg rules 1-3 octet by octet. */
static bool model_next(const struct model *m, const bool *lost, uint32_t avail,
                       uint32_t *seq_off, uint32_t *len, bool *is_new)
{
    uint32_t highest_sack = m->una; /* one past the highest SACKed octet */
    for (uint32_t off = m->una; off < m->max; off++)
        if (m->sacked[off])
            highest_sack = off + 1;
    uint32_t first = m->high_rxt;
    while (first < highest_sack && m->sacked[first])
        first++;
    bool have = first < highest_sack;
    uint32_t hole_len = 0;
    while (have && first + hole_len < highest_sack && !m->sacked[first + hole_len])
        hole_len++;
    *is_new = false;
    if (have && lost[first]) {
        *seq_off = first;
        *len = hole_len < MODEL_MSS ? hole_len : MODEL_MSS;
        return true;
    }
    if (avail > 0) {
        *seq_off = m->max;
        *len = avail < MODEL_MSS ? avail : MODEL_MSS;
        *is_new = true;
        return true;
    }
    if (have) {
        *seq_off = first;
        *len = hole_len < MODEL_MSS ? hole_len : MODEL_MSS;
        return true;
    }
    return false;
}

/* A random block around the window: mostly valid, sometimes below snd_una,
 * empty, reversed or beyond snd_max. */
static struct tcp_sack_block random_block(const struct model *m, uint64_t *rnd)
{
    uint32_t lo = m->una >= 100 ? m->una - 100 : 0;
    uint32_t left = lo + random_below(rnd, m->max + 20 - lo);
    uint32_t right = left + random_below(rnd, 3 * MODEL_MSS);
    if (random_below(rnd, 20) == 0)
        right = left - random_below(rnd, 10);
    return blk(m->origin + left, m->origin + right);
}

/* What sb_update must do, per its contract, on the bitmap. */
static bool model_update(struct model *m, const struct tcp_sack_block *b, unsigned n, bool *dsack)
{
    uint32_t l0 = b[0].left - m->origin, r0 = b[0].right - m->origin;
    bool first_valid = l0 < r0 && r0 <= m->max;
    bool inside_second = n > 1 && (b[1].left - m->origin) < (b[1].right - m->origin) &&
                         b[1].left - m->origin <= l0 && r0 <= b[1].right - m->origin;
    *dsack = first_valid && (l0 < m->una || inside_second);
    bool fresh = false;
    for (unsigned i = *dsack ? 1 : 0; i < n; i++) {
        uint32_t l = b[i].left - m->origin, r = b[i].right - m->origin;
        if (!(l < r && r <= m->max))
            continue;
        for (uint32_t off = l < m->una ? m->una : l; off < r; off++) {
            fresh |= !m->sacked[off];
            m->sacked[off] = true;
        }
    }
    return fresh;
}

static void assert_matches_model(const struct tcp_scoreboard *sb, const struct model *m)
{
    uint32_t count = 0;
    for (size_t i = 0; i < sb->count; i++) {
        uint32_t s = sb->ranges[i].start - m->origin, e = sb->ranges[i].end - m->origin;
        ck_assert_uint_lt(s, e);
        ck_assert_uint_le(m->una, s);
        ck_assert_uint_le(e, m->max);
        if (i > 0) /* sorted, disjoint and never adjacent */
            ck_assert_uint_lt(sb->ranges[i - 1].end - m->origin, s);
        count += e - s;
    }
    ck_assert_uint_eq(count, sb->sacked_bytes);
    /* One assertion per window, not per octet: each ck_assert costs a
     * write to Check's mark-point channel. */
    uint32_t model_count = 0, disagree = 0;
    for (uint32_t off = m->una; off < m->max; off++) {
        model_count += m->sacked[off];
        disagree += sb_is_sacked(sb, m->origin + off) != m->sacked[off];
    }
    ck_assert_uint_eq(disagree, 0);
    ck_assert_uint_eq(model_count, sb->sacked_bytes);
}

START_TEST(test_random_against_model)
{
    static const tcp_seq origins[] = { 7u, 0xFFFFF9C0u, 0x7FFFFF00u };
    struct model *m = calloc(1, sizeof *m);
    bool *lost = calloc(MODEL_SPAN, sizeof *lost);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(lost);
    for (unsigned run = 0; run < 30; run++) {
        uint64_t rnd = 0x9E3779B97F4A7C15ull * (run + 1);
        memset(m, 0, sizeof *m);
        m->origin = origins[run % 3];
        m->max = 600;
        struct tcp_scoreboard sb;
        sb_init(&sb);
        sb.high_rxt = m->origin;
        for (unsigned step = 0; step < 150 && m->max + 100 < MODEL_SPAN; step++) {
            if (random_below(&rnd, 4) == 0)
                m->max += random_below(&rnd, 100);
            if (random_below(&rnd, 4) == 0)
                m->una += random_below(&rnd, m->max - m->una + 1) / 4;
            if (m->high_rxt < m->una)
                m->high_rxt = m->una;
            struct tcp_sack_block blocks[TCP_SACK_MAX_BLOCKS];
            unsigned n = random_below(&rnd, TCP_SACK_MAX_BLOCKS + 1);
            for (unsigned i = 0; i < n; i++)
                blocks[i] = random_block(m, &rnd);
            if (n >= 2 && random_below(&rnd, 4) == 0) /* a D-SACK inside block 2 */
                blocks[0] = blk(blocks[1].left, blocks[1].left + 1);

            bool want_dsack = false, got_dsack = false;
            bool want_fresh = n > 0 && model_update(m, blocks, n, &want_dsack);
            bool got_fresh = sb_update(&sb, m->origin + m->una, m->origin + m->max, blocks, n,
                                       &got_dsack);
            ck_assert(got_fresh == want_fresh);
            ck_assert(got_dsack == want_dsack);
            ck_assert_uint_eq(sb.high_rxt, m->origin + m->high_rxt);
            assert_matches_model(&sb, m);

            /* Retransmit somewhere, as the engine would. */
            m->high_rxt = m->una + random_below(&rnd, m->max - m->una + 1);
            sb.high_rxt = m->origin + m->high_rxt;
            model_lost(m, lost);
            uint32_t lost_disagree = 0;
            for (uint32_t off = m->una; off < m->max; off++)
                lost_disagree += sb_is_lost(&sb, m->origin + off, MODEL_MSS, DUPTHRESH) != lost[off];
            ck_assert_uint_eq(lost_disagree, 0);
            ck_assert_uint_eq(sb_pipe(&sb, m->origin + m->una, m->origin + m->max, MODEL_MSS,
                                      DUPTHRESH),
                              model_pipe(m, lost));
            uint32_t avail = random_below(&rnd, 2) ? random_below(&rnd, 2 * MODEL_MSS) : 0;
            uint32_t want_off = 0, want_len = 0, got_len = 0;
            bool want_new = false, got_new = false;
            tcp_seq got_seq = 0;
            bool want = model_next(m, lost, avail, &want_off, &want_len, &want_new);
            bool got = sb_next_seg(&sb, m->origin + m->una, m->origin + m->max, MODEL_MSS,
                                   DUPTHRESH, avail, &got_seq, &got_len, &got_new);
            ck_assert(got == want);
            if (want) {
                ck_assert_uint_eq(got_seq, m->origin + want_off);
                ck_assert_uint_eq(got_len, want_len);
                ck_assert(got_new == want_new);
            }
        }
        sb_free(&sb);
    }
    free(lost);
    free(m);
}
END_TEST

static Suite *scoreboard_suite(void)
{
    Suite *s = suite_create("scoreboard");
    TCase *flight = tcase_create("flight");
    tcase_add_loop_test(flight, test_flight_ranges, 0, NBASES);
    tcase_add_loop_test(flight, test_flight_is_lost, 0, NBASES);
    tcase_add_loop_test(flight, test_flight_pipe, 0, NBASES);
    tcase_add_loop_test(flight, test_pipe_holes_not_yet_lost, 0, NBASES);
    tcase_add_loop_test(flight, test_flight_next_seg, 0, NBASES);
    tcase_add_loop_test(flight, test_next_seg_rule3, 0, NBASES);
    tcase_add_loop_test(flight, test_next_seg_len_stops_at_sack, 0, NBASES);
    tcase_add_loop_test(flight, test_is_lost_criteria, 0, NBASES);
    suite_add_tcase(s, flight);

    TCase *dsack = tcase_create("dsack");
    tcase_add_loop_test(dsack, test_dsack_below_snd_una, 0, NBASES);
    tcase_add_loop_test(dsack, test_dsack_inside_second_block, 0, NBASES);
    tcase_add_loop_test(dsack, test_repeated_sack_is_not_dsack, 0, NBASES);
    suite_add_tcase(s, dsack);

    TCase *ranges = tcase_create("ranges");
    tcase_add_loop_test(ranges, test_merging, 0, NBASES);
    tcase_add_loop_test(ranges, test_invalid_blocks_ignored, 0, NBASES);
    tcase_add_loop_test(ranges, test_cumulative_ack_trims, 0, NBASES);
    tcase_add_loop_test(ranges, test_clone_is_independent, 0, NBASES);
    tcase_add_loop_test(ranges, test_reset_clears, 0, NBASES);
    suite_add_tcase(s, ranges);

    TCase *model = tcase_create("model");
    tcase_set_timeout(model, 60);
    tcase_add_test(model, test_random_against_model);
    suite_add_tcase(s, model);
    return s;
}

int main(void) { return check_main_run(scoreboard_suite()); }
