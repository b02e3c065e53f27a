/* make bench: the speed-and-fidelity benchmark of issue 3.
 *
 * Usage: bench_transfer [--row | --header] SCENARIO
 * Runs ONE bulk-transfer scenario in a lean world (no trace, packet bytes
 * kept only while in flight), so that the process's peak RSS belongs to
 * that one run, and reports:
 *   - CPU time of the process (getrusage: user + system),
 *   - peak RSS (ru_maxrss),
 *   - the virtual time at which the receiving app read the last byte,
 *     next to the physical limit of the data link,
 *   - data segments sent, retransmissions by cause, wire drops,
 *   - whether the receiver read exactly the bytes the scenario sends, with
 *     digests equal to the sender's.
 * The sender is the host of the scenario's first "send"; the receiver is
 * the other host (the scenario must have two).  --row prints one line of a
 * table (tests/bench.sh prints --header first).  Numbers are printed, never
 * asserted; the exit status is 1 when the transfer is incomplete or
 * corrupt, 2 on a usage or scenario error. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "lesson/scenario_parse.h"
#include "sim/world.h"
#include "tcp/segment.h"

#define USEC_PER_SEC 1e6
/* IPv4 + TCP headers of a data segment without options (timestamps off). */
#define DATA_HEADER_BYTES (IPV4_HEADER_LEN + TCP_HEADER_MIN_LEN)

/* What on_event gathers while the world runs. */
struct transfer_watch {
    int sender, receiver;
    uint64_t expected;           /* bytes the scenario sends */
    uint64_t bytes_read;         /* by the receiving app, from its recv calls */
    uint64_t last_byte_at;       /* µs; 0 until the last expected byte is read */
    uint64_t established_at;     /* the sender reached ESTABLISHED */
    uint64_t data_segments;      /* EV_SEG_OUT with payload, by the sender */
    uint64_t retransmits[RETX_CAUSE_COUNT];
    uint64_t wire_drops;         /* data direction: loss, queue, faults */
};

static void watch_event(void *ctx, const struct trace_entry *e)
{
    struct transfer_watch *tw = ctx;
    const struct tcp_event *ev = &e->ev;
    if (ev->endpoint == tw->sender) {
        if (ev->kind == EV_SEG_OUT && ev->u.seg.len > 0)
            tw->data_segments++;
        else if (ev->kind == EV_RETRANSMIT && ev->u.retx.cause < RETX_CAUSE_COUNT)
            tw->retransmits[ev->u.retx.cause]++;
        else if (ev->kind == EV_SEG_DROP && ev->u.seg.drop >= DROP_LOSS)
            tw->wire_drops++;
        else if (ev->kind == EV_STATE && ev->u.state.to == TCP_ESTABLISHED && !tw->established_at)
            tw->established_at = e->t;
    }
    if (ev->endpoint == tw->receiver && ev->kind == EV_APP && ev->u.app.call == APP_RECV &&
        ev->u.app.result > 0) {
        tw->bytes_read += (uint64_t)ev->u.app.result;
        if (tw->last_byte_at == 0 && tw->bytes_read >= tw->expected)
            tw->last_byte_at = e->t;
    }
}

/* The sending host and the bytes it is told to send, from the scenario. */
static bool find_transfer(const struct scenario *s, struct transfer_watch *tw)
{
    tw->sender = -1;
    for (size_t i = 0; i < s->nrules; i++) {
        const struct scn_action *a = &s->rules[i].action;
        if (a->kind != ACT_SEND)
            continue;
        if (tw->sender < 0)
            tw->sender = a->host;
        if (a->host == tw->sender)
            tw->expected += a->text ? strlen(a->text) : a->bytes;
    }
    if (s->nhosts != 2 || tw->sender < 0 || tw->expected == 0)
        return false;
    tw->receiver = 1 - tw->sender;
    return true;
}

/* Seconds the data link needs to carry `bytes` in MSS-sized segments, plus
 * the handshake (one round trip) and the last segment's propagation: the
 * best any TCP could do. */
static double physical_limit(const struct scenario *s, const struct transfer_watch *tw)
{
    int link = scenario_link_index(s, tw->sender, tw->receiver);
    int back = scenario_link_index(s, tw->receiver, tw->sender);
    if (link < 0 || back < 0 || s->links[link].params.rate_bps == 0)
        return 0;
    const struct wire_params *p = &s->links[link].params;
    uint64_t mss = s->hosts[tw->sender].cfg.mss;
    uint64_t segments = (tw->expected + mss - 1) / mss;
    double wire_bits = (double)(tw->expected + segments * DATA_HEADER_BYTES) * 8.0;
    double delays = (double)(2 * p->delay + s->links[back].params.delay) / USEC_PER_SEC;
    return wire_bits / (double)p->rate_bps + delays;
}

struct process_cost {
    double cpu_ms;
    double peak_rss_mb;
};

static struct process_cost process_cost(void)
{
    struct rusage ru;
    struct process_cost c = { 0, 0 };
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return c;
    c.cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
               (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    c.peak_rss_mb = (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
    return c;
}

static uint64_t total_retransmits(const struct transfer_watch *tw)
{
    uint64_t n = 0;
    for (int i = 0; i < RETX_CAUSE_COUNT; i++)
        n += tw->retransmits[i];
    return n;
}

static void print_header(void)
{
    printf("%-22s %9s %9s %10s %10s %8s %9s %8s %7s %s\n", "scenario", "cpu ms", "rss MB",
           "last byte", "limit", "over", "data segs", "retx", "drops", "integrity");
}

static void print_row(const char *name, const struct process_cost *c,
                      const struct transfer_watch *tw, double limit, bool intact)
{
    double last = (double)tw->last_byte_at / USEC_PER_SEC;
    printf("%-22s %9.1f %9.2f %9.3fs %9.3fs %7.1f%% %9" PRIu64 " %8" PRIu64 " %7" PRIu64 " %s\n",
           name, c->cpu_ms, c->peak_rss_mb, last, limit,
           limit > 0 && tw->last_byte_at ? (last / limit - 1.0) * 100.0 : 0.0,
           tw->data_segments, total_retransmits(tw), tw->wire_drops, intact ? "ok" : "FAILED");
}

static void print_report(const char *file, const struct process_cost *c,
                         const struct transfer_watch *tw, double limit,
                         const struct host_app_stats *snd, const struct host_app_stats *rcv,
                         uint64_t events)
{
    printf("scenario          %s\n", file);
    printf("cpu time          %.1f ms (user + system, whole process)\n", c->cpu_ms);
    printf("peak RSS          %.2f MB\n", c->peak_rss_mb);
    printf("events            %" PRIu64 "\n", events);
    printf("established at    %.6f s\n", (double)tw->established_at / USEC_PER_SEC);
    if (tw->last_byte_at)
        printf("last byte read at %.6f s (physical limit %.6f s, %+.2f%%)\n",
               (double)tw->last_byte_at / USEC_PER_SEC, limit,
               limit > 0 ? ((double)tw->last_byte_at / USEC_PER_SEC / limit - 1.0) * 100.0 : 0.0);
    else
        printf("last byte read at never\n");
    printf("data segments     %" PRIu64 "\n", tw->data_segments);
    printf("retransmissions   %" PRIu64 " (", total_retransmits(tw));
    for (int i = 0; i < RETX_CAUSE_COUNT; i++)
        printf("%s%s %" PRIu64, i ? ", " : "", tcp_retx_cause_name((enum tcp_retx_cause)i),
               tw->retransmits[i]);
    printf(")\n");
    printf("wire drops        %" PRIu64 " (data direction)\n", tw->wire_drops);
    printf("bytes written     %" PRIu64 ", read %" PRIu64 " (expected %" PRIu64 ")\n",
           snd->bytes_written, rcv->bytes_read, tw->expected);
    printf("digests           written %016" PRIx64 ", read %016" PRIx64 " (%s)\n",
           snd->digest_written, rcv->digest_read,
           snd->digest_written == rcv->digest_read ? "equal" : "DIFFERENT");
}

int main(int argc, char **argv)
{
    bool row = false;
    int argi = 1;
    if (argi < argc && strcmp(argv[argi], "--header") == 0) {
        print_header();
        return 0;
    }
    if (argi < argc && strcmp(argv[argi], "--row") == 0) {
        row = true;
        argi++;
    }
    if (argi + 1 != argc) {
        fprintf(stderr, "usage: %s [--row | --header] SCENARIO\n", argv[0]);
        return 2;
    }
    const char *file = argv[argi];
    struct scenario s;
    char err[512];
    if (scenario_parse_file(file, &s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    struct transfer_watch tw;
    memset(&tw, 0, sizeof tw);
    if (!find_transfer(&s, &tw)) {
        fprintf(stderr, "%s: need two hosts and one sender with a send action\n", file);
        scenario_free(&s);
        return 2;
    }
    /* The kinds watch_event reads: the world may skip building the rest. */
    uint32_t watched = 1u << EV_SEG_OUT | 1u << EV_RETRANSMIT | 1u << EV_SEG_DROP |
                       1u << EV_STATE | 1u << EV_APP;
    struct world_options opt = {
        .record_trace = false, .keep_packets = false, .on_event = watch_event, .ctx = &tw,
        .event_kinds = watched,
    };
    struct world *w = world_new_with(&s, s.has_seed ? s.seed : 1, &opt);
    if (!w) {
        fprintf(stderr, "cannot build the world\n");
        scenario_free(&s);
        return 2;
    }
    world_run(w);
    struct process_cost cost = process_cost();

    const struct host_app_stats *snd = world_host_app(w, tw.sender);
    const struct host_app_stats *rcv = world_host_app(w, tw.receiver);
    bool intact = rcv->bytes_read == tw.expected && snd->bytes_written == tw.expected &&
                  rcv->digest_read == snd->digest_written;
    double limit = physical_limit(&s, &tw);
    if (row) {
        const char *base = strrchr(file, '/');
        print_row(base ? base + 1 : file, &cost, &tw, limit, intact);
    } else {
        print_report(file, &cost, &tw, limit, snd, rcv, (uint64_t)world_event_count(w));
    }
    world_free(w);
    scenario_free(&s);
    return intact ? 0 : 1;
}
