/* Tests of user actions: forking a run at the cursor, replaying the fork,
 * the fates of packets in flight, the packets in flight themselves, the
 * one-action parser and the sandbox's command line (which needs no
 * curses: it only reads and writes struct ui and the world). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/jsonl.h"
#include "export/text.h"
#include "lesson/scenario_parse.h"
#include "sim/world.h"
#include "tcp/segment.h"
#include "tcp/settings.h"
#include "ui/cmdline.h"

#include "check_main.h"

#define CLIENT 0
#define SERVER 1
#define MS TCP_USEC_PER_MS
#define SYN_AT (100 * MS)
#define LINK_DELAY (10 * MS)
#define SENT_BYTES 3000u

/* A handshake, then 3000 bytes from the client; fixed ISNs. */
static const char scenario_text[] =
    "duration 5s\n"
    "seed 7\n"
    "host client 10.0.0.1 isn=1000\n"
    "host server 10.0.0.2 isn=5000\n"
    "link client<->server delay=10ms\n"
    "at 0s server listen 80\n"
    "at 100ms client connect server:80 port=49152\n"
    "at 300ms client send 3000\n";

static struct scenario scn;

static void setup(void)
{
    char err[256];
    ck_assert_msg(scenario_parse_string("fork.scn", scenario_text, &scn, err, sizeof err) == 0,
                  "%s", err);
}

static void teardown(void)
{
    scenario_free(&scn);
}

/* ============================================================= helpers == */

/* The trace as text, one line per event, for comparing whole runs. */
struct text_trace {
    char *buf;
    size_t len;
    size_t events;
};

static struct text_trace trace_text(const struct world *w)
{
    struct text_trace tt = { NULL, 0, world_trace_len(w) };
    FILE *f = open_memstream(&tt.buf, &tt.len);
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < tt.events; i++)
        export_text_event(f, w, &world_trace(w)[i]);
    fclose(f);
    return tt;
}

/* The text of one event. */
static void event_text(const struct world *w, size_t i, char *out, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    export_text_event(f, w, &world_trace(w)[i]);
    fclose(f);
    snprintf(out, n, "%s", buf);
    free(buf);
}

static struct world *new_world(void)
{
    struct world *w = world_new(&scn, 7);
    ck_assert_ptr_nonnull(w);
    return w;
}

/* Index of the first event at or after `from` that is of `kind` at host
 * `ep` (ep < 0: any host); SIZE_MAX if none. */
static size_t find_event(const struct world *w, size_t from, enum tcp_event_kind kind, int ep)
{
    const struct trace_entry *t = world_trace(w);
    for (size_t i = from; i < world_trace_len(w); i++)
        if (t[i].ev.kind == kind && (ep < 0 || t[i].ev.endpoint == ep))
            return i;
    return SIZE_MAX;
}

/* The client's SYN: its EV_SEG_OUT index in a run that has recorded it. */
static size_t find_syn(const struct world *w)
{
    const struct trace_entry *t = world_trace(w);
    for (size_t i = 0; i < world_trace_len(w); i++)
        if (t[i].ev.kind == EV_SEG_OUT && t[i].ev.endpoint == CLIENT &&
            t[i].ev.u.seg.flags == TCP_SYN)
            return i;
    ck_abort_msg("no SYN in the trace");
    return SIZE_MAX;
}

/* Arrivals of packet id at host ep: EV_SEG_IN (a duplicate SYN is taken
 * in, then dropped, so drops are not counted). */
static unsigned arrivals(const struct world *w, int ep, uint32_t id, uint64_t *first_t)
{
    const struct trace_entry *t = world_trace(w);
    unsigned n = 0;
    for (size_t i = 0; i < world_trace_len(w); i++) {
        const struct tcp_event *ev = &t[i].ev;
        if (ev->endpoint != ep || ev->u.seg.packet != id || ev->kind != EV_SEG_IN)
            continue;
        if (n++ == 0 && first_t)
            *first_t = t[i].t;
    }
    return n;
}

static void parse_ok(const char *line, struct scn_action *a)
{
    char err[256];
    ck_assert_msg(scenario_parse_action_line(&scn, line, a, err, sizeof err) == 0, "%s: %s", line,
                  err);
}

/* A world run to the end, and the index of the client's ESTABLISHED. */
static struct world *run_to_end(size_t *established)
{
    struct world *w = new_world();
    world_run(w);
    const struct trace_entry *t = world_trace(w);
    *established = SIZE_MAX;
    for (size_t i = 0; i < world_trace_len(w) && *established == SIZE_MAX; i++)
        if (t[i].ev.kind == EV_STATE && t[i].ev.endpoint == CLIENT &&
            t[i].ev.u.state.to == TCP_ESTABLISHED)
            *established = i;
    ck_assert_uint_ne(*established, SIZE_MAX);
    return w;
}

/* ================================================================ fork == */

START_TEST(fork_recomputes_the_future_and_replays_it)
{
    size_t i;
    struct world *w = run_to_end(&i);
    ck_assert_uint_gt(i, 10);
    struct text_trace original = trace_text(w);
    ck_assert_uint_eq(world_host_app(w, CLIENT)->bytes_written, SENT_BYTES);

    struct scn_action a;
    parse_ok("client send 1000", &a);
    char err[256];
    ck_assert_msg(world_user_action(w, i, &a, err, sizeof err), "%s", err);
    scenario_action_clear(&a);
    ck_assert_uint_eq(world_user_action_count(w), 1);
    struct world_user_info info;
    ck_assert(world_user_action_get(w, 0, &info));
    ck_assert_uint_gt(info.index, i);
    ck_assert(!info.is_fate);
    ck_assert_int_eq(info.action->kind, ACT_SEND);
    const struct trace_entry *u = &world_trace(w)[info.index];
    ck_assert_int_eq(u->ev.kind, EV_USER);
    ck_assert_int_eq(u->ev.endpoint, CLIENT);
    ck_assert_uint_eq(u->ev.u.user.value, 1000);
    ck_assert_uint_eq(u->t, info.t);
    char line[EXPORT_TEXT_MAX];
    event_text(w, info.index, line, sizeof line);
    ck_assert_msg(strstr(line, "client  user send 1000\n") != NULL, "%s", line);
    char *json = NULL;
    size_t json_len = 0;
    FILE *f = open_memstream(&json, &json_len);
    ck_assert_ptr_nonnull(f);
    export_jsonl_event(f, w, u);
    fclose(f);
    ck_assert_msg(strstr(json, "\"ev\":\"user\",\"ep\":\"client\"") != NULL, "%s", json);
    ck_assert_msg(strstr(json, "\"index\":0,\"action\":\"send\",\"text\":\"send 1000\"}") != NULL,
                  "%s", json);
    free(json);

    world_run(w);
    ck_assert_uint_eq(world_host_app(w, CLIENT)->bytes_written, SENT_BYTES + 1000);
    ck_assert_uint_eq(world_host_app(w, SERVER)->bytes_read, SENT_BYTES + 1000);
    struct text_trace forked = trace_text(w);
    /* The past is kept, the future differs. */
    size_t past = 0;
    while (past < original.len && original.buf[past] == forked.buf[past])
        past++;
    ck_assert_uint_lt(past, original.len);
    ck_assert_uint_ne(strcmp(original.buf, forked.buf), 0);

    /* Back before the fork and forward again: the same forked run. */
    ck_assert(world_seek(w, i - 10));
    ck_assert_uint_lt(world_trace_len(w), info.index);
    world_run(w);
    struct text_trace again = trace_text(w);
    ck_assert_uint_eq(again.events, forked.events);
    ck_assert_str_eq(again.buf, forked.buf);
    free(again.buf);
    /* And from the very start. */
    ck_assert(world_seek(w, 0));
    world_run(w);
    again = trace_text(w);
    ck_assert_str_eq(again.buf, forked.buf);
    free(again.buf);
    ck_assert_uint_eq(world_user_action_count(w), 1);

    free(original.buf);
    free(forked.buf);
    world_free(w);
}
END_TEST

START_TEST(fork_earlier_replaces_the_old_future)
{
    size_t i;
    struct world *w = run_to_end(&i);
    struct scn_action a;
    char err[256];
    parse_ok("client send 1000", &a);
    ck_assert_msg(world_user_action(w, i + 5, &a, err, sizeof err), "%s", err);
    scenario_action_clear(&a);
    world_run(w);

    parse_ok("client send 500", &a);
    ck_assert_msg(world_user_action(w, i, &a, err, sizeof err), "%s", err);
    scenario_action_clear(&a);
    ck_assert_uint_eq(world_user_action_count(w), 1);
    world_run(w);
    unsigned users = 0;
    for (size_t k = 0; k < world_trace_len(w); k++) {
        const struct tcp_event *ev = &world_trace(w)[k].ev;
        if (ev->kind != EV_USER)
            continue;
        users++;
        ck_assert_uint_eq(ev->u.user.value, 500);
        ck_assert_uint_eq(ev->u.user.index, 0);
    }
    ck_assert_uint_eq(users, 1);
    ck_assert_uint_eq(world_host_app(w, CLIENT)->bytes_written, SENT_BYTES + 500);

    /* A second action with the cursor on the first one's event keeps it. */
    struct world_user_info info;
    ck_assert(world_user_action_get(w, 0, &info));
    parse_ok("client close", &a);
    ck_assert_msg(world_user_action(w, info.index, &a, err, sizeof err), "%s", err);
    ck_assert_uint_eq(world_user_action_count(w), 2);
    struct world_user_info second;
    ck_assert(world_user_action_get(w, 1, &second));
    ck_assert_uint_gt(second.index, info.index);
    ck_assert_int_eq(world_trace(w)[second.index].ev.u.user.action, ACT_CLOSE);
    world_run(w);
    /* Closed at 120 ms, the client's app cannot send its 3000 bytes at
     * 300 ms: only the first user action's 500 bytes went out. */
    ck_assert_uint_eq(world_host_app(w, CLIENT)->bytes_written, 500);
    ck_assert_int_eq(world_trace(w)[info.index].ev.kind, EV_USER);
    ck_assert_uint_eq(world_trace(w)[info.index].ev.u.user.value, 500);
    world_free(w);
}
END_TEST

START_TEST(fork_refuses_what_cannot_be)
{
    struct world *w = new_world();
    for (int k = 0; k < 5; k++)
        ck_assert(world_step(w));
    struct scn_action a;
    char err[256] = "";
    parse_ok("client send 10", &a);
    ck_assert(!world_user_action(w, world_trace_len(w) + 3, &a, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "has not happened yet"));
    ck_assert_uint_eq(world_user_action_count(w), 0);
    a.host = 9;
    ck_assert(!world_user_action(w, 0, &a, err, sizeof err));
    ck_assert_uint_eq(world_user_action_count(w), 0);
    world_free(w);

    /* A lean world keeps no trace to fork. */
    struct world_options o = { .record_trace = false, .keep_packets = false };
    w = world_new_with(&scn, 7, &o);
    ck_assert_ptr_nonnull(w);
    world_step(w);
    a.host = CLIENT;
    ck_assert(!world_user_action(w, 0, &a, err, sizeof err));
    world_free(w);
}
END_TEST

/* ================================================================ fates == */

/* A world stepped until the client's SYN is on the wire; *syn = its event. */
static struct world *world_at_syn(size_t *syn, uint32_t *packet)
{
    size_t ignore;
    struct world *w = run_to_end(&ignore);
    *syn = find_syn(w);
    *packet = world_trace(w)[*syn].ev.u.seg.packet;
    ck_assert(world_seek(w, *syn));
    return w;
}

START_TEST(in_flight_lists_the_packets_on_the_wire)
{
    size_t syn;
    uint32_t id;
    struct world *w = world_at_syn(&syn, &id);
    struct world_flight f[4];
    ck_assert_uint_eq(world_in_flight(w, NULL, 0), 1);
    ck_assert_uint_eq(world_in_flight(w, f, 4), 1);
    ck_assert_uint_eq(f[0].packet, id);
    ck_assert_int_eq(f[0].from, CLIENT);
    ck_assert_int_eq(f[0].to, SERVER);
    ck_assert_uint_eq(f[0].sent_at, SYN_AT);
    ck_assert_uint_eq(f[0].arrives_at, SYN_AT + LINK_DELAY);

    /* Mid-transfer: several data segments, earliest arrival first, each
     * sent one link delay before it arrives (no rate limit here). */
    size_t data = SIZE_MAX;
    world_run(w);
    for (size_t k = 0; k < world_trace_len(w) && data == SIZE_MAX; k++) {
        const struct trace_entry *e = &world_trace(w)[k];
        if (e->ev.kind == EV_SEG_OUT && e->ev.endpoint == CLIENT && e->ev.u.seg.len > 0)
            data = k;
    }
    ck_assert_uint_ne(data, SIZE_MAX);
    ck_assert(world_seek(w, data));
    size_t n = world_in_flight(w, f, 4);
    ck_assert_uint_ge(n, 2);
    for (size_t k = 0; k < n; k++) {
        ck_assert_uint_eq(f[k].arrives_at, f[k].sent_at + LINK_DELAY);
        ck_assert_uint_le(f[k].sent_at, world_now(w));
        ck_assert_uint_gt(f[k].arrives_at, world_now(w));
        if (k)
            ck_assert_uint_le(f[k - 1].arrives_at, f[k].arrives_at);
    }
    ck_assert_uint_eq(world_in_flight(w, f, 1), 1);
    world_free(w);
}
END_TEST

START_TEST(fate_drop_of_the_syn_brings_a_retransmission)
{
    size_t syn;
    uint32_t id;
    struct world *w = world_at_syn(&syn, &id);
    char err[256];
    ck_assert_msg(world_set_fate(w, syn, id, FATE_DROP, 0, err, sizeof err), "%s", err);
    struct world_user_info info;
    ck_assert(world_user_action_get(w, 0, &info));
    ck_assert(info.is_fate);
    const struct trace_entry *t = world_trace(w);
    ck_assert_int_eq(t[info.index].ev.kind, EV_USER);
    ck_assert_uint_eq(t[info.index].ev.u.user.action, TCP_USER_FATE);
    ck_assert_uint_eq(t[info.index].ev.u.user.fate, FATE_DROP);
    ck_assert_int_eq(t[info.index + 1].ev.kind, EV_SEG_DROP);
    ck_assert_uint_eq(t[info.index + 1].ev.u.seg.drop, DROP_USER);
    ck_assert_uint_eq(t[info.index + 1].ev.u.seg.packet, id);
    ck_assert_uint_eq(t[info.index + 1].ev.u.seg.flags, TCP_SYN);
    ck_assert_uint_eq(world_in_flight(w, NULL, 0), 0);
    char line[EXPORT_TEXT_MAX];
    event_text(w, info.index + 1, line, sizeof line);
    ck_assert_msg(strstr(line, "dropped (user)") != NULL, "%s", line);
    event_text(w, info.index, line, sizeof line);
    ck_assert_msg(strstr(line, "user drop packet") != NULL, "%s", line);

    world_run(w);
    ck_assert_uint_eq(arrivals(w, SERVER, id, NULL), 0);
    ck_assert_uint_eq(world_drops(w, CLIENT, DROP_USER), 1);
    t = world_trace(w);
    size_t retx = find_event(w, info.index, EV_RETRANSMIT, CLIENT);
    ck_assert_uint_ne(retx, SIZE_MAX);
    struct tcp_config cfg;
    tcp_config_defaults(&cfg);
    ck_assert_uint_eq(t[retx].t, SYN_AT + cfg.rto_initial);
    ck_assert_uint_eq(t[retx].ev.u.retx.cause, RETX_RTO);
    /* The connection still comes up, a second later. */
    size_t est = find_event(w, retx, EV_STATE, SERVER);
    ck_assert_uint_ne(est, SIZE_MAX);

    /* Replaying the fate gives the same run. */
    struct text_trace forked = trace_text(w);
    ck_assert(world_seek(w, syn > 3 ? syn - 3 : 0));
    world_run(w);
    struct text_trace again = trace_text(w);
    ck_assert_str_eq(again.buf, forked.buf);
    free(again.buf);
    free(forked.buf);
    world_free(w);
}
END_TEST

START_TEST(fate_delay_arrives_later_by_the_delay)
{
    size_t syn;
    uint32_t id;
    struct world *w = world_at_syn(&syn, &id);
    char err[256];
    ck_assert(!world_set_fate(w, syn, id, FATE_DELAY, 0, err, sizeof err));
    ck_assert_msg(world_set_fate(w, syn, id, FATE_DELAY, 50 * MS, err, sizeof err), "%s", err);
    struct world_flight f;
    ck_assert_uint_eq(world_in_flight(w, &f, 1), 1);
    ck_assert_uint_eq(f.arrives_at, SYN_AT + LINK_DELAY + 50 * MS);
    world_run(w);
    uint64_t t_in = 0;
    ck_assert_uint_eq(arrivals(w, SERVER, id, &t_in), 1);
    ck_assert_uint_eq(t_in, SYN_AT + LINK_DELAY + 50 * MS);
    world_free(w);
}
END_TEST

START_TEST(fate_duplicate_arrives_twice)
{
    size_t syn;
    uint32_t id;
    struct world *w = world_at_syn(&syn, &id);
    char err[256];
    ck_assert_msg(world_set_fate(w, syn, id, FATE_DUPLICATE, 0, err, sizeof err), "%s", err);
    ck_assert_uint_eq(world_in_flight(w, NULL, 0), 2);
    world_run(w);
    uint64_t t_in = 0;
    ck_assert_uint_eq(arrivals(w, SERVER, id, &t_in), 2);
    ck_assert_uint_eq(t_in, SYN_AT + LINK_DELAY);
    world_free(w);
}
END_TEST

START_TEST(fate_corrupt_is_dropped_for_its_checksum)
{
    size_t syn;
    uint32_t id;
    struct world *w = world_at_syn(&syn, &id);
    char err[256];
    ck_assert_msg(world_set_fate(w, syn, id, FATE_CORRUPT, 0, err, sizeof err), "%s", err);
    struct world_flight f;
    ck_assert_uint_eq(world_in_flight(w, &f, 1), 1);
    uint32_t copy = f.packet;
    ck_assert_uint_ne(copy, id);
    ck_assert(world_packet_is_copy(w, copy));
    ck_assert_uint_eq(f.sent_at, SYN_AT);
    world_run(w);
    ck_assert_uint_eq(arrivals(w, SERVER, id, NULL), 0);
    size_t drop = SIZE_MAX;
    const struct trace_entry *t = world_trace(w);
    for (size_t k = syn; k < world_trace_len(w) && drop == SIZE_MAX; k++)
        if (t[k].ev.kind == EV_SEG_DROP && t[k].ev.endpoint == SERVER)
            drop = k;
    ck_assert_uint_ne(drop, SIZE_MAX);
    ck_assert_uint_eq(t[drop].ev.u.seg.drop, DROP_CHECKSUM);
    ck_assert_uint_eq(t[drop].ev.u.seg.packet, copy);
    ck_assert_uint_eq(t[drop].t, SYN_AT + LINK_DELAY);
    ck_assert_uint_ne(find_event(w, drop, EV_RETRANSMIT, CLIENT), SIZE_MAX);
    world_free(w);
}
END_TEST

START_TEST(fate_needs_a_packet_in_flight)
{
    size_t syn;
    uint32_t id;
    struct world *w = world_at_syn(&syn, &id);
    char err[256] = "";
    ck_assert(!world_set_fate(w, syn, id + 100, FATE_DROP, 0, err, sizeof err));
    ck_assert_msg(strstr(err, "is not in flight") != NULL, "%s", err);
    /* Right after the listen step, long before the connect, it is not. */
    ck_assert(!world_set_fate(w, 0, id, FATE_DROP, 0, err, sizeof err));
    ck_assert_msg(strstr(err, "is not in flight at event 0") != NULL, "%s", err);
    ck_assert(!world_set_fate(w, syn, id, (enum world_fate)FATE_COUNT, 0, err, sizeof err));
    ck_assert_uint_eq(world_user_action_count(w), 0);
    world_free(w);
}
END_TEST

/* ============================================================== parser == */

START_TEST(action_line_parses_actions_without_position)
{
    struct scn_action a;
    char err[256];
    size_t links = scn.nlinks;
    parse_ok("link client->server loss=5%", &a);
    ck_assert_int_eq(a.kind, ACT_LINK);
    ck_assert_int_eq(a.link, scenario_link_index(&scn, CLIENT, SERVER));
    ck_assert_uint_eq(a.link_params.loss_ppm, 50000);
    ck_assert_uint_eq(a.changed.count, 1);
    ck_assert_uint_eq(scn.nlinks, links);

    parse_ok("server set nagle=off", &a);
    ck_assert_int_eq(a.kind, ACT_SET);
    ck_assert_int_eq(a.host, SERVER);
    ck_assert(!a.cfg.nagle);

    parse_ok("client send \"hello\" # a comment", &a);
    ck_assert_int_eq(a.kind, ACT_SEND);
    ck_assert_str_eq(a.text, "hello");
    ck_assert_uint_eq(a.bytes, 5);
    scenario_action_clear(&a);
    ck_assert_ptr_null(a.text);

    ck_assert_int_eq(scenario_parse_action_line(&scn, "cleint send 1000", &a, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown host 'cleint' (hosts: client, server)");
    ck_assert_int_eq(scenario_parse_action_line(&scn, "  ", &a, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "expected an action"));
    ck_assert_int_eq(scenario_parse_action_line(&scn, "client send", &a, err, sizeof err), -1);
    ck_assert_ptr_eq(strstr(err, "fork.scn"), NULL);
}
END_TEST

/* ============================================================= cmdline == */

static void ui_on(struct ui *ui, struct world *w, size_t cursor)
{
    memset(ui, 0, sizeof *ui);
    ui->world = w;
    ui->scn = &scn;
    ui->cursor = cursor;
    ui->selected_packet = -1;
}

START_TEST(cmdline_runs_a_command_at_the_cursor)
{
    size_t i;
    struct world *w = run_to_end(&i);
    struct ui ui;
    ui_on(&ui, w, i);
    ck_assert_msg(ui_cmdline_run(&ui, "client send 1000"), "%s", ui.message);
    ck_assert_uint_gt(ui.cursor, i);
    ck_assert_int_eq(world_trace(w)[ui.cursor].ev.kind, EV_USER);
    ck_assert_msg(strstr(ui.message, "client send 1000") != NULL, "%s", ui.message);
    ck_assert_uint_eq(world_user_action_count(w), 1);

    ck_assert_msg(ui_cmdline_run(&ui, "link client->server loss=5%"), "%s", ui.message);
    const struct tcp_event *ev = &world_trace(w)[ui.cursor].ev;
    ck_assert_int_eq(ev->kind, EV_USER);
    ck_assert_int_eq(ev->u.user.action, ACT_LINK);
    ck_assert_int_eq(ev->endpoint, CLIENT);
    ck_assert_msg(ui_cmdline_run(&ui, "server set nagle=off"), "%s", ui.message);
    ck_assert_uint_eq(world_user_action_count(w), 3);
    world_free(w);
}
END_TEST

START_TEST(cmdline_bad_commands_say_why)
{
    size_t i;
    struct world *w = run_to_end(&i);
    size_t len = world_trace_len(w);
    struct ui ui;
    ui_on(&ui, w, i);
    ck_assert(!ui_cmdline_run(&ui, "cleint send 1000"));
    ck_assert_str_eq(ui.message, "unknown host 'cleint' (hosts: client, server)");
    ck_assert(!ui_cmdline_run(&ui, "client sned 5"));
    ck_assert_msg(strncmp(ui.message, "unknown action 'sned'", 21) == 0, "%s", ui.message);
    ck_assert(!ui_cmdline_run(&ui, "link client->server los=5%"));
    ck_assert_msg(strncmp(ui.message, "unknown setting 'los'", 21) == 0, "%s", ui.message);
    ck_assert(!ui_cmdline_run(&ui, ""));
    ck_assert_str_ne(ui.message, "");
    ck_assert(!ui_cmdline_run(&ui, "drop"));
    ck_assert_msg(strstr(ui.message, "select a segment") != NULL, "%s", ui.message);
    ck_assert(!ui_cmdline_run(&ui, "delay soon"));
    ck_assert_msg(strstr(ui.message, "delay TIME") != NULL, "%s", ui.message);
    /* What was typed is quoted back without its control characters. */
    ck_assert(!ui_cmdline_run(&ui, "cl\x1b[2Jient send 1"));
    ck_assert_ptr_null(strchr(ui.message, '\x1b'));
    ck_assert_ptr_nonnull(strstr(ui.message, "cl[2Jient"));
    /* Nothing changed. */
    ck_assert_uint_eq(ui.cursor, i);
    ck_assert_uint_eq(world_user_action_count(w), 0);
    ck_assert_uint_eq(world_trace_len(w), len);
    world_free(w);
}
END_TEST

START_TEST(cmdline_decides_the_fate_of_the_selected_packet)
{
    size_t syn;
    uint32_t id;
    struct world *w = world_at_syn(&syn, &id);
    struct ui ui;
    ui_on(&ui, w, syn);
    ui.selected_packet = id;
    ck_assert_msg(ui_cmdline_run(&ui, "delay 30ms"), "%s", ui.message);
    ck_assert_int_eq(world_trace(w)[ui.cursor].ev.kind, EV_USER);
    struct world_flight f;
    ck_assert_uint_eq(world_in_flight(w, &f, 1), 1);
    ck_assert_uint_eq(f.arrives_at, SYN_AT + LINK_DELAY + 30 * MS);
    /* Naming the packet works too, at the same cursor: it replaces the delay. */
    char cmd[32];
    snprintf(cmd, sizeof cmd, "drop %u", (unsigned)id);
    ui.cursor = syn;
    ck_assert_msg(ui_cmdline_run(&ui, cmd), "%s", ui.message);
    ck_assert_uint_eq(world_user_action_count(w), 1);
    ck_assert_uint_eq(world_in_flight(w, NULL, 0), 0);
    world_free(w);
}
END_TEST

/* Does the list hold word? */
static bool has(char out[][UI_CMDLINE_WORD_MAX], size_t n, const char *word)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(out[k], word) == 0)
            return true;
    return false;
}

START_TEST(cmdline_completes_hosts_verbs_and_keys)
{
    struct world *w = new_world();
    struct ui ui;
    ui_on(&ui, w, 0);
    char out[64][UI_CMDLINE_WORD_MAX];
    size_t n = ui_cmdline_complete(&ui, "", out, 64);
    ck_assert(has(out, n, "client") && has(out, n, "server") && has(out, n, "link") &&
              has(out, n, "drop"));
    n = ui_cmdline_complete(&ui, "cl", out, 64);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(out[0], "client");
    n = ui_cmdline_complete(&ui, "client s", out, 64);
    ck_assert_uint_eq(n, 3);
    ck_assert(has(out, n, "send") && has(out, n, "shutdown") && has(out, n, "set"));
    n = ui_cmdline_complete(&ui, "server set na", out, 64);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(out[0], "nagle=");
    n = ui_cmdline_complete(&ui, "server  set  nagle=off s", out, 64);
    ck_assert(has(out, n, "sack=") && has(out, n, "sndbuf=") && !has(out, n, "nagle="));
    n = ui_cmdline_complete(&ui, "link c", out, 64);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(out[0], "client->server");
    n = ui_cmdline_complete(&ui, "link client->server lo", out, 64);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(out[0], "loss=");
    ck_assert_uint_eq(ui_cmdline_complete(&ui, "server set nagle=o", out, 64), 0);
    ck_assert_uint_eq(ui_cmdline_complete(&ui, "client send 10", out, 64), 0);
    ck_assert_uint_eq(ui_cmdline_complete(&ui, "", out, 2), 2);
    world_free(w);
}
END_TEST

/* ================================================================ suite == */

static Suite *fork_suite(void)
{
    Suite *s = suite_create("fork");
    TCase *fork = tcase_create("fork");
    tcase_add_checked_fixture(fork, setup, teardown);
    tcase_set_timeout(fork, 60);
    tcase_add_test(fork, fork_recomputes_the_future_and_replays_it);
    tcase_add_test(fork, fork_earlier_replaces_the_old_future);
    tcase_add_test(fork, fork_refuses_what_cannot_be);
    suite_add_tcase(s, fork);

    TCase *fate = tcase_create("fate");
    tcase_add_checked_fixture(fate, setup, teardown);
    tcase_add_test(fate, in_flight_lists_the_packets_on_the_wire);
    tcase_add_test(fate, fate_drop_of_the_syn_brings_a_retransmission);
    tcase_add_test(fate, fate_delay_arrives_later_by_the_delay);
    tcase_add_test(fate, fate_duplicate_arrives_twice);
    tcase_add_test(fate, fate_corrupt_is_dropped_for_its_checksum);
    tcase_add_test(fate, fate_needs_a_packet_in_flight);
    suite_add_tcase(s, fate);

    TCase *cmd = tcase_create("cmdline");
    tcase_add_checked_fixture(cmd, setup, teardown);
    tcase_add_test(cmd, action_line_parses_actions_without_position);
    tcase_add_test(cmd, cmdline_runs_a_command_at_the_cursor);
    tcase_add_test(cmd, cmdline_bad_commands_say_why);
    tcase_add_test(cmd, cmdline_decides_the_fate_of_the_selected_packet);
    tcase_add_test(cmd, cmdline_completes_hosts_verbs_and_keys);
    suite_add_tcase(s, cmd);
    return s;
}

int main(void)
{
    return check_main_run(fork_suite());
}
