/* Unit tests for the world's primitives: the PRNG, the lossy wire and the
 * event queue. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/eventq.h"
#include "sim/prng.h"
#include "sim/stream_digest.h"
#include "sim/wire.h"

#include "check_main.h"

#define RATE_100_MBIT 100000000u
#define FULL_ETHERNET_FRAME 1500u
#define SER_1500_AT_100M 120u /* 1500 * 8 bits / 100 Mbit/s = 120 µs */

/* ================================================================ prng == */

START_TEST(prng_same_seed_gives_same_stream)
{
    struct prng a, b;
    prng_seed(&a, 42);
    prng_seed(&b, 42);
    for (int i = 0; i < 10000; i++)
        ck_assert_uint_eq(prng_next(&a), prng_next(&b));
}
END_TEST

START_TEST(prng_different_seeds_differ)
{
    struct prng a, b;
    prng_seed(&a, 1);
    prng_seed(&b, 2);
    int equal = 0;
    for (int i = 0; i < 10000; i++)
        equal += prng_next(&a) == prng_next(&b);
    ck_assert_int_lt(equal, 3);
}
END_TEST

/* Published SplitMix64 outputs for seed 0: proves the seeding is the
 * standard algorithm, so other implementations can reproduce our runs. */
START_TEST(prng_seeding_is_standard_splitmix64)
{
    struct prng r;
    prng_seed(&r, 0);
    ck_assert_uint_eq(r.s[0], 0xe220a8397b1dcdafu);
    ck_assert_uint_eq(r.s[1], 0x6e789e6aa1b965f4u);
    ck_assert_uint_eq(r.s[2], 0x06c45d188009454fu);
}
END_TEST

START_TEST(prng_u32_is_the_high_half)
{
    struct prng a, b;
    prng_seed(&a, 7);
    prng_seed(&b, 7);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(prng_u32(&a), prng_next(&b) >> 32);
}
END_TEST

START_TEST(prng_below_stays_in_bounds)
{
    static const uint64_t bounds[] = {
        1, 2, 3, 7, 10, 1000000, (UINT64_C(1) << 63) + 1, UINT64_MAX,
    };
    struct prng r;
    prng_seed(&r, 99);
    for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
        for (int i = 0; i < 20000; i++)
            ck_assert_uint_lt(prng_below(&r, bounds[b]), bounds[b]);
    }
    /* Caller bug, not a crash. */
    ck_assert_uint_eq(prng_below(&r, 0), 0);
}
END_TEST

START_TEST(prng_below_is_uniform)
{
    enum { BUCKETS = 7, PER_BUCKET = 10000 };
    uint32_t seen[BUCKETS] = { 0 };
    struct prng r;
    prng_seed(&r, 2024);
    for (int i = 0; i < BUCKETS * PER_BUCKET; i++)
        seen[prng_below(&r, BUCKETS)]++;
    /* Standard deviation per bucket is ~93; allow about 5 of them. */
    for (int k = 0; k < BUCKETS; k++) {
        ck_assert_uint_gt(seen[k], PER_BUCKET - 500);
        ck_assert_uint_lt(seen[k], PER_BUCKET + 500);
    }
}
END_TEST

START_TEST(prng_chance_ppm_extremes_and_rate)
{
    enum { DRAWS = 100000 };
    struct prng r;
    prng_seed(&r, 5);
    int never = 0, always = 0, tenth = 0;
    for (int i = 0; i < DRAWS; i++) {
        never += prng_chance_ppm(&r, 0);
        always += prng_chance_ppm(&r, 1000000);
        tenth += prng_chance_ppm(&r, 100000);
    }
    ck_assert_int_eq(never, 0);
    ck_assert_int_eq(always, DRAWS);
    /* 10% of 100k: sd ~95, tolerance 0.5% = 500. */
    ck_assert_int_gt(tenth, 9500);
    ck_assert_int_lt(tenth, 10500);
}
END_TEST

/* ================================================================ wire == */

static struct wire_params fast_link(void)
{
    struct wire_params p;
    wire_params_defaults(&p);
    p.rate_bps = RATE_100_MBIT;
    return p;
}

START_TEST(wire_defaults_are_10ms_and_clean)
{
    struct wire_params p, zero;
    memset(&p, 0xff, sizeof p);
    wire_params_defaults(&p);
    ck_assert_uint_eq(p.delay, 10000);
    memset(&zero, 0, sizeof zero);
    zero.delay = 10000;
    ck_assert_int_eq(memcmp(&p, &zero, sizeof p), 0);
}
END_TEST

START_TEST(wire_serialises_1500_bytes_at_100mbit_in_120us)
{
    struct wire_params p = fast_link();
    struct wire w;
    struct prng r;
    prng_seed(&r, 1);
    wire_init(&w, &p);
    struct wire_verdict v = wire_offer(&w, &r, 1000, FULL_ETHERNET_FRAME);
    ck_assert_int_eq(v.fate, WIRE_DELIVER);
    ck_assert_uint_eq(v.arrival, 1000 + SER_1500_AT_100M + p.delay);
    ck_assert(!v.duplicate && !v.corrupt && !v.reordered);
    wire_free(&w);
}
END_TEST

START_TEST(wire_back_to_back_packets_queue)
{
    struct wire_params p = fast_link();
    struct wire w;
    struct prng r;
    prng_seed(&r, 1);
    wire_init(&w, &p);
    struct wire_verdict first = wire_offer(&w, &r, 0, FULL_ETHERNET_FRAME);
    struct wire_verdict second = wire_offer(&w, &r, 0, FULL_ETHERNET_FRAME);
    ck_assert_uint_eq(second.arrival - first.arrival, SER_1500_AT_100M);
    /* Offered after the link went idle: no waiting. */
    struct wire_verdict later = wire_offer(&w, &r, 10000, FULL_ETHERNET_FRAME);
    ck_assert_uint_eq(later.arrival, 10000 + SER_1500_AT_100M + p.delay);
    wire_free(&w);
}
END_TEST

START_TEST(wire_serialisation_rounds_up)
{
    struct wire_params p;
    wire_params_defaults(&p);
    p.delay = 0;
    p.rate_bps = 3; /* 8 bits at 3 bit/s = 2.666... s */
    struct wire w;
    struct prng r;
    prng_seed(&r, 1);
    wire_init(&w, &p);
    ck_assert_uint_eq(wire_offer(&w, &r, 0, 1).arrival, 2666667);
    wire_free(&w);
}
END_TEST

START_TEST(wire_infinite_rate_never_queues)
{
    struct wire_params p;
    wire_params_defaults(&p);
    p.queue_limit = 1;
    struct wire w;
    struct prng r;
    prng_seed(&r, 1);
    wire_init(&w, &p);
    for (int i = 0; i < 100; i++) {
        struct wire_verdict v = wire_offer(&w, &r, 500, 60000);
        ck_assert_int_eq(v.fate, WIRE_DELIVER);
        ck_assert_uint_eq(v.arrival, 500 + p.delay);
    }
    ck_assert_uint_eq(wire_queue_len(&w, 500), 0);
    wire_free(&w);
}
END_TEST

START_TEST(wire_queue_limit_drops_the_tail)
{
    struct wire_params p = fast_link();
    p.queue_limit = 3;
    struct wire w;
    struct prng r;
    prng_seed(&r, 1);
    wire_init(&w, &p);
    enum wire_fate fates[5];
    for (int i = 0; i < 5; i++)
        fates[i] = wire_offer(&w, &r, 0, FULL_ETHERNET_FRAME).fate;
    ck_assert_int_eq(fates[0], WIRE_DELIVER);
    ck_assert_int_eq(fates[1], WIRE_DELIVER);
    ck_assert_int_eq(fates[2], WIRE_DELIVER);
    ck_assert_int_eq(fates[3], WIRE_DROP_QUEUE);
    ck_assert_int_eq(fates[4], WIRE_DROP_QUEUE);
    ck_assert_uint_eq(w.offered, 5);
    ck_assert_uint_eq(w.delivered, 3);
    ck_assert_uint_eq(w.dropped_queue, 2);
    /* Once the first packet has left there is room for one more. */
    ck_assert_int_eq(wire_offer(&w, &r, SER_1500_AT_100M, 100).fate, WIRE_DELIVER);
    ck_assert_int_eq(wire_offer(&w, &r, SER_1500_AT_100M, 100).fate, WIRE_DROP_QUEUE);
    wire_free(&w);
}
END_TEST

START_TEST(wire_queue_drains_over_time)
{
    struct wire_params p = fast_link();
    struct wire w;
    struct prng r;
    prng_seed(&r, 1);
    wire_init(&w, &p);
    /* 40 packets: more than the ring's first allocation, so it must grow. */
    for (int i = 0; i < 40; i++)
        wire_offer(&w, &r, 0, FULL_ETHERNET_FRAME);
    ck_assert_uint_eq(wire_queue_len(&w, 0), 40);
    ck_assert_uint_eq(wire_queue_len(&w, SER_1500_AT_100M - 1), 40);
    ck_assert_uint_eq(wire_queue_len(&w, SER_1500_AT_100M), 39);
    ck_assert_uint_eq(wire_queue_len(&w, 35 * SER_1500_AT_100M + 1), 5);
    /* Refill so the ring wraps around its end, then drain completely. */
    for (int i = 0; i < 10; i++)
        wire_offer(&w, &r, 35 * SER_1500_AT_100M + 1, FULL_ETHERNET_FRAME);
    ck_assert_uint_eq(wire_queue_len(&w, 35 * SER_1500_AT_100M + 1), 15);
    ck_assert_uint_eq(wire_queue_len(&w, 50 * SER_1500_AT_100M - 1), 1);
    ck_assert_uint_eq(wire_queue_len(&w, 50 * SER_1500_AT_100M), 0);
    wire_free(&w);
}
END_TEST

START_TEST(wire_independent_loss_rate)
{
    enum { PACKETS = 100000 };
    struct wire_params p;
    wire_params_defaults(&p);
    p.loss_ppm = 200000;
    struct wire w;
    struct prng r;
    prng_seed(&r, 11);
    wire_init(&w, &p);
    uint64_t lost = 0;
    for (int i = 0; i < PACKETS; i++)
        lost += wire_offer(&w, &r, (uint64_t)i * 10, 100).fate == WIRE_DROP_LOSS;
    ck_assert_uint_eq(lost, w.dropped_loss);
    ck_assert_uint_eq(w.delivered + w.dropped_loss, PACKETS);
    ck_assert_uint_gt(lost, 19000);
    ck_assert_uint_lt(lost, 21000);
    wire_free(&w);
}
END_TEST

START_TEST(wire_gilbert_elliott_bursts)
{
    enum { PACKETS = 1000000 };
    struct wire_params p;
    wire_params_defaults(&p);
    p.gilbert = true;
    p.ge_p_good_to_bad_ppm = 10000;  /* 1% */
    p.ge_p_bad_to_good_ppm = 100000; /* 10% */
    p.ge_loss_bad_ppm = 1000000;
    struct wire w;
    struct prng r;
    prng_seed(&r, 3);
    wire_init(&w, &p);
    uint64_t lost = 0, bursts = 0;
    bool in_burst = false;
    for (int i = 0; i < PACKETS; i++) {
        enum wire_fate f = wire_offer(&w, &r, (uint64_t)i, 100).fate;
        ck_assert_int_ne(f, WIRE_DROP_LOSS); /* good state never loses here */
        bool dropped = f == WIRE_DROP_BURST;
        lost += dropped;
        bursts += dropped && !in_burst;
        in_burst = dropped;
    }
    ck_assert_uint_eq(lost, w.dropped_burst);
    /* Mean burst 1 / 10% = 10; stationary bad share 1 / 11 = 9.09%. */
    double mean_burst = (double)lost / (double)bursts;
    double loss_rate = (double)lost / PACKETS;
    ck_assert_double_gt(mean_burst, 9.0);
    ck_assert_double_lt(mean_burst, 11.0);
    ck_assert_double_gt(loss_rate, 0.0859);
    ck_assert_double_lt(loss_rate, 0.0959);
    wire_free(&w);
}
END_TEST

START_TEST(wire_gilbert_good_state_loss_is_plain_loss)
{
    struct wire_params p;
    wire_params_defaults(&p);
    p.gilbert = true;
    p.ge_loss_good_ppm = 1000000; /* never leaves the good state */
    struct wire w;
    struct prng r;
    prng_seed(&r, 3);
    wire_init(&w, &p);
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(wire_offer(&w, &r, 0, 100).fate, WIRE_DROP_LOSS);
    ck_assert(!w.ge_bad);
    wire_free(&w);
}
END_TEST

/* The chain steps for every packet on the line, also one that independent
 * loss already took, so its state never depends on the other impairment. */
START_TEST(wire_gilbert_steps_even_when_loss_struck)
{
    struct wire_params p;
    wire_params_defaults(&p);
    p.loss_ppm = 1000000;
    p.gilbert = true;
    p.ge_p_good_to_bad_ppm = 1000000;
    struct wire w;
    struct prng r;
    prng_seed(&r, 3);
    wire_init(&w, &p);
    ck_assert_int_eq(wire_offer(&w, &r, 0, 100).fate, WIRE_DROP_LOSS);
    ck_assert(w.ge_bad);
    ck_assert_uint_eq(w.dropped_burst, 0);
    wire_free(&w);
}
END_TEST

START_TEST(wire_duplicate_reorder_corrupt_fields)
{
    struct wire_params p = fast_link();
    p.dup_ppm = 1000000;
    p.reorder_ppm = 1000000;
    p.reorder_delay = 5000;
    p.corrupt_ppm = 1000000;
    struct wire w;
    struct prng r;
    prng_seed(&r, 8);
    wire_init(&w, &p);
    uint32_t lowest = UINT32_MAX, highest = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t now = (uint64_t)i * 1000000;
        struct wire_verdict v = wire_offer(&w, &r, now, FULL_ETHERNET_FRAME);
        ck_assert_int_eq(v.fate, WIRE_DELIVER);
        ck_assert(v.reordered);
        ck_assert_uint_eq(v.arrival, now + SER_1500_AT_100M + p.delay + 5000);
        ck_assert(v.duplicate);
        ck_assert_uint_eq(v.dup_arrival, v.arrival + SER_1500_AT_100M);
        ck_assert(v.corrupt);
        ck_assert_uint_lt(v.corrupt_bit, FULL_ETHERNET_FRAME * 8);
        lowest = v.corrupt_bit < lowest ? v.corrupt_bit : lowest;
        highest = v.corrupt_bit > highest ? v.corrupt_bit : highest;
    }
    /* The flipped bit is spread over the whole packet. */
    ck_assert_uint_lt(lowest, 1200);
    ck_assert_uint_gt(highest, 10800);
    ck_assert_uint_eq(w.duplicated, 1000);
    ck_assert_uint_eq(w.reordered, 1000);
    ck_assert_uint_eq(w.corrupted, 1000);
    wire_free(&w);
}
END_TEST

START_TEST(wire_duplicate_on_infinite_rate_trails_by_1us)
{
    struct wire_params p;
    wire_params_defaults(&p);
    p.dup_ppm = 1000000;
    struct wire w;
    struct prng r;
    prng_seed(&r, 8);
    wire_init(&w, &p);
    struct wire_verdict v = wire_offer(&w, &r, 0, 40);
    ck_assert(v.duplicate);
    ck_assert_uint_eq(v.dup_arrival, v.arrival + 1);
    wire_free(&w);
}
END_TEST

START_TEST(wire_lost_packets_carry_no_impairments)
{
    struct wire_params p;
    wire_params_defaults(&p);
    p.loss_ppm = 1000000;
    p.dup_ppm = p.reorder_ppm = p.corrupt_ppm = 1000000;
    struct wire w;
    struct prng r;
    prng_seed(&r, 8);
    wire_init(&w, &p);
    struct wire_verdict v = wire_offer(&w, &r, 0, 40);
    ck_assert_int_eq(v.fate, WIRE_DROP_LOSS);
    ck_assert(!v.duplicate && !v.reordered && !v.corrupt);
    ck_assert_uint_eq(w.duplicated + w.reordered + w.corrupted, 0);
    wire_free(&w);
}
END_TEST

START_TEST(wire_empty_packet_is_never_corrupted)
{
    struct wire_params p;
    wire_params_defaults(&p);
    p.corrupt_ppm = 1000000;
    struct wire w;
    struct prng r;
    prng_seed(&r, 8);
    wire_init(&w, &p);
    ck_assert(!wire_offer(&w, &r, 0, 0).corrupt);
    wire_free(&w);
}
END_TEST

static struct wire_params everything_on(void)
{
    struct wire_params p = fast_link();
    p.queue_limit = 4;
    p.loss_ppm = 50000;
    p.gilbert = true;
    p.ge_p_good_to_bad_ppm = 20000;
    p.ge_p_bad_to_good_ppm = 300000;
    p.ge_loss_bad_ppm = 700000;
    p.ge_loss_good_ppm = 1000;
    p.dup_ppm = 30000;
    p.reorder_ppm = 40000;
    p.reorder_delay = 777;
    p.corrupt_ppm = 20000;
    return p;
}

static bool verdicts_equal(const struct wire_verdict *x, const struct wire_verdict *y)
{
    return x->fate == y->fate && x->arrival == y->arrival && x->duplicate == y->duplicate &&
           x->dup_arrival == y->dup_arrival && x->corrupt == y->corrupt &&
           x->corrupt_bit == y->corrupt_bit && x->reordered == y->reordered;
}

START_TEST(wire_same_seed_same_fates)
{
    struct wire_params p = everything_on();
    struct wire a, b;
    struct prng ra, rb;
    prng_seed(&ra, 77);
    prng_seed(&rb, 77);
    wire_init(&a, &p);
    wire_init(&b, &p);
    int differing_from_other_seed = 0;
    struct wire c;
    struct prng rc;
    prng_seed(&rc, 78);
    wire_init(&c, &p);
    for (int i = 0; i < 20000; i++) {
        uint64_t now = (uint64_t)i * 50;
        size_t len = 40 + (size_t)(i % 1461);
        struct wire_verdict va = wire_offer(&a, &ra, now, len);
        struct wire_verdict vb = wire_offer(&b, &rb, now, len);
        struct wire_verdict vc = wire_offer(&c, &rc, now, len);
        ck_assert(verdicts_equal(&va, &vb));
        differing_from_other_seed += !verdicts_equal(&va, &vc);
    }
    ck_assert_int_gt(differing_from_other_seed, 100);
    ck_assert_uint_gt(a.dropped_queue, 0); /* the run exercised every path */
    ck_assert_uint_gt(a.dropped_burst, 0);
    ck_assert_uint_gt(a.dropped_loss, 0);
    ck_assert_uint_gt(a.corrupted, 0);
    wire_free(&a);
    wire_free(&b);
    wire_free(&c);
}
END_TEST

/* The documented contract: how many random numbers an offer consumes
 * depends on which impairments are enabled, never on the packet's fate. */
START_TEST(wire_draws_do_not_depend_on_fate)
{
    struct wire_params gentle = everything_on(), harsh = everything_on();
    gentle.queue_limit = 0;
    gentle.loss_ppm = 1;
    harsh.queue_limit = 1;
    harsh.loss_ppm = 999999;
    harsh.ge_loss_bad_ppm = 1000000;
    struct wire a, b;
    struct prng ra, rb;
    prng_seed(&ra, 5);
    prng_seed(&rb, 5);
    wire_init(&a, &gentle);
    wire_init(&b, &harsh);
    for (int i = 0; i < 1000; i++) {
        wire_offer(&a, &ra, (uint64_t)i, 1000);
        wire_offer(&b, &rb, (uint64_t)i, 1000);
    }
    ck_assert_uint_ne(a.delivered, b.delivered);
    ck_assert_int_eq(memcmp(ra.s, rb.s, sizeof ra.s), 0);
    wire_free(&a);
    wire_free(&b);
}
END_TEST

START_TEST(wire_clone_is_independent)
{
    struct wire_params p = fast_link();
    struct wire w, copy;
    struct prng r;
    prng_seed(&r, 1);
    wire_init(&w, &p);
    /* Make the ring wrap: grow it, drain part of it, refill. */
    for (int i = 0; i < 20; i++)
        wire_offer(&w, &r, 0, FULL_ETHERNET_FRAME);
    uint64_t t = 15 * SER_1500_AT_100M;
    for (int i = 0; i < 25; i++)
        wire_offer(&w, &r, t, FULL_ETHERNET_FRAME);
    ck_assert(wire_clone(&copy, &w));
    for (uint64_t at = t; at <= 50 * SER_1500_AT_100M; at += SER_1500_AT_100M / 2)
        ck_assert_uint_eq(wire_queue_len(&copy, at), wire_queue_len(&w, at));
    ck_assert_uint_eq(copy.link_free_at, w.link_free_at);
    ck_assert_uint_eq(copy.offered, w.offered);

    /* Changing the copy leaves the original alone. */
    uint64_t before = w.link_free_at;
    wire_offer(&copy, &r, 60 * SER_1500_AT_100M, FULL_ETHERNET_FRAME);
    ck_assert_uint_eq(w.link_free_at, before);
    ck_assert_uint_eq(wire_queue_len(&w, 60 * SER_1500_AT_100M), 0);
    ck_assert_uint_eq(wire_queue_len(&copy, 60 * SER_1500_AT_100M), 1);
    wire_free(&w);
    wire_free(&copy);

    /* An empty wire clones too. */
    wire_init(&w, NULL);
    ck_assert(wire_clone(&copy, &w));
    ck_assert_uint_eq(copy.p.delay, 10000);
    wire_free(&w);
    wire_free(&copy);
}
END_TEST

START_TEST(wire_set_params_keeps_the_queue)
{
    struct wire_params p = fast_link();
    struct wire w;
    struct prng r;
    prng_seed(&r, 1);
    wire_init(&w, &p);
    wire_offer(&w, &r, 0, FULL_ETHERNET_FRAME);
    p.rate_bps = RATE_100_MBIT / 10;
    p.delay = 0;
    wire_set_params(&w, &p);
    ck_assert_uint_eq(wire_queue_len(&w, 0), 1);
    /* Waits for the first packet, then takes 10x longer. */
    ck_assert_uint_eq(wire_offer(&w, &r, 0, FULL_ETHERNET_FRAME).arrival,
                      SER_1500_AT_100M + 10 * SER_1500_AT_100M);
    wire_free(&w);
}
END_TEST

/* ============================================================== eventq == */

static struct eventq_item item_at_time(uint64_t time, uint32_t a)
{
    struct eventq_item it = { .time = time, .kind = 1, .a = a, .b = (uint64_t)a * 3 };
    return it;
}

START_TEST(eventq_empty)
{
    struct eventq q;
    eventq_init(&q);
    struct eventq_item out;
    ck_assert_ptr_null(eventq_peek(&q));
    ck_assert(!eventq_pop(&q, &out));
    ck_assert_uint_eq(eventq_len(&q), 0);
    ck_assert_ptr_null(eventq_item_at(&q, 0));
    eventq_free(&q);
}
END_TEST

START_TEST(eventq_ties_are_fifo)
{
    static const uint64_t times[] = { 5, 3, 5, 3, 5, 1 };
    static const uint32_t expected_a[] = { 5, 1, 3, 0, 2, 4 };
    struct eventq q;
    eventq_init(&q);
    for (uint32_t i = 0; i < 6; i++)
        ck_assert(eventq_push(&q, item_at_time(times[i], i)));
    ck_assert_uint_eq(eventq_len(&q), 6);
    ck_assert_uint_eq(eventq_peek(&q)->a, 5);
    for (int i = 0; i < 6; i++) {
        struct eventq_item out;
        ck_assert(eventq_pop(&q, &out));
        ck_assert_uint_eq(out.a, expected_a[i]);
        ck_assert_uint_eq(out.b, (uint64_t)out.a * 3);
        ck_assert_uint_eq(out.order, out.a);
    }
    ck_assert(!eventq_pop(&q, NULL));
    eventq_free(&q);
}
END_TEST

/* Pops must come out by time, and by push order among equal times. */
static void assert_drains_sorted(struct eventq *q, size_t expected_count, uint64_t expected_sum)
{
    struct eventq_item prev, cur;
    size_t count = 0;
    uint64_t sum = 0;
    while (eventq_pop(q, &cur)) {
        if (count > 0) {
            ck_assert_uint_ge(cur.time, prev.time);
            if (cur.time == prev.time)
                ck_assert_uint_gt(cur.order, prev.order);
        }
        sum += cur.a;
        prev = cur;
        count++;
    }
    ck_assert_uint_eq(count, expected_count);
    ck_assert_uint_eq(sum, expected_sum);
}

START_TEST(eventq_random_pushes_pop_sorted)
{
    enum { N = 10000 };
    struct eventq q;
    struct prng r;
    eventq_init(&q);
    prng_seed(&r, 123);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < N; i++) {
        /* A small time range makes plenty of ties. */
        ck_assert(eventq_push(&q, item_at_time(prng_below(&r, 100), i)));
        sum += i;
    }
    assert_drains_sorted(&q, N, sum);
    eventq_free(&q);
}
END_TEST

START_TEST(eventq_interleaved_push_pop)
{
    struct eventq q;
    struct prng r;
    eventq_init(&q);
    prng_seed(&r, 9);
    uint64_t now = 0;
    for (uint32_t i = 0; i < 5000; i++) {
        ck_assert(eventq_push(&q, item_at_time(now + prng_below(&r, 50), i)));
        if (i % 3 == 0) {
            struct eventq_item out;
            ck_assert(eventq_pop(&q, &out));
            ck_assert_uint_ge(out.time, now); /* time never goes backwards */
            now = out.time;
        }
    }
    ck_assert_uint_eq(eventq_len(&q), 5000 - 1667);
    eventq_free(&q);
}
END_TEST

START_TEST(eventq_clone_is_independent)
{
    struct eventq q, copy;
    struct prng r;
    eventq_init(&q);
    prng_seed(&r, 4);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < 300; i++) {
        eventq_push(&q, item_at_time(prng_below(&r, 30), i));
        sum += i;
    }
    ck_assert(eventq_clone(&copy, &q));
    ck_assert_uint_eq(eventq_len(&copy), 300);

    /* Drain the copy: the original keeps everything. */
    assert_drains_sorted(&copy, 300, sum);
    ck_assert_uint_eq(eventq_len(&q), 300);

    /* The push counter is part of the snapshot: a push after the clone gets
     * the same order number in both. */
    ck_assert(eventq_push(&copy, item_at_time(0, 1000)));
    ck_assert(eventq_push(&q, item_at_time(0, 2000)));
    ck_assert_uint_eq(eventq_peek(&copy)->order, 300);
    const struct eventq_item *pushed = NULL;
    for (size_t i = 0; i < eventq_len(&q); i++) {
        if (eventq_item_at(&q, i)->a == 2000)
            pushed = eventq_item_at(&q, i);
    }
    ck_assert_ptr_nonnull(pushed);
    ck_assert_uint_eq(pushed->order, 300);
    ck_assert_uint_eq(eventq_len(&copy), 1);
    assert_drains_sorted(&q, 301, sum + 2000);
    eventq_free(&q);
    eventq_free(&copy);

    /* An empty queue clones to an empty queue. */
    eventq_init(&q);
    ck_assert(eventq_clone(&copy, &q));
    ck_assert_uint_eq(eventq_len(&copy), 0);
    eventq_free(&q);
    eventq_free(&copy);
}
END_TEST

static bool a_is_odd(const struct eventq_item *item, void *ctx)
{
    unsigned *calls = ctx;
    (*calls)++;
    return item->a % 2 == 1;
}

START_TEST(eventq_remove_if_keeps_order)
{
    struct eventq q;
    struct prng r;
    eventq_init(&q);
    prng_seed(&r, 6);
    uint64_t even_sum = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        eventq_push(&q, item_at_time(prng_below(&r, 20), i));
        if (i % 2 == 0)
            even_sum += i;
    }
    unsigned calls = 0;
    ck_assert_uint_eq(eventq_remove_if(&q, a_is_odd, &calls), 500);
    ck_assert_uint_eq(calls, 1000);
    for (size_t i = 0; i < eventq_len(&q); i++)
        ck_assert_uint_eq(eventq_item_at(&q, i)->a % 2, 0);
    assert_drains_sorted(&q, 500, even_sum);
    eventq_free(&q);
}
END_TEST

/* ================================================================ main == */

/* ---- stream digest ---- */

/* The definition in sim/stream_digest.h, written as plainly as possible
 * and sharing no code with the implementation: bytes assembled into
 * little-endian words one at a time, the last block zero-padded, the fold
 * in halves. */
static uint64_t ref_mix(uint64_t h, uint64_t w)
{
    h ^= w;
    h = (h << 31) | (h >> 33);
    return h * 0x100000001b3ull;
}

static uint64_t ref_digest(const uint8_t *p, size_t n)
{
    const uint64_t basis = 0xcbf29ce484222325ull;
    uint64_t lane[32];
    for (unsigned i = 0; i < 32; i++)
        lane[i] = basis + i;
    for (size_t start = 0; start < n; start += 256) {
        for (unsigned i = 0; i < 32; i++) {
            uint64_t w = 0;
            for (unsigned k = 0; k < 8; k++) {
                size_t at = start + 8 * i + k;
                w |= (uint64_t)(at < n ? p[at] : 0) << (8 * k);
            }
            lane[i] = ref_mix(lane[i], w);
        }
    }
    for (unsigned k = 16; k > 0; k /= 2)
        for (unsigned i = 0; i < k; i++)
            lane[i] = ref_mix(lane[i], lane[i + k]);
    return ref_mix(ref_mix(basis, lane[0]), (uint64_t)n);
}

/* Each digest test runs twice: _i = 0 with the vector loop where the CPU
 * has one, _i = 1 with the scalar loop; both must give the definition's
 * values. */
static void digest_path(int i)
{
    stream_digest_allow_simd(i == 0);
}

static void digest_path_reset(void)
{
    stream_digest_allow_simd(true);
}

/* Known answers, computed independently (a few lines of Python following
 * the definition in sim/stream_digest.h), and checked against ref_digest
 * too so that the reference itself is pinned down. */
START_TEST(digest_known_vectors)
{
    digest_path(_i);
    uint8_t hundred[100], thousand[1000];
    for (size_t i = 0; i < sizeof hundred; i++)
        hundred[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof thousand; i++)
        thousand[i] = (uint8_t)i;
    const struct {
        const uint8_t *p;
        size_t n;
        uint64_t want;
    } kat[] = {
        { NULL, 0, 0xebf841249e624e28ull },
        { (const uint8_t *)"a", 1, 0x98224109f64f1a01ull },
        { (const uint8_t *)"foobar", 6, 0x864f8b324b6bedd8ull },
        { (const uint8_t *)"0123456789abcdef!", 17, 0x12b1917e8563c378ull },
        { hundred, sizeof hundred, 0x2890c96ec96ea1afull },
        /* Three full blocks and a partial one: the lanes are exercised. */
        { thousand, sizeof thousand, 0x5157a99f3c105a7cull },
    };
    for (size_t k = 0; k < sizeof kat / sizeof kat[0]; k++) {
        ck_assert_uint_eq(stream_digest_of(kat[k].p, kat[k].n), kat[k].want);
        ck_assert_uint_eq(ref_digest(kat[k].p, kat[k].n), kat[k].want);
    }
    digest_path_reset();
}
END_TEST

/* Every length up to a few blocks, in one update, in random pieces and
 * through stream_digest_copy (whose copy must be exact), against the
 * reference. */
START_TEST(digest_matches_the_definition)
{
    digest_path(_i);
    enum { MAX = 1100 };
    static uint8_t msg[MAX], dst[MAX];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < MAX; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        msg[i] = (uint8_t)(x >> 56);
    }
    for (size_t n = 0; n <= MAX; n++) {
        uint64_t want = ref_digest(msg, n);
        ck_assert_uint_eq(stream_digest_of(msg, n), want);
        struct stream_digest upd, cpy;
        stream_digest_init(&upd);
        stream_digest_init(&cpy);
        memset(dst, 0, sizeof dst);
        for (size_t at = 0; at < n;) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            size_t piece = (size_t)(x >> 33) % 600 + 1;
            if (piece > n - at)
                piece = n - at;
            stream_digest_update(&upd, msg + at, piece);
            stream_digest_copy(&cpy, dst + at, msg + at, piece);
            at += piece;
        }
        ck_assert_uint_eq(stream_digest_value(&upd), want);
        ck_assert_uint_eq(stream_digest_value(&cpy), want);
        ck_assert_int_eq(memcmp(dst, msg, n), 0);
    }
    digest_path_reset();
}
END_TEST

/* However the stream is cut into updates, the digest is the same. */
START_TEST(digest_chunking_does_not_matter)
{
    digest_path(_i);
    uint8_t msg[600]; /* spans two 256-byte blocks and part of a third */
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 37 + 11);
    uint64_t whole = stream_digest_of(msg, sizeof msg);
    for (size_t a = 0; a <= sizeof msg; a += 5) {
        for (size_t b = a; b <= sizeof msg; b += 7) {
            struct stream_digest d;
            stream_digest_init(&d);
            stream_digest_update(&d, msg, a);
            stream_digest_update(&d, msg + a, b - a);
            ck_assert_uint_eq(stream_digest_value(&d), stream_digest_of(msg, b)); /* value keeps state */
            stream_digest_update(&d, msg + b, sizeof msg - b);
            ck_assert_uint_eq(stream_digest_value(&d), whole);
        }
    }
    digest_path_reset();
}
END_TEST

/* Any single flipped bit, a dropped byte, a duplicated byte or swapped
 * neighbours change the digest, in whole blocks and in the last, partial
 * one. */
START_TEST(digest_tells_streams_apart)
{
    digest_path(_i);
    uint8_t msg[600], other[601]; /* two full blocks and a partial one */
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 13 + 5);
    uint64_t h = stream_digest_of(msg, sizeof msg);
    for (size_t bit = 0; bit < 8 * sizeof msg; bit++) {
        memcpy(other, msg, sizeof msg);
        other[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_uint_ne(stream_digest_of(other, sizeof msg), h);
    }
    for (size_t i = 0; i < sizeof msg; i++) {
        memcpy(other, msg, i);
        memcpy(other + i, msg + i + 1, sizeof msg - i - 1);
        ck_assert_uint_ne(stream_digest_of(other, sizeof msg - 1), h); /* dropped */
        memcpy(other, msg, i + 1);
        memcpy(other + i + 1, msg + i, sizeof msg - i);
        ck_assert_uint_ne(stream_digest_of(other, sizeof msg + 1), h); /* duplicated */
    }
    for (size_t i = 0; i + 1 < sizeof msg; i++) {
        memcpy(other, msg, sizeof msg);
        other[i] = msg[i + 1];
        other[i + 1] = msg[i];
        ck_assert_uint_ne(stream_digest_of(other, sizeof msg), h);
    }
    /* A zero byte appended is not the same stream (the padding is zeros). */
    memcpy(other, msg, sizeof msg);
    other[sizeof msg] = 0;
    ck_assert_uint_ne(stream_digest_of(other, sizeof msg + 1), h);
    digest_path_reset();
}
END_TEST

static Suite *primitives_suite(void)
{
    Suite *s = suite_create("world primitives");

    TCase *prng = tcase_create("prng");
    tcase_add_test(prng, prng_same_seed_gives_same_stream);
    tcase_add_test(prng, prng_different_seeds_differ);
    tcase_add_test(prng, prng_seeding_is_standard_splitmix64);
    tcase_add_test(prng, prng_u32_is_the_high_half);
    tcase_add_test(prng, prng_below_stays_in_bounds);
    tcase_add_test(prng, prng_below_is_uniform);
    tcase_add_test(prng, prng_chance_ppm_extremes_and_rate);
    suite_add_tcase(s, prng);

    TCase *digest = tcase_create("stream digest");
    tcase_add_loop_test(digest, digest_known_vectors, 0, 2);
    tcase_add_loop_test(digest, digest_matches_the_definition, 0, 2);
    tcase_add_loop_test(digest, digest_chunking_does_not_matter, 0, 2);
    tcase_add_loop_test(digest, digest_tells_streams_apart, 0, 2);
    suite_add_tcase(s, digest);

    TCase *wire = tcase_create("wire");
    tcase_set_timeout(wire, 30);
    tcase_add_test(wire, wire_defaults_are_10ms_and_clean);
    tcase_add_test(wire, wire_serialises_1500_bytes_at_100mbit_in_120us);
    tcase_add_test(wire, wire_back_to_back_packets_queue);
    tcase_add_test(wire, wire_serialisation_rounds_up);
    tcase_add_test(wire, wire_infinite_rate_never_queues);
    tcase_add_test(wire, wire_queue_limit_drops_the_tail);
    tcase_add_test(wire, wire_queue_drains_over_time);
    tcase_add_test(wire, wire_independent_loss_rate);
    tcase_add_test(wire, wire_gilbert_elliott_bursts);
    tcase_add_test(wire, wire_gilbert_good_state_loss_is_plain_loss);
    tcase_add_test(wire, wire_gilbert_steps_even_when_loss_struck);
    tcase_add_test(wire, wire_duplicate_reorder_corrupt_fields);
    tcase_add_test(wire, wire_duplicate_on_infinite_rate_trails_by_1us);
    tcase_add_test(wire, wire_lost_packets_carry_no_impairments);
    tcase_add_test(wire, wire_empty_packet_is_never_corrupted);
    tcase_add_test(wire, wire_same_seed_same_fates);
    tcase_add_test(wire, wire_draws_do_not_depend_on_fate);
    tcase_add_test(wire, wire_clone_is_independent);
    tcase_add_test(wire, wire_set_params_keeps_the_queue);
    suite_add_tcase(s, wire);

    TCase *eventq = tcase_create("eventq");
    tcase_add_test(eventq, eventq_empty);
    tcase_add_test(eventq, eventq_ties_are_fifo);
    tcase_add_test(eventq, eventq_random_pushes_pop_sorted);
    tcase_add_test(eventq, eventq_interleaved_push_pop);
    tcase_add_test(eventq, eventq_clone_is_independent);
    tcase_add_test(eventq, eventq_remove_if_keeps_order);
    suite_add_tcase(s, eventq);

    return s;
}

int main(void)
{
    return check_main_run(primitives_suite());
}
