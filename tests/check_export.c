/* Tests of the exporters (src/export/): digests, the text and JSON Lines
 * formatters and the pcap writer.  The formatters are tested through their
 * cores, which take plain values, so no world has to run; the expected
 * strings are written out in full because golden files depend on them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export/digest.h"
#include "export/jsonl.h"
#include "export/pcap.h"
#include "export/text.h"
#include "lesson/scenario_parse.h"
#include "tcp/cc.h"
#include "tcp/segment.h"

#include "check_main.h"

#define ADDR(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* ---- capturing output ---- */

struct capture {
    FILE *f;
    char *buf;
    size_t len;
};

static void capture_begin(struct capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    ck_assert_ptr_nonnull(c->f);
}

/* Returns the text written; the caller frees it. */
static char *capture_end(struct capture *c)
{
    ck_assert_int_eq(fclose(c->f), 0);
    return c->buf;
}

/* ---- hand-made events ---- */

static struct trace_entry syn_out(void)
{
    struct trace_entry e;
    memset(&e, 0, sizeof e);
    e.t = 0;
    e.ev.kind = EV_SEG_OUT;
    e.ev.endpoint = 0;
    e.ev.conn = 1;
    e.ev.u.seg.seq = 1000;
    e.ev.u.seg.ack = 0;
    e.ev.u.seg.len = 0;
    e.ev.u.seg.win = 64240;
    e.ev.u.seg.flags = TCP_SYN;
    e.ev.u.seg.opts = TCP_EVOPT_MSS;
    e.ev.u.seg.mss = 1460;
    e.ev.u.seg.src_addr = ADDR(10, 0, 0, 1);
    e.ev.u.seg.src_port = 49152;
    e.ev.u.seg.dst_addr = ADDR(10, 0, 0, 2);
    e.ev.u.seg.dst_port = 80;
    e.ev.u.seg.packet = 7;
    return e;
}

static struct trace_entry state_event(void)
{
    struct trace_entry e;
    memset(&e, 0, sizeof e);
    e.t = 20000;
    e.ev.kind = EV_STATE;
    e.ev.endpoint = 1;
    e.ev.conn = 2;
    e.ev.u.state.from = TCP_LISTEN;
    e.ev.u.state.to = TCP_SYN_RECEIVED;
    e.ev.u.state.cause = CAUSE_RCV_SYN;
    e.ev.u.state.rfc = "RFC 9293 3.10.7.2";
    return e;
}

static char *text_of(const char *ep, const struct trace_entry *e)
{
    struct capture c;
    capture_begin(&c);
    export_text_event_named(c.f, ep, e);
    return capture_end(&c);
}

static char *text_info_of(const struct export_info *info, const struct trace_entry *e)
{
    struct capture c;
    capture_begin(&c);
    export_text_event_info(c.f, info, e);
    return capture_end(&c);
}

static char *json_of(const struct export_info *info, const struct trace_entry *e)
{
    struct capture c;
    capture_begin(&c);
    export_jsonl_event_info(c.f, info, e);
    return capture_end(&c);
}

static void expect_text(const char *ep, const struct trace_entry *e, const char *want)
{
    char *got = text_of(ep, e);
    ck_assert_str_eq(got, want);
    free(got);
}

/* ---- digest ---- */

START_TEST(digest_hex_is_zero_padded)
{
    char hex[DIGEST_HEX_LEN];
    digest_hex(1, hex);
    ck_assert_str_eq(hex, "0000000000000001");
    digest_hex(UINT64_MAX, hex);
    ck_assert_str_eq(hex, "ffffffffffffffff");
}
END_TEST

/* ---- text ---- */

START_TEST(text_seg_out_syn)
{
    struct trace_entry e = syn_out();
    expect_text("client", &e,
                "  0.000000 client  > 10.0.0.1.49152 > 10.0.0.2.80: Flags [S], seq 1000, "
                "win 64240, options [mss 1460], length 0\n");
}
END_TEST

START_TEST(text_seg_in_with_ack_and_options)
{
    struct trace_entry e = syn_out();
    e.t = 1020000;
    e.ev.kind = EV_SEG_IN;
    e.ev.u.seg.flags = TCP_SYN | TCP_ACK;
    e.ev.u.seg.seq = 5000;
    e.ev.u.seg.ack = 1001;
    e.ev.u.seg.opts = TCP_EVOPT_MSS | TCP_EVOPT_WSCALE | TCP_EVOPT_SACK_OK | TCP_EVOPT_SACK | TCP_EVOPT_TS;
    expect_text("server", &e,
                "  1.020000 server  < 10.0.0.1.49152 > 10.0.0.2.80: Flags [S.], seq 5000, ack 1001, "
                "win 64240, options [mss 1460,wscale,sackOK,sack,TS], length 0\n");
}
END_TEST

START_TEST(text_seg_drop_names_reason)
{
    struct trace_entry e = syn_out();
    e.t = 123456789;
    e.ev.kind = EV_SEG_DROP;
    e.ev.u.seg.flags = TCP_ACK | TCP_PSH;
    e.ev.u.seg.ack = 4294967295u; /* absolute numbers, whatever their size */
    e.ev.u.seg.opts = 0;
    e.ev.u.seg.len = 100;
    e.ev.u.seg.drop = DROP_LOSS;
    expect_text("a-very-long-name", &e,
                "123.456789 a-very-long-name x 10.0.0.1.49152 > 10.0.0.2.80: Flags [P.], seq 1000, "
                "ack 4294967295, win 64240, length 100 dropped (loss)\n");
}
END_TEST

START_TEST(text_state_change)
{
    struct trace_entry e = state_event();
    expect_text("server", &e,
                "  0.020000 server  state LISTEN -> SYN_RECEIVED (rcv-syn, RFC 9293 3.10.7.2)\n");
    e.ev.u.state.rfc = NULL;
    expect_text("server", &e, "  0.020000 server  state LISTEN -> SYN_RECEIVED (rcv-syn)\n");
}
END_TEST

START_TEST(text_timers_and_retransmit)
{
    struct trace_entry e;
    memset(&e, 0, sizeof e);
    e.t = 20000;
    e.ev.kind = EV_TIMER_SET;
    e.ev.u.timer.timer = TCP_TIMER_RTO;
    e.ev.u.timer.deadline = 1020000;
    expect_text("client", &e, "  0.020000 client  timer rto set 1.020000 (+1.000000)\n");
    e.ev.kind = EV_TIMER_FIRE;
    e.ev.u.timer.timer = TCP_TIMER_TIME_WAIT;
    expect_text("client", &e, "  0.020000 client  timer time-wait fired\n");
    e.ev.kind = EV_TIMER_CANCEL;
    e.ev.u.timer.deadline = TCP_TIME_NEVER;
    expect_text("client", &e, "  0.020000 client  timer time-wait cancelled\n");

    memset(&e, 0, sizeof e);
    e.t = 1000000;
    e.ev.kind = EV_RETRANSMIT;
    e.ev.u.retx.cause = RETX_RTO;
    e.ev.u.retx.seq = 1000;
    e.ev.u.retx.len = 1;
    e.ev.u.retx.attempt = 1;
    e.ev.u.retx.rto = 2000000;
    expect_text("client", &e, "  1.000000 client  retransmit rto seq 1000 len 1 attempt 1 rto 2.000000\n");
}
END_TEST

START_TEST(text_app_error_rtt_listen_host)
{
    struct trace_entry e;
    memset(&e, 0, sizeof e);
    e.ev.kind = EV_APP;
    e.ev.u.app.call = APP_CONNECT;
    expect_text("client", &e, "  0.000000 client  app connect -> 0\n");
    e.ev.u.app.call = APP_SEND;
    e.ev.u.app.bytes = 1000;
    e.ev.u.app.result = 1000;
    expect_text("client", &e, "  0.000000 client  app send 1000 -> 1000\n");
    e.ev.u.app.call = APP_BIND;
    e.ev.u.app.result = -TCP_ERR_ADDR_IN_USE;
    expect_text("client", &e, "  0.000000 client  app bind -> address-in-use\n");

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_ERROR;
    e.ev.u.error.err = TCP_ERR_RESET;
    expect_text("client", &e, "  0.000000 client  error reset\n");

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_RTT;
    e.ev.u.rtt.sample = 40000;
    e.ev.u.rtt.srtt = 40000;
    e.ev.u.rtt.rttvar = 20000;
    e.ev.u.rtt.rto = 1000000;
    expect_text("client", &e,
                "  0.000000 client  rtt sample 40.000 ms srtt 40.000 ms rttvar 20.000 ms rto 1000.000 ms\n");

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_LISTEN;
    e.ev.u.listen.what = LISTEN_SYN_QUEUED;
    e.ev.u.listen.syn_queue = 1;
    e.ev.u.listen.peer_addr = ADDR(10, 0, 0, 1);
    e.ev.u.listen.peer_port = 49152;
    expect_text("server", &e, "  0.000000 server  listen syn-queued syn 1 accept 0 peer 10.0.0.1.49152\n");

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_HOST;
    expect_text("server", &e, "  0.000000 server  host crashed\n");
    e.ev.u.host.up = 1;
    expect_text("server", &e, "  0.000000 server  host rebooted\n");
}
END_TEST

/* The data-transfer events: cwnd, window, dup ACK and SACK (issue 3). */
static struct trace_entry cwnd_event(void)
{
    struct trace_entry e;
    memset(&e, 0, sizeof e);
    e.t = 1500000;
    e.ev.kind = EV_CWND;
    e.ev.conn = 1;
    e.ev.u.cwnd.cwnd = 14600;
    e.ev.u.cwnd.ssthresh = 29200;
    e.ev.u.cwnd.phase = CC_CONGESTION_AVOIDANCE;
    e.ev.u.cwnd.cause = CC_CAUSE_ACK;
    return e;
}

static struct trace_entry sack_event(void)
{
    struct trace_entry e;
    memset(&e, 0, sizeof e);
    e.ev.kind = EV_SACK;
    e.ev.endpoint = 1;
    e.ev.u.sack.sent = 1;
    e.ev.u.sack.count = 2;
    e.ev.u.sack.dsack = 1;
    e.ev.u.sack.blocks[0].left = 1001;
    e.ev.u.sack.blocks[0].right = 2461;
    e.ev.u.sack.blocks[1].left = 3921;
    e.ev.u.sack.blocks[1].right = 5381;
    return e;
}

START_TEST(text_cwnd_window_dupack_sack)
{
    struct trace_entry e = cwnd_event();
    expect_text("client", &e,
                "  1.500000 client  cwnd 14600 ssthresh 29200 congestion-avoidance (ack)\n");
    /* RFC 5681 3.1: the initial ssthresh is "arbitrarily high". */
    e.ev.u.cwnd.cwnd = 14600;
    e.ev.u.cwnd.ssthresh = UINT32_MAX;
    e.ev.u.cwnd.phase = CC_SLOW_START;
    e.ev.u.cwnd.cause = CC_CAUSE_INIT;
    expect_text("client", &e, "  1.500000 client  cwnd 14600 ssthresh inf slow-start (init)\n");
    e.ev.u.cwnd.cwnd = 1460;
    e.ev.u.cwnd.ssthresh = 2920;
    e.ev.u.cwnd.phase = CC_AFTER_RTO;
    e.ev.u.cwnd.cause = CC_CAUSE_RTO;
    expect_text("client", &e, "  1.500000 client  cwnd 1460 ssthresh 2920 after-rto (rto)\n");

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_WINDOW;
    e.ev.u.window.snd_una = 1001;
    e.ev.u.window.snd_nxt = 5381;
    e.ev.u.window.snd_wnd = 65535;
    e.ev.u.window.rcv_nxt = 5001;
    e.ev.u.window.rcv_wnd = 0;
    expect_text("client", &e,
                "  0.000000 client  window snd una 1001 nxt 5381 wnd 65535 rcv nxt 5001 wnd 0\n");

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_DUPACK;
    e.ev.u.dupack.ack = 1001;
    e.ev.u.dupack.count = 3;
    expect_text("client", &e, "  0.000000 client  dupack 3 ack 1001\n");

    e = sack_event();
    expect_text("server", &e, "  0.000000 server  sack sent [1001-2461] [3921-5381] (dsack)\n");
    e.ev.u.sack.sent = 0;
    e.ev.u.sack.dsack = 0;
    e.ev.u.sack.count = 1;
    expect_text("server", &e, "  0.000000 server  sack received [1001-2461]\n");
    /* A count beyond what the event holds prints the four blocks it has. */
    e.ev.u.sack.count = 200;
    char *got = text_of("server", &e);
    ck_assert_str_eq(got, "  0.000000 server  sack received [1001-2461] [3921-5381] [0-0] [0-0]\n");
    free(got);
}
END_TEST

START_TEST(text_checkpoint_and_sanitized_note)
{
    struct trace_entry e;
    struct export_info info;
    char *got;
    memset(&e, 0, sizeof e);
    e.t = 1500000;
    e.ev.kind = EV_CHECKPOINT;
    e.ev.u.check.index = 3;
    e.ev.u.check.passed = 1;
    export_info_init(&info, "client");
    got = text_info_of(&info, &e);
    ck_assert_str_eq(got, "  1.500000 client  checkpoint 3 PASS\n");
    free(got);

    info.file = "tests/scenarios/syn-lost.scn";
    info.line = 12;
    info.text = "state=SYN_SENT";
    e.ev.u.check.passed = 0;
    got = text_info_of(&info, &e);
    ck_assert_str_eq(got, "  1.500000 client  checkpoint 3 FAIL tests/scenarios/syn-lost.scn:12 state=SYN_SENT\n");
    free(got);

    /* A note may hold anything a teacher typed, or something hostile: an
     * escape sequence, a newline, a C1 CSI.  Chinese text passes through. */
    memset(&e, 0, sizeof e);
    e.ev.kind = EV_NOTE;
    e.ev.endpoint = EXPORT_ENDPOINT_INJECT;
    export_info_init(&info, export_endpoint_name(NULL, e.ev.endpoint));
    info.text = "SYN \xe4\xb8\xa2\xe5\xa4\xb1\x1b[2J\nlost\x7f\xc2\x9b" "31m!";
    got = text_info_of(&info, &e);
    ck_assert_str_eq(got, "  0.000000 inject  note SYN \xe4\xb8\xa2\xe5\xa4\xb1[2Jlost31m!\n");
    free(got);
}
END_TEST

START_TEST(text_expect_terms)
{
    struct scn_action a;
    char buf[EXPORT_TEXT_MAX];
    memset(&a, 0, sizeof a);
    a.kind = ACT_EXPECT;
    a.nterms = 3;
    strcpy(a.terms[0].key, "state");
    a.terms[0].cmp = CMP_EQ;
    a.terms[0].value = TCP_SYN_SENT;
    a.terms[0].is_state = true;
    strcpy(a.terms[1].key, "bytes_read");
    a.terms[1].cmp = CMP_GE;
    a.terms[1].value = 10;
    strcpy(a.terms[2].key, "error");
    a.terms[2].cmp = CMP_NE;
    a.terms[2].value = TCP_ERR_RESET;
    a.terms[2].is_error = true;
    export_expect_text(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "state=SYN_SENT bytes_read>=10 error!=reset");
    /* Too small a buffer truncates between terms, never overflows. */
    export_expect_text(&a, buf, 20);
    ck_assert_str_eq(buf, "state=SYN_SENT");
}
END_TEST

/* The terms read back as the file wrote them: in_recovery is yes or no,
 * the words the scenario parser takes. */
START_TEST(text_expect_terms_round_trip_through_the_parser)
{
    static const char file[] =
        "host client 10.0.0.1\nhost server 10.0.0.2\nlink client<->server delay=1ms\n"
        "at 1s expect client in_recovery=yes state!=CLOSED cwnd>=2920 error=reset\n"
        "at 2s expect client in_recovery=no\n";
    static const char *const want[] = {
        "in_recovery=yes state!=CLOSED cwnd>=2920 error=reset", "in_recovery=no",
    };
    struct scenario scn;
    char err[256], buf[EXPORT_TEXT_MAX];
    ck_assert_msg(scenario_parse_string("t.scn", file, &scn, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < 2; i++) {
        const struct scn_rule *r = export_nth_rule(&scn, ACT_EXPECT, i);
        ck_assert_ptr_nonnull(r);
        export_expect_text(&r->action, buf, sizeof buf);
        ck_assert_str_eq(buf, want[i]);
        /* Written into an expect line again, it parses to the same terms. */
        char again[512];
        struct scenario back;
        snprintf(again, sizeof again,
                 "host client 10.0.0.1\nhost server 10.0.0.2\nlink client<->server delay=1ms\n"
                 "at 1s expect client %s\n", buf);
        ck_assert_msg(scenario_parse_string("u.scn", again, &back, err, sizeof err) == 0, "%s",
                      err);
        const struct scn_action *b = &export_nth_rule(&back, ACT_EXPECT, 0)->action;
        ck_assert_uint_eq(b->nterms, r->action.nterms);
        for (unsigned t = 0; t < b->nterms; t++) {
            ck_assert_str_eq(b->terms[t].key, r->action.terms[t].key);
            ck_assert_int_eq(b->terms[t].cmp, r->action.terms[t].cmp);
            ck_assert_int_eq(b->terms[t].value, r->action.terms[t].value);
        }
        scenario_free(&back);
    }
    scenario_free(&scn);
}
END_TEST

START_TEST(scn_cmp_helpers_agree_with_the_operators)
{
    ck_assert(scn_cmp_holds(3, CMP_EQ, 3) && !scn_cmp_holds(3, CMP_EQ, 4));
    ck_assert(scn_cmp_holds(3, CMP_NE, 4) && !scn_cmp_holds(3, CMP_NE, 3));
    ck_assert(scn_cmp_holds(3, CMP_LT, 4) && !scn_cmp_holds(4, CMP_LT, 4));
    ck_assert(scn_cmp_holds(4, CMP_LE, 4) && !scn_cmp_holds(5, CMP_LE, 4));
    ck_assert(scn_cmp_holds(5, CMP_GT, 4) && !scn_cmp_holds(4, CMP_GT, 4));
    ck_assert(scn_cmp_holds(4, CMP_GE, 4) && !scn_cmp_holds(3, CMP_GE, 4));
    ck_assert_str_eq(scn_cmp_text(CMP_EQ), "=");
    ck_assert_str_eq(scn_cmp_text(CMP_NE), "!=");
    ck_assert_str_eq(scn_cmp_text(CMP_LE), "<=");
    ck_assert_str_eq(scn_cmp_text(CMP_GE), ">=");
    ck_assert_str_eq(scn_cmp_text((enum scn_cmp)99), "?");
}
END_TEST

START_TEST(scenario_lookup_helpers)
{
    struct scenario s;
    struct scn_rule rules[4];
    memset(&s, 0, sizeof s);
    memset(rules, 0, sizeof rules);
    s.nhosts = 2;
    strcpy(s.hosts[0].name, "client");
    strcpy(s.hosts[1].name, "server");
    rules[0].action.kind = ACT_CONNECT;
    rules[1].action.kind = ACT_EXPECT;
    rules[2].action.kind = ACT_NOTE;
    rules[3].action.kind = ACT_EXPECT;
    s.rules = rules;
    s.nrules = 4;
    ck_assert_str_eq(export_endpoint_name(&s, 1), "server");
    ck_assert_str_eq(export_endpoint_name(&s, EXPORT_ENDPOINT_INJECT), "inject");
    ck_assert_str_eq(export_endpoint_name(&s, 5), "?");
    ck_assert_ptr_eq(export_nth_rule(&s, ACT_EXPECT, 0), &rules[1]);
    ck_assert_ptr_eq(export_nth_rule(&s, ACT_EXPECT, 1), &rules[3]);
    ck_assert_ptr_null(export_nth_rule(&s, ACT_EXPECT, 2));
    ck_assert_ptr_eq(export_nth_rule(&s, ACT_NOTE, 0), &rules[2]);
}
END_TEST

/* ---- JSON Lines ---- */

START_TEST(json_string_escaping)
{
    struct capture c;
    capture_begin(&c);
    /* Quote, backslash, the short escapes, other C0 controls, DEL, valid
     * two-, three- and four-byte UTF-8, then invalid bytes: a lone
     * continuation, an overlong NUL (C0 80), a surrogate (ED A0 80) and a
     * truncated sequence at the end. */
    export_json_string(c.f, "q\"b\\n\nt\tr\rb\bf\f\x01\x1f\x7f"
                            "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"
                            "\x80\xc0\x80\xed\xa0\x80\xe4\xb8");
    char *got = capture_end(&c);
    ck_assert_str_eq(got, "\"q\\\"b\\\\n\\nt\\tr\\rb\\bf\\f\\u0001\\u001f\\u007f"
                          "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"
                          "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
    free(got);

    capture_begin(&c);
    export_json_string(c.f, NULL);
    got = capture_end(&c);
    ck_assert_str_eq(got, "\"\"");
    free(got);
}
END_TEST

START_TEST(json_seg_out)
{
    struct trace_entry e = syn_out();
    struct export_info info;
    e.t = 20000;
    export_info_init(&info, "client");
    char *got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":20000,\"ev\":\"seg-out\",\"ep\":\"client\",\"conn\":1,"
                          "\"seq\":1000,\"ack\":0,\"flags\":\"S\",\"flagbits\":2,\"win\":64240,"
                          "\"len\":0,\"src\":\"10.0.0.1:49152\",\"dst\":\"10.0.0.2:80\","
                          "\"options\":[\"mss\"],\"mss\":1460,\"packet\":7}\n");
    free(got);

    e.ev.kind = EV_SEG_DROP;
    e.ev.u.seg.drop = DROP_CHECKSUM;
    e.ev.u.seg.opts = 0;
    got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":20000,\"ev\":\"seg-drop\",\"ep\":\"client\",\"conn\":1,"
                          "\"seq\":1000,\"ack\":0,\"flags\":\"S\",\"flagbits\":2,\"win\":64240,"
                          "\"len\":0,\"src\":\"10.0.0.1:49152\",\"dst\":\"10.0.0.2:80\","
                          "\"options\":[],\"packet\":7,\"reason\":\"checksum\"}\n");
    free(got);
}
END_TEST

START_TEST(json_state_timer_app_checkpoint)
{
    struct export_info info;
    struct trace_entry e = state_event();
    export_info_init(&info, "server");
    char *got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":20000,\"ev\":\"state\",\"ep\":\"server\",\"conn\":2,"
                          "\"from\":\"LISTEN\",\"to\":\"SYN_RECEIVED\",\"cause\":\"rcv-syn\","
                          "\"rfc\":\"RFC 9293 3.10.7.2\"}\n");
    free(got);

    memset(&e, 0, sizeof e);
    e.t = 5;
    e.ev.kind = EV_TIMER_CANCEL;
    e.ev.u.timer.timer = TCP_TIMER_DELACK;
    e.ev.u.timer.deadline = TCP_TIME_NEVER;
    got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":5,\"ev\":\"timer-cancel\",\"ep\":\"server\",\"conn\":0,"
                          "\"timer\":\"delack\",\"deadline\":null,\"count\":0}\n");
    free(got);

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_APP;
    e.ev.u.app.call = APP_CONNECT;
    e.ev.u.app.result = -TCP_ERR_REFUSED;
    got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":0,\"ev\":\"app\",\"ep\":\"server\",\"conn\":0,"
                          "\"call\":\"connect\",\"result\":-2,\"bytes\":0,\"error\":\"refused\"}\n");
    free(got);

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_CHECKPOINT;
    e.ev.u.check.index = 1;
    e.ev.u.check.passed = 1;
    info.file = "x.scn";
    info.line = 9;
    info.text = "state=\"odd\"";
    got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":0,\"ev\":\"checkpoint\",\"ep\":\"server\",\"conn\":0,"
                          "\"index\":1,\"passed\":true,\"file\":\"x.scn\",\"line\":9,"
                          "\"text\":\"state=\\\"odd\\\"\"}\n");
    free(got);
}
END_TEST

START_TEST(json_cwnd_window_dupack_sack)
{
    struct export_info info;
    export_info_init(&info, "client");
    struct trace_entry e = cwnd_event();
    char *got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":1500000,\"ev\":\"cwnd\",\"ep\":\"client\",\"conn\":1,"
                          "\"cwnd\":14600,\"ssthresh\":29200,\"phase\":\"congestion-avoidance\","
                          "\"cause\":\"ack\"}\n");
    free(got);

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_WINDOW;
    e.ev.u.window.snd_una = 1;
    e.ev.u.window.snd_nxt = 2;
    e.ev.u.window.snd_wnd = 3;
    e.ev.u.window.rcv_nxt = 4294967295u;
    e.ev.u.window.rcv_wnd = 5;
    got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":0,\"ev\":\"window\",\"ep\":\"client\",\"conn\":0,"
                          "\"snd_una\":1,\"snd_nxt\":2,\"snd_wnd\":3,\"rcv_nxt\":4294967295,"
                          "\"rcv_wnd\":5}\n");
    free(got);

    memset(&e, 0, sizeof e);
    e.ev.kind = EV_DUPACK;
    e.ev.u.dupack.ack = 1001;
    e.ev.u.dupack.count = 2;
    got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":0,\"ev\":\"dupack\",\"ep\":\"client\",\"conn\":0,"
                          "\"ack\":1001,\"count\":2}\n");
    free(got);

    e = sack_event();
    got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":0,\"ev\":\"sack\",\"ep\":\"client\",\"conn\":0,"
                          "\"sent\":true,\"dsack\":true,\"blocks\":[[1001,2461],[3921,5381]]}\n");
    free(got);
    e.ev.u.sack.count = 0;
    e.ev.u.sack.sent = 0;
    e.ev.u.sack.dsack = 0;
    got = json_of(&info, &e);
    ck_assert_str_eq(got, "{\"t\":0,\"ev\":\"sack\",\"ep\":\"client\",\"conn\":0,"
                          "\"sent\":false,\"dsack\":false,\"blocks\":[]}\n");
    free(got);
}
END_TEST

/* ---- summaries ---- */

static void sample_summary(struct export_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    sum->t = 12500000;
    sum->nendpoints = 2;
    sum->ep[0].name = "client";
    sum->ep[0].up = true;
    sum->ep[0].state = TCP_TIME_WAIT;
    sum->ep[0].bytes_written = 1;
    /* Any two values: the formatting is under test, not the digest. */
    sum->ep[0].digest_written = 0xaf63dc4c8601ec8cull;
    sum->ep[0].digest_read = 0xcbf29ce484222325ull;
    sum->ep[0].retransmits = 1;
    sum->ep[0].drops[DROP_LOSS] = 2;
    sum->ep[0].drops[DROP_CHECKSUM] = 1;
    sum->ep[1].name = "server";
    sum->ep[1].up = false;
    sum->ep[1].state = TCP_CLOSED;
    sum->ep[1].bytes_read = 1;
    sum->ep[1].digest_written = 0xcbf29ce484222325ull;
    sum->ep[1].digest_read = sum->ep[0].digest_written;
    sum->ep[1].rst_sent = 3;
    sum->passed = 2;
    sum->failed = 1;
}

START_TEST(summary_text)
{
    struct export_summary sum;
    struct capture c;
    sample_summary(&sum);
    capture_begin(&c);
    export_text_summary_of(c.f, &sum);
    char *got = capture_end(&c);
    ck_assert_str_eq(got,
                     "summary at 12.500000\n"
                     "  client: state TIME_WAIT, written 1 (digest af63dc4c8601ec8c), read 0 "
                     "(digest cbf29ce484222325), retransmits 1, rst sent 0, drops checksum 1, loss 2\n"
                     "  server: state CLOSED (host down), written 0 (digest cbf29ce484222325), read 1 "
                     "(digest af63dc4c8601ec8c), retransmits 0, rst sent 3, drops none\n"
                     "checkpoints: 2 passed, 1 failed\n");
    free(got);
}
END_TEST

START_TEST(summary_jsonl)
{
    struct export_summary sum;
    struct capture c;
    sample_summary(&sum);
    capture_begin(&c);
    export_jsonl_summary_of(c.f, &sum);
    char *got = capture_end(&c);
    ck_assert_str_eq(got,
                     "{\"ev\":\"summary\",\"t\":12500000,\"endpoints\":["
                     "{\"ep\":\"client\",\"state\":\"TIME_WAIT\",\"up\":true,\"bytes_written\":1,"
                     "\"bytes_read\":0,\"digest_written\":\"af63dc4c8601ec8c\","
                     "\"digest_read\":\"cbf29ce484222325\",\"retransmits\":1,\"rst_sent\":0,"
                     "\"drops\":{\"checksum\":1,\"loss\":2}},"
                     "{\"ep\":\"server\",\"state\":\"CLOSED\",\"up\":false,\"bytes_written\":0,"
                     "\"bytes_read\":1,\"digest_written\":\"cbf29ce484222325\","
                     "\"digest_read\":\"af63dc4c8601ec8c\",\"retransmits\":0,\"rst_sent\":3,"
                     "\"drops\":{}}],\"checkpoints\":{\"passed\":2,\"failed\":1}}\n");
    free(got);
}
END_TEST

/* ---- pcap ---- */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* A fresh path in the temporary directory; the file is created empty. */
static void temp_path(char *path, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, len, "%s/check_export.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    uint8_t *buf = malloc(200000);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, 200000, f);
    fclose(f);
    return buf;
}

START_TEST(pcap_header_and_records)
{
    char path[4096], err[256];
    temp_path(path, sizeof path);
    struct pcap_writer *pw = pcap_writer_open(path, err, sizeof err);
    ck_assert_ptr_nonnull(pw);
    const uint8_t a[] = { 0x45, 1, 2, 3, 4 };
    const uint8_t b[] = { 0x45, 9, 8 };
    ck_assert_int_eq(pcap_writer_add(pw, 0, a, sizeof a), 0);
    ck_assert_int_eq(pcap_writer_add(pw, 3600123456ull, b, sizeof b), 0);
    ck_assert_int_eq(pcap_writer_add(pw, 5, b, 0), 0);
    ck_assert_int_eq(pcap_writer_close(pw), 0);

    size_t len;
    uint8_t *f = slurp(path, &len);
    ck_assert_uint_eq(len, 24 + (16 + sizeof a) + (16 + sizeof b) + 16);
    /* Global header: the exact bytes, little-endian whatever the host. */
    const uint8_t want_hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                   0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0 };
    ck_assert_mem_eq(f, want_hdr, 24);
    ck_assert_uint_eq(le32(f), PCAP_MAGIC_USEC);
    ck_assert_uint_eq(le16(f + 4), 2);
    ck_assert_uint_eq(le16(f + 6), 4);
    ck_assert_uint_eq(le32(f + 16), 65535);
    ck_assert_uint_eq(le32(f + 20), 101);

    /* Records read back in order, with the virtual time split. */
    const uint8_t *r = f + 24;
    ck_assert_uint_eq(le32(r), 0);
    ck_assert_uint_eq(le32(r + 4), 0);
    ck_assert_uint_eq(le32(r + 8), sizeof a);
    ck_assert_uint_eq(le32(r + 12), sizeof a);
    ck_assert_mem_eq(r + 16, a, sizeof a);
    r += 16 + sizeof a;
    ck_assert_uint_eq(le32(r), 3600);
    ck_assert_uint_eq(le32(r + 4), 123456);
    ck_assert_uint_eq(le32(r + 8), sizeof b);
    ck_assert_uint_eq(le32(r + 12), sizeof b);
    ck_assert_mem_eq(r + 16, b, sizeof b);
    r += 16 + sizeof b;
    ck_assert_uint_eq(le32(r + 4), 5);
    ck_assert_uint_eq(le32(r + 8), 0);
    free(f);
    unlink(path);
}
END_TEST

START_TEST(pcap_round_trip_real_segment)
{
    /* A real encoded segment goes in and the same bytes come out, and they
     * still decode: the writer must not touch the packet. */
    struct tcp_segment seg;
    uint8_t pkt[256];
    memset(&seg, 0, sizeof seg);
    seg.src_addr = ADDR(10, 0, 0, 1);
    seg.dst_addr = ADDR(10, 0, 0, 2);
    seg.ttl = 64;
    seg.src_port = 49152;
    seg.dst_port = 80;
    seg.seq = 1000;
    seg.flags = TCP_SYN;
    seg.window = 64240;
    seg.opt.has_mss = true;
    seg.opt.mss = 1460;
    size_t n = tcp_segment_encode(&seg, pkt, sizeof pkt);
    ck_assert_uint_gt(n, 0);

    char path[4096], err[256];
    temp_path(path, sizeof path);
    struct pcap_writer *pw = pcap_writer_open(path, err, sizeof err);
    ck_assert_ptr_nonnull(pw);
    ck_assert_int_eq(pcap_writer_add(pw, 20000, pkt, n), 0);
    ck_assert_int_eq(pcap_writer_close(pw), 0);
    size_t len;
    uint8_t *f = slurp(path, &len);
    ck_assert_uint_eq(len, 24 + 16 + n);
    ck_assert_uint_eq(le32(f + 24 + 8), n);
    ck_assert_mem_eq(f + 40, pkt, n);
    struct tcp_segment back;
    ck_assert_int_eq(tcp_segment_decode(f + 40, n, &back), SEG_OK);
    ck_assert_uint_eq(back.seq, 1000);
    free(f);
    unlink(path);
}
END_TEST

START_TEST(pcap_snaplen_cuts_but_keeps_length)
{
    char path[4096], err[256];
    temp_path(path, sizeof path);
    struct pcap_writer *pw = pcap_writer_open(path, err, sizeof err);
    ck_assert_ptr_nonnull(pw);
    uint8_t *big = calloc(1, 70000);
    ck_assert_ptr_nonnull(big);
    ck_assert_int_eq(pcap_writer_add(pw, 1, big, 70000), 0);
    ck_assert_int_eq(pcap_writer_close(pw), 0);
    size_t len;
    uint8_t *f = slurp(path, &len);
    ck_assert_uint_eq(len, 24 + 16 + 65535);
    ck_assert_uint_eq(le32(f + 24 + 8), 65535);
    ck_assert_uint_eq(le32(f + 24 + 12), 70000);
    free(f);
    free(big);
    unlink(path);
}
END_TEST

START_TEST(pcap_errors_are_reported)
{
    char err[256] = "";
    struct pcap_writer *pw = pcap_writer_open("/nonexistent-dir/x.pcap", err, sizeof err);
    ck_assert_ptr_null(pw);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.pcap"));
    ck_assert_int_eq(pcap_writer_close(NULL), 0);

    /* A full disk: writes are buffered, so the failure may only show at
     * close, and close must say so. */
    if (access("/dev/full", W_OK) == 0) {
        pw = pcap_writer_open("/dev/full", err, sizeof err);
        if (pw) {
            uint8_t pkt[1500] = { 0x45 };
            int rc = 0;
            for (int i = 0; i < 100; i++)
                rc |= pcap_writer_add(pw, (uint64_t)i, pkt, sizeof pkt);
            ck_assert_int_eq(rc | pcap_writer_close(pw), -1);
        }
    }
}
END_TEST

static Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("digest");
    tcase_add_test(tc, digest_hex_is_zero_padded);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_test(tc, text_seg_out_syn);
    tcase_add_test(tc, text_seg_in_with_ack_and_options);
    tcase_add_test(tc, text_seg_drop_names_reason);
    tcase_add_test(tc, text_state_change);
    tcase_add_test(tc, text_timers_and_retransmit);
    tcase_add_test(tc, text_app_error_rtt_listen_host);
    tcase_add_test(tc, text_cwnd_window_dupack_sack);
    tcase_add_test(tc, text_checkpoint_and_sanitized_note);
    tcase_add_test(tc, text_expect_terms);
    tcase_add_test(tc, text_expect_terms_round_trip_through_the_parser);
    tcase_add_test(tc, scn_cmp_helpers_agree_with_the_operators);
    tcase_add_test(tc, scenario_lookup_helpers);
    suite_add_tcase(s, tc);

    tc = tcase_create("jsonl");
    tcase_add_test(tc, json_string_escaping);
    tcase_add_test(tc, json_seg_out);
    tcase_add_test(tc, json_state_timer_app_checkpoint);
    tcase_add_test(tc, json_cwnd_window_dupack_sack);
    suite_add_tcase(s, tc);

    tc = tcase_create("summary");
    tcase_add_test(tc, summary_text);
    tcase_add_test(tc, summary_jsonl);
    suite_add_tcase(s, tc);

    tc = tcase_create("pcap");
    tcase_add_test(tc, pcap_header_and_records);
    tcase_add_test(tc, pcap_round_trip_real_segment);
    tcase_add_test(tc, pcap_snaplen_cuts_but_keeps_length);
    tcase_add_test(tc, pcap_errors_are_reported);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_main_run(export_suite());
}
