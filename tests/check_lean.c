/* Tests of the lean world (world_new_with): a world that neither records
 * its trace nor keeps its packets must still run exactly the same
 * simulation, hand every event to on_event, and keep each packet's bytes
 * exactly as long as a delivery of it is pending.  Also the in-flight store
 * itself (world_lean.c), driven directly. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/text.h"
#include "lesson/scenario_parse.h"
#include "sim/world.h"
#include "sim/world_internal.h"
#include "tcp/segment.h"

#include "check_main.h"
#include "pattern_digest.h"

#define CLIENT 0
#define SERVER 1
#define BULK_BYTES 300000u

/* A transfer through every impairment the world implements (loss, queue
 * overflow, duplication, reordering, wire and fault corruption, fault
 * drops and delays), then a crash that makes later segments arrive at a
 * host that is down.  Each of them takes a different path through the
 * packet store. */
static const char impaired_text[] =
    "title \"lean vs full\"\n"
    "duration 90s\n"
    "seed 5\n"
    "host client 10.0.0.1 isn=1000 sndbuf=32KiB retries=4\n"
    "host server 10.0.0.2 isn=5000 rcvbuf=16KiB\n"
    "link client->server delay=10ms rate=10Mbit queue=8 loss=3% dup=2% reorder=3%"
    " reorder_delay=5ms corrupt=2%\n"
    "link server->client delay=10ms loss=2% dup=1% corrupt=1%\n"
    "fault drop from=client data=yes nth=7\n"
    "fault dup from=server flags=ACK nth=3\n"
    "fault corrupt from=client data=yes nth=11\n"
    "fault delay from=client data=yes nth=13 by=30ms\n"
    "at 0s server listen 80\n"
    "at 0s client connect server:80\n"
    "on client state=ESTABLISHED do client send 300000\n"
    "at 40s server crash\n"
    "at 41s client send 5000\n"
    "at end expect server bytes_read=300000\n";

/* A clean transfer that is over long before the run ends: nothing is in
 * flight at the end. */
static const char clean_text[] =
    "title \"clean\"\n"
    "duration 60s\n"
    "host client 10.0.0.1 isn=1000\n"
    "host server 10.0.0.2 isn=5000\n"
    "link client->server delay=10ms rate=10Mbit queue=100\n"
    "link server->client delay=10ms\n"
    "at 0s server listen 80\n"
    "at 0s client connect server:80\n"
    "on client state=ESTABLISHED do client send 1000000\n";

static void parse(const char *text, struct scenario *s)
{
    char err[256];
    int rc = scenario_parse_string("test.scn", text, s, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
}

/* ------------------------------------------------------- event lists == */

/* Events as text lines (with the packet id, which the text leaves out), so
 * that two runs compare without looking at struct padding. */
struct event_log {
    char **lines;
    size_t n, cap;
};

static char *event_line(const struct trace_entry *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    export_text_event_named(f, "h", e);
    bool seg = e->ev.kind == EV_SEG_OUT || e->ev.kind == EV_SEG_IN || e->ev.kind == EV_SEG_DROP;
    fprintf(f, "endpoint %u packet %u\n", (unsigned)e->ev.endpoint,
            seg ? (unsigned)e->ev.u.seg.packet : 0u);
    fclose(f);
    return buf;
}

static void log_event(void *ctx, const struct trace_entry *e)
{
    struct event_log *log = ctx;
    if (log->n == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 1024;
        log->lines = realloc(log->lines, log->cap * sizeof *log->lines);
        ck_assert_ptr_nonnull(log->lines);
    }
    log->lines[log->n++] = event_line(e);
}

static void log_free(struct event_log *log)
{
    for (size_t i = 0; i < log->n; i++)
        free(log->lines[i]);
    free(log->lines);
    memset(log, 0, sizeof *log);
}

static void assert_same_outcome(const struct world *a, const struct world *b)
{
    ck_assert_uint_eq(world_now(a), world_now(b));
    ck_assert_uint_eq(world_packet_count(a), world_packet_count(b));
    for (int h = CLIENT; h <= SERVER; h++) {
        const struct host_app_stats *x = world_host_app(a, h), *y = world_host_app(b, h);
        ck_assert_uint_eq(x->bytes_written, y->bytes_written);
        ck_assert_uint_eq(x->bytes_read, y->bytes_read);
        ck_assert_uint_eq(x->digest_written, y->digest_written);
        ck_assert_uint_eq(x->digest_read, y->digest_read);
        for (int r = 0; r < DROP_REASON_COUNT; r++)
            ck_assert_uint_eq(world_drops(a, h, (enum tcp_drop_reason)r),
                              world_drops(b, h, (enum tcp_drop_reason)r));
    }
    unsigned pa, fa, pb, fb;
    world_checkpoint_counts(a, &pa, &fa);
    world_checkpoint_counts(b, &pb, &fb);
    ck_assert_uint_eq(pa, pb);
    ck_assert_uint_eq(fa, fb);
}

/* ------------------------------------------------------------- tests == */

START_TEST(test_lean_world_sees_the_same_events_as_a_full_one)
{
    struct scenario s;
    parse(impaired_text, &s);
    struct world *full = world_new(&s, 5);
    ck_assert_ptr_nonnull(full);
    world_run(full);

    struct event_log log = { 0 };
    struct world_options opt = { .on_event = log_event, .ctx = &log };
    struct world *lean = world_new_with(&s, 5, &opt);
    ck_assert_ptr_nonnull(lean);
    world_run(lean);

    ck_assert_uint_eq(log.n, world_trace_len(full));
    ck_assert_uint_eq(world_event_count(lean), world_trace_len(full));
    for (size_t i = 0; i < log.n; i++) {
        char *want = event_line(&world_trace(full)[i]);
        ck_assert_msg(strcmp(want, log.lines[i]) == 0, "event %zu: %s vs %s", i, want,
                      log.lines[i]);
        free(want);
    }
    assert_same_outcome(full, lean);
    /* The scenario did exercise the odd paths. */
    ck_assert_uint_gt(world_drops(full, CLIENT, DROP_QUEUE_FULL), 0);
    ck_assert_uint_gt(world_drops(full, CLIENT, DROP_FAULT), 0);
    ck_assert_uint_gt(world_drops(full, SERVER, DROP_HOST_DOWN), 0);
    ck_assert_uint_gt(world_host_app(full, SERVER)->bytes_read, 0);
    log_free(&log);
    world_free(full);
    world_free(lean);
    scenario_free(&s);
}
END_TEST

START_TEST(test_full_world_calls_on_event_for_every_trace_entry)
{
    struct scenario s;
    parse(impaired_text, &s);
    struct event_log log = { 0 };
    struct world_options opt;
    world_options_default(&opt);
    opt.on_event = log_event;
    opt.ctx = &log;
    struct world *w = world_new_with(&s, 5, &opt);
    ck_assert_ptr_nonnull(w);
    world_run(w);
    ck_assert_uint_eq(log.n, world_trace_len(w));
    ck_assert_uint_eq(world_event_count(w), world_trace_len(w));
    for (size_t i = 0; i < log.n; i++) {
        char *want = event_line(&world_trace(w)[i]);
        ck_assert_str_eq(want, log.lines[i]);
        free(want);
    }
    /* Recording everything keeps seeking. */
    ck_assert(world_seek(w, log.n / 2));
    log_free(&log);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* The clean transfer run to its end in a world that records no trace and
 * keeps no packets; the caller frees the world and the scenario. */
static struct world *run_clean_lean(struct scenario *s)
{
    parse(clean_text, s);
    struct world_options opt = { .record_trace = false, .keep_packets = false };
    struct world *w = world_new_with(s, 1, &opt);
    ck_assert_ptr_nonnull(w);
    world_run(w);
    return w;
}

START_TEST(test_lean_world_keeps_no_trace_and_cannot_seek)
{
    struct scenario s;
    struct world *w = run_clean_lean(&s);
    ck_assert_uint_eq(world_trace_len(w), 0);
    ck_assert_uint_gt(world_event_count(w), 1000);
    ck_assert(!world_seek(w, 0));
    ck_assert_uint_eq(world_host_app(w, SERVER)->bytes_read, 1000000);
    /* Nothing is in flight at the end, so no packet's bytes are kept. */
    ck_assert_uint_gt(world_packet_count(w), 1000);
    for (uint32_t id = 0; id < world_packet_count(w); id++)
        ck_assert_ptr_null(world_packet(w, id, NULL));
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* A trace without packets is allowed, and gives the same trace; seeking
 * would need the packets, so it is refused. */
START_TEST(test_trace_without_packets_records_the_same_trace)
{
    struct scenario s;
    parse(impaired_text, &s);
    struct world *full = world_new(&s, 5);
    struct world_options opt = { .record_trace = true, .keep_packets = false };
    struct world *w = world_new_with(&s, 5, &opt);
    ck_assert_ptr_nonnull(full);
    ck_assert_ptr_nonnull(w);
    world_run(full);
    world_run(w);
    ck_assert_uint_eq(world_trace_len(w), world_trace_len(full));
    for (size_t i = 0; i < world_trace_len(w); i++) {
        char *a = event_line(&world_trace(full)[i]);
        char *b = event_line(&world_trace(w)[i]);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
    }
    assert_same_outcome(full, w);
    ck_assert(!world_seek(w, 10));
    world_free(full);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* The client's first data segment, to look its bytes up while it flies. */
struct sent_watch {
    uint32_t first_data_id;
    size_t first_data_len;
    bool seen;
};

static void watch_sent(void *ctx, const struct trace_entry *e)
{
    struct sent_watch *sw = ctx;
    if (!sw->seen && e->ev.kind == EV_SEG_OUT && e->ev.endpoint == CLIENT &&
        e->ev.u.seg.len > 0) {
        sw->first_data_id = e->ev.u.seg.packet;
        sw->first_data_len = IPV4_HEADER_LEN + TCP_HEADER_MIN_LEN + e->ev.u.seg.len;
        sw->seen = true;
    }
}

START_TEST(test_lean_world_keeps_bytes_while_in_flight)
{
    struct scenario s;
    parse(clean_text, &s);
    struct sent_watch sw = { 0 };
    struct world_options opt = { .on_event = watch_sent, .ctx = &sw };
    struct world *w = world_new_with(&s, 1, &opt);
    ck_assert_ptr_nonnull(w);
    while (!sw.seen && world_step(w))
        ;
    ck_assert(sw.seen);
    /* Emitted in this step, delivered 10 ms later at the earliest. */
    size_t len = 0;
    const uint8_t *pkt = world_packet(w, sw.first_data_id, &len);
    ck_assert_ptr_nonnull(pkt);
    ck_assert_uint_eq(len, sw.first_data_len);
    struct tcp_segment seg;
    ck_assert_int_eq(tcp_segment_decode(pkt, len, &seg), SEG_OK);
    ck_assert_uint_eq(seg.payload[0], world_pattern_byte(0, CLIENT));
    ck_assert(!world_packet_is_copy(w, sw.first_data_id));
    uint32_t first = sw.first_data_id;
    /* Once the server has it, the world lets it go. */
    while (world_host_app(w, SERVER)->bytes_read == 0 && world_step(w))
        ;
    ck_assert_ptr_null(world_packet(w, first, NULL));
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* The bulk sender's bytes come from a table of one pattern period; the
 * digest of what was written and read must be the digest of the pattern,
 * across chunks that start at every offset modulo the period. */
START_TEST(test_bulk_send_writes_the_pattern)
{
    struct scenario s;
    struct world *w = run_clean_lean(&s);
    uint64_t digest = pattern_digest(CLIENT, 1000000);
    ck_assert_uint_eq(world_host_app(w, CLIENT)->digest_written, digest);
    ck_assert_uint_eq(world_host_app(w, SERVER)->digest_read, digest);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* ------------------------------------------------------- the store == */

static struct world *lean_world(struct scenario *s)
{
    parse(clean_text, s);
    struct world_options opt = { .record_trace = false, .keep_packets = false };
    struct world *w = world_new_with(s, 1, &opt);
    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_nonnull(w->lean);
    return w;
}

START_TEST(test_store_frees_after_the_last_delivery)
{
    struct scenario s;
    struct world *w = lean_world(&s);
    const uint8_t bytes[] = { 1, 2, 3, 4, 5 };
    uint32_t dup = world_lean_store(w, bytes, sizeof bytes, false);
    uint32_t dropped = world_lean_store(w, bytes, 3, true);
    ck_assert_uint_ne(dup, WORLD_NO_PACKET);
    world_lean_hold(w->lean, dup);
    world_lean_hold(w->lean, dup); /* delivered twice (duplicated) */
    /* Released before the step ends: the packet was stored in this step,
     * so it stays until the sweep even though nothing holds it. */
    size_t len = 0;
    bool copy = true;
    ck_assert_ptr_nonnull(world_lean_packet(w->lean, dropped, &len, &copy));
    ck_assert_uint_eq(len, 3);
    ck_assert(copy);
    world_lean_sweep(w->lean);
    ck_assert_ptr_null(world_lean_packet(w->lean, dropped, NULL, NULL));
    const uint8_t *p = world_lean_packet(w->lean, dup, &len, &copy);
    ck_assert_ptr_nonnull(p);
    ck_assert_mem_eq(p, bytes, sizeof bytes);
    ck_assert(!copy);
    world_lean_release(w->lean, dup);
    ck_assert_ptr_nonnull(world_lean_packet(w->lean, dup, NULL, NULL));
    world_lean_release(w->lean, dup);
    ck_assert_ptr_null(world_lean_packet(w->lean, dup, NULL, NULL));
    ck_assert_uint_eq(world_lean_live(w->lean), 0);
    /* Releasing what is gone, or was never there, is harmless. */
    world_lean_release(w->lean, dup);
    world_lean_release(w->lean, 12345);
    world_lean_hold(w->lean, 12345);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* Many packets at once (the table grows), some long-lived while thousands
 * pass, released in a scrambled order: every lookup finds its own bytes. */
START_TEST(test_store_grows_and_finds_every_packet)
{
    enum { N = 5000 };
    struct scenario s;
    struct world *w = lean_world(&s);
    uint32_t ids[N];
    for (uint32_t i = 0; i < N; i++) {
        uint8_t b[8];
        for (int k = 0; k < 8; k++)
            b[k] = (uint8_t)(i * 7 + (uint32_t)k);
        /* Packet 17 is big (not from the recycled buffers). */
        size_t len = i == 17 ? 4000 : 8;
        uint8_t *big = calloc(len, 1);
        ck_assert_ptr_nonnull(big);
        memcpy(big, b, sizeof b);
        ids[i] = world_lean_store(w, big, len, false);
        free(big);
        ck_assert_uint_eq(ids[i], i);
        world_lean_hold(w->lean, ids[i]);
    }
    world_lean_sweep(w->lean);
    ck_assert_uint_eq(world_lean_live(w->lean), N);
    for (uint32_t step = 0; step < N; step++) {
        /* A permutation: N and the factor are coprime. */
        uint32_t i = (uint32_t)((uint64_t)step * 2654435761u % N);
        for (uint32_t probe = 0; probe < 3; probe++) {
            uint32_t j = (i + probe * 1237u) % N;
            size_t len = 0;
            const uint8_t *p = world_lean_packet(w->lean, ids[j], &len, NULL);
            if (p) {
                ck_assert_uint_eq(len, j == 17 ? 4000 : 8);
                ck_assert_uint_eq(p[7], (uint8_t)(j * 7 + 7));
            }
        }
        ck_assert_ptr_nonnull(world_lean_packet(w->lean, ids[i], NULL, NULL));
        world_lean_release(w->lean, ids[i]);
        ck_assert_ptr_null(world_lean_packet(w->lean, ids[i], NULL, NULL));
    }
    ck_assert_uint_eq(world_lean_live(w->lean), 0);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* During a run the store holds only what is in flight: far fewer packets
 * than the run sends, and none at the end. */
struct live_watch {
    const struct world *w;
    size_t max_live;
};

static void watch_live(void *ctx, const struct trace_entry *e)
{
    (void)e;
    struct live_watch *lw = ctx;
    size_t live = world_lean_live(lw->w->lean);
    if (live > lw->max_live)
        lw->max_live = live;
}

START_TEST(test_store_is_bounded_by_what_is_in_flight)
{
    struct scenario s;
    parse(clean_text, &s);
    struct live_watch lw = { 0 };
    struct world_options opt = { .on_event = watch_live, .ctx = &lw };
    struct world *w = world_new_with(&s, 1, &opt);
    ck_assert_ptr_nonnull(w);
    lw.w = w;
    world_run(w);
    ck_assert_uint_eq(world_host_app(w, SERVER)->bytes_read, 1000000);
    /* A 64 KiB window is about 45 segments, plus their ACKs. */
    ck_assert_uint_gt(lw.max_live, 0);
    ck_assert_uint_lt(lw.max_live, 200);
    ck_assert_uint_gt(world_packet_count(w), 1000);
    ck_assert_uint_eq(world_lean_live(w->lean), 0);
    world_free(w);
    scenario_free(&s);
}
END_TEST

static Suite *lean_suite(void)
{
    Suite *suite = suite_create("lean world");
    TCase *world = tcase_create("world");
    tcase_set_timeout(world, 60);
    tcase_add_test(world, test_lean_world_sees_the_same_events_as_a_full_one);
    tcase_add_test(world, test_full_world_calls_on_event_for_every_trace_entry);
    tcase_add_test(world, test_lean_world_keeps_no_trace_and_cannot_seek);
    tcase_add_test(world, test_trace_without_packets_records_the_same_trace);
    tcase_add_test(world, test_lean_world_keeps_bytes_while_in_flight);
    tcase_add_test(world, test_bulk_send_writes_the_pattern);
    suite_add_tcase(suite, world);
    TCase *store = tcase_create("in-flight store");
    tcase_add_test(store, test_store_frees_after_the_last_delivery);
    tcase_add_test(store, test_store_grows_and_finds_every_packet);
    tcase_add_test(store, test_store_is_bounded_by_what_is_in_flight);
    suite_add_tcase(suite, store);
    return suite;
}

int main(void) { return check_main_run(lean_suite()); }
