/* The integrity property (issue 3): whatever the network does to the
 * segments -- independent or bursty loss up to 30%, duplication,
 * reordering, corruption, a slow bottleneck with a small queue -- and
 * whatever the endpoints are set to -- small buffers, a slow reader, any
 * congestion control, SACK, timestamps, Nagle, delayed ACK -- the bytes an
 * application reads are a prefix of the bytes its peer wrote, in order,
 * and they are all of them unless the connection reported an error.
 * Never silent loss, duplication or corruption.
 *
 * Each seed is turned into a scenario text by a small generator of its own
 * (splitmix64, not the world's PRNG, so that changing the world's random
 * draws cannot change which scenarios are tested).  The world runs the text
 * exactly as `tcpviz --batch` would, so a failing seed prints a file that
 * replays the failure.
 *
 * Seeds 1..1000 run in `make check`; INTEGRITY_SEEDS=N changes the count
 * (`make soak` runs 20000) and INTEGRITY_FIRST=K starts at seed K, so
 *   INTEGRITY_FIRST=123 INTEGRITY_SEEDS=1 ./tests/check_integrity
 * replays seed 123 alone. */
#include <check.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/scenario_parse.h"
#include "sim/scenario.h"
#include "sim/world.h"
#include "tcp/event.h"
#include "tcp/stack.h"

#include "check_main.h"
#include "pattern_digest.h"

#define DEFAULT_SEEDS 1000u
#define SEEDS_PER_CHUNK 100u
/* Virtual time a run may take.  A connection that is alive but slow (30%
 * loss, a window too small for fast retransmit, and lost ACKs that make
 * timestamp RTT samples -- and so the RTO -- huge, RFC 7323 4) can need
 * several minutes; a longer run costs nothing once both ends are done. */
#define RUN_DURATION "3600s"
#define TRANSFER_MAX 200000u
#define SCENARIO_TEXT_MAX 4096
#define HOST_A 0
#define HOST_B 1

/* ============================================================ generator == */

/* splitmix64 (Steele, Lea, Flood 2014): a tiny generator whose every seed
 * gives a good stream, which is all a scenario generator needs. */
struct gen {
    uint64_t state;
};

static uint64_t gen_next(struct gen *g)
{
    uint64_t z = (g->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (the tiny modulo bias does not matter here). */
static uint64_t gen_range(struct gen *g, uint64_t lo, uint64_t hi)
{
    return lo + gen_next(g) % (hi - lo + 1);
}

/* True with probability percent / 100. */
static bool gen_chance(struct gen *g, unsigned percent)
{
    return gen_next(g) % 100 < percent;
}

/* A text being built; overflowing it is a bug of the generator. */
struct text {
    char buf[SCENARIO_TEXT_MAX];
    size_t len;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    ck_assert_msg(n >= 0 && (size_t)n < sizeof t->buf - t->len, "scenario text too long");
    t->len += (size_t)n;
}

/* A percentage with up to two decimals, from hundredths of a percent. */
static void put_percent(struct text *t, const char *key, uint64_t hundredths)
{
    put(t, " %s=%" PRIu64 ".%02" PRIu64 "%%", key, hundredths / 100, hundredths % 100);
}

static void put_host(struct gen *g, struct text *t, const char *name, const char *addr)
{
    static const char *const algos[] = { "tahoe", "reno", "newreno", "cubic" };
    static const char *const delacks[] = { "off", "40ms", "200ms" };
    put(t, "host %s %s cc=%s", name, addr, algos[gen_range(g, 0, 3)]);
    put(t, " sack=%s", gen_chance(g, 50) ? "on" : "off");
    put(t, " timestamps=%s", gen_chance(g, 50) ? "on" : "off");
    put(t, " nagle=%s", gen_chance(g, 50) ? "on" : "off");
    put(t, " delack=%s", delacks[gen_range(g, 0, 2)]);
    if (gen_chance(g, 30))
        put(t, " wscale=%" PRIu64, gen_range(g, 0, 7));
    if (gen_chance(g, 30)) /* small buffers: 2 to 64 KiB */
        put(t, " sndbuf=%" PRIu64 "KiB rcvbuf=%" PRIu64 "KiB", gen_range(g, 2, 64),
            gen_range(g, 2, 64));
    if (gen_chance(g, 20))
        put(t, " iw=%" PRIu64, gen_range(g, 1, 10));
    /* Persistent enough that 30% loss each way nearly always gets through,
     * with the backoff capped so that giving up does not take hours; a
     * short MSL so that TIME_WAIT does not either. */
    put(t, " retries=30 syn_retries=30 synack_retries=30 rto_max=10s msl=1s\n");
}

static void put_link(struct gen *g, struct text *t, const char *ends)
{
    put(t, "link %s delay=%" PRIu64 "ms", ends, gen_range(g, 1, 50));
    unsigned loss_kind = (unsigned)gen_range(g, 0, 2);
    if (loss_kind == 1) {
        put_percent(t, "loss", gen_range(g, 0, 3000)); /* 0-30% independent */
    } else if (loss_kind == 2) {
        /* Gilbert-Elliott: bad spells that lose most packets.  The chain
         * moves per packet, so a spell lasts 1/ge_bg packets however far
         * apart they are (a backed-off RTO apart, say): keep spells short
         * (1.4 to 3.3 packets on average) and a fifth of the time or less. */
        put_percent(t, "ge_gb", gen_range(g, 50, 500));
        put_percent(t, "ge_bg", gen_range(g, 3000, 7000));
        put_percent(t, "ge_loss_good", gen_range(g, 0, 100));
        put_percent(t, "ge_loss_bad", gen_range(g, 5000, 10000));
    }
    if (gen_chance(g, 30))
        put_percent(t, "dup", gen_range(g, 1, 500));
    if (gen_chance(g, 30)) {
        put_percent(t, "reorder", gen_range(g, 1, 1000));
        put(t, " reorder_delay=%" PRIu64 "ms", gen_range(g, 1, 30));
    }
    if (gen_chance(g, 30))
        put_percent(t, "corrupt", gen_range(g, 1, 500));
    if (gen_chance(g, 30))
        put(t, " rate=%" PRIu64 "Mbit queue=%" PRIu64, gen_range(g, 1, 50), gen_range(g, 2, 50));
    put(t, "\n");
}

/* What one host's app does: write `bytes` (0 = nothing) then shut down
 * its side; read slowly if asked; close once the peer's data has ended.
 * The shutdown waits for the writes (scenario-format.md, Actions). */
static void put_app(struct gen *g, struct text *t, const char *name, const char *when,
                    uint64_t bytes)
{
    if (gen_chance(g, 20))
        put(t, "at 0s %s read %" PRIu64 " every=%" PRIu64 "ms\n", name, gen_range(g, 512, 8192),
            gen_range(g, 5, 50));
    if (bytes) {
        put(t, "%s %s send %" PRIu64 "\n", when, name, bytes);
        put(t, "%s %s shutdown\n", when, name);
    }
    put(t, "on %s eof do %s close\n", name, name);
}

struct plan {
    uint64_t bytes[2];  /* what each host writes */
};

static void generate(uint64_t seed, struct text *t, struct plan *plan)
{
    struct gen g = { seed };
    t->len = 0;
    put(t, "title \"integrity seed %" PRIu64 "\"\n", seed);
    put(t, "duration %s\nseed %" PRIu64 "\n", RUN_DURATION, seed);
    put_host(&g, t, "a", "10.0.0.1");
    put_host(&g, t, "b", "10.0.0.2");
    put_link(&g, t, "a->b");
    put_link(&g, t, "b->a");
    plan->bytes[HOST_A] = gen_range(&g, 1, TRANSFER_MAX);
    plan->bytes[HOST_B] = gen_chance(&g, 25) ? gen_range(&g, 1, TRANSFER_MAX) : 0;
    put(t, "at 0s b listen 80\nat 0s a connect b:80\n");
    put_app(&g, t, "a", "at 0s", plan->bytes[HOST_A]);
    /* The server writes once it has a connection to write on. */
    put_app(&g, t, "b", "on b state=ESTABLISHED do", plan->bytes[HOST_B]);
}

/* ============================================================= property == */

/* Whether either host's connection reported an error (EV_ERROR), which is
 * the only excuse for a receiver to have read less than was written. */
static bool connection_reported_error(const struct world *w)
{
    const struct trace_entry *tr = world_trace(w);
    for (size_t i = 0; i < world_trace_len(w); i++)
        if (tr[i].ev.kind == EV_ERROR)
            return true;
    return false;
}

/* One direction of the transfer: what `from` wrote and `to` read.
 * Returns NULL when the property holds, else what went wrong. */
static const char *check_direction(const struct world *w, int from, int to, uint64_t planned,
                                   bool error, char *why, size_t whylen)
{
    const struct host_app_stats *tx = world_host_app(w, from);
    const struct host_app_stats *rx = world_host_app(w, to);
    if (tx->bytes_written > planned)
        snprintf(why, whylen, "wrote %" PRIu64 " bytes, more than the %" PRIu64 " planned",
                 tx->bytes_written, planned);
    else if (tx->digest_written != pattern_digest(from, tx->bytes_written))
        snprintf(why, whylen, "the writer's bytes are not its pattern");
    else if (rx->bytes_read > tx->bytes_written)
        snprintf(why, whylen, "read %" PRIu64 " bytes but only %" PRIu64 " were written (duplication)",
                 rx->bytes_read, tx->bytes_written);
    else if (rx->digest_read != pattern_digest(from, rx->bytes_read))
        snprintf(why, whylen, "the %" PRIu64 " bytes read are not the first bytes written "
                 "(corruption or reordering)", rx->bytes_read);
    else if (rx->bytes_read != tx->bytes_written && !error)
        snprintf(why, whylen, "read %" PRIu64 " of %" PRIu64 " bytes written and no error was "
                 "reported (silent loss, or the run ended too soon)",
                 rx->bytes_read, tx->bytes_written);
    else
        return NULL;
    return why;
}

/* Run one seed; on failure print the seed, what went wrong and the
 * scenario, and return false. */
static bool run_seed(uint64_t seed)
{
    struct text t;
    struct plan plan;
    generate(seed, &t, &plan);
    struct scenario s;
    char err[256] = "";
    ck_assert_msg(scenario_parse_string("integrity.scn", t.buf, &s, err, sizeof err) == 0,
                  "seed %" PRIu64 ": generated scenario does not parse: %s\n%s", seed, err, t.buf);
    struct world *w = world_new(&s, seed);
    ck_assert_ptr_nonnull(w);
    world_run(w);
    bool error = connection_reported_error(w);
    char why[2][256];
    const char *bad[2] = {
        check_direction(w, HOST_A, HOST_B, plan.bytes[HOST_A], error, why[0], sizeof why[0]),
        check_direction(w, HOST_B, HOST_A, plan.bytes[HOST_B], error, why[1], sizeof why[1]),
    };
    world_free(w);
    scenario_free(&s);
    if (!bad[0] && !bad[1])
        return true;
    fprintf(stderr, "integrity: seed %" PRIu64 ": %s%s%s%s\n", seed,
            bad[0] ? "a->b: " : "", bad[0] ? bad[0] : "", bad[1] ? " b->a: " : "",
            bad[1] ? bad[1] : "");
    fprintf(stderr, "---- replay: save as seed%" PRIu64 ".scn, run tcpviz --batch seed%" PRIu64
            ".scn ----\n%s----\n", seed, seed, t.buf);
    return false;
}

/* =============================================================== suite == */

static uint64_t env_number(const char *name, uint64_t fallback)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    return *end == '\0' ? (uint64_t)n : fallback;
}

static uint64_t first_seed(void)
{
    return env_number("INTEGRITY_FIRST", 1);
}

static uint64_t seed_count(void)
{
    return env_number("INTEGRITY_SEEDS", DEFAULT_SEEDS);
}

/* Chunk _i runs SEEDS_PER_CHUNK seeds, every one of them even after a
 * failure, so one run reports every failing seed in its range. */
START_TEST(bytes_read_are_the_bytes_written_or_an_error)
{
    uint64_t first = first_seed() + (uint64_t)_i * SEEDS_PER_CHUNK;
    uint64_t end = first_seed() + seed_count();
    unsigned failed = 0;
    for (uint64_t seed = first; seed < end && seed < first + SEEDS_PER_CHUNK; seed++)
        failed += !run_seed(seed);
    ck_assert_msg(failed == 0, "%u seeds from %" PRIu64 " broke the integrity property "
                  "(each is printed above with its scenario)", failed, first);
}
END_TEST

/* The generator is deterministic and its scenarios always parse. */
START_TEST(generator_is_deterministic)
{
    struct text a, b;
    struct plan pa, pb;
    generate(42, &a, &pa);
    generate(42, &b, &pb);
    ck_assert_str_eq(a.buf, b.buf);
    ck_assert_uint_eq(pa.bytes[0], pb.bytes[0]);
    generate(43, &b, &pb);
    ck_assert_str_ne(a.buf, b.buf);
    for (uint64_t seed = 1; seed <= 200; seed++) {
        struct scenario s;
        char err[256] = "";
        generate(seed, &a, &pa);
        ck_assert_msg(scenario_parse_string("g.scn", a.buf, &s, err, sizeof err) == 0,
                      "seed %" PRIu64 ": %s\n%s", seed, err, a.buf);
        ck_assert_uint_ge(pa.bytes[HOST_A], 1);
        ck_assert_uint_le(pa.bytes[HOST_A], TRANSFER_MAX);
        scenario_free(&s);
    }
}
END_TEST

static Suite *integrity_suite(void)
{
    Suite *s = suite_create("integrity");
    TCase *gen = tcase_create("generator");
    tcase_add_test(gen, generator_is_deterministic);
    suite_add_tcase(s, gen);

    TCase *prop = tcase_create("property");
    /* A chunk takes well under a second on a 2-core machine; the margin is
     * for sanitizer and valgrind builds. */
    tcase_set_timeout(prop, 600);
    uint64_t chunks = (seed_count() + SEEDS_PER_CHUNK - 1) / SEEDS_PER_CHUNK;
    tcase_add_loop_test(prop, bytes_read_are_the_bytes_written_or_an_error, 0, (int)chunks);
    suite_add_tcase(s, prop);
    return s;
}

int main(void)
{
    return check_main_run(integrity_suite());
}
