/* Tests of the out-of-order queue and its SACK/D-SACK blocks
 * (src/tcp/reasm.c).
 *
 * Every test byte comes from one deterministic "stream": the byte at
 * sequence number s is stream_byte(s), so any byte in the queue or the ring
 * can be checked against where it claims to be.  The SACK tests replay the
 * example tables of RFC 2018 section 4 and RFC 2883 section 4 row by row. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/buffer.h"
#include "tcp/reasm.h"
#include "tcp/seq.h"

#include "check_main.h"

#define BIG_WINDOW 0x10000u

/* ---- the stream and the caller ---- */

static uint8_t stream_byte(tcp_seq s) { return (uint8_t)((s * 2654435761u) >> 24); }

static void fill_stream(uint8_t *dst, tcp_seq seq, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        dst[i] = stream_byte(seq + i);
}

/* Insert stream bytes [seq, seq + len) with a window ending at `limit`. */
static long insert_stream(struct tcp_reasm *r, tcp_seq rcv_nxt, tcp_seq seq, uint32_t len,
                          tcp_seq limit, bool note_dsack)
{
    uint8_t *bytes = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(bytes);
    fill_stream(bytes, seq, len);
    long stored = reasm_insert(r, rcv_nxt, seq, bytes, len, limit, note_dsack);
    free(bytes);
    return stored;
}

/* What the lead's input path does with a data segment: the part below
 * RCV.NXT is a duplicate to report (RFC 2883 4.1.1); the part at RCV.NXT
 * goes straight into the ring; a part beyond goes to the queue; then the
 * queue drains what became in order.  Returns bytes written to the ring. */
static uint32_t deliver(struct tcp_reasm *r, struct byte_ring *ring, tcp_seq *rcv_nxt,
                        tcp_seq seq, uint32_t len)
{
    tcp_seq end = seq + len;
    tcp_seq limit = *rcv_nxt + (uint32_t)ring_space(ring);
    uint32_t written = 0;
    if (seq_lt(seq, *rcv_nxt))
        reasm_note_duplicate(r, seq, seq_min(end, *rcv_nxt));
    if (seq_le(seq, *rcv_nxt) && seq_lt(*rcv_nxt, end)) {
        uint8_t *bytes = malloc(len);
        ck_assert_ptr_nonnull(bytes);
        fill_stream(bytes, seq, len);
        written = (uint32_t)ring_write(ring, bytes + (*rcv_nxt - seq), end - *rcv_nxt);
        free(bytes);
        *rcv_nxt += written;
    } else if (seq_gt(seq, *rcv_nxt)) {
        ck_assert_int_ge(insert_stream(r, *rcv_nxt, seq, len, limit, true), 0);
    }
    uint32_t moved;
    while ((moved = reasm_drain(r, *rcv_nxt, ring)) > 0) {
        *rcv_nxt += moved;
        written += moved;
    }
    return written;
}

/* ---- checks ---- */

/* The invariants of reasm.h: sorted, disjoint, never adjacent, `bytes`
 * is the sum, every byte is the stream's byte for its sequence number. */
static void assert_consistent(const struct tcp_reasm *r)
{
    size_t total = 0;
    for (size_t i = 0; i < r->count; i++) {
        const struct reasm_block *b = &r->blocks[i];
        ck_assert_msg(seq_lt(b->start, b->end), "block %zu is empty", i);
        if (i > 0)
            ck_assert_msg(seq_lt(r->blocks[i - 1].end, b->start),
                          "blocks %zu and %zu overlap or touch", i - 1, i);
        for (uint32_t k = 0; k < b->end - b->start; k++)
            ck_assert_msg(b->data[k] == stream_byte(b->start + k), "block %zu byte %u wrong", i,
                          k);
        total += b->end - b->start;
    }
    ck_assert_uint_le(r->count, r->cap);
    ck_assert_uint_eq(r->bytes, total);
}

static void assert_blocks(const struct tcp_reasm *r, size_t n, const tcp_seq (*edges)[2])
{
    assert_consistent(r);
    ck_assert_uint_eq(r->count, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(r->blocks[i].start, edges[i][0]);
        ck_assert_uint_eq(r->blocks[i].end, edges[i][1]);
    }
}

/* The next ACK's SACK option equals `want` (n blocks, D-SACK or not). */
static void assert_sack(struct tcp_reasm *r, unsigned max, bool want_dsack, unsigned n,
                        const tcp_seq (*want)[2])
{
    struct tcp_sack_block out[8];
    memset(out, 0xee, sizeof out);
    bool dsack = !want_dsack;
    unsigned got = reasm_sack_blocks(r, out, max, &dsack);
    ck_assert_uint_eq(got, n);
    ck_assert_msg(dsack == want_dsack, "dsack %d, want %d", dsack, want_dsack);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_msg(out[i].left == want[i][0] && out[i].right == want[i][1],
                      "block %u is %u-%u, want %u-%u", i, out[i].left, out[i].right, want[i][0],
                      want[i][1]);
    }
    ck_assert_uint_eq(out[n].left, 0xeeeeeeeeu); /* nothing written past n */
}

static void assert_ring_holds_stream(struct byte_ring *ring, tcp_seq from, size_t n)
{
    ck_assert_uint_eq(ring->len, n);
    uint8_t *got = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(got);
    ring_peek(ring, 0, got, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == stream_byte(from + (uint32_t)i), "ring byte %zu wrong", i);
    free(got);
}

/* ---- insertion, merging, limits ---- */

START_TEST(test_gap_fill_in_order)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    reasm_init(&r);
    ck_assert(ring_init(&ring, 4096));
    tcp_seq rcv_nxt = 1000;

    /* Segments 2 and 3 arrive before segment 1: held, nothing to drain. */
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 1100, 100, rcv_nxt + 4096, true), 100);
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 1200, 100, rcv_nxt + 4096, true), 100);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{1100, 1300}});
    ck_assert_uint_eq(reasm_drain(&r, rcv_nxt, &ring), 0);
    ck_assert_uint_eq(ring.len, 0);

    /* Segment 1: the caller writes it, then the queue follows. */
    ck_assert_uint_eq(deliver(&r, &ring, &rcv_nxt, 1000, 100), 300);
    ck_assert_uint_eq(rcv_nxt, 1300);
    assert_ring_holds_stream(&ring, 1000, 300);
    ck_assert(reasm_empty(&r));
    ck_assert_uint_eq(r.bytes, 0);

    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

START_TEST(test_merge_overlapping_and_adjacent)
{
    struct tcp_reasm r;
    reasm_init(&r);
    tcp_seq nxt = 0, lim = BIG_WINDOW;

    ck_assert_int_eq(insert_stream(&r, nxt, 100, 100, lim, true), 100);
    ck_assert_int_eq(insert_stream(&r, nxt, 300, 100, lim, true), 100);
    assert_blocks(&r, 2, (const tcp_seq[][2]){{100, 200}, {300, 400}});

    /* Touching both neighbours: one block, never two adjacent ones. */
    ck_assert_int_eq(insert_stream(&r, nxt, 200, 100, lim, false), 100);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{100, 400}});

    /* Overlap on the left and on the right: only the new bytes count. */
    ck_assert_int_eq(insert_stream(&r, nxt, 50, 100, lim, false), 50);
    ck_assert_int_eq(insert_stream(&r, nxt, 350, 150, lim, false), 100);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{50, 500}});

    /* One segment bridging several blocks and the holes between them. */
    ck_assert_int_eq(insert_stream(&r, nxt, 700, 100, lim, false), 100);
    ck_assert_int_eq(insert_stream(&r, nxt, 900, 100, lim, false), 100);
    ck_assert_int_eq(insert_stream(&r, nxt, 1100, 10, lim, false), 10);
    assert_blocks(&r, 4, (const tcp_seq[][2]){{50, 500}, {700, 800}, {900, 1000}, {1100, 1110}});
    ck_assert_int_eq(insert_stream(&r, nxt, 750, 300, lim, false), 150);
    assert_blocks(&r, 3, (const tcp_seq[][2]){{50, 500}, {700, 1050}, {1100, 1110}});

    /* Covering everything from before the first to after the last. */
    ck_assert_int_eq(insert_stream(&r, nxt, 10, 1200, lim, false), 1200 - 450 - 350 - 10);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{10, 1210}});
    ck_assert(!r.dsack_pending);
    reasm_free(&r);
}
END_TEST

START_TEST(test_held_bytes_are_kept)
{
    /* A retransmission with different bytes over held ones (a corrupted
     * duplicate that passed the checksum) does not overwrite them. */
    struct tcp_reasm r;
    reasm_init(&r);
    ck_assert_int_eq(insert_stream(&r, 0, 100, 100, BIG_WINDOW, false), 100);
    uint8_t junk[300];
    memset(junk, 0x5a, sizeof junk);
    ck_assert_int_eq(reasm_insert(&r, 0, 50, junk, sizeof junk, BIG_WINDOW, false), 200);
    ck_assert_uint_eq(r.count, 1);
    for (uint32_t s = 50; s < 350; s++) {
        uint8_t want = (s >= 100 && s < 200) ? stream_byte(s) : 0x5a;
        ck_assert_uint_eq(r.blocks[0].data[s - 50], want);
    }
    reasm_free(&r);
}
END_TEST

START_TEST(test_duplicates_return_zero_and_set_dsack)
{
    struct tcp_reasm r;
    reasm_init(&r);
    ck_assert_int_eq(insert_stream(&r, 0, 100, 100, BIG_WINDOW, true), 100);
    ck_assert(!r.dsack_pending);

    ck_assert_int_eq(insert_stream(&r, 0, 100, 100, BIG_WINDOW, true), 0);
    ck_assert(r.dsack_pending);
    ck_assert_uint_eq(r.dsack_start, 100);
    ck_assert_uint_eq(r.dsack_end, 200);
    ck_assert_uint_eq(r.bytes, 100);
    assert_sack(&r, 4, true, 2, (const tcp_seq[][2]){{100, 200}, {100, 200}});
    /* Reported once: the next ACK is a plain SACK. */
    assert_sack(&r, 4, false, 1, (const tcp_seq[][2]){{100, 200}});

    /* A part-duplicate reports only the duplicated part. */
    ck_assert_int_eq(insert_stream(&r, 0, 150, 100, BIG_WINDOW, true), 50);
    ck_assert_uint_eq(r.dsack_start, 150);
    ck_assert_uint_eq(r.dsack_end, 200);

    assert_sack(&r, 4, true, 2, (const tcp_seq[][2]){{150, 200}, {100, 250}});

    /* Without note_dsack nothing is remembered. */
    ck_assert_int_eq(insert_stream(&r, 0, 120, 10, BIG_WINDOW, false), 0);
    ck_assert(!r.dsack_pending);
    /* Nor is an empty duplicate range. */
    reasm_note_duplicate(&r, 20, 20);
    reasm_note_duplicate(&r, 30, 20);
    ck_assert(!r.dsack_pending);
    reasm_free(&r);
}
END_TEST

START_TEST(test_window_limit_and_rcv_nxt_trim)
{
    struct tcp_reasm r;
    reasm_init(&r);
    tcp_seq nxt = 1000, lim = 1500;

    /* RFC 9293 3.10.7.4: only the in-window part is kept. */
    ck_assert_int_eq(insert_stream(&r, nxt, 1400, 200, lim, true), 100);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{1400, 1500}});
    ck_assert_int_eq(insert_stream(&r, nxt, 1500, 100, lim, true), 0);
    ck_assert_int_eq(insert_stream(&r, nxt, 1600, 100, lim, true), 0);
    ck_assert(!r.dsack_pending); /* beyond the window is not a duplicate */

    /* Below RCV.NXT is trimmed off; the caller reports it (4.1.1). */
    ck_assert_int_eq(insert_stream(&r, nxt, 900, 50, lim, true), 0);
    ck_assert_int_eq(insert_stream(&r, nxt, 900, 150, lim, true), 50);
    assert_blocks(&r, 2, (const tcp_seq[][2]){{1000, 1050}, {1400, 1500}});
    ck_assert(!r.dsack_pending);

    /* Degenerate input is refused without harm. */
    ck_assert_int_eq(insert_stream(&r, nxt, 1200, 0, lim, true), 0);
    ck_assert_int_eq(reasm_insert(&r, nxt, 1200, NULL, 10, lim, true), 0);
    ck_assert_int_eq(insert_stream(&r, nxt, 1200, 100, nxt, true), 0); /* zero window */
    assert_blocks(&r, 2, (const tcp_seq[][2]){{1000, 1050}, {1400, 1500}});
    reasm_free(&r);
}
END_TEST

START_TEST(test_wraparound)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    reasm_init(&r);
    ck_assert(ring_init(&ring, 0x400));
    tcp_seq rcv_nxt = 0xFFFFFF00u;
    tcp_seq lim = rcv_nxt + 0x400; /* 0x300 */

    /* A segment straddling 2^32, then one adjacent to it past 0. */
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 0xFFFFFF80u, 0x100, lim, true), 0x100);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{0xFFFFFF80u, 0x80}});
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 0x80, 0x80, lim, true), 0x80);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{0xFFFFFF80u, 0x100}});
    /* One beyond the window, which also lies past 0. */
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 0x280, 0x100, lim, true), 0x80);
    assert_blocks(&r, 2, (const tcp_seq[][2]){{0xFFFFFF80u, 0x100}, {0x280, 0x300}});
    /* A duplicate across 0 and a sorted insert before the first block. */
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 0xFFFFFFF0u, 0x20, lim, true), 0);
    ck_assert_uint_eq(r.dsack_start, 0xFFFFFFF0u);
    ck_assert_uint_eq(r.dsack_end, 0x10);
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 0xFFFFFF10u, 0x10, lim, false), 0x10);
    assert_blocks(&r, 3,
                  (const tcp_seq[][2]){{0xFFFFFF10u, 0xFFFFFF20u}, {0xFFFFFF80u, 0x100}, {0x280, 0x300}});
    assert_sack(&r, 4, true, 4,
                (const tcp_seq[][2]){
                    {0xFFFFFFF0u, 0x10}, {0xFFFFFF80u, 0x100}, {0xFFFFFF10u, 0xFFFFFF20u}, {0x280, 0x300}});

    /* The hole at RCV.NXT fills; everything up to 0x100 reaches the ring. */
    ck_assert_uint_eq(deliver(&r, &ring, &rcv_nxt, 0xFFFFFF00u, 0x80), 0x200);
    ck_assert_uint_eq(rcv_nxt, 0x100);
    assert_ring_holds_stream(&ring, 0xFFFFFF00u, 0x200);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{0x280, 0x300}});
    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

/* ---- SACK blocks: RFC 2018 section 4 ---- */

/* RFC 2018 section 4, case 2: left edge 5000, eight 500-byte segments,
 * the first dropped.  Each of the other seven is SACKed as one block that
 * grows: 5500-6000, 5500-6500, ... 5500-9000. */
START_TEST(test_rfc2018_first_segment_dropped)
{
    struct tcp_reasm r;
    reasm_init(&r);
    tcp_seq ack = 5000, lim = 5000 + BIG_WINDOW;
    for (tcp_seq seg = 5500; seg < 9000; seg += 500) {
        ck_assert_int_eq(insert_stream(&r, ack, seg, 500, lim, true), 500);
        assert_sack(&r, 3, false, 1, (const tcp_seq[][2]){{5500, seg + 500}});
    }
    reasm_free(&r);
}
END_TEST

/* RFC 2018 section 4, case 3: the 2nd, 4th, 6th and 8th segments are
 * dropped.  The table, ACK and SACK blocks after each triggering segment:
 *   5000  ACK 5500
 *   6000  ACK 5500  6000-6500
 *   7000  ACK 5500  7000-7500 6000-6500
 *   8000  ACK 5500  8000-8500 7000-7500 6000-6500
 * then the 4th segment (6500) arrives:  ACK 5500  6000-7500 8000-8500
 * then the 2nd segment (5500) arrives:  ACK 7500  8000-8500 */
START_TEST(test_rfc2018_every_other_segment_dropped)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    reasm_init(&r);
    ck_assert(ring_init(&ring, BIG_WINDOW));
    tcp_seq rcv_nxt = 5000;

    ck_assert_uint_eq(deliver(&r, &ring, &rcv_nxt, 5000, 500), 500);
    ck_assert_uint_eq(rcv_nxt, 5500);
    assert_sack(&r, 3, false, 0, NULL);

    deliver(&r, &ring, &rcv_nxt, 6000, 500);
    ck_assert_uint_eq(rcv_nxt, 5500);
    assert_sack(&r, 3, false, 1, (const tcp_seq[][2]){{6000, 6500}});

    deliver(&r, &ring, &rcv_nxt, 7000, 500);
    assert_sack(&r, 3, false, 2, (const tcp_seq[][2]){{7000, 7500}, {6000, 6500}});

    deliver(&r, &ring, &rcv_nxt, 8000, 500);
    assert_sack(&r, 3, false, 3, (const tcp_seq[][2]){{8000, 8500}, {7000, 7500}, {6000, 6500}});

    deliver(&r, &ring, &rcv_nxt, 6500, 500);
    ck_assert_uint_eq(rcv_nxt, 5500);
    assert_sack(&r, 3, false, 2, (const tcp_seq[][2]){{6000, 7500}, {8000, 8500}});

    ck_assert_uint_eq(deliver(&r, &ring, &rcv_nxt, 5500, 500), 2000);
    ck_assert_uint_eq(rcv_nxt, 7500);
    assert_sack(&r, 3, false, 1, (const tcp_seq[][2]){{8000, 8500}});
    assert_ring_holds_stream(&ring, 5000, 2500);

    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

START_TEST(test_sack_max_truncates_to_most_recent)
{
    struct tcp_reasm r;
    reasm_init(&r);
    /* Five blocks, inserted out of sequence order. */
    const tcp_seq order[] = {3000, 1000, 5000, 2000, 4000};
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(insert_stream(&r, 0, order[i], 100, BIG_WINDOW, true), 100);

    assert_sack(&r, 3, false, 3, (const tcp_seq[][2]){{4000, 4100}, {2000, 2100}, {5000, 5100}});
    assert_sack(&r, 4, false, 4,
                (const tcp_seq[][2]){{4000, 4100}, {2000, 2100}, {5000, 5100}, {1000, 1100}});
    assert_sack(&r, 0, false, 0, NULL);

    /* A D-SACK takes the first slot and its block the second; with max 1
     * only the D-SACK block fits.  Either way it is reported only once. */
    ck_assert_int_eq(insert_stream(&r, 0, 1000, 50, BIG_WINDOW, true), 0);
    assert_sack(&r, 3, true, 3, (const tcp_seq[][2]){{1000, 1050}, {1000, 1100}, {4000, 4100}});
    ck_assert_int_eq(insert_stream(&r, 0, 5000, 50, BIG_WINDOW, true), 0);
    assert_sack(&r, 1, true, 1, (const tcp_seq[][2]){{5000, 5050}});
    assert_sack(&r, 1, false, 1, (const tcp_seq[][2]){{5000, 5100}});
    /* A call with no room reports nothing and keeps the D-SACK pending. */
    reasm_note_duplicate(&r, 10, 20);
    assert_sack(&r, 0, false, 0, NULL);
    ck_assert(r.dsack_pending);
    ck_assert_uint_eq(reasm_sack_blocks(&r, (struct tcp_sack_block[4]){{0, 0}}, 4, NULL), 4);
    ck_assert(!r.dsack_pending);
    reasm_free(&r);
}
END_TEST

/* ---- D-SACK: RFC 2883 section 4 ---- */

/* Where every RFC 2883 example below starts: an empty queue, a ring with
 * room for all of it, and the in-order 500 bytes from `first` taken in. */
static void open_after_first_segment(struct tcp_reasm *r, struct byte_ring *ring,
                                     tcp_seq *rcv_nxt, tcp_seq first)
{
    reasm_init(r);
    ck_assert(ring_init(ring, BIG_WINDOW));
    *rcv_nxt = first;
    deliver(r, ring, rcv_nxt, first, 500);
}

/* Example 1 (4.1.1): ACKs 3500 and 4000 are lost, 3000-3499 comes again:
 *   ACK 4000, SACK=3000-3500 (D-SACK) */
START_TEST(test_rfc2883_example1_duplicate_segment)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    tcp_seq rcv_nxt;
    open_after_first_segment(&r, &ring, &rcv_nxt, 3000);
    deliver(&r, &ring, &rcv_nxt, 3500, 500);
    assert_sack(&r, 4, false, 0, NULL);
    ck_assert_uint_eq(deliver(&r, &ring, &rcv_nxt, 3000, 500), 0);
    ck_assert_uint_eq(rcv_nxt, 4000);
    assert_sack(&r, 4, true, 1, (const tcp_seq[][2]){{3000, 3500}});
    assert_sack(&r, 4, false, 0, NULL);
    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

/* Example 2 (4.1.2): 4000-4499 is lost, 4500-4999 arrives, then a
 * retransmitted 3000-3499:
 *   ACK 4000, SACK=4500-5000
 *   ACK 4000, SACK=3000-3500 (D-SACK), 4500-5000 */
START_TEST(test_rfc2883_example2_out_of_order_and_duplicate)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    tcp_seq rcv_nxt;
    open_after_first_segment(&r, &ring, &rcv_nxt, 3000);
    deliver(&r, &ring, &rcv_nxt, 3500, 500);
    deliver(&r, &ring, &rcv_nxt, 4500, 500);
    assert_sack(&r, 4, false, 1, (const tcp_seq[][2]){{4500, 5000}});
    deliver(&r, &ring, &rcv_nxt, 3000, 500);
    ck_assert_uint_eq(rcv_nxt, 4000);
    assert_sack(&r, 4, true, 2, (const tcp_seq[][2]){{3000, 3500}, {4500, 5000}});
    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

/* Example 3 (4.1.3): 4000-4499 is lost; 4500-4999 and 5000-5499 arrive,
 * then 5000-5499 again:
 *   ACK 4000, SACK=4500-5000
 *   ACK 4000, SACK=4500-5500
 *   ACK 4000, SACK=5000-5500 (D-SACK), 4500-5500 */
START_TEST(test_rfc2883_example3_duplicate_of_out_of_order)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    tcp_seq rcv_nxt;
    open_after_first_segment(&r, &ring, &rcv_nxt, 3500);
    assert_sack(&r, 4, false, 0, NULL);
    deliver(&r, &ring, &rcv_nxt, 4500, 500);
    assert_sack(&r, 4, false, 1, (const tcp_seq[][2]){{4500, 5000}});
    deliver(&r, &ring, &rcv_nxt, 5000, 500);
    assert_sack(&r, 4, false, 1, (const tcp_seq[][2]){{4500, 5500}});
    deliver(&r, &ring, &rcv_nxt, 5000, 500);
    ck_assert_uint_eq(rcv_nxt, 4000);
    assert_sack(&r, 4, true, 2, (const tcp_seq[][2]){{5000, 5500}, {4500, 5500}});
    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

/* Example 4 (4.2.1): 1000-1499 delayed, 1500-1999 lost, 2000-2499
 * arrives; the sender resends 1000-1999 as one segment after the delayed
 * 1000-1499 got in:
 *   ACK 1000, SACK=2000-2500
 *   ACK 1500, SACK=2000-2500
 *   ACK 2500, SACK=1000-1500 (D-SACK) */
START_TEST(test_rfc2883_example4_single_duplicate_subsegment)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    tcp_seq rcv_nxt;
    open_after_first_segment(&r, &ring, &rcv_nxt, 500);
    deliver(&r, &ring, &rcv_nxt, 2000, 500);
    ck_assert_uint_eq(rcv_nxt, 1000);
    assert_sack(&r, 4, false, 1, (const tcp_seq[][2]){{2000, 2500}});
    deliver(&r, &ring, &rcv_nxt, 1000, 500);
    ck_assert_uint_eq(rcv_nxt, 1500);
    assert_sack(&r, 4, false, 1, (const tcp_seq[][2]){{2000, 2500}});
    deliver(&r, &ring, &rcv_nxt, 1000, 1000);
    ck_assert_uint_eq(rcv_nxt, 2500);
    assert_sack(&r, 4, true, 1, (const tcp_seq[][2]){{1000, 1500}});
    assert_ring_holds_stream(&ring, 500, 2000);
    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

/* Example 5 (4.2.2): two duplicate subsegments, both below the new
 * cumulative ACK; only the first is reported:
 *   ACK 1000, SACK=3000-3500
 *   ACK 1500, SACK=3000-3500
 *   ACK 1500, SACK=2000-2500, 3000-3500
 *   ACK 2500, SACK=1000-1500 (D-SACK), 3000-3500 */
START_TEST(test_rfc2883_example5_duplicates_below_ack)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    tcp_seq rcv_nxt;
    open_after_first_segment(&r, &ring, &rcv_nxt, 500);
    deliver(&r, &ring, &rcv_nxt, 3000, 500);
    assert_sack(&r, 4, false, 1, (const tcp_seq[][2]){{3000, 3500}});
    deliver(&r, &ring, &rcv_nxt, 1000, 500);
    ck_assert_uint_eq(rcv_nxt, 1500);
    assert_sack(&r, 4, false, 1, (const tcp_seq[][2]){{3000, 3500}});
    deliver(&r, &ring, &rcv_nxt, 2000, 500);
    assert_sack(&r, 4, false, 2, (const tcp_seq[][2]){{2000, 2500}, {3000, 3500}});
    deliver(&r, &ring, &rcv_nxt, 1000, 1500);
    ck_assert_uint_eq(rcv_nxt, 2500);
    assert_sack(&r, 4, true, 2, (const tcp_seq[][2]){{1000, 1500}, {3000, 3500}});
    assert_ring_holds_stream(&ring, 500, 2000);
    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

/* Example 6 (4.2.3): two duplicate subsegments above the cumulative ACK;
 * the first is the D-SACK block, the block it now belongs to second:
 *   ACK 1000, SACK=3500-4000
 *   ACK 1000, SACK=1500-2000, 3500-4000
 *   ACK 1000, SACK=2500-3000, 1500-2000, 3500-4000
 *   ACK 1000, SACK=1500-2000 (D-SACK), 1500-3000, 3500-4000 */
START_TEST(test_rfc2883_example6_duplicates_above_ack)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    tcp_seq rcv_nxt;
    open_after_first_segment(&r, &ring, &rcv_nxt, 500);
    deliver(&r, &ring, &rcv_nxt, 3500, 500);
    assert_sack(&r, 4, false, 1, (const tcp_seq[][2]){{3500, 4000}});
    deliver(&r, &ring, &rcv_nxt, 1500, 500);
    assert_sack(&r, 4, false, 2, (const tcp_seq[][2]){{1500, 2000}, {3500, 4000}});
    deliver(&r, &ring, &rcv_nxt, 2500, 500);
    assert_sack(&r, 4, false, 3, (const tcp_seq[][2]){{2500, 3000}, {1500, 2000}, {3500, 4000}});
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 1500, 1500, rcv_nxt + BIG_WINDOW, true), 500);
    ck_assert_uint_eq(rcv_nxt, 1000);
    assert_sack(&r, 4, true, 3, (const tcp_seq[][2]){{1500, 2000}, {1500, 3000}, {3500, 4000}});
    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

/* ---- drain ---- */

START_TEST(test_drain_small_ring_keeps_the_rest)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    reasm_init(&r);
    ck_assert(ring_init(&ring, 300));
    tcp_seq rcv_nxt = 1000;
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 1000, 1000, rcv_nxt + BIG_WINDOW, true), 1000);
    ck_assert_int_eq(insert_stream(&r, rcv_nxt, 2500, 100, rcv_nxt + BIG_WINDOW, true), 100);

    ck_assert_uint_eq(reasm_drain(&r, rcv_nxt, &ring), 300);
    rcv_nxt += 300;
    assert_blocks(&r, 2, (const tcp_seq[][2]){{1300, 2000}, {2500, 2600}});
    assert_ring_holds_stream(&ring, 1000, 300);
    /* A full ring takes nothing and the queue stays as it was. */
    ck_assert_uint_eq(reasm_drain(&r, rcv_nxt, &ring), 0);
    assert_blocks(&r, 2, (const tcp_seq[][2]){{1300, 2000}, {2500, 2600}});

    /* The app reads; the drain goes on where it stopped. */
    tcp_seq read_from = 1300;
    while (!reasm_empty(&r) && r.blocks[0].start == rcv_nxt) {
        ring_consume(&ring, ring.len);
        uint32_t moved = reasm_drain(&r, rcv_nxt, &ring);
        ck_assert_uint_gt(moved, 0);
        assert_ring_holds_stream(&ring, read_from, moved);
        rcv_nxt += moved;
        read_from += moved;
        assert_consistent(&r);
    }
    ck_assert_uint_eq(rcv_nxt, 2000);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{2500, 2600}});
    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

START_TEST(test_drain_discards_below_rcv_nxt)
{
    struct tcp_reasm r;
    struct byte_ring ring;
    reasm_init(&r);
    ck_assert(ring_init(&ring, 1000));
    ck_assert_int_eq(insert_stream(&r, 0, 100, 100, BIG_WINDOW, true), 100);
    ck_assert_int_eq(insert_stream(&r, 0, 300, 100, BIG_WINDOW, true), 100);
    ck_assert_int_eq(insert_stream(&r, 0, 500, 100, BIG_WINDOW, true), 100);

    /* RCV.NXT jumped to 350 (the caller wrote 0-350 itself): the first
     * block is gone, the second is cut and its rest moves. */
    ck_assert_uint_eq(reasm_drain(&r, 350, &ring), 50);
    assert_ring_holds_stream(&ring, 350, 50);
    assert_blocks(&r, 1, (const tcp_seq[][2]){{500, 600}});
    /* Jumping past everything empties the queue and moves nothing. */
    ck_assert_uint_eq(reasm_drain(&r, 700, &ring), 0);
    ck_assert(reasm_empty(&r));
    ck_assert_uint_eq(r.bytes, 0);
    reasm_free(&r);
    ring_free(&ring);
}
END_TEST

/* ---- clone ---- */

START_TEST(test_clone_is_independent)
{
    struct tcp_reasm a, b;
    reasm_init(&a);
    ck_assert(reasm_clone(&b, &a));
    ck_assert(reasm_empty(&b));
    reasm_free(&b);

    ck_assert_int_eq(insert_stream(&a, 0, 100, 100, BIG_WINDOW, true), 100);
    ck_assert_int_eq(insert_stream(&a, 0, 300, 100, BIG_WINDOW, true), 100);
    ck_assert_int_eq(insert_stream(&a, 0, 300, 10, BIG_WINDOW, true), 0);
    ck_assert(reasm_clone(&b, &a));
    assert_blocks(&b, 2, (const tcp_seq[][2]){{100, 200}, {300, 400}});
    ck_assert(b.dsack_pending);
    ck_assert_uint_eq(b.counter, a.counter);
    ck_assert_ptr_ne(b.blocks[0].data, a.blocks[0].data);

    /* Changing one leaves the other as it was. */
    ck_assert_int_eq(insert_stream(&a, 0, 200, 100, BIG_WINDOW, false), 100);
    b.blocks[1].data[0] ^= 0xff;
    ck_assert_uint_eq(a.blocks[0].data[200], stream_byte(300));
    b.blocks[1].data[0] ^= 0xff;
    assert_blocks(&a, 1, (const tcp_seq[][2]){{100, 400}});
    assert_blocks(&b, 2, (const tcp_seq[][2]){{100, 200}, {300, 400}});
    /* Both report the same D-SACK, each once. */
    assert_sack(&a, 4, true, 2, (const tcp_seq[][2]){{300, 310}, {100, 400}});
    assert_sack(&b, 4, true, 3, (const tcp_seq[][2]){{300, 310}, {300, 400}, {100, 200}});
    reasm_free(&a);
    reasm_free(&b);
    ck_assert(reasm_empty(&a) && a.blocks == NULL);
}
END_TEST

/* ---- property: random arrivals rebuild the stream ---- */

#define PROP_STREAM 65536u

struct lcg {
    uint64_t state;
};

static uint32_t lcg_next(struct lcg *g, uint32_t bound)
{
    g->state = g->state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)((g->state >> 33) % bound);
}

/* A model of what is held: one flag per stream offset.  Returns how many
 * of [from, to) were not held yet, marking them held; *first_dup is the
 * first offset that was held already (or `to`). */
static uint32_t model_insert(bool *held, uint32_t from, uint32_t to, uint32_t *first_dup)
{
    uint32_t fresh = 0;
    *first_dup = to;
    for (uint32_t k = from; k < to; k++) {
        if (held[k]) {
            if (*first_dup == to)
                *first_dup = k;
        } else {
            held[k] = true;
            fresh++;
        }
    }
    return fresh;
}

/* Every SACK block is a whole held block (or the D-SACK block first). */
static void assert_sack_blocks_are_held(struct tcp_reasm *r)
{
    struct tcp_sack_block out[TCP_SACK_MAX_BLOCKS];
    bool dsack;
    unsigned n = reasm_sack_blocks(r, out, TCP_SACK_MAX_BLOCKS, &dsack);
    unsigned expect = (unsigned)(r->count < TCP_SACK_MAX_BLOCKS ? r->count : TCP_SACK_MAX_BLOCKS);
    ck_assert_uint_ge(n, expect);
    for (unsigned i = dsack ? 1 : 0; i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < r->count; j++)
            found |= r->blocks[j].start == out[i].left && r->blocks[j].end == out[i].right;
        ck_assert_msg(found, "SACK block %u-%u is no held block", out[i].left, out[i].right);
    }
}

static void run_random_transfer(uint64_t seed, tcp_seq isn, size_t ring_cap)
{
    struct lcg g = {seed};
    struct tcp_reasm r;
    struct byte_ring ring;
    reasm_init(&r);
    ck_assert(ring_init(&ring, ring_cap));
    bool *held = calloc(PROP_STREAM, sizeof *held);
    uint8_t *got = malloc(PROP_STREAM);
    ck_assert(held && got);
    tcp_seq rcv_nxt = isn;
    uint32_t read = 0, model_bytes = 0;

    for (unsigned step = 0; read < PROP_STREAM; step++) {
        ck_assert_msg(step < 200000, "seed %llu: no progress", (unsigned long long)seed);
        uint32_t base = rcv_nxt - isn;
        /* Most segments land somewhere in or just around the window; every
         * eighth fills the hole at RCV.NXT so the transfer advances. */
        uint32_t off = step % 8 == 0 ? base
                                     : (uint32_t)((base > 3000 ? base - 3000 : 0) +
                                                  lcg_next(&g, (uint32_t)ring_cap * 2 + 3000));
        uint32_t len = 1 + lcg_next(&g, 1500);
        if (off >= PROP_STREAM) {
            /* past the end of the stream: nothing to send */
        } else if (off > base) {
            if (off + len > PROP_STREAM)
                len = PROP_STREAM - off;
            /* Out of order: check the queue's account against the model. */
            tcp_seq limit = rcv_nxt + (uint32_t)ring_space(&ring);
            uint32_t to = off + len < limit - isn ? off + len : limit - isn;
            uint32_t first_dup = to, fresh = 0;
            if (off < to)
                fresh = model_insert(held, off, to, &first_dup);
            r.dsack_pending = false;
            ck_assert_int_eq(insert_stream(&r, rcv_nxt, isn + off, len, limit, true), fresh);
            model_bytes += fresh;
            ck_assert_uint_eq(r.bytes, model_bytes);
            ck_assert(r.dsack_pending == (off < to && first_dup < to));
            if (r.dsack_pending) {
                ck_assert_uint_eq(r.dsack_start, isn + first_dup);
                uint32_t dup_end = r.dsack_end - isn;
                ck_assert(dup_end > first_dup && dup_end <= to);
                for (uint32_t k = first_dup; k < dup_end; k++)
                    ck_assert(held[k]);
            }
            if (step % 5 == 0) /* and sometimes the very same segment again */
                ck_assert_int_eq(insert_stream(&r, rcv_nxt, isn + off, len, limit, true), 0);
        } else {
            if (off + len > PROP_STREAM)
                len = PROP_STREAM - off;
            tcp_seq before = rcv_nxt;
            deliver(&r, &ring, &rcv_nxt, isn + off, len);
            for (uint32_t k = before - isn; k < rcv_nxt - isn; k++) {
                model_bytes -= held[k];
                held[k] = false;
            }
            ck_assert_uint_eq(r.bytes, model_bytes);
        }
        if (step % 16 == 0) {
            assert_consistent(&r);
            assert_sack_blocks_are_held(&r);
        }
        /* The app reads a random amount. */
        size_t n = lcg_next(&g, (uint32_t)ring.len + 1);
        ring_peek(&ring, 0, got + read, n);
        ring_consume(&ring, n);
        read += (uint32_t)n;
    }
    ck_assert_uint_eq(rcv_nxt, isn + PROP_STREAM);
    ck_assert(reasm_empty(&r));
    for (uint32_t k = 0; k < PROP_STREAM; k++)
        ck_assert_msg(got[k] == stream_byte(isn + k), "seed %llu: byte %u wrong",
                      (unsigned long long)seed, k);
    free(held);
    free(got);
    reasm_free(&r);
    ring_free(&ring);
}

START_TEST(test_random_arrivals_rebuild_the_stream)
{
    /* One run crosses 2^32, one uses a ring smaller than a segment. */
    run_random_transfer(1, 0xFFFF8000u, 16384);
    run_random_transfer(2, 12345, 8192);
    run_random_transfer(3, 0x7FFFFF00u, 1000);
}
END_TEST

/* ---- bytes kept in the ring's free space (reasm_insert_into) ---- */

/* Every held byte is the stream's, read where the queue keeps it: in the
 * ring `start - rcv_nxt` bytes past the tail, or in the block. */
static void assert_held_in_place(const struct tcp_reasm *r, const struct byte_ring *ring,
                                 tcp_seq rcv_nxt)
{
    for (size_t i = 0; i < r->count; i++) {
        const struct reasm_block *b = &r->blocks[i];
        uint32_t n = b->end - b->start;
        uint8_t *got = malloc(n);
        ck_assert_ptr_nonnull(got);
        if (r->in_ring) {
            ck_assert_ptr_null(b->data);
            ck_assert_uint_le(ring->len + (b->end - rcv_nxt), ring->cap);
            ring_peek(ring, ring->len + (b->start - rcv_nxt), got, n);
        } else {
            memcpy(got, b->data, n);
        }
        uint32_t bad = 0;
        for (uint32_t k = 0; k < n; k++)
            bad += got[k] != stream_byte(b->start + k);
        free(got);
        /* One assertion per block: check reports each one it evaluates. */
        ck_assert_msg(bad == 0, "block %zu: %u wrong bytes", i, bad);
    }
}

/* Random segments around RCV.NXT through the input path's calls, a reader
 * taking bytes now and then, and now and then a clone, or a resize (the
 * queue leaving the ring first, as tcp_set_config does): the ring must
 * read as the stream, and the queue hold the stream's bytes. */
static void run_in_ring_transfer(unsigned seed, tcp_seq isn, size_t cap)
{
    srand(seed);
    struct tcp_reasm r;
    struct byte_ring ring;
    reasm_init(&r);
    ck_assert(ring_init(&ring, cap));
    tcp_seq rcv_nxt = isn, read_to = isn;
    uint8_t seg[1500];
    for (int step = 0; step < 20000; step++) {
        uint32_t len = 1 + (uint32_t)rand() % 1500;
        tcp_seq seq = rcv_nxt - 700 + (uint32_t)rand() % (uint32_t)(ring_space(&ring) + 700);
        fill_stream(seg, seq, len);
        tcp_seq end = seq + len;
        if (seq_le(seq, rcv_nxt) && seq_lt(rcv_nxt, end))
            rcv_nxt += (uint32_t)ring_write(&ring, seg + (rcv_nxt - seq), end - rcv_nxt);
        else if (seq_gt(seq, rcv_nxt))
            ck_assert_int_ge(reasm_insert_into(&r, &ring, rcv_nxt, seq, seg, len,
                                               rcv_nxt + (uint32_t)ring_space(&ring), true),
                             0);
        rcv_nxt += reasm_drain(&r, rcv_nxt, &ring);
        assert_held_in_place(&r, &ring, rcv_nxt);
        if (rand() % 4 == 0) { /* the app reads */
            size_t n = (size_t)rand() % (ring.len + 1);
            uint8_t *got = malloc(n + 1);
            ck_assert_ptr_nonnull(got);
            ring_peek(&ring, 0, got, n);
            size_t bad = 0;
            for (size_t k = 0; k < n; k++)
                bad += got[k] != stream_byte(read_to + (uint32_t)k);
            free(got);
            ck_assert_msg(bad == 0, "%zu bytes read wrong", bad);
            ring_consume(&ring, n);
            read_to += (uint32_t)n;
        }
        if (rand() % 500 == 0) {
            struct tcp_reasm rc;
            struct byte_ring ringc;
            ck_assert(ring_clone(&ringc, &ring) && reasm_clone(&rc, &r));
            assert_held_in_place(&rc, &ringc, rcv_nxt);
            reasm_free(&rc);
            ring_free(&ringc);
        }
        if (rand() % 300 == 0) {
            size_t to = ring.len + (size_t)rand() % cap + 1;
            ck_assert(reasm_leave_ring(&r, &ring, rcv_nxt));
            ck_assert(ring_resize(&ring, to));
            assert_held_in_place(&r, &ring, rcv_nxt);
        }
    }
    reasm_free(&r);
    ring_free(&ring);
}

START_TEST(test_in_ring_arrivals_rebuild_the_stream)
{
    run_in_ring_transfer(1, 0xFFFF8000u, 16384);
    run_in_ring_transfer(2, 12345, 4000);
    run_in_ring_transfer(3, 0x7FFFFF00u, 65536);
}
END_TEST

static Suite *reasm_suite(void)
{
    Suite *suite = suite_create("reasm");

    TCase *insert = tcase_create("insert");
    tcase_add_test(insert, test_gap_fill_in_order);
    tcase_add_test(insert, test_merge_overlapping_and_adjacent);
    tcase_add_test(insert, test_held_bytes_are_kept);
    tcase_add_test(insert, test_duplicates_return_zero_and_set_dsack);
    tcase_add_test(insert, test_window_limit_and_rcv_nxt_trim);
    tcase_add_test(insert, test_wraparound);
    suite_add_tcase(suite, insert);

    TCase *sack = tcase_create("sack");
    tcase_add_test(sack, test_rfc2018_first_segment_dropped);
    tcase_add_test(sack, test_rfc2018_every_other_segment_dropped);
    tcase_add_test(sack, test_sack_max_truncates_to_most_recent);
    suite_add_tcase(suite, sack);

    TCase *dsack = tcase_create("dsack");
    tcase_add_test(dsack, test_rfc2883_example1_duplicate_segment);
    tcase_add_test(dsack, test_rfc2883_example2_out_of_order_and_duplicate);
    tcase_add_test(dsack, test_rfc2883_example3_duplicate_of_out_of_order);
    tcase_add_test(dsack, test_rfc2883_example4_single_duplicate_subsegment);
    tcase_add_test(dsack, test_rfc2883_example5_duplicates_below_ack);
    tcase_add_test(dsack, test_rfc2883_example6_duplicates_above_ack);
    suite_add_tcase(suite, dsack);

    TCase *drain = tcase_create("drain and clone");
    tcase_add_test(drain, test_drain_small_ring_keeps_the_rest);
    tcase_add_test(drain, test_drain_discards_below_rcv_nxt);
    tcase_add_test(drain, test_clone_is_independent);
    suite_add_tcase(suite, drain);

    TCase *property = tcase_create("property");
    tcase_set_timeout(property, 60);
    tcase_add_test(property, test_random_arrivals_rebuild_the_stream);
    tcase_add_test(property, test_in_ring_arrivals_rebuild_the_stream);
    suite_add_tcase(suite, property);

    return suite;
}

int main(void)
{
    return check_main_run(reasm_suite());
}
