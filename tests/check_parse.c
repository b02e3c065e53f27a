/* Tests of the scenario file parser: a complete example field by field, the
 * unit conversions, the default links, a table of broken files with the
 * exact line each error must name, and robustness against truncated and
 * mangled input (run under ASan/UBSan by `make check-asan`). */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lesson/scenario_parse.h"
#include "sim/scenario.h"
#include "tcp/cc.h"
#include "tcp/event.h"
#include "tcp/segment.h"
#include "tcp/state.h"
#include "tcp/timer.h"

#include "check_main.h"

#define ERRLEN 512
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const char example[] =
    "# A complete example touching every kind of line.\n"
    "title \"Handshake \\\"demo\\\"\"   # a quoted title\n"
    "duration 1.5s\n"
    "seed 42\n"
    "\n"
    "host client 10.0.0.1 isn=1000 msl=5s mss=536 rcvbuf=64KiB delack=off wscale=7\n"
    "host server 10.0.0.2 isn=5000 backlog=8 syncookies=on fin_wait2=off keepalive=on keepidle=60s\n"
    "host spare 10.0.0.3\n"
    "link client<->server delay=20ms rate=100Mbit loss=0.5%\n"
    "link client->spare delay=1ms ge_gb=1% queue=10\n"
    "fault drop from=client flags=SYN nth=1\n"
    "fault delay to=server has=ACK data=yes by=250ms\n"
    "at 0s server listen 80 backlog=16\n"
    "at 100ms client connect server:80 port=49152\n"
    "on client state=ESTABLISHED after=10ms do client send \"hello\"\n"
    "on server received=FIN,ACK nth=2 data=no do server close\n"
    "on client timer=time-wait do note \"TIME_WAIT is over\"\n"
    "at 1s client set nagle=off rcvbuf=4KiB\n"
    "at 1s link server->client loss=100%\n"
    "at 1s inject random:random > server:80 flags=SYN seq=random count=100 interval=2ms mss=1460\n"
    "at 1s inject 10.0.0.9:4000 > 10.0.0.2:80 flags=RST,ACK seq=7 ack=8 win=0 len=3\n"
    "at 1.2s expect client state=ESTABLISHED retransmits>=1 bytes_written<10\n"
    "at end expect server error=reset syn_dropped!=0\n"
    "at end client read\n"
    "at 2min server read 10k\n"
    "on server eof do server close\n";

static struct scenario parse_ok(const char *text)
{
    struct scenario s;
    char err[ERRLEN];
    int rc = scenario_parse_string("t.scn", text, &s, err, sizeof err);
    ck_assert_msg(rc == 0, "unexpected error: %s", err);
    return s;
}

START_TEST(test_example_header)
{
    struct scenario s = parse_ok(example);
    ck_assert_str_eq(s.file, "t.scn");
    ck_assert_str_eq(s.title, "Handshake \"demo\"");
    ck_assert_uint_eq(s.duration, 1500000);
    ck_assert(s.has_seed);
    ck_assert_uint_eq(s.seed, 42);
    ck_assert_uint_eq(s.nhosts, 3);

    const struct scn_host *c = &s.hosts[0], *sv = &s.hosts[1];
    ck_assert_str_eq(c->name, "client");
    ck_assert_uint_eq(c->addr, IP(10, 0, 0, 1));
    ck_assert(c->cfg.isn_fixed);
    ck_assert_uint_eq(c->cfg.isn, 1000);
    ck_assert_uint_eq(c->cfg.msl, 5000000);
    ck_assert_uint_eq(c->cfg.mss, 536);
    ck_assert_uint_eq(c->cfg.rcvbuf, 65536);
    ck_assert_uint_eq(c->cfg.delack_timeout, 0);
    ck_assert_int_eq(c->cfg.wscale, 7);
    ck_assert_uint_eq(c->origin.line, 6);
    ck_assert_uint_eq(c->cfg.syn_retries, 6);   /* untouched default */

    ck_assert_uint_eq(sv->cfg.syn_backlog, 8);
    ck_assert(sv->cfg.syncookies);
    ck_assert_uint_eq(sv->cfg.fin_wait2_timeout, 0);
    ck_assert(sv->cfg.keepalive);
    ck_assert_uint_eq(sv->cfg.keepalive_idle, 60000000);
    ck_assert_int_eq(sv->cfg.wscale, -1);
    ck_assert(sv->cfg.isn_fixed);
    ck_assert_uint_eq(sv->cfg.isn, 5000);
    ck_assert(!s.hosts[2].cfg.isn_fixed);
    scenario_free(&s);
}
END_TEST

START_TEST(test_example_links_and_faults)
{
    struct scenario s = parse_ok(example);
    /* 2 from client<->server, 1 client->spare, then the 3 missing pairs
     * (spare->client, server->spare, spare->server) get defaults. */
    ck_assert_uint_eq(s.nlinks, 6);
    int cs = scenario_link_index(&s, 0, 1), sc = scenario_link_index(&s, 1, 0);
    ck_assert_int_ge(cs, 0);
    ck_assert_int_ge(sc, 0);
    ck_assert_uint_eq(s.links[cs].params.delay, 20000);
    ck_assert_uint_eq(s.links[cs].params.rate_bps, 100000000);
    ck_assert_uint_eq(s.links[cs].params.loss_ppm, 5000);
    ck_assert_uint_eq(s.links[sc].params.loss_ppm, 5000);
    ck_assert_uint_eq(s.links[cs].origin.line, 9);
    int cx = scenario_link_index(&s, 0, 2);
    ck_assert(s.links[cx].params.gilbert);
    ck_assert_uint_eq(s.links[cx].params.ge_p_good_to_bad_ppm, 10000);
    ck_assert_uint_eq(s.links[cx].params.queue_limit, 10);
    int xs = scenario_link_index(&s, 2, 1);
    ck_assert_int_ge(xs, 0);
    ck_assert_uint_eq(s.links[xs].origin.line, 0);
    ck_assert_uint_eq(s.links[xs].params.delay, 10000);   /* wire default */
    ck_assert_int_eq(scenario_link_index(&s, 1, 1), -1);

    ck_assert_uint_eq(s.nfaults, 2);
    const struct scn_fault *f = &s.faults[0];
    ck_assert_int_eq(f->kind, FAULT_DROP);
    ck_assert_int_eq(f->match.from, 0);
    ck_assert_int_eq(f->match.to, -1);
    ck_assert(f->match.exact_flags);
    ck_assert_uint_eq(f->match.flags_set, TCP_SYN);
    ck_assert_uint_eq(f->match.flags_clear, (uint8_t)~(TCP_SYN | TCP_PSH));
    ck_assert_int_eq(f->match.data, -1);
    ck_assert_uint_eq(f->match.nth, 1);
    f = &s.faults[1];
    ck_assert_int_eq(f->kind, FAULT_DELAY);
    ck_assert_int_eq(f->match.to, 1);
    ck_assert(!f->match.exact_flags);
    ck_assert_uint_eq(f->match.flags_set, TCP_ACK);
    ck_assert_uint_eq(f->match.flags_clear, 0);
    ck_assert_int_eq(f->match.data, 1);
    ck_assert_uint_eq(f->match.nth, 0);
    ck_assert_uint_eq(f->delay, 250000);
    ck_assert_uint_eq(f->origin.line, 12);
    scenario_free(&s);
}
END_TEST

START_TEST(test_example_rules)
{
    struct scenario s = parse_ok(example);
    ck_assert_uint_eq(s.nrules, 14);
    ck_assert_uint_eq(s.nexpects, 2);
    const struct scn_rule *r = s.rules;

    ck_assert_int_eq(r[0].trigger.kind, TRIG_AT);
    ck_assert_uint_eq(r[0].trigger.at, 0);
    ck_assert_int_eq(r[0].action.kind, ACT_LISTEN);
    ck_assert_int_eq(r[0].action.host, 1);
    ck_assert_uint_eq(r[0].action.port, 80);
    ck_assert_uint_eq(r[0].action.backlog, 16);
    ck_assert_uint_eq(r[0].action.origin.line, 13);

    ck_assert_uint_eq(r[1].trigger.at, 100000);
    ck_assert_int_eq(r[1].action.kind, ACT_CONNECT);
    ck_assert_uint_eq(r[1].action.peer_addr, IP(10, 0, 0, 2));
    ck_assert_uint_eq(r[1].action.port, 80);
    ck_assert_uint_eq(r[1].action.local_port, 49152);

    ck_assert_int_eq(r[2].trigger.kind, TRIG_STATE);
    ck_assert_int_eq(r[2].trigger.host, 0);
    ck_assert_int_eq(r[2].trigger.value, TCP_ESTABLISHED);
    ck_assert_uint_eq(r[2].trigger.after, 10000);
    ck_assert_uint_eq(r[2].trigger.nth, 1);
    ck_assert_int_eq(r[2].action.kind, ACT_SEND);
    ck_assert_str_eq(r[2].action.text, "hello");
    ck_assert_uint_eq(r[2].action.bytes, 5);

    ck_assert_int_eq(r[3].trigger.kind, TRIG_RECEIVED);
    ck_assert_int_eq(r[3].trigger.match.to, 1);
    ck_assert_int_eq(r[3].trigger.match.from, -1);
    ck_assert_uint_eq(r[3].trigger.match.flags_set, TCP_FIN | TCP_ACK);
    ck_assert_int_eq(r[3].trigger.match.data, 0);
    ck_assert_uint_eq(r[3].trigger.nth, 2);
    ck_assert_int_eq(r[3].action.kind, ACT_CLOSE);

    ck_assert_int_eq(r[4].trigger.kind, TRIG_TIMER);
    ck_assert_int_eq(r[4].trigger.value, TCP_TIMER_TIME_WAIT);
    ck_assert_int_eq(r[4].action.kind, ACT_NOTE);
    ck_assert_int_eq(r[4].action.host, -1);
    ck_assert_str_eq(r[4].action.text, "TIME_WAIT is over");

    ck_assert_int_eq(r[5].action.kind, ACT_SET);
    ck_assert(!r[5].action.cfg.nagle);
    ck_assert_uint_eq(r[5].action.cfg.rcvbuf, 4096);
    ck_assert_uint_eq(r[5].action.cfg.mss, 536);     /* the rest is the host's */
    ck_assert(s.hosts[0].cfg.nagle);                 /* the host itself is unchanged */
    /* The world applies only what the line wrote: nagle and rcvbuf. */
    ck_assert_uint_eq(r[5].action.changed.count, 2);
    ck_assert_uint_eq(r[5].action.changed.field[0].offset, offsetof(struct tcp_config, nagle));
    ck_assert_uint_eq(r[5].action.changed.field[0].size, sizeof(bool));
    ck_assert_uint_eq(r[5].action.changed.field[1].offset, offsetof(struct tcp_config, rcvbuf));
    ck_assert_uint_eq(r[5].action.changed.field[1].size, sizeof(uint32_t));

    ck_assert_int_eq(r[6].action.kind, ACT_LINK);
    ck_assert_int_eq(r[6].action.link, scenario_link_index(&s, 1, 0));
    ck_assert_uint_eq(r[6].action.link_params.loss_ppm, 1000000);
    ck_assert_uint_eq(r[6].action.link_params.delay, 20000);
    ck_assert_uint_eq(r[6].action.changed.count, 1);
    ck_assert_uint_eq(r[6].action.changed.field[0].offset, offsetof(struct wire_params, loss_ppm));

    const struct scn_inject *in = &r[7].action.inject;
    ck_assert_int_eq(r[7].action.kind, ACT_INJECT);
    ck_assert(in->src_random);
    ck_assert(in->seq_random);
    ck_assert_uint_eq(in->src_port, 0);
    ck_assert_uint_eq(in->dst_addr, IP(10, 0, 0, 2));
    ck_assert_uint_eq(in->dst_port, 80);
    ck_assert_uint_eq(in->flags, TCP_SYN);
    ck_assert_uint_eq(in->count, 100);
    ck_assert_uint_eq(in->interval, 2000);
    ck_assert_uint_eq(in->win, 65535);
    ck_assert_uint_eq(in->mss, 1460);
    in = &r[8].action.inject;
    ck_assert(!in->src_random);
    ck_assert(!in->seq_random);
    ck_assert_uint_eq(in->src_addr, IP(10, 0, 0, 9));
    ck_assert_uint_eq(in->src_port, 4000);
    ck_assert_uint_eq(in->flags, TCP_RST | TCP_ACK);
    ck_assert_uint_eq(in->seq, 7);
    ck_assert_uint_eq(in->ack, 8);
    ck_assert_uint_eq(in->win, 0);
    ck_assert_uint_eq(in->len, 3);
    ck_assert_uint_eq(in->count, 1);
    ck_assert_uint_eq(in->interval, 1000);

    const struct scn_action *e = &r[9].action;
    ck_assert_int_eq(e->kind, ACT_EXPECT);
    ck_assert_int_eq(e->host, 0);
    ck_assert_uint_eq(e->nterms, 3);
    ck_assert_str_eq(e->terms[0].key, "state");
    ck_assert(e->terms[0].is_state);
    ck_assert_int_eq(e->terms[0].value, TCP_ESTABLISHED);
    ck_assert_int_eq(e->terms[1].cmp, CMP_GE);
    ck_assert_int_eq(e->terms[1].value, 1);
    ck_assert_int_eq(e->terms[2].cmp, CMP_LT);
    ck_assert_str_eq(e->terms[2].key, "bytes_written");
    e = &r[10].action;
    ck_assert_int_eq(r[10].trigger.kind, TRIG_END);
    ck_assert(e->terms[0].is_error);
    ck_assert_int_eq(e->terms[0].value, TCP_ERR_RESET);
    ck_assert_int_eq(e->terms[1].cmp, CMP_NE);

    ck_assert_int_eq(r[11].action.kind, ACT_READ);
    ck_assert_uint_eq(r[11].action.bytes, 0);
    ck_assert_uint_eq(r[12].trigger.at, 120000000);
    ck_assert_uint_eq(r[12].action.bytes, 10000);
    ck_assert_int_eq(r[13].trigger.kind, TRIG_EOF);
    scenario_free(&s);
}
END_TEST

/* Issue 3: congestion-control and flow-control host keys, the paced
 * writer, the slow reader, the request/response server and the
 * connection-variable checkpoints. */
static const char transfer[] =
    "host client 10.0.0.1 cc=reno iw=4 ssthresh=64KiB dupthresh=2 sack=on sack_recovery=off\n"
    "host server 10.0.0.2 cc=CUBIC dsack=off persist_min=500ms persist_max=30s sws_override=off\n"
    "at 0s server listen 80\n"
    "at 0s server respond request=100 response=10KiB\n"
    "at 0s client connect server:80\n"
    "at 1s client send 1MiB rate=2Mbit\n"
    "at 1s client send \"GET\" rate=1.5kbit\n"
    "at 2s server read 4KiB every=100ms\n"
    "at 2s server read every=1s\n"
    "at 3s client set cc=tahoe iw=1 sws_override=1s\n"
    "at 4s expect client cwnd>=2920 ssthresh<65536 snd_una=1001 snd_nxt>=1001 snd_wnd>0\n"
    "at 4s expect server rcv_nxt=4294967295 rcv_wnd=0 dupacks<3 in_recovery=no\n"
    "at 4s expect server in_recovery=1 in_recovery!=yes\n";

START_TEST(test_transfer_keys)
{
    struct scenario s = parse_ok(transfer);
    const struct tcp_config *c = &s.hosts[0].cfg, *v = &s.hosts[1].cfg;
    ck_assert_int_eq(c->cc, TCP_CC_RENO);
    ck_assert_uint_eq(c->initial_window, 4);
    ck_assert_uint_eq(c->ssthresh_initial, 65536);
    ck_assert_uint_eq(c->dupthresh, 2);
    ck_assert(c->sack);
    ck_assert(!c->sack_recovery);
    ck_assert(c->dsack);                          /* default kept */
    ck_assert_int_eq(v->cc, TCP_CC_CUBIC);        /* names ignore case */
    ck_assert(!v->dsack);
    ck_assert_uint_eq(v->persist_min, 500000);
    ck_assert_uint_eq(v->persist_max, 30000000);
    ck_assert_uint_eq(v->sws_override, 0);

    const struct scn_rule *r = s.rules;
    ck_assert_int_eq(r[1].action.kind, ACT_RESPOND);
    ck_assert_int_eq(r[1].action.host, 1);
    ck_assert_uint_eq(r[1].action.request, 100);
    ck_assert_uint_eq(r[1].action.response, 10240);
    ck_assert_int_eq(r[3].action.kind, ACT_SEND);
    ck_assert_uint_eq(r[3].action.bytes, 1048576);
    ck_assert_uint_eq(r[3].action.rate_bps, 2000000);
    ck_assert_str_eq(r[4].action.text, "GET");
    ck_assert_uint_eq(r[4].action.rate_bps, 1500);
    ck_assert_int_eq(r[5].action.kind, ACT_READ);
    ck_assert_uint_eq(r[5].action.bytes, 4096);
    ck_assert_uint_eq(r[5].action.every, 100000);
    ck_assert_uint_eq(r[6].action.bytes, 0);
    ck_assert_uint_eq(r[6].action.every, 1000000);
    ck_assert_uint_eq(r[7].action.changed.count, 3);
    ck_assert_int_eq(r[7].action.cfg.cc, TCP_CC_TAHOE);
    ck_assert_uint_eq(r[7].action.cfg.initial_window, 1);
    ck_assert_uint_eq(r[7].action.cfg.sws_override, 1000000);
    /* An unpaced send and a one-off read keep 0 in the new fields. */
    struct scenario e = parse_ok(example);
    ck_assert_uint_eq(e.rules[2].action.rate_bps, 0);
    ck_assert_uint_eq(e.rules[12].action.every, 0);
    scenario_free(&e);

    const struct scn_action *x = &r[8].action;
    ck_assert_uint_eq(x->nterms, 5);
    ck_assert_str_eq(x->terms[0].key, "cwnd");
    ck_assert_int_eq(x->terms[0].cmp, CMP_GE);
    ck_assert_int_eq(x->terms[0].value, 2920);
    ck_assert_str_eq(x->terms[2].key, "snd_una");
    ck_assert_int_eq(x->terms[2].value, 1001);
    x = &r[9].action;
    ck_assert_int_eq(x->terms[0].value, 4294967295ll); /* sequence numbers: plain numbers */
    ck_assert_str_eq(x->terms[1].key, "rcv_wnd");
    ck_assert_str_eq(x->terms[3].key, "in_recovery");
    ck_assert_int_eq(x->terms[3].value, 0);
    x = &r[10].action;
    ck_assert_int_eq(x->terms[0].value, 1);
    ck_assert_int_eq(x->terms[1].cmp, CMP_NE);
    ck_assert_int_eq(x->terms[1].value, 1);
    scenario_free(&s);
}
END_TEST

START_TEST(test_rto_estimator_keys)
{
    /* rto, srtt and rttvar: plain whole milliseconds, ordered like any
     * number, and numeric keys a lesson's answer may read. */
    struct scenario s = parse_ok("host client 10.0.0.1\nhost server 10.0.0.2\n"
                                 "at 1s expect client rto=200 srtt>=40 rttvar<25\n"
                                 "at 2s expect server rto!=1000 srtt=0\n");
    const struct scn_action *x = &s.rules[0].action;
    ck_assert_uint_eq(x->nterms, 3);
    ck_assert_str_eq(x->terms[0].key, "rto");
    ck_assert_int_eq(x->terms[0].cmp, CMP_EQ);
    ck_assert_int_eq(x->terms[0].value, 200);
    ck_assert_str_eq(x->terms[1].key, "srtt");
    ck_assert_int_eq(x->terms[1].cmp, CMP_GE);
    ck_assert_int_eq(x->terms[1].value, 40);
    ck_assert_str_eq(x->terms[2].key, "rttvar");
    ck_assert_int_eq(x->terms[2].cmp, CMP_LT);
    ck_assert_int_eq(x->terms[2].value, 25);
    ck_assert(!x->terms[0].is_state && !x->terms[0].is_error);
    x = &s.rules[1].action;
    ck_assert_int_eq(x->terms[0].cmp, CMP_NE);
    ck_assert_int_eq(x->terms[1].value, 0);
    scenario_free(&s);
    const char *names[] = { "rto", "srtt", "rttvar" };
    for (size_t n = 0; n < 3; n++) {
        bool numeric = false, found = false;
        const char *k;
        for (size_t i = 0; (k = scenario_expect_key(i, &numeric)); i++)
            if (!strcmp(k, names[n])) {
                found = true;
                ck_assert_msg(numeric, "%s is not numeric", names[n]);
            }
        ck_assert_msg(found, "%s is not an expect key", names[n]);
    }
}
END_TEST

START_TEST(test_defaults_when_absent)
{
    struct scenario s = parse_ok("host a 1.2.3.4\nhost b 1.2.3.5\nhost c 1.2.3.6\n");
    ck_assert_ptr_null(s.title);
    ck_assert_uint_eq(s.duration, 60000000);
    ck_assert(!s.has_seed);
    ck_assert_uint_eq(s.nlinks, 6);   /* every ordered pair of 3 hosts */
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            ck_assert_int_eq(scenario_link_index(&s, a, b) >= 0, a != b);
    ck_assert_int_eq(scenario_host_index(&s, "c"), 2);
    ck_assert_int_eq(scenario_host_index(&s, "d"), -1);
    scenario_free(&s);
    scenario_free(&s);   /* harmless twice */

    s = parse_ok("");
    ck_assert_uint_eq(s.nhosts, 0);
    ck_assert_uint_eq(s.nlinks, 0);
    scenario_free(&s);
}
END_TEST

START_TEST(test_units)
{
    uint64_t v;
    uint32_t ppm;
    ck_assert_int_eq(scenario_parse_duration("1.5s", &v), 0);
    ck_assert_uint_eq(v, 1500000);
    ck_assert_int_eq(scenario_parse_duration("200ms", &v), 0);
    ck_assert_uint_eq(v, 200000);
    ck_assert_int_eq(scenario_parse_duration("7us", &v), 0);
    ck_assert_uint_eq(v, 7);
    ck_assert_int_eq(scenario_parse_duration("2min", &v), 0);
    ck_assert_uint_eq(v, 120000000);
    ck_assert_int_eq(scenario_parse_duration("1.25h", &v), 0);
    ck_assert_uint_eq(v, 4500000000ull);
    ck_assert_int_eq(scenario_parse_duration("0.000001s", &v), 0);
    ck_assert_uint_eq(v, 1);
    ck_assert_int_eq(scenario_parse_duration("200", &v), -1);       /* no unit */
    ck_assert_int_eq(scenario_parse_duration("1.5us", &v), -1);     /* not whole µs */
    ck_assert_int_eq(scenario_parse_duration("-1s", &v), -1);
    ck_assert_int_eq(scenario_parse_duration(".5s", &v), -1);
    ck_assert_int_eq(scenario_parse_duration("1.s", &v), -1);
    ck_assert_int_eq(scenario_parse_duration("1sec", &v), -1);
    ck_assert_int_eq(scenario_parse_duration("99999999999999999999s", &v), -1);

    ck_assert_int_eq(scenario_parse_percent("0.5%", &ppm), 0);
    ck_assert_uint_eq(ppm, 5000);
    ck_assert_int_eq(scenario_parse_percent("100%", &ppm), 0);
    ck_assert_uint_eq(ppm, 1000000);
    ck_assert_int_eq(scenario_parse_percent("0.0001%", &ppm), 0);
    ck_assert_uint_eq(ppm, 1);
    ck_assert_int_eq(scenario_parse_percent("100.0001%", &ppm), -1);
    ck_assert_int_eq(scenario_parse_percent("5", &ppm), -1);

    ck_assert_int_eq(scenario_parse_rate("100Mbit", &v), 0);
    ck_assert_uint_eq(v, 100000000);
    ck_assert_int_eq(scenario_parse_rate("1.5kbit", &v), 0);
    ck_assert_uint_eq(v, 1500);
    ck_assert_int_eq(scenario_parse_rate("2Gbit", &v), 0);
    ck_assert_uint_eq(v, 2000000000);
    ck_assert_int_eq(scenario_parse_rate("100", &v), -1);

    ck_assert_int_eq(scenario_parse_bytes("64KiB", &v), 0);
    ck_assert_uint_eq(v, 65536);
    ck_assert_int_eq(scenario_parse_bytes("1MiB", &v), 0);
    ck_assert_uint_eq(v, 1048576);
    ck_assert_int_eq(scenario_parse_bytes("64k", &v), 0);
    ck_assert_uint_eq(v, 64000);
    ck_assert_int_eq(scenario_parse_bytes("2M", &v), 0);
    ck_assert_uint_eq(v, 2000000);
    ck_assert_int_eq(scenario_parse_bytes("1460", &v), 0);
    ck_assert_uint_eq(v, 1460);
    ck_assert_int_eq(scenario_parse_bytes("1.5", &v), -1);
    ck_assert_int_eq(scenario_parse_bytes("10kb", &v), -1);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Broken files: the error names the right line and says what is wrong.     */

#define HOSTS "host client 10.0.0.1\nhost server 10.0.0.2\n"   /* lines 1-2 */

static const struct broken {
    const char *text;
    unsigned line;
    const char *says;
} broken[] = {
    { "title x\nfrobnicate 3\n", 2, "unknown keyword 'frobnicate' (expected one of: title, duration" },
    { HOSTS "at 1s cleint close\n", 3, "unknown host 'cleint' (hosts: client, server)" },
    { "at 1s client close\n", 1, "no host is declared yet" },
    { "duration 5x\n", 1, "bad duration '5x'" },
    { "\n\nduration 200\n", 3, "expected a duration with a unit, like 200ms" },
    { HOSTS "link client->server loss=150%\n", 3, "at most 100%" },
    { HOSTS "link client->server loss=5\n", 3, "followed by %" },
    { HOSTS "host client 10.0.0.3\n", 3, "duplicate host 'client' (first declared at line 1)" },
    { HOSTS "host other 10.0.0.1\n", 3, "already used by host 'client'" },
    { "host a 10.0.0.256\n", 1, "bad IPv4 address '10.0.0.256'" },
    { "host a 10.0.0\n", 1, "bad IPv4 address" },
    { "host a 10.0.0.1.5\n", 1, "bad IPv4 address" },
    { "host 9a 10.0.0.1\n", 1, "bad host name '9a'" },
    { "host link 10.0.0.1\n", 1, "cannot be a host name" },
    { "# c\ntitle \"never closed\n", 2, "unterminated quoted string" },
    { "title \"bad \\n escape\"\n", 1, "unknown escape" },
    { HOSTS "fault drop flags=SYN,SYNN\n", 3, "unknown flag 'SYNN'" },
    { HOSTS "fault drop flags=SYN,,ACK\n", 3, "bad flags" },
    { HOSTS "fault drop nth=0\n", 3, "nth counts from 1" },
    { HOSTS "fault delay from=client\n", 3, "needs by=DURATION" },
    { HOSTS "fault smash from=client\n", 3, "expected 'fault drop|dup|corrupt|delay" },
    { HOSTS "fault drop colour=red\n", 3, "unknown fault key 'colour'" },
    { HOSTS "at 1s expect client state==ESTABLISHED\n", 3, "bad operator '=='" },
    { HOSTS "at 1s expect client state=>ESTABLISHED\n", 3, "bad operator '=>'" },
    { HOSTS "at 1s expect client state>ESTABLISHED\n", 3, "can only be compared with = or !=" },
    { HOSTS "at 1s expect client state=OPEN\n", 3, "unknown state 'OPEN'" },
    { HOSTS "at 1s expect client error=boom\n", 3, "unknown error 'boom' (errors: none reset" },
    { HOSTS "at 1s expect client speed=3\n", 3, "unknown expect key 'speed'" },
    { HOSTS "at 1s expect client state\n", 3, "expected KEY OP VALUE" },
    { HOSTS "at 1s expect client\n", 3, "at least one check" },
    { HOSTS "at 1s expect client a=1 a=1 a=1\n", 3, "unknown expect key 'a'" },
    { HOSTS "at 1s expect client segs_in=1 segs_in=1 segs_in=1 segs_in=1 segs_in=1 segs_in=1 "
            "segs_in=1 segs_in=1 segs_in=1\n", 3, "too many checks" },
    { HOSTS "at 1s inject 10.0.0.9:1 > server:80 seq=1\n", 3, "inject needs flags=" },
    { HOSTS "at 1s inject 10.0.0.9:1 server:80 flags=SYN\n", 3, "expected 'inject SRC:PORT > DST:PORT" },
    { HOSTS "at 1s inject nowhere:1 > server:80 flags=SYN\n", 3, "expected a source" },
    { HOSTS "at 1s inject random > server:80 flags=SYN win=70000\n", 3, "at most 65535" },
    { HOSTS "at 1s client connect server\n", 3, "expected PEER:PORT" },
    { HOSTS "at 1s client connect server:0\n", 3, "bad port '0'" },
    { HOSTS "at 1s client connect nobody:80\n", 3, "unknown host 'nobody'" },
    { HOSTS "at 1s client dance\n", 3, "unknown action 'dance' after host 'client'" },
    { HOSTS "at 1s client close now\n", 3, "unexpected 'now'" },
    { HOSTS "at 1s client listen\n", 3, "listen needs a port" },
    { HOSTS "at 1s client set colour=red\n", 3, "unknown setting 'colour' (settings: mss" },
    { HOSTS "at 1s client set mss=70000\n", 3, "too large" },
    { HOSTS "at 1s client set wscale=15\n", 3, "at most 14" },
    { HOSTS "at 1s client set nagle=maybe\n", 3, "expected on or off" },
    { HOSTS "at 1s client send\n", 3, "send needs a size" },
    { HOSTS "at 1s client send 1.5\n", 3, "bad size '1.5'" },
    { HOSTS "at 1s link client<->server loss=1%\n", 3, "changes one direction" },
    { HOSTS "at 1s\n", 3, "expected an action" },
    { HOSTS "at soon client close\n", 3, "bad duration 'soon'" },
    { HOSTS "on client state=ESTABLISHED client close\n", 3, "expected 'do'" },
    { HOSTS "on client sneezes do client close\n", 3, "unknown event 'sneezes'" },
    { HOSTS "on client timer=egg do client close\n", 3, "unknown timer 'egg'" },
    { HOSTS "on client eof data=yes do client close\n", 3, "unknown option 'data'" },
    { HOSTS "on client sent=SYN data=maybe do client close\n", 3, "expected yes or no" },
    { HOSTS "link client->server\nlink client<->server\n", 4, "a second link client->server (the first is at line 3)" },
    { HOSTS "at 1s link client->server loss=1%\nlink client->server\n", 4, "the first is at line 3" },
    { HOSTS "link client->client\n", 3, "two different hosts" },
    { HOSTS "link client=>server\n", 3, "expected A->B or A<->B" },
    { HOSTS "link client->server delay=20\n", 3, "expected a duration with a unit" },
    { HOSTS "link client->server rate=fast\n", 3, "bad rate 'fast'" },
    { HOSTS "link client->server loss\n", 3, "expected key=value" },
    { HOSTS "at 1s client set cc=vegas\n", 3, "unknown congestion control 'vegas' (algorithms: tahoe reno newreno cubic)" },
    { HOSTS "at 1s client set iw=0\n", 3, "too small (at least 1)" },
    { HOSTS "at 1s client set iw=11\n", 3, "iw=11 is too large (at most 10)" },
    { HOSTS "at 1s client set dupthresh=0\n", 3, "too small" },
    { HOSTS "at 1s client set ssthresh=5G\n", 3, "bad size '5G'" },
    { HOSTS "at 1s client set ssthresh=5000000000\n", 3, "too large" },
    { HOSTS "at 1s client set dsack=maybe\n", 3, "expected on or off" },
    { HOSTS "at 1s client set persist_min=0s\n", 3, "too small" },
    { HOSTS "at 1s client set sws_override=never\n", 3, "bad duration 'never'" },
    { HOSTS "at 1s client send 1k rate=fast\n", 3, "bad rate 'fast'" },
    { HOSTS "at 1s client send 1k rate=0bit\n", 3, "more than 0bit" },
    { HOSTS "at 1s client send 1k speed=1Mbit\n", 3, "unknown send key 'speed' (keys: rate)" },
    { HOSTS "at 1s client send 1k 2k\n", 3, "expected key=value, got '2k'" },
    { HOSTS "at 1s server read 1k every=0s\n", 3, "longer than 0s" },
    { HOSTS "at 1s server read 1k every=5\n", 3, "expected a duration with a unit" },
    { HOSTS "at 1s server read 1k often=1s\n", 3, "unknown read key 'often' (keys: every)" },
    { HOSTS "at 1s server respond request=10\n", 3, "expected 'HOST respond request=SIZE response=SIZE'" },
    { HOSTS "at 1s server respond response=10\n", 3, "respond request=SIZE" },
    { HOSTS "at 1s server respond request=0 response=1\n", 3, "at least 1 byte" },
    { HOSTS "at 1s server respond request=1 response=1 x=2\n", 3, "unknown respond key 'x'" },
    { HOSTS "at 1s server respond\n", 3, "respond request=SIZE" },
    { HOSTS "at 1s expect client cwnd=lots\n", 3, "bad cwnd 'lots': expected a whole number" },
    { HOSTS "at 1s expect client in_recovery=maybe\n", 3, "bad in_recovery 'maybe': expected yes or no" },
    { HOSTS "at 1s expect client in_recovery>0\n", 3, "can only be compared with = or !=" },
    { HOSTS "at 1s expect client wnd=0\n", 3, "unknown expect key 'wnd' (keys: state error" },
    { HOSTS "at 1s expect client rto=200ms\n", 3,
      "bad rto '200ms': expected a whole number of milliseconds, like rto=200" },
    { HOSTS "at 1s expect client srtt=-1\n", 3, "bad srtt '-1': expected a whole number of milliseconds" },
    { HOSTS "at 1s expect client rttvar=\n", 3, "missing value after 'rttvar='" },
    { HOSTS "at 1s expect client wnd=0\n", 3, "in_recovery rto srtt rttvar)" },
    { "title a\ntitle b\n", 2, "title given twice (first at line 1)" },
    { "duration 0s\n", 1, "longer than 0s" },
    { "seed -1\n", 1, "bad seed '-1'" },
    { "title \"a\"b\n", 1, "expected a space after the closing quote" },
    { "title a\"b\"\n", 1, "unexpected '\"' inside a word" },
    { "title ok\n\xff\xfe\n", 2, "invalid UTF-8 at byte 1" },
    { "title \xc0\xaf overlong\n", 1, "invalid UTF-8 at byte 7" },
    { "title \xed\xa0\x80 surrogate\n", 1, "invalid UTF-8" },
    { "title cut \xe4\xb8\n", 1, "invalid UTF-8" },
    { "host a 1.1.1.1\nhost b 1.1.1.2\nhost c 1.1.1.3\nhost d 1.1.1.4\nhost e 1.1.1.5\n"
      "host f 1.1.1.6\nhost g 1.1.1.7\nhost h 1.1.1.8\nhost i 1.1.1.9\nhost j 1.1.1.10\n"
      "host k 1.1.1.11\nhost l 1.1.1.12\nhost m 1.1.1.13\nhost n 1.1.1.14\nhost o 1.1.1.15\n"
      "host p 1.1.1.16\nhost q 1.1.1.17\n", 17, "too many hosts (at most 16)" },
};

START_TEST(test_broken_input)
{
    const struct broken *b = &broken[_i];
    struct scenario s;
    char err[ERRLEN], prefix[64];
    int rc = scenario_parse_string("bad.scn", b->text, &s, err, sizeof err);
    ck_assert_msg(rc == -1, "case %d parsed but should fail: %s", _i, b->text);
    snprintf(prefix, sizeof prefix, "bad.scn:%u: ", b->line);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "case %d: want prefix '%s', got '%s'",
                  _i, prefix, err);
    ck_assert_msg(strstr(err, b->says) != NULL, "case %d: want '%s' in '%s'", _i, b->says, err);
    /* A failed parse leaves nothing behind to free. */
    ck_assert_ptr_null(s.file);
    ck_assert_ptr_null(s.rules);
    ck_assert_uint_eq(s.nhosts, 0);
}
END_TEST

START_TEST(test_valid_oddities)
{
    /* Comments, CRLF line ends, tabs, a BOM, a long line, case-insensitive
     * flags, '#' inside quotes, names with '-' around arrows. */
    struct scenario s = parse_ok("\xEF\xBB\xBFtitle  Lesson 3: \"why\"   # comment\r\n"
                                 "host a-1 10.0.0.1\t# tab\n"
                                 "host b_2 10.0.0.2\n"
                                 "link a-1->b_2 delay=1ms\n"
                                 "fault drop flags=syn,Ack\n"
                                 "at 1s note \"# not a comment\"\n"
                                 "at 1s note plain words here   # trailing comment\n"
                                 "at 2s a-1 send \"\"\n"
                                 "at 2s a-1 connect 10.0.0.2:80\n");
    ck_assert_str_eq(s.title, "Lesson 3: \"why\"");
    ck_assert_int_ge(scenario_link_index(&s, 0, 1), 0);
    ck_assert_uint_eq(s.links[scenario_link_index(&s, 0, 1)].params.delay, 1000);
    ck_assert_uint_eq(s.faults[0].match.flags_set, TCP_SYN | TCP_ACK);
    ck_assert_str_eq(s.rules[0].action.text, "# not a comment");
    ck_assert_str_eq(s.rules[1].action.text, "plain words here");
    ck_assert_str_eq(s.rules[2].action.text, "");
    ck_assert_uint_eq(s.rules[2].action.bytes, 0);
    ck_assert_uint_eq(s.rules[3].action.peer_addr, IP(10, 0, 0, 2));
    scenario_free(&s);

    /* A 200 kB note: lines of any length. */
    size_t n = 200000;
    char *text = malloc(n + 32);
    ck_assert_ptr_nonnull(text);
    strcpy(text, "at 1s note ");
    size_t used = strlen(text);
    memset(text + used, 'x', n);
    strcpy(text + used + n, "\n");
    s = parse_ok(text);
    ck_assert_uint_eq(strlen(s.rules[0].action.text), n);
    scenario_free(&s);
    free(text);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Files                                                                     */

static char *write_temp(const char *bytes, size_t len)
{
    char *path = strdup("/tmp/check_parse_XXXXXX");
    ck_assert_ptr_nonnull(path);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
    close(fd);
    return path;
}

START_TEST(test_files)
{
    struct scenario s;
    char err[ERRLEN];
    ck_assert_int_eq(scenario_parse_file("/nonexistent/x.scn", &s, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/x.scn: cannot open: No such file or directory");

    static const char good[] = "title ok\nhost a 10.0.0.1\n";
    char *path = write_temp(good, sizeof good - 1);
    ck_assert_int_eq(scenario_parse_file(path, &s, err, sizeof err), 0);
    ck_assert_str_eq(s.file, path);
    ck_assert_str_eq(s.title, "ok");
    scenario_free(&s);
    unlink(path);
    free(path);

    static const char with_nul[] = "title ok\n\ntitle a\0b\n";
    path = write_temp(with_nul, sizeof with_nul - 1);
    ck_assert_int_eq(scenario_parse_file(path, &s, err, sizeof err), -1);
    char want[128];
    snprintf(want, sizeof want, "%s:3: NUL byte at column 8", path);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s'", err);
    unlink(path);
    free(path);

    /* A tiny error buffer truncates but never overflows. */
    char small[8];
    ck_assert_int_eq(scenario_parse_string("file.scn", "bogus\n", &s, small, sizeof small), -1);
    ck_assert_str_eq(small, "file.sc");
    ck_assert_int_eq(scenario_parse_string("file.scn", "bogus\n", &s, NULL, 0), -1);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Robustness: truncated and mangled files never crash                      */

static void check_outcome(const char *text, size_t len)
{
    struct scenario s;
    char err[ERRLEN];
    err[0] = '\0';
    int rc = scenario_parse_buffer("fuzz.scn", text, len, &s, err, sizeof err);
    ck_assert(rc == 0 || rc == -1);
    if (rc == 0)
        scenario_free(&s);
    else
        ck_assert_msg(strncmp(err, "fuzz.scn:", 9) == 0, "error without file name: '%s'", err);
}

START_TEST(test_every_prefix)
{
    size_t len = strlen(example);
    for (size_t n = 0; n <= len; n++)
        check_outcome(example, n);
}
END_TEST

/* A local LCG (Knuth's MMIX constants) so the mutations are the same on
 * every run and do not depend on the C library's rand(). */
static uint64_t lcg_next(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 33;
}

START_TEST(test_random_mutations)
{
    static const char alphabet[] = " \t\n\"\\#=:,<>!-.%0123456789abcdefghijklmnopqrstuvwxyzSYNACK\xc3\xff";
    size_t len = strlen(example);
    char *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    uint64_t state = 12345;
    for (int round = 0; round < 600; round++) {
        memcpy(copy, example, len);
        int edits = 1 + (int)(lcg_next(&state) % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)(lcg_next(&state) % len);
            uint64_t how = lcg_next(&state);
            if (how % 3 == 0)
                copy[at] = (char)(how >> 8);   /* any byte, NUL included */
            else
                copy[at] = alphabet[(how >> 8) % (sizeof alphabet - 1)];
        }
        check_outcome(copy, len);
    }
    free(copy);
}
END_TEST

static Suite *parse_suite(void)
{
    Suite *s = suite_create("scenario_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_example_header);
    tcase_add_test(tc, test_example_links_and_faults);
    tcase_add_test(tc, test_example_rules);
    tcase_add_test(tc, test_transfer_keys);
    tcase_add_test(tc, test_rto_estimator_keys);
    tcase_add_test(tc, test_defaults_when_absent);
    tcase_add_test(tc, test_units);
    tcase_add_loop_test(tc, test_broken_input, 0, (int)(sizeof broken / sizeof broken[0]));
    tcase_add_test(tc, test_valid_oddities);
    tcase_add_test(tc, test_files);
    suite_add_tcase(s, tc);
    TCase *robust = tcase_create("robustness");
    tcase_set_timeout(robust, 60);
    tcase_add_test(robust, test_every_prefix);
    tcase_add_test(robust, test_random_mutations);
    suite_add_tcase(s, robust);
    return s;
}

int main(void)
{
    return check_main_run(parse_suite());
}
