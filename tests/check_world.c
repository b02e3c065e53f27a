/* Tests of the simulated world: whole runs of the real engine between two
 * hosts.  Scenarios are built in code (struct scenario) so that each test
 * shows exactly the setting it depends on. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/scenario_parse.h"
#include "sim/scenario.h"
#include "sim/world.h"
#include "tcp/settings.h"
#include "tcp/segment.h"
#include "tcp/stack.h"

#include "check_main.h"
#include "pattern_digest.h"

#define CLIENT 0
#define SERVER 1
#define CLIENT_ADDR 0x0a000001u /* 10.0.0.1 */
#define SERVER_ADDR 0x0a000002u /* 10.0.0.2 */
#define SERVER_PORT 80
#define MS TCP_USEC_PER_MS
#define SEC TCP_USEC_PER_SEC
#define LINK_DELAY (10 * MS)
#define BULK_BYTES (100u * 1024u)
#define PPM_5_PERCENT 50000u

/* ============================================================ builders == */

static void add_host(struct scenario *s, const char *name, uint32_t addr)
{
    struct scn_host *h = &s->hosts[s->nhosts++];
    strncpy(h->name, name, SCN_NAME_MAX - 1);
    h->addr = addr;
    tcp_config_defaults(&h->cfg);
    h->cfg.autoread = true;
    h->cfg.autoaccept = true;
}

/* Client and server joined by a 10 ms wire each way with loss_ppm, the
 * server listening on port 80 and the client connecting, both at t=0. */
static struct scenario *two_hosts(uint32_t loss_ppm, uint64_t duration);

static struct scn_rule *add_rule(struct scenario *s, enum scn_trigger_kind trig, uint64_t at,
                                 enum scn_action_kind act, int host)
{
    struct scn_rule *r = realloc(s->rules, (s->nrules + 1) * sizeof *r);
    ck_assert_ptr_nonnull(r);
    s->rules = r;
    r = &s->rules[s->nrules++];
    memset(r, 0, sizeof *r);
    r->trigger.kind = trig;
    r->trigger.at = at;
    r->trigger.host = host;
    r->trigger.nth = 1;
    r->trigger.match.from = -1;
    r->trigger.match.to = -1;
    r->trigger.match.data = -1;
    r->action.kind = act;
    r->action.host = host;
    r->action.link = -1;
    if (act == ACT_EXPECT)
        s->nexpects++;
    return r;
}

static struct scn_fault *add_fault(struct scenario *s, enum scn_fault_kind kind)
{
    struct scn_fault *f = realloc(s->faults, (s->nfaults + 1) * sizeof *f);
    ck_assert_ptr_nonnull(f);
    s->faults = f;
    f = &s->faults[s->nfaults++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->match.from = -1;
    f->match.to = -1;
    f->match.data = -1;
    return f;
}

static void add_link(struct scenario *s, int from, int to, uint32_t loss_ppm)
{
    struct scn_link *l = realloc(s->links, (s->nlinks + 1) * sizeof *l);
    ck_assert_ptr_nonnull(l);
    s->links = l;
    l = &s->links[s->nlinks++];
    memset(l, 0, sizeof *l);
    l->from = from;
    l->to = to;
    wire_params_defaults(&l->params);
    l->params.delay = LINK_DELAY;
    l->params.loss_ppm = loss_ppm;
}

static struct scenario *two_hosts(uint32_t loss_ppm, uint64_t duration)
{
    struct scenario *s = calloc(1, sizeof *s);
    ck_assert_ptr_nonnull(s);
    s->duration = duration;
    add_host(s, "client", CLIENT_ADDR);
    add_host(s, "server", SERVER_ADDR);
    add_link(s, CLIENT, SERVER, loss_ppm);
    add_link(s, SERVER, CLIENT, loss_ppm);
    add_rule(s, TRIG_AT, 0, ACT_LISTEN, SERVER)->action.port = SERVER_PORT;
    struct scn_action *c = &add_rule(s, TRIG_AT, 0, ACT_CONNECT, CLIENT)->action;
    c->peer_addr = SERVER_ADDR;
    c->port = SERVER_PORT;
    return s;
}

static void add_send(struct scenario *s, uint64_t at, int host, uint64_t bytes)
{
    add_rule(s, TRIG_AT, at, ACT_SEND, host)->action.bytes = bytes;
}

static void scenario_destroy(struct scenario *s)
{
    scenario_free(s);
    free(s);
}

/* ============================================================= helpers == */

/* Index of the nth (0-based) trace entry of `kind` at `endpoint` whose
 * segment flags equal `flags` (flags ignored for non-segment kinds when
 * negative); -1 if none. */
static long find_seg(const struct world *w, unsigned kind, unsigned endpoint, int flags,
                     unsigned nth)
{
    const struct trace_entry *t = world_trace(w);
    for (size_t i = 0; i < world_trace_len(w); i++) {
        if (t[i].ev.kind != kind || t[i].ev.endpoint != endpoint)
            continue;
        if (flags >= 0 && t[i].ev.u.seg.flags != (uint8_t)flags)
            continue;
        if (nth-- == 0)
            return (long)i;
    }
    return -1;
}

/* The run's checkpoints: want_passed held, want_failed did not. */
static void expect_checkpoint_counts(const struct world *w, unsigned want_passed,
                                     unsigned want_failed)
{
    unsigned passed = 0, failed = 0;
    world_checkpoint_counts(w, &passed, &failed);
    ck_assert_uint_eq(passed, want_passed);
    ck_assert_uint_eq(failed, want_failed);
}

static enum tcp_state host_state(const struct world *w, int host)
{
    return tcp_sock_state(world_stack(w, host), world_host_socket(w, host));
}

static bool seg_equal(const struct tcp_event_seg *a, const struct tcp_event_seg *b)
{
    return a->seq == b->seq && a->ack == b->ack && a->len == b->len && a->win == b->win &&
           a->flags == b->flags && a->opts == b->opts && a->mss == b->mss &&
           a->src_port == b->src_port && a->dst_port == b->dst_port &&
           a->src_addr == b->src_addr && a->dst_addr == b->dst_addr &&
           a->packet == b->packet && a->drop == b->drop;
}

/* Field by field: the union's padding is not part of an event. */
static bool entry_equal(const struct trace_entry *x, const struct trace_entry *y)
{
    const struct tcp_event *a = &x->ev, *b = &y->ev;
    if (x->t != y->t || a->kind != b->kind || a->endpoint != b->endpoint || a->conn != b->conn)
        return false;
    switch (a->kind) {
    case EV_SEG_OUT: case EV_SEG_IN: case EV_SEG_DROP:
        return seg_equal(&a->u.seg, &b->u.seg);
    case EV_STATE:
        return a->u.state.from == b->u.state.from && a->u.state.to == b->u.state.to &&
               a->u.state.cause == b->u.state.cause;
    case EV_TIMER_SET: case EV_TIMER_CANCEL: case EV_TIMER_FIRE:
        return a->u.timer.timer == b->u.timer.timer &&
               a->u.timer.deadline == b->u.timer.deadline && a->u.timer.count == b->u.timer.count;
    case EV_RETRANSMIT:
        return a->u.retx.cause == b->u.retx.cause && a->u.retx.seq == b->u.retx.seq &&
               a->u.retx.len == b->u.retx.len && a->u.retx.attempt == b->u.retx.attempt &&
               a->u.retx.rto == b->u.retx.rto;
    case EV_APP:
        return a->u.app.call == b->u.app.call && a->u.app.result == b->u.app.result &&
               a->u.app.bytes == b->u.app.bytes;
    case EV_ERROR:
        return a->u.error.err == b->u.error.err;
    case EV_RTT:
        return a->u.rtt.sample == b->u.rtt.sample && a->u.rtt.srtt == b->u.rtt.srtt &&
               a->u.rtt.rttvar == b->u.rtt.rttvar && a->u.rtt.rto == b->u.rtt.rto;
    case EV_LISTEN:
        return a->u.listen.what == b->u.listen.what &&
               a->u.listen.syn_queue == b->u.listen.syn_queue &&
               a->u.listen.accept_queue == b->u.listen.accept_queue &&
               a->u.listen.peer_addr == b->u.listen.peer_addr &&
               a->u.listen.peer_port == b->u.listen.peer_port;
    case EV_HOST:
        return a->u.host.up == b->u.host.up;
    case EV_CHECKPOINT:
        return a->u.check.index == b->u.check.index && a->u.check.passed == b->u.check.passed;
    case EV_NOTE:
        return a->u.note.index == b->u.note.index;
    default:
        return true;
    }
}

/* The first n trace entries and the packets they name are identical. */
static void assert_same_prefix(const struct world *a, const struct world *b, size_t n)
{
    ck_assert_uint_ge(world_trace_len(a), n);
    ck_assert_uint_ge(world_trace_len(b), n);
    for (size_t i = 0; i < n; i++) {
        const struct trace_entry *x = &world_trace(a)[i], *y = &world_trace(b)[i];
        ck_assert_msg(entry_equal(x, y), "trace entry %zu differs", i);
        if (x->ev.kind == EV_SEG_OUT) {
            size_t la, lb;
            const uint8_t *pa = world_packet(a, x->ev.u.seg.packet, &la);
            const uint8_t *pb = world_packet(b, y->ev.u.seg.packet, &lb);
            ck_assert_ptr_nonnull(pa);
            ck_assert_ptr_nonnull(pb);
            ck_assert_uint_eq(la, lb);
            ck_assert_int_eq(memcmp(pa, pb, la), 0);
        }
    }
}

static void assert_same_run(const struct world *a, const struct world *b)
{
    ck_assert_uint_eq(world_trace_len(a), world_trace_len(b));
    assert_same_prefix(a, b, world_trace_len(a));
    ck_assert_uint_eq(world_packet_count(a), world_packet_count(b));
}

/* What a host looks like from outside, for comparing two worlds. */
static void assert_same_hosts(const struct world *a, const struct world *b)
{
    ck_assert_uint_eq(world_now(a), world_now(b));
    for (int h = 0; h < 2; h++) {
        ck_assert_int_eq(world_host_up(a, h), world_host_up(b, h));
        ck_assert_int_eq(world_host_socket(a, h), world_host_socket(b, h));
        ck_assert_int_eq(world_host_listener(a, h), world_host_listener(b, h));
        ck_assert_int_eq(host_state(a, h), host_state(b, h));
        const struct host_app_stats *x = world_host_app(a, h), *y = world_host_app(b, h);
        ck_assert_uint_eq(x->bytes_written, y->bytes_written);
        ck_assert_uint_eq(x->bytes_read, y->bytes_read);
        ck_assert_uint_eq(x->digest_read, y->digest_read);
        const struct tcp_stack_stats *sa = tcp_stack_stats(world_stack(a, h));
        const struct tcp_stack_stats *sb = tcp_stack_stats(world_stack(b, h));
        ck_assert_uint_eq(sa->segs_in, sb->segs_in);
        ck_assert_uint_eq(sa->segs_out, sb->segs_out);
        ck_assert_uint_eq(sa->retransmits, sb->retransmits);
        ck_assert_uint_eq(tcp_stack_next_deadline(world_stack(a, h)),
                          tcp_stack_next_deadline(world_stack(b, h)));
    }
}

/* =========================================================== handshake == */

START_TEST(handshake_three_segments_one_link_delay_apart)
{
    struct scenario *s = two_hosts(0, 1 * SEC);
    struct world *w = world_new(s, 1);
    ck_assert_ptr_nonnull(w);
    world_run(w);
    ck_assert(world_done(w));

    const struct trace_entry *t = world_trace(w);
    long syn = find_seg(w, EV_SEG_OUT, CLIENT, TCP_SYN, 0);
    long synack = find_seg(w, EV_SEG_OUT, SERVER, TCP_SYN | TCP_ACK, 0);
    long ack = find_seg(w, EV_SEG_OUT, CLIENT, TCP_ACK, 0);
    ck_assert_int_ge(syn, 0);
    ck_assert_int_gt(synack, syn);
    ck_assert_int_gt(ack, synack);
    ck_assert_uint_eq(t[syn].t, 0);
    ck_assert_uint_eq(t[synack].t, LINK_DELAY);
    ck_assert_uint_eq(t[ack].t, 2 * LINK_DELAY);
    /* ack = ISN + 1 both ways (RFC 9293 3.5). */
    ck_assert_uint_eq(t[synack].ev.u.seg.ack, t[syn].ev.u.seg.seq + 1);
    ck_assert_uint_eq(t[ack].ev.u.seg.ack, t[synack].ev.u.seg.seq + 1);
    ck_assert(t[syn].ev.u.seg.opts & TCP_EVOPT_MSS);

    /* The SYN's arrival names the packet that was sent. */
    long syn_in = find_seg(w, EV_SEG_IN, SERVER, TCP_SYN, 0);
    ck_assert_int_gt(syn_in, syn);
    ck_assert_uint_eq(t[syn_in].t, LINK_DELAY);
    ck_assert_uint_eq(t[syn_in].ev.u.seg.packet, t[syn].ev.u.seg.packet);
    size_t len;
    ck_assert_ptr_nonnull(world_packet(w, t[syn].ev.u.seg.packet, &len));
    ck_assert_uint_gt(len, IPV4_HEADER_LEN + TCP_HEADER_MIN_LEN); /* options: MSS at least */
    ck_assert(!world_packet_is_copy(w, t[syn].ev.u.seg.packet));

    ck_assert_int_eq(host_state(w, CLIENT), TCP_ESTABLISHED);
    ck_assert_int_eq(host_state(w, SERVER), TCP_ESTABLISHED);
    ck_assert_uint_eq(world_host_app(w, SERVER)->accepted, 1);
    ck_assert_int_ne(world_host_listener(w, SERVER), 0);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

START_TEST(fault_drops_first_syn_and_rto_resends_it)
{
    struct scenario *s = two_hosts(0, 3 * SEC);
    struct scn_fault *f = add_fault(s, FAULT_DROP);
    f->match.from = CLIENT;
    f->match.flags_set = TCP_SYN;
    f->match.flags_clear = TCP_ACK;
    f->match.nth = 1;
    struct world *w = world_new(s, 1);
    ck_assert_ptr_nonnull(w);
    world_run(w);

    const struct trace_entry *t = world_trace(w);
    long drop = find_seg(w, EV_SEG_DROP, CLIENT, TCP_SYN, 0);
    ck_assert_int_ge(drop, 0);
    ck_assert_uint_eq(t[drop].t, 0);
    ck_assert_uint_eq(t[drop].ev.u.seg.drop, DROP_FAULT);
    ck_assert_uint_eq(world_drops(w, CLIENT, DROP_FAULT), 1);

    long again = find_seg(w, EV_SEG_OUT, CLIENT, TCP_SYN, 1);
    ck_assert_int_gt(again, drop);
    ck_assert_uint_eq(t[again].t, s->hosts[CLIENT].cfg.rto_initial); /* RFC 6298 2.1: 1 s */
    ck_assert_uint_eq(t[again].ev.u.seg.seq, t[drop].ev.u.seg.seq);
    /* Only the first SYN matched nth=1: the second one got through. */
    ck_assert_int_lt(find_seg(w, EV_SEG_DROP, CLIENT, TCP_SYN, 1), 0);
    ck_assert_int_eq(host_state(w, CLIENT), TCP_ESTABLISHED);
    ck_assert_int_eq(host_state(w, SERVER), TCP_ESTABLISHED);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

/* ========================================================= determinism == */

static struct scenario *lossy_bulk(uint32_t loss_ppm, uint64_t bytes)
{
    struct scenario *s = two_hosts(loss_ppm, 300 * SEC);
    add_send(s, 100 * MS, CLIENT, bytes);
    return s;
}

START_TEST(same_seed_same_trace)
{
    struct scenario *s = lossy_bulk(PPM_5_PERCENT, 20000);
    struct world *a = world_new(s, 7);
    struct world *b = world_new(s, 7);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    world_run(a);
    world_run(b);
    ck_assert_uint_gt(world_trace_len(a), 20);
    assert_same_run(a, b);
    world_free(a);
    world_free(b);
    scenario_destroy(s);
}
END_TEST

START_TEST(different_seeds_differ_on_a_lossy_link)
{
    struct scenario *s = lossy_bulk(200000, 20000); /* 20 % loss */
    struct world *a = world_new(s, 1);
    struct world *b = world_new(s, 2);
    world_run(a);
    world_run(b);
    bool differ = world_trace_len(a) != world_trace_len(b);
    for (size_t i = 0; !differ && i < world_trace_len(a); i++)
        differ = !entry_equal(&world_trace(a)[i], &world_trace(b)[i]);
    ck_assert(differ);
    world_free(a);
    world_free(b);
    scenario_destroy(s);
}
END_TEST

/* ================================================================ seek == */

START_TEST(seek_back_and_forth_replays_the_same_run)
{
    struct scenario *s = lossy_bulk(PPM_5_PERCENT, 20 * BULK_BYTES);
    struct world *ref = world_new(s, 3);
    struct world *w = world_new(s, 3);
    world_run(ref);
    world_run(w);
    size_t total = world_trace_len(ref);
    ck_assert_uint_gt(total, 3 * 2048); /* several snapshots to choose from */

    size_t targets[] = { total / 3, 10, total - 1, total / 2, 0, 2 * total / 3 };
    for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
        size_t idx = targets[k];
        ck_assert(world_seek(w, idx));
        ck_assert_uint_gt(world_trace_len(w), idx);
        /* A straight run stopped at the same point looks the same. */
        struct world *straight = world_new(s, 3);
        while (world_trace_len(straight) <= idx)
            ck_assert(world_step(straight));
        assert_same_run(w, straight);
        assert_same_hosts(w, straight);
        world_free(straight);
    }
    /* From the last seek point, running on gives the original run. */
    world_run(w);
    assert_same_run(w, ref);
    assert_same_hosts(w, ref);
    ck_assert(!world_seek(w, total + 5));
    world_free(ref);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

/* =============================================================== crash == */

START_TEST(crashed_host_drops_arrivals_as_host_down)
{
    struct scenario *s = two_hosts(0, 5 * SEC);
    add_rule(s, TRIG_AT, 1 * SEC, ACT_CRASH, SERVER);
    add_send(s, 1100 * MS, CLIENT, 1000);
    struct world *w = world_new(s, 1);
    world_run(w);

    const struct trace_entry *t = world_trace(w);
    long crash = find_seg(w, EV_HOST, SERVER, -1, 0);
    ck_assert_int_ge(crash, 0);
    ck_assert_uint_eq(t[crash].t, 1 * SEC);
    ck_assert_uint_eq(t[crash].ev.u.host.up, 0);
    ck_assert(!world_host_up(w, SERVER));
    ck_assert_ptr_null(world_stack(w, SERVER));

    long data = find_seg(w, EV_SEG_OUT, CLIENT, -1, 2); /* SYN, ACK, then data */
    ck_assert_int_gt(data, crash);
    long dead = find_seg(w, EV_SEG_DROP, SERVER, -1, 0);
    ck_assert_int_gt(dead, data);
    ck_assert_uint_eq(t[dead].ev.u.seg.drop, DROP_HOST_DOWN);
    ck_assert_uint_eq(t[dead].t, t[data].t + LINK_DELAY);
    ck_assert_uint_ge(world_drops(w, SERVER, DROP_HOST_DOWN), 2); /* and the retransmission */
    /* The client keeps retransmitting into the void. */
    ck_assert_uint_gt(tcp_stack_stats(world_stack(w, CLIENT))->retransmits, 0);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

START_TEST(reboot_brings_back_an_empty_stack)
{
    struct scenario *s = two_hosts(0, 5 * SEC);
    add_rule(s, TRIG_AT, 1 * SEC, ACT_CRASH, SERVER);
    add_rule(s, TRIG_AT, 2 * SEC, ACT_REBOOT, SERVER);
    struct world *w = world_new(s, 1);
    world_run(w);
    ck_assert(world_host_up(w, SERVER));
    ck_assert_int_eq(world_host_socket(w, SERVER), 0);
    ck_assert_int_eq(world_host_listener(w, SERVER), 0);
    ck_assert_int_ge(find_seg(w, EV_HOST, SERVER, -1, 1), 0);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

/* ========================================================= checkpoints == */

static void add_state_expect(struct scenario *s, uint64_t at, int host, enum tcp_state st)
{
    struct scn_action *a = &add_rule(s, TRIG_AT, at, ACT_EXPECT, host)->action;
    a->nterms = 1;
    strcpy(a->terms[0].key, "state");
    a->terms[0].cmp = CMP_EQ;
    a->terms[0].value = st;
    a->terms[0].is_state = true;
}

START_TEST(checkpoints_pass_and_fail_are_counted)
{
    struct scenario *s = two_hosts(0, 2 * SEC);
    add_state_expect(s, 5 * MS, CLIENT, TCP_SYN_SENT);    /* holds */
    add_state_expect(s, 1 * SEC, SERVER, TCP_CLOSED);     /* does not */
    struct scn_action *a = &add_rule(s, TRIG_END, 0, ACT_EXPECT, SERVER)->action;
    a->nterms = 1;
    strcpy(a->terms[0].key, "accepted");
    a->terms[0].cmp = CMP_EQ;
    a->terms[0].value = 1;
    struct world *w = world_new(s, 1);
    world_run(w);

    expect_checkpoint_counts(w, 2, 1);
    bool ok = false;
    const struct scn_action *exp = NULL;
    ck_assert(world_checkpoint_result(w, 0, &ok, &exp));
    ck_assert(ok);
    ck_assert_ptr_eq(exp, &s->rules[2].action);
    ck_assert(world_checkpoint_result(w, 1, &ok, &exp));
    ck_assert(!ok);
    ck_assert_ptr_eq(exp, &s->rules[3].action);
    ck_assert(world_checkpoint_result(w, 2, &ok, NULL));
    ck_assert(ok);
    ck_assert(!world_checkpoint_result(w, 3, &ok, NULL));

    long cp = find_seg(w, EV_CHECKPOINT, SERVER, -1, 0);
    ck_assert_int_ge(cp, 0);
    ck_assert_uint_eq(world_trace(w)[cp].ev.u.check.index, 1);
    ck_assert_uint_eq(world_trace(w)[cp].ev.u.check.passed, 0);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

START_TEST(state_trigger_schedules_its_action)
{
    /* "on server state=ESTABLISHED, 50 ms later: client close". */
    struct scenario *s = two_hosts(0, 5 * SEC);
    struct scn_rule *r = add_rule(s, TRIG_STATE, 0, ACT_CLOSE, SERVER);
    r->trigger.value = TCP_ESTABLISHED;
    r->trigger.after = 50 * MS;
    r->action.host = CLIENT;
    struct world *w = world_new(s, 1);
    world_run(w);
    long fin = find_seg(w, EV_SEG_OUT, CLIENT, TCP_FIN | TCP_ACK, 0);
    ck_assert_int_ge(fin, 0);
    /* The server is established when the final ACK arrives at 30 ms. */
    ck_assert_uint_eq(world_trace(w)[fin].t, 3 * LINK_DELAY + 50 * MS);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

/* ================================================================ bulk == */

START_TEST(bulk_over_lossy_link_arrives_intact)
{
    struct scenario *s = lossy_bulk(PPM_5_PERCENT, BULK_BYTES);
    struct world *w = world_new(s, 11);
    world_run(w);
    const struct host_app_stats *c = world_host_app(w, CLIENT);
    const struct host_app_stats *sv = world_host_app(w, SERVER);
    ck_assert_uint_eq(c->bytes_written, BULK_BYTES);
    ck_assert_uint_eq(sv->bytes_read, BULK_BYTES);
    ck_assert_uint_eq(sv->digest_read, c->digest_written);
    ck_assert_uint_gt(world_drops(w, CLIENT, DROP_LOSS) + world_drops(w, SERVER, DROP_LOSS), 0);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

START_TEST(corrupted_copy_is_delivered_and_rejected)
{
    struct scenario *s = two_hosts(0, 3 * SEC);
    struct scn_fault *f = add_fault(s, FAULT_CORRUPT);
    f->match.from = CLIENT;
    f->match.flags_set = TCP_SYN;
    f->match.nth = 1;
    struct world *w = world_new(s, 5);
    world_run(w);
    /* The corrupted SYN arrives as a separate packet that was never sent. */
    bool copy_seen = false;
    for (uint32_t id = 0; id < world_packet_count(w); id++)
        copy_seen = copy_seen || world_packet_is_copy(w, id);
    ck_assert(copy_seen);
    /* The original SYN is retransmitted after the RTO and the connection
     * is made. */
    ck_assert_int_ge(find_seg(w, EV_SEG_OUT, CLIENT, TCP_SYN, 1), 0);
    ck_assert_int_eq(host_state(w, CLIENT), TCP_ESTABLISHED);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

START_TEST(injected_syns_from_a_third_party)
{
    struct scenario *s = two_hosts(0, 2 * SEC);
    struct scn_action *a = &add_rule(s, TRIG_AT, 1 * SEC, ACT_INJECT, -1)->action;
    a->inject.src_addr = 0x0a000063u;
    a->inject.dst_addr = SERVER_ADDR;
    a->inject.src_port = 4444;
    a->inject.dst_port = SERVER_PORT;
    a->inject.flags = TCP_SYN;
    a->inject.seq_random = true;
    a->inject.count = 3;
    a->inject.interval = 100 * MS;
    a->inject.mss = 1460;
    struct world *w = world_new(s, 1);
    world_run(w);
    const struct trace_entry *t = world_trace(w);
    for (unsigned k = 0; k < 3; k++) {
        long i = find_seg(w, EV_SEG_OUT, 0xFFFF, TCP_SYN, k);
        ck_assert_int_ge(i, 0);
        ck_assert_uint_eq(t[i].t, 1 * SEC + k * 100 * MS);
        ck_assert_uint_eq(t[i].ev.u.seg.src_port, 4444);
        ck_assert(t[i].ev.u.seg.opts & TCP_EVOPT_MSS);
    }
    ck_assert_int_lt(find_seg(w, EV_SEG_OUT, 0xFFFF, TCP_SYN, 3), 0);
    /* The server answers each forged SYN (to an address nobody has). */
    ck_assert_int_ge(find_seg(w, EV_SEG_IN, SERVER, TCP_SYN, 1), 0);
    world_free(w);
    scenario_destroy(s);
}
END_TEST

/* ============================================================== parsed == */

/* The same world driven by a scenario file's text, as tcpviz --batch does;
 * autoread is off, so the server's data stay in its buffer until an
 * explicit read. */
static const char manual_read_scn[] =
    "duration 2s\n"
    "host client 10.0.0.1 isn=1000\n"
    "host server 10.0.0.2 isn=5000 autoread=off\n"
    "link client<->server delay=20ms\n"
    "at 0s server listen 80\n"
    "at 100ms client connect server:80\n"
    "at 200ms client send \"hello\"\n"
    "at 300ms expect server bytes_read=0\n"
    "at 400ms server read\n"
    "at 500ms expect server bytes_read=5 state=ESTABLISHED\n"
    "at end expect client bytes_written=5\n";

START_TEST(parsed_scenario_reads_only_when_told)
{
    struct scenario s;
    char err[256] = "";
    ck_assert_msg(scenario_parse_string("manual_read.scn", manual_read_scn, &s, err,
                                        sizeof err) == 0, "%s", err);
    struct world *w = world_new(&s, 1);
    ck_assert_ptr_nonnull(w);
    world_run(w);
    expect_checkpoint_counts(w, 3, 0);
    ck_assert_uint_eq(world_now(w), 2 * SEC); /* "at end" is the duration */
    const struct host_app_stats *c = world_host_app(w, CLIENT);
    const struct host_app_stats *sv = world_host_app(w, SERVER);
    ck_assert_uint_eq(sv->digest_read, c->digest_written);
    long syn = find_seg(w, EV_SEG_OUT, CLIENT, TCP_SYN, 0);
    ck_assert_int_ge(syn, 0);
    ck_assert_uint_eq(world_trace(w)[syn].ev.u.seg.seq, 1000);
    ck_assert_uint_eq(world_trace(w)[syn].t, 100 * MS);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* ======================================================= app behaviours == */

/* The world of a scenario text (issue 3's apps are written as scenario
 * lines, as a teacher would).  *s must be freed with scenario_free. */
static struct world *world_of_text(const char *text, struct scenario *s)
{
    char err[256] = "";
    ck_assert_msg(scenario_parse_string("app.scn", text, s, err, sizeof err) == 0, "%s", err);
    struct world *w = world_new(s, 1);
    ck_assert_ptr_nonnull(w);
    return w;
}

/* Every checkpoint of the run held; names the first that did not. */
static void assert_checkpoints_pass(const struct world *w, unsigned want)
{
    unsigned passed = 0, failed = 0;
    world_checkpoint_counts(w, &passed, &failed);
    for (unsigned i = 0; i < passed + failed; i++) {
        bool ok = false;
        const struct scn_action *a = NULL;
        ck_assert(world_checkpoint_result(w, i, &ok, &a));
        ck_assert_msg(ok, "checkpoint %u (line %u) failed", i, a ? a->origin.line : 0);
    }
    ck_assert_uint_eq(passed, want);
    ck_assert_uint_eq(failed, 0);
}

/* The app calls of `call` made by host, in trace order: their times and
 * results, at most max; returns how many there were in all. */
static size_t app_calls(const struct world *w, int host, enum tcp_app_call call,
                        uint64_t *times, int32_t *results, size_t max)
{
    size_t n = 0;
    const struct trace_entry *t = world_trace(w);
    for (size_t i = 0; i < world_trace_len(w); i++) {
        if (t[i].ev.kind != EV_APP || t[i].ev.endpoint != host || t[i].ev.u.app.call != call)
            continue;
        if (n < max) {
            times[n] = t[i].t;
            results[n] = t[i].ev.u.app.result;
        }
        n++;
    }
    return n;
}

#define APP_HOSTS                                   \
    "host client 10.0.0.1 isn=1000\n"               \
    "host server 10.0.0.2 isn=5000\n"               \
    "link client<->server delay=10ms\n"             \
    "at 0s server listen 80\n"                      \
    "at 0s client connect server:80\n"

START_TEST(paced_send_writes_what_the_rate_allows_every_millisecond)
{
    /* 800 kbit/s is 100 bytes per millisecond: 100 writes of 100 bytes
     * from 101 ms to 200 ms. */
    struct scenario s;
    struct world *w = world_of_text("duration 2s\n" APP_HOSTS
                                    "at 100ms client send 10000 rate=800kbit\n"
                                    "at 150500us expect client bytes_written=5000\n"
                                    "at end expect server bytes_read=10000\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 2);
    uint64_t at[128];
    int32_t got[128];
    size_t n = app_calls(w, CLIENT, APP_SEND, at, got, 128);
    ck_assert_uint_eq(n, 100);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(at[i], 100 * MS + (i + 1) * MS);
        ck_assert_int_eq(got[i], 100);
    }
    ck_assert_uint_eq(world_host_app(w, SERVER)->digest_read, pattern_digest(CLIENT, 10000));
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(paced_send_starts_when_the_socket_is_writable)
{
    /* Queued at 0 s, the send starts when the handshake is done (20 ms).
     * 12 kbit/s is 1.5 bytes per millisecond: the total allowed after k ms
     * is floor(1.5 k), so 30 bytes take 20 writes, the last at 40 ms. */
    struct scenario s;
    struct world *w = world_of_text("duration 1s\n" APP_HOSTS
                                    "at 0s client send 30 rate=12kbit\n"
                                    "at end expect server bytes_read=30\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 1);
    uint64_t at[32];
    int32_t got[32];
    ck_assert_uint_eq(app_calls(w, CLIENT, APP_SEND, at, got, 32), 20);
    uint64_t total = 0;
    for (unsigned k = 1; k <= 20; k++) {
        ck_assert_uint_eq(at[k - 1], 20 * MS + k * MS);
        total += (uint64_t)got[k - 1];
        ck_assert_uint_eq(total, 3 * k / 2);
    }
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(responder_answers_each_complete_request)
{
    /* 250 bytes are two whole requests (and half of one): 2000 bytes of
     * response; the last 50 bytes complete the third. */
    struct scenario s;
    struct world *w = world_of_text("duration 2s\n" APP_HOSTS
                                    "at 0s server respond request=100 response=1000\n"
                                    "at 100ms client send 250\n"
                                    "at 300ms expect server bytes_read=250 bytes_written=2000\n"
                                    "at 300ms expect client bytes_read=2000\n"
                                    "at 400ms client send 50\n"
                                    "at end expect server bytes_read=300 bytes_written=3000\n"
                                    "at end expect client bytes_read=3000\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 4);
    /* The response is written at the moment its request is read. */
    uint64_t read_at[8], write_at[8];
    int32_t r[8];
    ck_assert_uint_ge(app_calls(w, SERVER, APP_RECV, read_at, r, 8), 1);
    ck_assert_uint_ge(app_calls(w, SERVER, APP_SEND, write_at, r, 8), 1);
    ck_assert_uint_eq(write_at[0], read_at[0]);
    ck_assert_uint_eq(world_host_app(w, CLIENT)->digest_read, pattern_digest(SERVER, 3000));
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(slow_reader_reads_a_little_every_period)
{
    struct scenario s;
    struct world *w = world_of_text("duration 100s\n"
                                    "host client 10.0.0.1 isn=1000 msl=1s\n"
                                    "host server 10.0.0.2 isn=5000 msl=1s\n"
                                    "link client<->server delay=10ms\n"
                                    "at 0s server listen 80\n"
                                    "at 0s client connect server:80\n"
                                    "at 0s server read 1000 every=100ms\n"
                                    "at 100ms client send 5000\n"
                                    "at 150ms expect server bytes_read=0\n"
                                    "at 250ms expect server bytes_read=1000\n"
                                    "at 450ms expect server bytes_read=3000\n"
                                    "at 1s expect server bytes_read=5000\n"
                                    "at 1s client close\n"
                                    "on server eof do server close\n", &s);
    size_t steps = 0;
    while (world_step(w))
        steps++;
    assert_checkpoints_pass(w, 4);
    uint64_t at[16];
    int32_t got[16];
    size_t n = app_calls(w, SERVER, APP_RECV, at, got, 16);
    ck_assert_uint_eq(n, 5); /* at 200, 300, 400, 500 and 600 ms */
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(at[i], (200 + 100 * i) * MS);
        ck_assert_int_eq(got[i], 1000);
    }
    ck_assert_uint_eq(world_host_app(w, SERVER)->digest_read, pattern_digest(CLIENT, 5000));
    /* Once the stream has ended the reader stops ticking: 100 s of ticks
     * every 100 ms would be a thousand steps. */
    ck_assert_uint_lt(steps, 200);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(app_that_stops_reading_closes_the_window)
{
    /* The server's app stops reading; its 8 KiB buffer fills and the
     * window it advertises goes to zero.  Reading again lets the rest in. */
    struct scenario s;
    struct world *w = world_of_text("duration 10s\n"
                                    "host client 10.0.0.1 isn=1000\n"
                                    "host server 10.0.0.2 isn=5000 rcvbuf=8KiB\n"
                                    "link client<->server delay=10ms\n"
                                    "at 0s server listen 80\n"
                                    "at 0s client connect server:80\n"
                                    "at 50ms server set autoread=off\n"
                                    "at 100ms client send 20000\n"
                                    "at 4s expect server bytes_read=0 rcv_wnd=0 rcv_nxt=9193\n"
                                    "at 4s expect client bytes_written=20000 snd_una=9193 snd_wnd=0\n"
                                    "at 5s server set autoread=on\n"
                                    "at end expect server bytes_read=20000 rcv_nxt=21001\n"
                                    "at end expect client snd_una=21001\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 4);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* A write of 100 kB that cannot fit the 16 KiB send buffer, with the
 * close asked for at once: the two tests below differ in what follows. */
#define SEND_100K_THEN_CLOSE                        \
    "host client 10.0.0.1 isn=1000 sndbuf=16KiB\n"  \
    "host server 10.0.0.2 isn=5000\n"               \
    "at 0s server listen 80\n"                      \
    "at 0s client connect server:80\n"              \
    "at 100ms client send 100000\n"                 \
    "at 100ms client close\n"

START_TEST(close_waits_for_the_writes_before_it)
{
    /* 100 kB do not fit the 16 KiB send buffer: the close waits until the
     * app has written them all, then the FIN follows the data. */
    struct scenario s;
    struct world *w = world_of_text("duration 10s\n"
                                    SEND_100K_THEN_CLOSE
                                    "on server eof do server close\n"
                                    "at end expect client bytes_written=100000\n"
                                    "at end expect server bytes_read=100000 state=CLOSED\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 2);
    uint64_t at[64];
    int32_t r[64];
    size_t writes = app_calls(w, CLIENT, APP_SEND, at, r, 64);
    ck_assert_uint_ge(writes, 2);
    ck_assert_uint_le(writes, 64);
    uint64_t closed[1];
    ck_assert_uint_eq(app_calls(w, CLIENT, APP_CLOSE, closed, r, 1), 1);
    ck_assert_uint_eq(closed[0], at[writes - 1]); /* right after the last write */
    ck_assert_uint_gt(closed[0], 100 * MS);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(abort_discards_the_writes_still_queued)
{
    struct scenario s;
    struct world *w = world_of_text("duration 5s\n"
                                    SEND_100K_THEN_CLOSE
                                    "at 101ms client abort\n"
                                    "at end expect client bytes_written<100000\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 1);
    uint64_t at[1];
    int32_t r[1];
    ck_assert_uint_eq(app_calls(w, CLIENT, APP_CLOSE, at, r, 1), 0); /* the close never came */
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(later_set_and_link_lines_keep_earlier_changes)
{
    /* Each line changes only what it writes: the second "set" keeps the
     * app from reading, the second "link" keeps the link dead. */
    struct scenario s;
    struct world *w = world_of_text("duration 2s\n" APP_HOSTS
                                    "at 50ms server set autoread=off\n"
                                    "at 60ms server set rcvbuf=64KiB\n"
                                    "at 100ms client send 5000\n"
                                    "at 1s expect server bytes_read=0 rcv_wnd=60536\n"
                                    "at 1s link client->server loss=100%\n"
                                    "at 1100ms link client->server delay=5ms\n"
                                    "at 1200ms client send 100\n"
                                    "at end expect client snd_una=6001 snd_nxt=6101\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 2);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(connection_variables_after_the_handshake)
{
    struct scenario s;
    struct world *w = world_of_text("duration 2s\n" APP_HOSTS
                                    "at 1s expect client snd_una=1001 snd_nxt=1001 rcv_nxt=5001\n"
                                    "at 1s expect client dupacks=0 in_recovery=no snd_wnd=65535\n"
                                    "at 1s expect server snd_una=5001 snd_nxt=5001 rcv_nxt=1001\n"
                                    "at 1s expect server rcv_wnd=65536\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 4);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(congestion_variables_start_as_configured)
{
    /* RFC 6928: IW 10 segments by default; iw=4 asks for 4.  RFC 5681 3.1:
     * ssthresh starts "arbitrarily high" unless set. */
    struct scenario s;
    struct world *w = world_of_text("duration 2s\n"
                                    "host client 10.0.0.1 isn=1000 iw=4 ssthresh=20000\n"
                                    "host server 10.0.0.2 isn=5000\n"
                                    "at 0s server listen 80\n"
                                    "at 0s client connect server:80\n"
                                    "at 1s expect client cwnd=5840 ssthresh=20000\n"
                                    "at 1s expect server cwnd=14600 ssthresh=4294967295\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 2);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(connection_variables_need_a_connection)
{
    /* Before the server listens it has no connection to read them from:
     * the checkpoint fails rather than inventing a value. */
    struct scenario s;
    struct world *w = world_of_text("duration 1s\n"
                                    "host client 10.0.0.1\n"
                                    "host server 10.0.0.2\n"
                                    "at 0s expect server cwnd>=0\n"
                                    "at 0s expect server snd_una>=0\n"
                                    "at 0s expect server bytes_read=0\n", &s);
    world_run(w);
    expect_checkpoint_counts(w, 1, 2);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(rto_estimator_in_whole_milliseconds)
{
    /* 10 ms each way: the client's first sample is R = 20 ms, so RFC 6298
     * 2.2 gives SRTT 20, RTTVAR 10 and RTO 20 + 4 x 10 = 60, raised to the
     * 200 ms minimum.  Before it, the initial RTO of 1 s and no estimate. */
    struct scenario s;
    struct world *w = world_of_text("duration 2s\n" APP_HOSTS
                                    "at 10ms expect client rto=1000 srtt=0 rttvar=0\n"
                                    "at 1s expect client srtt=20 rttvar=10 rto=200\n"
                                    "at 1s expect client rto>199 rto<201 srtt!=21\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 3);
    int64_t v = -1;
    ck_assert(world_host_value(w, CLIENT, "srtt", &v));
    ck_assert_int_eq(v, 20);
    ck_assert(world_host_value(w, SERVER, "rttvar", &v));
    ck_assert_int_eq(v, 10);
    ck_assert(world_host_value(w, SERVER, "rto", &v));
    ck_assert_int_eq(v, 200);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(rto_key_reads_the_backed_off_timer)
{
    /* The first data segment is lost: the RTO fires at 300 ms and doubles
     * (RFC 6298 5.5); the ACK of the copy is ambiguous (Karn, RFC 6298 3),
     * so no sample brings it back and the estimate stays as it was. */
    struct scenario s;
    struct world *w = world_of_text("duration 2s\n" APP_HOSTS
                                    "fault drop from=client data=yes nth=1\n"
                                    "at 100ms client send 100\n"
                                    "at 299ms expect client rto=200 retransmits=0\n"
                                    "at 301ms expect client rto=400 retransmits=1\n"
                                    "at 1s expect client rto=400 srtt=20 rttvar=10 snd_una=1101\n",
                                    &s);
    world_run(w);
    assert_checkpoints_pass(w, 3);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(rto_estimator_refuses_to_round)
{
    /* 10.25 ms each way: R = 20.5 ms, SRTT 20.5, RTTVAR 10.25: not whole
     * milliseconds, so the checks cannot read them and fail, whatever they
     * compare with, while the whole RTO (the 200 ms minimum) still reads. */
    struct scenario s;
    struct world *w = world_of_text("duration 1s\n"
                                    "host client 10.0.0.1 isn=1000\n"
                                    "host server 10.0.0.2 isn=5000\n"
                                    "link client<->server delay=10250us\n"
                                    "at 0s server listen 80\n"
                                    "at 0s client connect server:80\n"
                                    "at 500ms expect client srtt=20\n"
                                    "at 500ms expect client srtt>=0\n"
                                    "at 500ms expect client rttvar>=0\n"
                                    "at 500ms expect client rto=200\n", &s);
    world_run(w);
    expect_checkpoint_counts(w, 1, 3);
    int64_t v = -1;
    ck_assert(!world_host_value(w, CLIENT, "srtt", &v));
    ck_assert(world_host_value(w, CLIENT, "rto", &v));
    ck_assert_int_eq(v, 200);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* The client closes first and waits in TIME_WAIT (2 x 5 s); at 1.5 s a
 * program binds the same port again. */
#define TIME_WAIT_HOLDS_PORT                                   \
    "duration 3s\n"                                            \
    "host client 10.0.0.1 isn=1000 msl=5s\n"                   \
    "host server 10.0.0.2 isn=5000 msl=5s\n"                   \
    "link client<->server delay=20ms\n"                        \
    "at 0s server listen 80\n"                                 \
    "at 100ms client connect server:80 port=49152\n"           \
    "at 500ms client close\n"                                  \
    "on server eof do server close\n"

START_TEST(failed_bind_means_no_connect)
{
    struct scenario s;
    struct world *w = world_of_text(TIME_WAIT_HOLDS_PORT
                                    "at 1s expect client error=none\n"
                                    "at 1.5s client connect server:80 port=49152\n"
                                    "at 1.6s expect client error=address-in-use\n"
                                    "at 1.6s expect client state=TIME_WAIT segs_out=4\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 3);
    /* bind() reported its failure, and connect() was never called. */
    uint64_t at[4];
    int32_t rc[4];
    ck_assert_uint_eq(app_calls(w, CLIENT, APP_BIND, at, rc, 4), 2);
    ck_assert_int_eq(rc[0], 0);
    ck_assert_int_eq(rc[1], -TCP_ERR_ADDR_IN_USE);
    ck_assert_uint_eq(at[1], 1500 * MS);
    ck_assert_uint_eq(app_calls(w, CLIENT, APP_CONNECT, at, rc, 4), 1);
    ck_assert_uint_eq(at[0], 100 * MS);
    /* Not from an ephemeral port either: one SYN in the whole run. */
    ck_assert_int_ge(find_seg(w, EV_SEG_OUT, CLIENT, TCP_SYN, 0), 0);
    ck_assert_int_lt(find_seg(w, EV_SEG_OUT, CLIENT, TCP_SYN, 1), 0);
    ck_assert_int_eq(world_host_socket(w, CLIENT), 0);
    int64_t err = -1;
    ck_assert(world_host_value(w, CLIENT, "error", &err));
    ck_assert_int_eq(err, TCP_ERR_ADDR_IN_USE);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* SO_REUSEADDR lets bind() share the port with TIME_WAIT, but not the
 * 4-tuple: connect() to the same server port fails (Linux: EADDRNOTAVAIL),
 * no SYN leaves and TIME_WAIT lives on.  Another server port is fine. */
START_TEST(reuseaddr_bind_succeeds_but_time_wait_keeps_its_4tuple)
{
    struct scenario s;
    struct world *w = world_of_text(TIME_WAIT_HOLDS_PORT
                                    "at 1.5s client connect server:80 port=49152\n"
                                    "at 2s client set reuseaddr=on\n"
                                    "at 2s client connect server:80 port=49152\n"
                                    "at 2.1s expect client error=address-not-available\n"
                                    "at 2.1s expect client state=TIME_WAIT segs_out=4\n"
                                    "at 2.5s server listen 81\n"
                                    "at 2.5s client connect server:81 port=49152\n"
                                    "at 2.6s expect client state=ESTABLISHED error=none\n"
                                    "at end expect server accepted=2\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 4);
    uint64_t at[4];
    int32_t rc[4];
    ck_assert_uint_eq(app_calls(w, CLIENT, APP_BIND, at, rc, 4), 4);
    ck_assert_int_eq(rc[1], -TCP_ERR_ADDR_IN_USE);
    ck_assert_int_eq(rc[2], 0);
    ck_assert_int_eq(rc[3], 0);
    ck_assert_uint_eq(app_calls(w, CLIENT, APP_CONNECT, at, rc, 4), 3);
    ck_assert_uint_eq(at[1], 2 * SEC);
    ck_assert_int_eq(rc[1], -TCP_ERR_ADDR_NOT_AVAIL);
    ck_assert_str_eq(tcp_error_name(TCP_ERR_ADDR_NOT_AVAIL), "address-not-available");
    ck_assert_int_eq(rc[2], 0);
    /* The second SYN is the one to port 81, at 2.5 s. */
    long syn = find_seg(w, EV_SEG_OUT, CLIENT, TCP_SYN, 1);
    ck_assert_int_ge(syn, 0);
    ck_assert_uint_eq(world_trace(w)[syn].ev.u.seg.src_port, 49152);
    ck_assert_uint_eq(world_trace(w)[syn].ev.u.seg.dst_port, 81);
    ck_assert_uint_eq(world_trace(w)[syn].t, 2500 * MS);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(connection_error_still_wins_while_connected)
{
    /* After a failed bind the next successful connect owns the error key
     * again: a reset of that connection reads as reset. */
    struct scenario s;
    struct world *w = world_of_text(TIME_WAIT_HOLDS_PORT
                                    "at 1.5s client connect server:80 port=49152\n"
                                    "at 2s client connect server:80\n"
                                    "at 2.1s expect client state=ESTABLISHED error=none\n"
                                    "at 2.2s server abort\n"
                                    "at 2.3s expect client state=CLOSED error=reset\n", &s);
    world_run(w);
    assert_checkpoints_pass(w, 2);
    world_free(w);
    scenario_free(&s);
}
END_TEST

START_TEST(bad_arguments_do_not_crash)
{
    ck_assert_ptr_null(world_new(NULL, 1));
    world_free(NULL);
    ck_assert(!world_step(NULL));
    ck_assert(!world_seek(NULL, 0));
}
END_TEST

/* The sequence numbers of the client's data segments the fault rules
 * dropped, in order; returns how many. */
static size_t fault_dropped_seqs(const struct world *w, uint32_t *out, size_t max)
{
    const struct trace_entry *tr = world_trace(w);
    size_t n = 0;
    for (size_t i = 0; i < world_trace_len(w); i++) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind == EV_SEG_DROP && ev->u.seg.drop == DROP_FAULT && ev->u.seg.len > 0) {
            if (n < max)
                out[n] = ev->u.seg.seq;
            n++;
        }
    }
    return n;
}

/* "flags=ACK" is exact but ignores PSH (docs/scenario-format.md): a lone
 * small write goes out as [P.] and must still match. */
START_TEST(exact_flags_ignore_psh)
{
    struct scenario s;
    struct world *w = world_of_text("duration 2s\n" APP_HOSTS
                                    "fault drop from=client flags=ACK data=yes nth=1\n"
                                    "at 100ms client send 100\n", &s);
    world_run(w);
    uint32_t seqs[4];
    ck_assert_uint_eq(fault_dropped_seqs(w, seqs, 4), 1);
    ck_assert_uint_eq(seqs[0], 1001);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* Each rule counts every matching segment, also those an earlier rule
 * dropped: nth=1 and nth=2 drop the first two data segments, not the
 * first and the third. */
START_TEST(fault_rules_count_segments_others_dropped)
{
    struct scenario s;
    struct world *w = world_of_text("duration 5s\n" APP_HOSTS
                                    "fault drop from=client data=yes nth=1\n"
                                    "fault drop from=client data=yes nth=2\n"
                                    "at 100ms client send 4000\n", &s);
    world_run(w);
    uint32_t seqs[4];
    ck_assert_uint_eq(fault_dropped_seqs(w, seqs, 4), 2);
    ck_assert_uint_eq(seqs[0], 1001);
    ck_assert_uint_eq(seqs[1], 1001 + 1460);
    world_free(w);
    scenario_free(&s);
}
END_TEST

/* A checkpoint whose trigger never happens fails, and says so, rather than
 * vanishing from the count. */
START_TEST(unreached_checkpoint_fails)
{
    struct scenario s;
    struct world *w = world_of_text("duration 1s\n" APP_HOSTS
                                    "on client state=CLOSE_WAIT do expect client state=CLOSE_WAIT\n"
                                    "at 500ms expect client state=ESTABLISHED\n", &s);
    world_run(w);
    expect_checkpoint_counts(w, 1, 1);
    const struct trace_entry *tr = world_trace(w);
    const struct tcp_event *last = &tr[world_trace_len(w) - 1].ev;
    ck_assert_uint_eq(last->kind, EV_CHECKPOINT);
    ck_assert(!last->u.check.passed);
    ck_assert(last->u.check.unreached);
    world_free(w);
    scenario_free(&s);
}
END_TEST

static Suite *world_suite(void)
{
    Suite *s = suite_create("world");
    TCase *run = tcase_create("run");
    tcase_set_timeout(run, 60);
    tcase_add_test(run, handshake_three_segments_one_link_delay_apart);
    tcase_add_test(run, fault_drops_first_syn_and_rto_resends_it);
    tcase_add_test(run, crashed_host_drops_arrivals_as_host_down);
    tcase_add_test(run, reboot_brings_back_an_empty_stack);
    tcase_add_test(run, checkpoints_pass_and_fail_are_counted);
    tcase_add_test(run, state_trigger_schedules_its_action);
    tcase_add_test(run, corrupted_copy_is_delivered_and_rejected);
    tcase_add_test(run, injected_syns_from_a_third_party);
    tcase_add_test(run, parsed_scenario_reads_only_when_told);
    tcase_add_test(run, bad_arguments_do_not_crash);
    tcase_add_test(run, exact_flags_ignore_psh);
    tcase_add_test(run, fault_rules_count_segments_others_dropped);
    tcase_add_test(run, unreached_checkpoint_fails);
    suite_add_tcase(s, run);

    TCase *apps = tcase_create("apps");
    tcase_set_timeout(apps, 60);
    tcase_add_test(apps, paced_send_writes_what_the_rate_allows_every_millisecond);
    tcase_add_test(apps, paced_send_starts_when_the_socket_is_writable);
    tcase_add_test(apps, responder_answers_each_complete_request);
    tcase_add_test(apps, slow_reader_reads_a_little_every_period);
    tcase_add_test(apps, app_that_stops_reading_closes_the_window);
    tcase_add_test(apps, close_waits_for_the_writes_before_it);
    tcase_add_test(apps, abort_discards_the_writes_still_queued);
    tcase_add_test(apps, later_set_and_link_lines_keep_earlier_changes);
    tcase_add_test(apps, connection_variables_after_the_handshake);
    tcase_add_test(apps, congestion_variables_start_as_configured);
    tcase_add_test(apps, connection_variables_need_a_connection);
    tcase_add_test(apps, rto_estimator_in_whole_milliseconds);
    tcase_add_test(apps, rto_key_reads_the_backed_off_timer);
    tcase_add_test(apps, rto_estimator_refuses_to_round);
    tcase_add_test(apps, failed_bind_means_no_connect);
    tcase_add_test(apps, reuseaddr_bind_succeeds_but_time_wait_keeps_its_4tuple);
    tcase_add_test(apps, connection_error_still_wins_while_connected);
    suite_add_tcase(s, apps);

    TCase *replay = tcase_create("replay");
    tcase_set_timeout(replay, 120);
    tcase_add_test(replay, same_seed_same_trace);
    tcase_add_test(replay, different_seeds_differ_on_a_lossy_link);
    tcase_add_test(replay, seek_back_and_forth_replays_the_same_run);
    tcase_add_test(replay, bulk_over_lossy_link_arrives_intact);
    suite_add_tcase(s, replay);
    return s;
}

int main(void)
{
    return check_main_run(world_suite());
}
