/* Segment-in / segment-out tests of the TCP engine (src/tcp/).
 *
 * Each test puts one connection in a state, feeds one segment (or lets the
 * clock run) at an explicit virtual time, and asserts exactly what the
 * engine sent back -- and then that it sent nothing else.  The harness is a
 * fake host in the style of lwIP's unit tests: emit() decodes and records
 * every packet, observe() records every event, random32() is a fixed
 * sequence, and the stack is freed after every test so AddressSanitizer's
 * leak check sees anything the engine forgot.
 *
 * "We" are 10.0.0.1 (the stack under test, ISN 1000 unless a test says
 * otherwise); the peer is 10.0.0.2, whose segments the tests write by hand
 * (ISN 5000).  Times are virtual microseconds. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/settings.h"
#include "tcp/event.h"
#include "tcp/segment.h"
#include "tcp/stack.h"
#include "tcp/tcb.h"

#include "check_main.h"

#define MS 1000ull
#define SEC 1000000ull

#define OUR_ADDR 0x0a000001u  /* 10.0.0.1 */
#define PEER_ADDR 0x0a000002u /* 10.0.0.2 */
#define OUR_PORT 49152u
#define SERVER_PORT 80u
#define CLIENT_PORT 40000u

/* The peer's SYN-ACK arrives 100 ms after our SYN in open_active(): the
 * handshake RTT sample then gives SRTT = 100 ms, RTTVAR = 50 ms and
 * RTO = SRTT + 4 * RTTVAR = 300 ms (RFC 6298 2.2). */
#define HANDSHAKE_RTT (100 * MS)
#define RTO_AFTER_HANDSHAKE (300 * MS)
/* Delayed-ACK timeout used by every test unless it says otherwise. */
#define DELACK (200 * MS)

/* ---- The fake host ---------------------------------------------------- */

struct packet {
    uint8_t *bytes;
    size_t len;
    uint32_t conn;
    uint64_t at;
};

static struct harness {
    struct tcp_stack *st;
    struct tcp_config cfg; /* applied to every socket the helpers make */
    struct packet *pkts;
    size_t npkts, pkts_cap, next_pkt;
    struct tcp_event *evs;
    size_t nevs, evs_cap;
    uint32_t rnd;
    uint64_t now;
    uint16_t lport, rport; /* our port and the peer's for the current connection */
    uint32_t iss, irs;     /* our ISN and the peer's */
    uint32_t written;      /* bytes the app has written through app_write() */
} H;

/* The last packet popped by expect_sent(); its payload points in here. */
static uint8_t last_bytes[TCP_PACKET_MAX];
static struct tcp_segment last_seg;
/* Scratch for encoding the peer's segments. */
static uint8_t feed_buf[TCP_PACKET_MAX];

/* emit()'s promise (tcp/stack.h): the segment handed along is what the
 * packet decodes to, which the world relies on instead of decoding. */
static void assert_seg_is_packet(const struct tcp_segment *seg, const uint8_t *pkt, size_t len)
{
    struct tcp_segment d;
    ck_assert_int_eq(tcp_segment_decode(pkt, len, &d), SEG_OK);
    ck_assert_uint_eq(seg->src_addr, d.src_addr);
    ck_assert_uint_eq(seg->dst_addr, d.dst_addr);
    ck_assert_uint_eq(seg->src_port, d.src_port);
    ck_assert_uint_eq(seg->dst_port, d.dst_port);
    ck_assert_uint_eq(seg->seq, d.seq);
    ck_assert_uint_eq(seg->ack, d.ack);
    ck_assert_uint_eq(seg->flags, d.flags);
    ck_assert_uint_eq(seg->window, d.window);
    ck_assert_uint_eq(seg->urgent, d.urgent);
    ck_assert_uint_eq(seg->payload_len, d.payload_len);
    ck_assert(seg->payload_len == 0 || !memcmp(seg->payload, d.payload, d.payload_len));
    const struct tcp_options *o = &seg->opt, *p = &d.opt;
    ck_assert(o->has_mss == p->has_mss && (!o->has_mss || o->mss == p->mss));
    ck_assert(o->has_wscale == p->has_wscale && (!o->has_wscale || o->wscale == p->wscale));
    ck_assert(o->sack_permitted == p->sack_permitted);
    ck_assert(o->has_timestamps == p->has_timestamps);
    ck_assert(!o->has_timestamps || (o->ts_val == p->ts_val && o->ts_ecr == p->ts_ecr));
    ck_assert_uint_eq(o->sack_count, p->sack_count);
    for (unsigned i = 0; i < o->sack_count; i++)
        ck_assert(o->sack[i].left == p->sack[i].left && o->sack[i].right == p->sack[i].right);
}

static void fake_emit(void *ctx, uint32_t conn, const uint8_t *pkt, size_t len,
                      const struct tcp_segment *seg)
{
    (void)ctx;
    assert_seg_is_packet(seg, pkt, len);
    if (H.npkts == H.pkts_cap) {
        H.pkts_cap = H.pkts_cap ? 2 * H.pkts_cap : 64;
        H.pkts = realloc(H.pkts, H.pkts_cap * sizeof *H.pkts);
        ck_assert_ptr_nonnull(H.pkts);
    }
    struct packet *p = &H.pkts[H.npkts++];
    p->bytes = malloc(len);
    ck_assert_ptr_nonnull(p->bytes);
    memcpy(p->bytes, pkt, len);
    p->len = len;
    p->conn = conn;
    p->at = H.now;
}

static void fake_observe(void *ctx, const struct tcp_event *ev)
{
    (void)ctx;
    if (H.nevs == H.evs_cap) {
        H.evs_cap = H.evs_cap ? 2 * H.evs_cap : 256;
        H.evs = realloc(H.evs, H.evs_cap * sizeof *H.evs);
        ck_assert_ptr_nonnull(H.evs);
    }
    H.evs[H.nevs++] = *ev;
}

static uint32_t fake_random32(void *ctx)
{
    (void)ctx;
    H.rnd = H.rnd * 1103515245u + 12345u; /* the same numbers every run */
    return H.rnd;
}

static const struct tcp_stack_ops fake_ops = {
    .emit = fake_emit,
    .observe = fake_observe,
    .random32 = fake_random32,
};

static void setup(void)
{
    memset(&H, 0, sizeof H);
    tcp_config_defaults(&H.cfg);
    H.cfg.isn_fixed = true;
    H.cfg.isn = 1000;
    /* The tests pin the delayed-ACK time rather than track the default
     * (test_defaults checks that one against RFC 1122). */
    H.cfg.delack_timeout = DELACK;
    H.iss = 1000;
    H.irs = 5000;
    H.rnd = 1;
    H.lport = OUR_PORT;
    H.rport = SERVER_PORT;
    H.st = tcp_stack_new(OUR_ADDR, &H.cfg, &fake_ops, NULL);
    ck_assert_ptr_nonnull(H.st);
}

/* Free everything (ASan's leak check then sees whatever the engine kept),
 * and fail a test that left a packet nobody looked at. */
static void teardown(void)
{
    size_t unread = H.npkts - H.next_pkt;
    tcp_stack_free(H.st);
    H.st = NULL;
    for (size_t i = 0; i < H.npkts; i++)
        free(H.pkts[i].bytes);
    free(H.pkts);
    free(H.evs);
    memset(&H, 0, sizeof H);
    ck_assert_msg(unread == 0, "%zu packet(s) sent but never checked", unread);
}

/* ---- Segments from the peer ------------------------------------------- */

static void run_until(uint64_t t);

static struct tcp_segment peer_seg(uint8_t flags, uint32_t seq, uint32_t ack)
{
    struct tcp_segment s;
    memset(&s, 0, sizeof s);
    s.src_addr = PEER_ADDR;
    s.dst_addr = OUR_ADDR;
    s.src_port = H.rport;
    s.dst_port = H.lport;
    s.ttl = 64;
    s.ip_id = 1;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.window = 65535;
    return s;
}

static void feed_seg(uint64_t t, const struct tcp_segment *s)
{
    /* Time passes up to the arrival: timers due by then fire first. */
    run_until(t);
    size_t n = tcp_segment_encode(s, feed_buf, sizeof feed_buf);
    ck_assert_uint_gt(n, 0);
    tcp_stack_input(H.st, t, feed_buf, n);
}

static void feed_data(uint64_t t, uint8_t flags, uint32_t seq, uint32_t ack, const void *data,
                      size_t len)
{
    struct tcp_segment s = peer_seg(flags, seq, ack);
    s.payload = data;
    s.payload_len = len;
    feed_seg(t, &s);
}

static void feed(uint64_t t, uint8_t flags, uint32_t seq, uint32_t ack)
{
    feed_data(t, flags, seq, ack, NULL, 0);
}

/* A SYN (or SYN-ACK) as a real stack sends it: with an MSS option. */
static void feed_syn(uint64_t t, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t mss)
{
    struct tcp_segment s = peer_seg(flags, seq, ack);
    s.opt.has_mss = true;
    s.opt.mss = mss;
    feed_seg(t, &s);
}

/* lwIP style: a segment placed relative to the connection's TCB, seq at
 * RCV.NXT + dseq and ack at SND.NXT + dack. */
static void feed_rel(uint64_t t, int sock, uint8_t flags, int32_t dseq, int32_t dack)
{
    const struct tcb *tcb = tcp_sock_tcb(H.st, sock);
    ck_assert_ptr_nonnull(tcb);
    feed(t, flags, tcb->rcv_nxt + (uint32_t)dseq, tcb->snd_nxt + (uint32_t)dack);
}

/* ---- What the engine sent --------------------------------------------- */

#define expect_sent(flags, seq, ack) expect_sent_at(__LINE__, (flags), (seq), (ack))
#define expect_nothing() expect_nothing_at(__LINE__)

static const struct tcp_segment *expect_sent_at(int line, uint8_t flags, uint32_t seq, uint32_t ack)
{
    char want[10], got[10];
    tcp_flags_short(flags, want);
    ck_assert_msg(H.next_pkt < H.npkts, "line %d: expected [%s] seq=%u ack=%u, nothing was sent",
                  line, want, seq, ack);
    const struct packet *p = &H.pkts[H.next_pkt++];
    memcpy(last_bytes, p->bytes, p->len);
    enum seg_error err = tcp_segment_decode(last_bytes, p->len, &last_seg);
    ck_assert_msg(err == SEG_OK, "line %d: the engine sent an undecodable packet (%s)", line,
                  seg_error_name(err));
    tcp_flags_short(last_seg.flags, got);
    ck_assert_msg(last_seg.flags == flags && last_seg.seq == seq && last_seg.ack == ack,
                  "line %d: expected [%s] seq=%u ack=%u, got [%s] seq=%u ack=%u len=%zu", line,
                  want, seq, ack, got, last_seg.seq, last_seg.ack, last_seg.payload_len);
    ck_assert_msg(last_seg.src_addr == OUR_ADDR && last_seg.dst_addr == PEER_ADDR &&
                      last_seg.src_port == H.lport && last_seg.dst_port == H.rport,
                  "line %d: segment addressed %08x:%u -> %08x:%u", line, last_seg.src_addr,
                  last_seg.src_port, last_seg.dst_addr, last_seg.dst_port);
    return &last_seg;
}

static void expect_nothing_at(int line)
{
    if (H.next_pkt < H.npkts) {
        struct tcp_segment s;
        char got[10] = "?";
        uint8_t copy[TCP_PACKET_MAX];
        const struct packet *p = &H.pkts[H.next_pkt];
        memcpy(copy, p->bytes, p->len);
        if (tcp_segment_decode(copy, p->len, &s) == SEG_OK)
            tcp_flags_short(s.flags, got);
        else
            memset(&s, 0, sizeof s);
        ck_abort_msg("line %d: expected nothing, got [%s] seq=%u ack=%u at t=%llu", line, got,
                     s.seq, s.ack, (unsigned long long)p->at);
    }
}

/* ---- Time ------------------------------------------------------------- */

/* Let the clock run to t, firing each timer at its own deadline (as the
 * world does), so a long jump still shows every intermediate expiry at the
 * exact time it was due. */
static void run_until(uint64_t t)
{
    ck_assert_uint_ge(t, H.now);
    for (int guard = 0;; guard++) {
        ck_assert_msg(guard < 1000000, "timers keep firing at t=%llu", (unsigned long long)H.now);
        uint64_t d = tcp_stack_next_deadline(H.st);
        if (d > t)
            break;
        if (d < H.now)
            d = H.now;
        H.now = d;
        tcp_stack_advance(H.st, d);
    }
    H.now = t;
    tcp_stack_advance(H.st, t);
}

/* ---- Events ----------------------------------------------------------- */

static size_t mark(void)
{
    return H.nevs;
}

static size_t count_events(size_t from, enum tcp_event_kind kind)
{
    size_t n = 0;
    for (size_t i = from; i < H.nevs; i++)
        n += H.evs[i].kind == kind;
    return n;
}

static const struct tcp_event *find_state(size_t from, uint32_t conn, enum tcp_state a,
                                          enum tcp_state b)
{
    for (size_t i = from; i < H.nevs; i++) {
        const struct tcp_event *e = &H.evs[i];
        if (e->kind == EV_STATE && e->conn == conn && e->u.state.from == a && e->u.state.to == b)
            return e;
    }
    return NULL;
}

#define expect_state_event(from_, conn_, a_, b_, cause_)                                       \
    do {                                                                                       \
        const struct tcp_event *se_ = find_state((from_), (conn_), (a_), (b_));                \
        ck_assert_msg(se_ != NULL, "no state change %s -> %s", tcp_state_name(a_),             \
                      tcp_state_name(b_));                                                     \
        ck_assert_msg(se_->u.state.cause == (cause_), "%s -> %s caused by %s, expected %s",    \
                      tcp_state_name(a_), tcp_state_name(b_),                                  \
                      tcp_state_cause_name((enum tcp_state_cause)se_->u.state.cause),          \
                      tcp_state_cause_name(cause_));                                           \
        ck_assert_ptr_nonnull(se_->u.state.rfc);                                               \
    } while (0)

static bool saw_drop(size_t from, enum tcp_drop_reason why)
{
    for (size_t i = from; i < H.nevs; i++)
        if (H.evs[i].kind == EV_SEG_DROP && H.evs[i].u.seg.drop == why)
            return true;
    return false;
}

static bool saw_error(size_t from, uint32_t conn, enum tcp_error err)
{
    for (size_t i = from; i < H.nevs; i++)
        if (H.evs[i].kind == EV_ERROR && H.evs[i].conn == conn && H.evs[i].u.error.err == err)
            return true;
    return false;
}

static bool saw_listen(size_t from, enum tcp_listen_what what)
{
    for (size_t i = from; i < H.nevs; i++)
        if (H.evs[i].kind == EV_LISTEN && H.evs[i].u.listen.what == what)
            return true;
    return false;
}

static const struct tcp_event *last_retransmit(size_t from)
{
    const struct tcp_event *found = NULL;
    for (size_t i = from; i < H.nevs; i++)
        if (H.evs[i].kind == EV_RETRANSMIT)
            found = &H.evs[i];
    return found;
}

/* ---- Connections ------------------------------------------------------ */

/* The connection has ended with an error the app can see: CLOSED, the
 * error kept on the socket and reported as an event since mark m, the
 * ESTABLISHED -> CLOSED transition with its cause, and no timer left. */
static void expect_died(size_t m, int s, uint32_t id, enum tcp_error err,
                        enum tcp_state_cause cause)
{
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSED);
    ck_assert_int_eq(tcp_sock_error(H.st, s), err);
    ck_assert(saw_error(m, id, err));
    expect_state_event(m, id, TCP_ESTABLISHED, TCP_CLOSED, cause);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}

static int new_socket(void)
{
    int s = tcp_socket(H.st);
    ck_assert_int_gt(s, 0);
    ck_assert_int_eq(tcp_set_config(H.st, s, &H.cfg), 0);
    return s;
}

/* The open connection s closes first at 1 s (our FIN), the peer's FIN
 * arrives 10 ms later and is acknowledged: s is in TIME-WAIT
 * (RFC 9293 3.6, case 1). */
static void close_into_time_wait(int s)
{
    ck_assert_int_eq(tcp_close(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5001);
    feed(1 * SEC + 10 * MS, TCP_FIN | TCP_ACK, 5001, 1002);
    expect_sent(TCP_ACK, 1002, 5002);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
}

/* A new socket that may bind a port still held by a connection in
 * TIME-WAIT (SO_REUSEADDR: tcp_config.reuseaddr). */
static int new_reusing_socket(void)
{
    struct tcp_config reuse = H.cfg;
    reuse.reuseaddr = true;
    int s = new_socket();
    ck_assert_int_eq(tcp_set_config(H.st, s, &reuse), 0);
    return s;
}

/* connect() from OUR_PORT to the peer's port 80: our SYN goes out at t=0. */
static int start_active(void)
{
    H.lport = OUR_PORT;
    H.rport = SERVER_PORT;
    int s = new_socket();
    ck_assert_int_eq(tcp_bind(H.st, s, OUR_PORT, 0), 0);
    ck_assert_int_eq(tcp_connect(H.st, s, PEER_ADDR, SERVER_PORT, 0), 0);
    expect_sent(TCP_SYN, H.iss, 0);
    return s;
}

/* A complete active open: the peer's SYN-ACK at HANDSHAKE_RTT, our ACK. */
static int open_active(void)
{
    int s = start_active();
    feed_syn(HANDSHAKE_RTT, TCP_SYN | TCP_ACK, H.irs, H.iss + 1, 1460);
    expect_sent(TCP_ACK, H.iss + 1, H.irs + 1);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    return s;
}

static int open_listener(unsigned backlog)
{
    H.lport = SERVER_PORT;
    H.rport = CLIENT_PORT;
    int l = new_socket();
    ck_assert_int_eq(tcp_bind(H.st, l, SERVER_PORT, 0), 0);
    ck_assert_int_eq(tcp_listen(H.st, l, backlog, 0), 0);
    ck_assert_int_eq(tcp_sock_state(H.st, l), TCP_LISTEN);
    return l;
}

/* The connection (not the listener) from the peer's current port. */
static int find_child(void)
{
    for (int i = 1; i <= tcp_sock_max(H.st); i++) {
        const struct tcb *t = tcp_sock_tcb(H.st, i);
        if (t && t->state != TCP_LISTEN && t->remote_addr == PEER_ADDR &&
            t->remote_port == H.rport && t->local_port == H.lport)
            return i;
    }
    return 0;
}

/* After a half-open connection goes away: no child is left, the SYN queue
 * is empty, the listener listens on and no timer is armed. */
static void assert_half_open_gone(int listener)
{
    ck_assert_int_eq(find_child(), 0);
    struct tcp_listen_stats ls;
    ck_assert_int_eq(tcp_listen_stats(H.st, listener, &ls), 0);
    ck_assert_uint_eq(ls.syn_queue, 0);
    ck_assert_int_eq(tcp_sock_state(H.st, listener), TCP_LISTEN);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}

/* A complete passive open: SYN at t=0, our SYN-ACK, the peer's ACK at
 * HANDSHAKE_RTT; the app accepts.  Returns the accepted handle. */
static int open_passive(void)
{
    int l = open_listener(4);
    feed_syn(0, TCP_SYN, H.irs, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, H.iss, H.irs + 1);
    feed(HANDSHAKE_RTT, TCP_ACK, H.irs + 1, H.iss + 1);
    expect_nothing();
    int c = tcp_accept(H.st, l, HANDSHAKE_RTT);
    ck_assert_int_gt(c, 0);
    ck_assert_int_eq(tcp_sock_state(H.st, c), TCP_ESTABLISHED);
    return c;
}

static uint32_t conn_of(int sock)
{
    uint32_t id = tcp_sock_conn_id(H.st, sock);
    ck_assert_uint_ne(id, 0);
    return id;
}

static const struct tcb *tcb_of(int sock)
{
    const struct tcb *t = tcp_sock_tcb(H.st, sock);
    ck_assert_ptr_nonnull(t);
    return t;
}

/* ======================================================================= */
/* Opening                                                                 */
/* ======================================================================= */

START_TEST(test_active_open)
{
    size_t m = mark();
    int s = new_socket();
    uint32_t id = conn_of(s);
    ck_assert_int_eq(tcp_bind(H.st, s, OUR_PORT, 0), 0);
    ck_assert_int_eq(tcp_connect(H.st, s, PEER_ADDR, SERVER_PORT, 0), 0);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_SYN_SENT);
    expect_state_event(m, id, TCP_CLOSED, TCP_SYN_SENT, CAUSE_APP_OPEN);

    /* RFC 9293 3.7.1: the SYN carries our MSS; the window is the free
     * receive buffer (64 KiB, capped at the 16-bit field without scaling). */
    const struct tcp_segment *syn = expect_sent(TCP_SYN, 1000, 0);
    ck_assert(syn->opt.has_mss);
    ck_assert_uint_eq(syn->opt.mss, 1460);
    ck_assert(!syn->opt.has_wscale);
    ck_assert_uint_eq(syn->window, 65535);
    ck_assert_uint_eq(syn->payload_len, 0);
    expect_nothing();
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), 1 * SEC); /* initial RTO */

    /* SYN-ACK with a smaller MSS: <SEQ=1001><ACK=5001><CTL=ACK>. */
    m = mark();
    feed_syn(HANDSHAKE_RTT, TCP_SYN | TCP_ACK, 5000, 1001, 1000);
    const struct tcp_segment *ack = expect_sent(TCP_ACK, 1001, 5001);
    ck_assert_uint_eq(ack->payload_len, 0);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    expect_state_event(m, id, TCP_SYN_SENT, TCP_ESTABLISHED, CAUSE_RCV_SYN_ACK);
    const struct tcb *t = tcb_of(s);
    ck_assert_uint_eq(t->snd_una, 1001);
    ck_assert_uint_eq(t->snd_nxt, 1001);
    ck_assert_uint_eq(t->rcv_nxt, 5001);
    ck_assert_uint_eq(t->irs, 5000);
    ck_assert_uint_eq(t->snd_mss, 1000);
    ck_assert_uint_eq(t->snd_wnd, 65535);
    /* One RTT sample from the handshake (RFC 6298 2.2). */
    ck_assert_uint_eq(count_events(m, EV_RTT), 1);
    ck_assert_uint_eq(t->rtt.rto, RTO_AFTER_HANDSHAKE);
    /* Nothing outstanding, keepalive off: no timer at all. */
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    run_until(3 * SEC);
    expect_nothing();
}
END_TEST

/* The defaults the RFCs constrain. */
START_TEST(test_defaults)
{
    struct tcp_config d;
    tcp_config_defaults(&d);
    ck_assert_uint_eq(d.rto_initial, 1 * SEC);        /* RFC 6298 2.1 */
    ck_assert_uint_ge(d.rto_max, 60 * SEC);           /* RFC 6298 2.5 */
    ck_assert_uint_gt(d.delack_timeout, 0);           /* delayed ACK on... */
    ck_assert_uint_lt(d.delack_timeout, 500 * MS);    /* ...below 0.5 s (RFC 1122 4.2.3.2) */
    ck_assert(!d.keepalive);                          /* RFC 1122 4.2.3.6 */
    ck_assert_uint_ge(d.keepalive_idle, 7200 * SEC);
    ck_assert_uint_eq(d.msl, 120 * SEC);              /* RFC 9293 3.4.2 */
    ck_assert_uint_eq(d.mss, 1460);
    ck_assert(!d.isn_fixed);
    ck_assert(!d.reuseaddr);
    ck_assert(!d.syncookies);
}
END_TEST

/* Without isn_fixed the ISN comes from the stack's random source. */
START_TEST(test_isn_from_random_source)
{
    H.cfg.isn_fixed = false;
    uint32_t rnd = 1;
    rnd = rnd * 1103515245u + 12345u; /* drawn for the SYN-cookie secret */
    rnd = rnd * 1103515245u + 12345u; /* the ISN */
    H.iss = rnd;
    start_active();
    expect_nothing();
}
END_TEST

START_TEST(test_active_open_ephemeral_port)
{
    int s = new_socket();
    ck_assert_int_eq(tcp_connect(H.st, s, PEER_ADDR, SERVER_PORT, 0), 0);
    H.lport = 49152; /* the first ephemeral port */
    expect_sent(TCP_SYN, 1000, 0);
    expect_nothing();
}
END_TEST

START_TEST(test_passive_open)
{
    size_t m = mark();
    int l = open_listener(4);
    expect_state_event(m, conn_of(l), TCP_CLOSED, TCP_LISTEN, CAUSE_APP_LISTEN);
    expect_nothing();

    m = mark();
    feed_syn(0, TCP_SYN, 5000, 0, 1400);
    const struct tcp_segment *sa = expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    ck_assert(sa->opt.has_mss);
    ck_assert_uint_eq(sa->opt.mss, 1460);
    ck_assert_uint_eq(sa->window, 65535);
    expect_nothing();
    int c = find_child();
    ck_assert_int_gt(c, 0);
    ck_assert_int_ne(c, l);
    ck_assert_int_eq(tcp_sock_state(H.st, c), TCP_SYN_RECEIVED);
    /* The child starts as a copy of the listener: LISTEN -> SYN_RECEIVED,
     * as in the RFC's state diagram. */
    expect_state_event(m, conn_of(c), TCP_LISTEN, TCP_SYN_RECEIVED, CAUSE_RCV_SYN);
    ck_assert(saw_listen(m, LISTEN_SYN_QUEUED));
    struct tcp_listen_stats ls;
    ck_assert_int_eq(tcp_listen_stats(H.st, l, &ls), 0);
    ck_assert_uint_eq(ls.syn_queue, 1);
    ck_assert_uint_eq(ls.accept_queue, 0);
    /* Nothing to accept yet. */
    ck_assert_int_eq(tcp_accept(H.st, l, 0), -TCP_ERR_WOULD_BLOCK);

    /* The final ACK: ESTABLISHED with no reply, even without accept(). */
    m = mark();
    feed(50 * MS, TCP_ACK, 5001, 1001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, c), TCP_ESTABLISHED);
    expect_state_event(m, conn_of(c), TCP_SYN_RECEIVED, TCP_ESTABLISHED, CAUSE_RCV_ACK);
    ck_assert(saw_listen(m, LISTEN_ACCEPT_QUEUED));
    ck_assert_int_eq(tcp_listen_stats(H.st, l, &ls), 0);
    ck_assert_uint_eq(ls.syn_queue, 0);
    ck_assert_uint_eq(ls.accept_queue, 1);
    ck_assert_uint_eq(tcb_of(c)->snd_mss, 1400);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER); /* SYN-ACK timer stopped */
    ck_assert_int_eq(tcp_sock_state(H.st, l), TCP_LISTEN);

    /* It stays ESTABLISHED in the accept queue for as long as it likes. */
    run_until(600 * SEC);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, c), TCP_ESTABLISHED);

    m = mark();
    ck_assert_int_eq(tcp_accept(H.st, l, 600 * SEC), c);
    ck_assert(saw_listen(m, LISTEN_ACCEPTED));
    ck_assert_int_eq(tcp_listen_stats(H.st, l, &ls), 0);
    ck_assert_uint_eq(ls.accept_queue, 0);
    ck_assert_int_eq(tcp_accept(H.st, l, 600 * SEC), -TCP_ERR_WOULD_BLOCK);
    expect_nothing();
}
END_TEST

/* The third segment of the handshake may carry data (lesson 1). */
START_TEST(test_passive_open_ack_with_data)
{
    int l = open_listener(4);
    feed_syn(0, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    feed_data(50 * MS, TCP_ACK | TCP_PSH, 5001, 1001, "GET /", 5);
    int c = tcp_accept(H.st, l, 50 * MS);
    ck_assert_int_gt(c, 0);
    ck_assert_int_eq(tcp_sock_state(H.st, c), TCP_ESTABLISHED);
    ck_assert_uint_eq(tcp_sock_readable(H.st, c), 5);
    uint8_t buf[16];
    ck_assert_int_eq(tcp_recv(H.st, c, buf, sizeof buf, 50 * MS), 5);
    ck_assert_mem_eq(buf, "GET /", 5);
    /* Its ACK is delayed like any single segment's. */
    run_until(50 * MS + DELACK - 1);
    expect_nothing();
    run_until(50 * MS + DELACK);
    expect_sent(TCP_ACK, 1001, 5006);
    expect_nothing();
}
END_TEST

/* RFC 9293 3.5 figure 8: both sides send SYN at once. */
START_TEST(test_simultaneous_open)
{
    int s = start_active(); /* SYN 1000 is out; so is the peer's SYN 5000 */
    uint32_t id = conn_of(s);
    size_t m = mark();
    feed_syn(10 * MS, TCP_SYN, 5000, 0, 1460);
    /* SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> (RFC 9293 3.10.7.3). */
    const struct tcp_segment *sa = expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    ck_assert(sa->opt.has_mss);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_SYN_RECEIVED);
    expect_state_event(m, id, TCP_SYN_SENT, TCP_SYN_RECEIVED, CAUSE_RCV_SYN);
    /* Sending the SYN-ACK is not a retransmission. */
    ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 0);

    /* The peer's SYN-ACK (line 6 of figure 8) completes the open with no
     * further segment.  Read literally, the 3.10.7.4 acceptability test
     * would reject it (its SYN sits at 5000, below RCV.NXT = 5001); the
     * engine takes it as the ACK it carries, as the figure and Linux do. */
    m = mark();
    feed_syn(20 * MS, TCP_SYN | TCP_ACK, 5000, 1001, 1460);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    expect_state_event(m, id, TCP_SYN_RECEIVED, TCP_ESTABLISHED, CAUSE_RCV_ACK);
    /* A later plain ACK of our SYN-ACK is a harmless duplicate. */
    feed(30 * MS, TCP_ACK, 5001, 1001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    ck_assert_uint_eq(tcb_of(s)->snd_una, 1001);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    run_until(10 * SEC);
    expect_nothing();
}
END_TEST

START_TEST(test_syn_retransmission_timing)
{
    int s = start_active();
    uint32_t id = conn_of(s);
    /* RFC 6298 2.1 and 5.5: 1 s, then doubling: 1, 3, 7, 15, 31, 63 s. */
    uint64_t at = 0, rto = 1 * SEC;
    for (unsigned n = 1; n <= 6; n++) {
        at += rto;
        run_until(at - 1);
        expect_nothing();
        size_t m = mark();
        run_until(at);
        expect_sent(TCP_SYN, 1000, 0);
        expect_nothing();
        const struct tcp_event *rx = last_retransmit(m);
        ck_assert_ptr_nonnull(rx);
        ck_assert_uint_eq(rx->u.retx.cause, RETX_RTO);
        ck_assert_uint_eq(rx->u.retx.seq, 1000);
        ck_assert_uint_eq(rx->u.retx.attempt, n);
        rto *= 2;
        ck_assert_uint_eq(tcp_stack_next_deadline(H.st), at + rto);
        ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_SYN_SENT);
    }
    ck_assert_uint_eq(at, 63 * SEC);
    /* syn_retries = 6: when the sixth retransmission times out (127 s),
     * give up: no seventh SYN, no RST, error "timeout", CLOSED. */
    run_until(127 * SEC - 1);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_OK);
    size_t m = mark();
    run_until(127 * SEC);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSED);
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_ERR_TIMEOUT);
    ck_assert(saw_error(m, id, TCP_ERR_TIMEOUT));
    expect_state_event(m, id, TCP_SYN_SENT, TCP_CLOSED, CAUSE_TIMEOUT);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    uint8_t buf[4];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, 127 * SEC), -TCP_ERR_TIMEOUT);
    tcp_release(H.st, s);
    ck_assert_ptr_null(tcp_sock_tcb(H.st, s));
    run_until(1000 * SEC);
    expect_nothing();
}
END_TEST

START_TEST(test_syn_retries_configurable)
{
    H.cfg.syn_retries = 1;
    int s = start_active();
    run_until(1 * SEC);
    expect_sent(TCP_SYN, 1000, 0);
    run_until(3 * SEC - 1);
    expect_nothing();
    run_until(3 * SEC);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSED);
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_ERR_TIMEOUT);
}
END_TEST

/* A SYN-ACK after a retransmitted SYN gives no RTT sample (Karn), and the
 * RTO for data starts at 3 s (RFC 6298 5.7). */
START_TEST(test_syn_retransmitted_then_answered)
{
    int s = start_active();
    run_until(1 * SEC);
    expect_sent(TCP_SYN, 1000, 0);
    size_t m = mark();
    feed_syn(1 * SEC + 50 * MS, TCP_SYN | TCP_ACK, 5000, 1001, 1460);
    expect_sent(TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    ck_assert_uint_eq(count_events(m, EV_RTT), 0);
    ck_assert_uint_eq(tcb_of(s)->rto_current, 3 * SEC);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

START_TEST(test_synack_retransmission)
{
    int l = open_listener(4);
    feed_syn(0, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    int c = find_child();
    uint32_t id = conn_of(c);
    /* synack_retries = 5: at 1, 3, 7, 15 and 31 s. */
    uint64_t at = 0, rto = 1 * SEC;
    for (unsigned n = 1; n <= 5; n++) {
        at += rto;
        run_until(at - 1);
        expect_nothing();
        size_t m = mark();
        run_until(at);
        expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
        expect_nothing();
        const struct tcp_event *rx = last_retransmit(m);
        ck_assert_ptr_nonnull(rx);
        ck_assert_uint_eq(rx->u.retx.attempt, n);
        rto *= 2;
    }
    /* At 63 s the half-open connection is forgotten: no RST, the SYN
     * queue shrinks, the listener listens on. */
    run_until(63 * SEC - 1);
    expect_nothing();
    ck_assert_int_eq(find_child(), c);
    size_t m = mark();
    run_until(63 * SEC);
    expect_nothing();
    expect_state_event(m, id, TCP_SYN_RECEIVED, TCP_CLOSED, CAUSE_TIMEOUT);
    ck_assert(saw_listen(m, LISTEN_SYN_EXPIRED));
    assert_half_open_gone(l);

    /* The peer's late ACK now finds only the listener: RST <SEQ=SEG.ACK>. */
    feed(64 * SEC, TCP_ACK, 5001, 1001);
    expect_sent(TCP_RST, 1001, 0);
    expect_nothing();
}
END_TEST

/* Design choice (as Linux): a retransmitted SYN in SYN-RECEIVED gets the
 * SYN-ACK again -- it is the ACK RFC 9293 asks for and repairs a lost
 * SYN-ACK.  It is traced as a "dup-syn" retransmission (no out-of-window
 * drop), counted like Linux's RetransSegs, and restarts the SYN-ACK timer
 * with its current value (Linux tcp_check_req: mod_timer_pending). */
START_TEST(test_duplicate_syn_in_syn_received)
{
    open_listener(4);
    feed_syn(0, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    size_t m = mark();
    feed_syn(500 * MS, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 1);
    ck_assert_uint_eq(count_events(m, EV_SEG_DROP), 0);
    const struct tcp_event *rx = last_retransmit(m);
    ck_assert_ptr_nonnull(rx);
    ck_assert_uint_eq(rx->u.retx.cause, RETX_DUP_SYN);
    ck_assert_str_eq(tcp_retx_cause_name(RETX_DUP_SYN), "dup-syn");
    ck_assert_uint_eq(tcp_stack_stats(H.st)->retransmits, 1);
    int c = find_child();
    ck_assert_int_eq(tcp_sock_state(H.st, c), TCP_SYN_RECEIVED);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), 1500 * MS);
    feed(600 * MS, TCP_ACK, 5001, 1001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, c), TCP_ESTABLISHED);
}
END_TEST

/* ======================================================================= */
/* Resets                                                                  */
/* ======================================================================= */

START_TEST(test_closed_port_rst)
{
    H.lport = 81; /* nothing there */
    H.rport = CLIENT_PORT;
    size_t m = mark();
    /* With ACK: <SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.1). */
    feed(0, TCP_ACK, 5000, 777);
    const struct tcp_segment *r = expect_sent(TCP_RST, 777, 0);
    ck_assert_uint_eq(r->payload_len, 0);
    expect_nothing();
    /* Without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; a SYN counts 1. */
    feed_syn(1 * MS, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_RST | TCP_ACK, 0, 5001);
    expect_nothing();
    /* ...and data and FIN count too: 10 + 1. */
    feed_data(2 * MS, TCP_FIN, 9000, 0, "0123456789", 10);
    expect_sent(TCP_RST | TCP_ACK, 0, 9011);
    expect_nothing();
    ck_assert(saw_drop(m, DROP_NO_SOCKET));
    ck_assert_uint_eq(tcp_stack_stats(H.st)->rst_sent, 3);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

START_TEST(test_closed_port_rst_gets_no_reply)
{
    H.lport = 81;
    H.rport = CLIENT_PORT;
    size_t m = mark();
    feed(0, TCP_RST, 5000, 0);
    expect_nothing();
    feed(1 * MS, TCP_RST | TCP_ACK, 5000, 1234);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_SEG_DROP), 2);
    ck_assert(saw_drop(m, DROP_NO_SOCKET));
    ck_assert_uint_eq(tcp_stack_stats(H.st)->rst_sent, 0);
}
END_TEST

/* RFC 9293 3.10.7.3: in SYN-SENT, an ACK outside ISS < SEG.ACK =< SND.NXT
 * gets <SEQ=SEG.ACK><CTL=RST> and the connection stays in SYN-SENT. */
START_TEST(test_syn_sent_unacceptable_ack)
{
    int s = start_active();
    size_t m = mark();
    feed_syn(10 * MS, TCP_SYN | TCP_ACK, 5000, 1000, 1460); /* SEG.ACK = ISS */
    expect_sent(TCP_RST, 1000, 0);
    expect_nothing();
    ck_assert(saw_drop(m, DROP_BAD_ACK));
    feed(20 * MS, TCP_ACK, 5000, 3000); /* beyond SND.NXT */
    expect_sent(TCP_RST, 3000, 0);
    expect_nothing();
    /* A RST carrying a bad ACK is not answered. */
    feed(30 * MS, TCP_RST | TCP_ACK, 5000, 3000);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_SYN_SENT);
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_OK);
    /* The real SYN-ACK still completes the handshake. */
    feed_syn(40 * MS, TCP_SYN | TCP_ACK, 5000, 1001, 1460);
    expect_sent(TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
}
END_TEST

/* "Connection refused": a RST whose ACK acknowledges our SYN. */
START_TEST(test_syn_sent_rst_refused)
{
    int s = start_active();
    uint32_t id = conn_of(s);
    /* RFC 5961 3.2 / 9293 3.10.7.3: a RST without ACK is dropped... */
    feed(10 * MS, TCP_RST, 0, 0);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_SYN_SENT);
    /* ...with an acceptable ACK it refuses the connection. */
    size_t m = mark();
    feed(20 * MS, TCP_RST | TCP_ACK, 0, 1001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSED);
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_ERR_REFUSED);
    expect_state_event(m, id, TCP_SYN_SENT, TCP_CLOSED, CAUSE_RCV_RST);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    run_until(200 * SEC);
    expect_nothing();
}
END_TEST

START_TEST(test_ack_at_listener_rst)
{
    int l = open_listener(4);
    size_t m = mark();
    feed(0, TCP_ACK, 5000, 4242);
    expect_sent(TCP_RST, 4242, 0);
    expect_nothing();
    ck_assert(saw_drop(m, DROP_BAD_ACK));
    /* No connection was made, and a RST at a listener is ignored. */
    ck_assert_int_eq(find_child(), 0);
    feed(1 * MS, TCP_RST, 5000, 0);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, l), TCP_LISTEN);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

/* RFC 9293 3.10.7.4 / RFC 5961 3.2: a RST whose sequence number is exactly
 * RCV.NXT resets the connection. */
START_TEST(test_rst_exact_resets)
{
    int s = open_active();
    uint32_t id = conn_of(s);
    size_t m = mark();
    feed(1 * SEC, TCP_RST, 5001, 0);
    expect_nothing();
    expect_died(m, s, id, TCP_ERR_RESET, CAUSE_RCV_RST);
    uint8_t buf[4];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, 1 * SEC), -TCP_ERR_RESET);
    ck_assert_int_eq(tcp_send(H.st, s, buf, sizeof buf, 1 * SEC), -TCP_ERR_RESET);
    expect_nothing();
}
END_TEST

/* RFC 5961 3.2: in the window but not exact -> challenge ACK
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; the connection stays. */
START_TEST(test_rst_in_window_challenge_ack)
{
    int s = open_active();
    size_t m = mark();
    feed(1 * SEC, TCP_RST, 5001 + 100, 0);
    expect_sent(TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert(saw_drop(m, DROP_CHALLENGED));
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_OK);
    /* The same, placed relative to the TCB: the last byte of the window
     * we advertised (65,535 bytes: the largest unscaled window field). */
    feed_rel(2 * SEC, s, TCP_RST | TCP_ACK, 65534, 0);
    expect_sent(TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
}
END_TEST

START_TEST(test_rst_outside_window_dropped)
{
    int s = open_active();
    size_t m = mark();
    feed(1 * SEC, TCP_RST, 5001 + 65536, 0); /* just past the window */
    expect_nothing();
    feed(2 * SEC, TCP_RST, 5000, 0); /* just before RCV.NXT */
    expect_nothing();
    feed(3 * SEC, TCP_RST | TCP_ACK, 5001u + 0x80000000u, 1001);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_SEG_DROP), 3);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_OK);
}
END_TEST

/* RFC 5961 4.2: any SYN in a synchronized state gets a challenge ACK. */
START_TEST(test_syn_in_established_challenge_ack)
{
    int s = open_active();
    size_t m = mark();
    feed_syn(1 * SEC, TCP_SYN, 5001 + 10, 0, 1460); /* in window */
    expect_sent(TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert(saw_drop(m, DROP_CHALLENGED));
    feed_syn(2 * SEC, TCP_SYN, 9999999, 0, 1460); /* anywhere */
    expect_sent(TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    ck_assert_uint_eq(tcb_of(s)->rcv_nxt, 5001);
}
END_TEST

/* RFC 9293 3.10.7.4 first check: an unacceptable segment is answered with
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and dropped. */
START_TEST(test_out_of_window_data_acked)
{
    int s = open_active();
    size_t m = mark();
    feed_data(1 * SEC, TCP_ACK, 5001 + 70000, 1001, "late", 4); /* beyond the window */
    expect_sent(TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert(saw_drop(m, DROP_OUT_OF_WINDOW));
    feed_data(2 * SEC, TCP_ACK, 4901, 1001, "x", 1); /* an old duplicate */
    expect_sent(TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert_uint_eq(tcp_sock_readable(H.st, s), 0);
    ck_assert_uint_eq(tcb_of(s)->rcv_nxt, 5001);
}
END_TEST

/* A FIN beyond a gap cannot be taken yet; the ACK goes out at once with
 * RCV.NXT so the peer sees what is missing, and the state stays. */
START_TEST(test_fin_beyond_gap_acked_at_once)
{
    int s = open_active();
    size_t m = mark();
    feed(1 * SEC, TCP_ACK | TCP_FIN, 5001 + 10, 1001);
    expect_sent(TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    ck_assert_uint_eq(tcb_of(s)->rcv_nxt, 5001);
    ck_assert_uint_eq(count_events(m, EV_STATE), 0);
}
END_TEST

/* ======================================================================= */
/* Data                                                                    */
/* ======================================================================= */

START_TEST(test_data_in_order)
{
    int s = open_active();
    feed_data(1 * SEC, TCP_ACK | TCP_PSH, 5001, 1001, "hello, ", 7);
    feed_data(1 * SEC + 1, TCP_ACK | TCP_PSH, 5008, 1001, "world", 5);
    /* Two small segments: the second one forces the ACK (RFC 1122 4.2.3.2
     * counts segments; the engine counts every second one). */
    expect_sent(TCP_ACK, 1001, 5013);
    expect_nothing();
    ck_assert_uint_eq(tcp_sock_readable(H.st, s), 12);
    uint8_t buf[64];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, 5, 2 * SEC), 5);
    ck_assert_mem_eq(buf, "hello", 5);
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, 2 * SEC), 7);
    ck_assert_mem_eq(buf, ", world", 7);
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, 2 * SEC), -TCP_ERR_WOULD_BLOCK);
    ck_assert(!tcp_sock_eof(H.st, s));
    /* A retransmission of what we have is trimmed, not delivered twice. */
    feed_data(3 * SEC, TCP_ACK, 5008, 1001, "world!", 6);
    ck_assert_uint_eq(tcp_sock_readable(H.st, s), 1);
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, 3 * SEC), 1);
    ck_assert_uint_eq(buf[0], '!');
    run_until(3 * SEC + DELACK);
    expect_sent(TCP_ACK, 1001, 5014);
    expect_nothing();
}
END_TEST

START_TEST(test_send_data_and_ack)
{
    int s = open_active();
    static const char msg[] = "a hundred bytes? no, fewer";
    size_t len = sizeof msg - 1;
    ck_assert_int_eq(tcp_send(H.st, s, (const uint8_t *)msg, len, 1 * SEC), (long)len);
    const struct tcp_segment *d = expect_sent(TCP_ACK | TCP_PSH, 1001, 5001);
    ck_assert_uint_eq(d->payload_len, len);
    ck_assert_mem_eq(d->payload, msg, len);
    expect_nothing();
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), 1 * SEC + RTO_AFTER_HANDSHAKE);
    feed(1 * SEC + 50 * MS, TCP_ACK, 5001, 1001 + (uint32_t)len);
    expect_nothing();
    ck_assert_uint_eq(tcb_of(s)->snd_una, 1001 + len);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    run_until(10 * SEC);
    expect_nothing();
}
END_TEST

/* RFC 1122 4.2.3.2: one segment waits up to the delayed-ACK timeout. */
START_TEST(test_delayed_ack_one_segment)
{
    int s = open_active();
    uint64_t t0 = 1 * SEC;
    feed_data(t0, TCP_ACK | TCP_PSH, 5001, 1001, "ping", 4);
    expect_nothing();
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), t0 + DELACK);
    run_until(t0 + DELACK - 1);
    expect_nothing();
    size_t m = mark();
    run_until(t0 + DELACK);
    expect_sent(TCP_ACK, 1001, 5005);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_TIMER_FIRE), 1);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    uint8_t buf[8];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, t0 + 300 * MS), 4);
    run_until(t0 + 10 * SEC);
    expect_nothing();
}
END_TEST

/* RFC 5681 4.2: an ACK for at least every second full-sized segment. */
START_TEST(test_delayed_ack_two_full_segments)
{
    int s = open_active();
    static uint8_t block[2 * 1460];
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (uint8_t)(i * 7);
    uint64_t t0 = 1 * SEC;
    feed_data(t0, TCP_ACK, 5001, 1001, block, 1460);
    expect_nothing();
    feed_data(t0 + 1 * MS, TCP_ACK, 5001 + 1460, 1001, block + 1460, 1460);
    expect_sent(TCP_ACK, 1001, 5001 + 2920);
    expect_nothing();
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER); /* delack cancelled */
    /* Receiver SWS avoidance (RFC 1122 4.2.3.3): the right edge stays where
     * the handshake put it (65,535 bytes beyond 5001) although one more
     * byte of buffer is free; a 1-byte increase is not worth offering. */
    ck_assert_uint_eq(last_seg.window, 65535 - 2920);
    static uint8_t got[2 * 1460];
    ck_assert_int_eq(tcp_recv(H.st, s, got, sizeof got, t0 + 2 * MS), 2920);
    ck_assert_mem_eq(got, block, sizeof block);
    run_until(t0 + 1 * SEC);
    expect_nothing();
}
END_TEST

START_TEST(test_delayed_ack_off)
{
    H.cfg.delack_timeout = 0;
    open_active();
    feed_data(1 * SEC, TCP_ACK | TCP_PSH, 5001, 1001, "ping", 4);
    expect_sent(TCP_ACK, 1001, 5005);
    expect_nothing();
}
END_TEST

/* RFC 6298 5.4-5.6: retransmit at exactly RTO, then double it. */
START_TEST(test_data_retransmission_on_rto)
{
    int s = open_active();
    ck_assert_uint_eq(tcb_of(s)->rtt.rto, RTO_AFTER_HANDSHAKE);
    uint64_t t0 = 1 * SEC;
    ck_assert_int_eq(tcp_send(H.st, s, (const uint8_t *)"0123456789", 10, t0), 10);
    expect_sent(TCP_ACK | TCP_PSH, 1001, 5001); /* lost */
    uint64_t at = t0, rto = RTO_AFTER_HANDSHAKE;
    for (unsigned n = 1; n <= 3; n++) {
        at += rto;
        run_until(at - 1);
        expect_nothing();
        size_t m = mark();
        run_until(at);
        const struct tcp_segment *d = expect_sent(TCP_ACK | TCP_PSH, 1001, 5001);
        ck_assert_uint_eq(d->payload_len, 10);
        ck_assert_mem_eq(d->payload, "0123456789", 10);
        expect_nothing();
        const struct tcp_event *rx = last_retransmit(m);
        ck_assert_ptr_nonnull(rx);
        ck_assert_uint_eq(rx->u.retx.cause, RETX_RTO);
        ck_assert_uint_eq(rx->u.retx.seq, 1001);
        ck_assert_uint_eq(rx->u.retx.len, 10);
        ck_assert_uint_eq(rx->u.retx.attempt, n);
        rto *= 2;
        ck_assert_uint_eq(rx->u.retx.rto, rto);
        ck_assert_uint_eq(tcp_stack_next_deadline(H.st), at + rto);
    }
    ck_assert_uint_eq(at, t0 + 300 * MS + 600 * MS + 1200 * MS);
    /* The ACK finally comes: timer off, backoff forgotten (Karn: no sample). */
    size_t m = mark();
    feed(at + 10 * MS, TCP_ACK, 5001, 1011);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_RTT), 0);
    ck_assert_uint_eq(tcb_of(s)->snd_una, 1011);
    ck_assert_uint_eq(tcb_of(s)->backoff, 0);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    run_until(at + 60 * SEC);
    expect_nothing();
}
END_TEST

/* RFC 1122 4.2.3.5 R2: give up after `retries`.  RFC 9293 3.10.8 only
 * tells the user and deletes the TCB; Linux (tcp_write_err) sends nothing
 * either: no RST, the app gets ETIMEDOUT. */
START_TEST(test_data_retry_limit)
{
    H.cfg.retries = 3;
    int s = open_active();
    uint32_t id = conn_of(s);
    uint64_t t0 = 1 * SEC;
    ck_assert_int_eq(tcp_send(H.st, s, (const uint8_t *)"abc", 3, t0), 3);
    expect_sent(TCP_ACK | TCP_PSH, 1001, 5001);
    uint64_t at = t0, rto = RTO_AFTER_HANDSHAKE;
    for (unsigned n = 1; n <= 3; n++) {
        at += rto;
        rto *= 2;
        run_until(at);
        expect_sent(TCP_ACK | TCP_PSH, 1001, 5001);
        expect_nothing();
    }
    at += rto; /* 1 s + 0.3 + 0.6 + 1.2 + 2.4 */
    ck_assert_uint_eq(at, 5500 * MS);
    run_until(at - 1);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    size_t m = mark();
    run_until(at);
    expect_nothing();
    ck_assert_uint_eq(tcp_stack_stats(H.st)->rst_sent, 0);
    expect_died(m, s, id, TCP_ERR_TIMEOUT, CAUSE_TIMEOUT);
}
END_TEST

/* RFC 6298 2.5: the backed-off RTO stops at rto_max. */
START_TEST(test_rto_capped)
{
    H.cfg.rto_max = 2 * SEC;
    int s = open_active();
    uint64_t t0 = 1 * SEC;
    ck_assert_int_eq(tcp_send(H.st, s, (const uint8_t *)"z", 1, t0), 1);
    expect_sent(TCP_ACK | TCP_PSH, 1001, 5001);
    /* 0.3, 0.6, 1.2, then 2, 2, 2 s. */
    static const uint64_t gaps[] = { 300 * MS, 600 * MS, 1200 * MS, 2 * SEC, 2 * SEC, 2 * SEC };
    uint64_t at = t0;
    for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
        at += gaps[i];
        run_until(at - 1);
        expect_nothing();
        run_until(at);
        expect_sent(TCP_ACK | TCP_PSH, 1001, 5001);
    }
    expect_nothing();
}
END_TEST

/* ======================================================================= */
/* Closing                                                                 */
/* ======================================================================= */

/* We close first: FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT -> (2 MSL) CLOSED. */
START_TEST(test_active_close)
{
    int s = open_active();
    uint32_t id = conn_of(s);
    size_t m = mark();
    ck_assert_int_eq(tcp_close(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_FIN_WAIT_1);
    expect_state_event(m, id, TCP_ESTABLISHED, TCP_FIN_WAIT_1, CAUSE_APP_CLOSE);

    m = mark();
    feed(1 * SEC + 50 * MS, TCP_ACK, 5001, 1002);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_FIN_WAIT_2);
    expect_state_event(m, id, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, CAUSE_RCV_ACK);

    m = mark();
    uint64_t tw = 2 * SEC;
    feed(tw, TCP_FIN | TCP_ACK, 5001, 1002);
    expect_sent(TCP_ACK, 1002, 5002); /* the last ACK goes at once */
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    expect_state_event(m, id, TCP_FIN_WAIT_2, TCP_TIME_WAIT, CAUSE_RCV_FIN);

    /* 2 * MSL = 240 s with the RFC's MSL of 2 minutes. */
    run_until(tw + 240 * SEC - 1);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    m = mark();
    run_until(tw + 240 * SEC);
    expect_state_event(m, id, TCP_TIME_WAIT, TCP_CLOSED, CAUSE_TIME_WAIT_DONE);
    /* The app closed it, so nothing is left of it. */
    ck_assert_ptr_null(tcp_sock_tcb(H.st, s));
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    expect_nothing();
}
END_TEST

/* The peer closes first: CLOSE_WAIT, (we close) LAST_ACK, CLOSED. */
START_TEST(test_passive_close)
{
    int s = open_passive();
    uint32_t id = conn_of(s);
    size_t m = mark();
    uint64_t t0 = 1 * SEC;
    feed(t0, TCP_FIN | TCP_ACK, 5001, 1001);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSE_WAIT);
    expect_state_event(m, id, TCP_ESTABLISHED, TCP_CLOSE_WAIT, CAUSE_RCV_FIN);
    /* Design choice: the FIN's ACK waits for the delayed-ACK timer, so that
     * a FIN of ours could carry it (see test_close_delack_merge). */
    expect_nothing();
    run_until(t0 + DELACK - 1);
    expect_nothing();
    run_until(t0 + DELACK);
    expect_sent(TCP_ACK, 1001, 5002);
    expect_nothing();
    uint8_t buf[4];
    ck_assert(tcp_sock_eof(H.st, s));
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, 2 * SEC), 0);

    /* CLOSE_WAIT lasts as long as the app does not close. */
    run_until(1000 * SEC);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSE_WAIT);

    m = mark();
    ck_assert_int_eq(tcp_close(H.st, s, 1000 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5002);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_LAST_ACK);
    expect_state_event(m, id, TCP_CLOSE_WAIT, TCP_LAST_ACK, CAUSE_APP_CLOSE);
    m = mark();
    feed(1000 * SEC + 50 * MS, TCP_ACK, 5002, 1002);
    expect_nothing();
    expect_state_event(m, id, TCP_LAST_ACK, TCP_CLOSED, CAUSE_RCV_ACK);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

/* Lesson 5's three-segment close: the app closes while the ACK of the
 * peer's FIN is still delayed, and our FIN carries it. */
START_TEST(test_close_delack_merge)
{
    int s = open_passive();
    uint64_t t0 = 1 * SEC;
    feed(t0, TCP_FIN | TCP_ACK, 5001, 1001);
    expect_nothing();
    ck_assert_int_eq(tcp_close(H.st, s, t0 + 10 * MS), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5002);
    expect_nothing();
    run_until(t0 + DELACK); /* no separate ACK: the delayed ACK was sent with the FIN */
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_LAST_ACK);
    /* The LAST_ACK FIN is retransmitted on RTO like data. */
    uint64_t rto = tcb_of(s)->rto_current;
    ck_assert_uint_eq(rto, RTO_AFTER_HANDSHAKE);
    run_until(t0 + 10 * MS + rto - 1);
    expect_nothing();
    run_until(t0 + 10 * MS + rto);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5002);
    expect_nothing();
    feed(t0 + 500 * MS, TCP_ACK, 5002, 1002);
    expect_nothing();
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

/* RFC 9293 3.6 figure 13: both FINs cross -> CLOSING -> TIME_WAIT. */
START_TEST(test_simultaneous_close)
{
    int s = open_active();
    uint32_t id = conn_of(s);
    ck_assert_int_eq(tcp_close(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5001);
    size_t m = mark();
    feed(1 * SEC + 10 * MS, TCP_FIN | TCP_ACK, 5001, 1001); /* does not ack our FIN */
    expect_sent(TCP_ACK, 1002, 5002);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSING);
    expect_state_event(m, id, TCP_FIN_WAIT_1, TCP_CLOSING, CAUSE_RCV_FIN);
    m = mark();
    uint64_t tw = 1 * SEC + 20 * MS;
    feed(tw, TCP_ACK, 5002, 1002);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    expect_state_event(m, id, TCP_CLOSING, TCP_TIME_WAIT, CAUSE_RCV_ACK);
    run_until(tw + 240 * SEC - 1);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    run_until(tw + 240 * SEC);
    ck_assert_ptr_null(tcp_sock_tcb(H.st, s));
    expect_nothing();
}
END_TEST

/* A FIN that also acknowledges ours: FIN_WAIT_1 straight to TIME_WAIT. */
START_TEST(test_fin_wait_1_fin_ack)
{
    int s = open_active();
    uint32_t id = conn_of(s);
    ck_assert_int_eq(tcp_close(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5001);
    size_t m = mark();
    feed(1 * SEC + 10 * MS, TCP_FIN | TCP_ACK, 5001, 1002);
    expect_sent(TCP_ACK, 1002, 5002);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    expect_state_event(m, id, TCP_FIN_WAIT_1, TCP_TIME_WAIT, CAUSE_RCV_FIN_ACK);
    ck_assert_ptr_null(find_state(m, id, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2));
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), 1 * SEC + 10 * MS + 240 * SEC);
}
END_TEST

/* The same FIN+ACK with a gap before it (after shutdown(), so the data is
 * welcome): the ACK counts (FIN_WAIT_2), the FIN must wait, and the gap
 * gets an immediate duplicate ACK. */
START_TEST(test_fin_wait_1_fin_ack_with_gap)
{
    int s = open_active();
    uint32_t id = conn_of(s);
    ck_assert_int_eq(tcp_shutdown(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5001);
    size_t m = mark();
    feed_data(1 * SEC + 10 * MS, TCP_FIN | TCP_ACK, 5011, 1002, "tail", 4);
    expect_sent(TCP_ACK, 1002, 5001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_FIN_WAIT_2);
    expect_state_event(m, id, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, CAUSE_RCV_ACK);
    ck_assert(!tcp_sock_eof(H.st, s));
    /* Not orphaned: no FIN_WAIT_2 timer. */
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

/* RFC 9293 3.10.7.4 TIME-WAIT: a retransmitted FIN is acknowledged and
 * restarts the 2 MSL timeout. */
START_TEST(test_time_wait_restart)
{
    H.cfg.msl = 5 * SEC;
    int s = open_active();
    uint32_t id = conn_of(s);
    ck_assert_int_eq(tcp_close(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5001);
    uint64_t tw = 1 * SEC + 50 * MS; /* the peer's FIN+ACK, before our RTO */
    feed(tw, TCP_FIN | TCP_ACK, 5001, 1002);
    expect_sent(TCP_ACK, 1002, 5002); /* this ACK is lost */
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), tw + 10 * SEC);
    /* The peer retransmits its FIN 3 s later. */
    uint64_t again = tw + 3 * SEC;
    feed(again, TCP_FIN | TCP_ACK, 5001, 1002);
    expect_sent(TCP_ACK, 1002, 5002);
    expect_nothing();
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), again + 10 * SEC);
    run_until(tw + 10 * SEC); /* the old deadline passes */
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    run_until(again + 10 * SEC - 1);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    size_t m = mark();
    run_until(again + 10 * SEC);
    expect_state_event(m, id, TCP_TIME_WAIT, TCP_CLOSED, CAUSE_TIME_WAIT_DONE);
    ck_assert_ptr_null(tcp_sock_tcb(H.st, s));
    expect_nothing();
    /* Afterwards the 4-tuple is unknown: the FIN gets a RST. */
    feed(again + 11 * SEC, TCP_FIN | TCP_ACK, 5001, 1002);
    expect_sent(TCP_RST, 1002, 0);
    expect_nothing();
}
END_TEST

/* Linux tcp_fin_timeout: an orphaned FIN_WAIT_2 dies after 60 s. */
START_TEST(test_fin_wait_2_timeout_orphan)
{
    int s = open_active();
    uint32_t id = conn_of(s);
    ck_assert_int_eq(tcp_close(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5001);
    uint64_t t2 = 1 * SEC + 50 * MS;
    feed(t2, TCP_ACK, 5001, 1002);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_FIN_WAIT_2);
    run_until(t2 + 60 * SEC - 1);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_FIN_WAIT_2);
    size_t m = mark();
    run_until(t2 + 60 * SEC);
    expect_nothing(); /* silently */
    expect_state_event(m, id, TCP_FIN_WAIT_2, TCP_CLOSED, CAUSE_FIN_WAIT_2_DONE);
    ck_assert_ptr_null(tcp_sock_tcb(H.st, s));
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

/* Half-close: after shutdown() we still receive; FIN_WAIT_2 has no timer
 * because the app still holds the socket. */
START_TEST(test_half_close)
{
    int s = open_active();
    ck_assert_int_eq(tcp_shutdown(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5001);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_FIN_WAIT_1);
    ck_assert_int_eq(tcp_send(H.st, s, (const uint8_t *)"x", 1, 1 * SEC), -TCP_ERR_CLOSING);
    feed(1 * SEC + 50 * MS, TCP_ACK, 5001, 1002);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_FIN_WAIT_2);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);

    uint64_t t1 = 5 * SEC;
    feed_data(t1, TCP_ACK | TCP_PSH, 5001, 1002, "still here", 10);
    expect_nothing(); /* delayed ACK */
    uint8_t buf[32];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, t1), 10);
    ck_assert_mem_eq(buf, "still here", 10);
    run_until(t1 + DELACK);
    expect_sent(TCP_ACK, 1002, 5011);
    expect_nothing();

    feed(t1 + 1 * SEC, TCP_FIN | TCP_ACK, 5011, 1002);
    expect_sent(TCP_ACK, 1002, 5012);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, t1 + 1 * SEC), 0);
    run_until(t1 + 1 * SEC + 240 * SEC);
    /* The app still holds it: CLOSED until released. */
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSED);
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_OK);
    tcp_release(H.st, s);
    expect_nothing();
}
END_TEST

/* RFC 9293 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>. */
START_TEST(test_abort_sends_rst)
{
    int s = open_active();
    uint32_t id = conn_of(s);
    size_t m = mark();
    ck_assert_int_eq(tcp_abort(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_RST, 1001, 0);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSED);
    expect_state_event(m, id, TCP_ESTABLISHED, TCP_CLOSED, CAUSE_APP_ABORT);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    tcp_release(H.st, s);
    run_until(100 * SEC);
    expect_nothing();
}
END_TEST

START_TEST(test_abort_in_syn_sent_is_silent)
{
    int s = start_active();
    ck_assert_int_eq(tcp_abort(H.st, s, 10 * MS), 0);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSED);
    run_until(200 * SEC);
    expect_nothing();
}
END_TEST

/* RFC 2525 2.17 / RFC 1122 4.2.2.13: closing with unread data -> RST. */
START_TEST(test_close_with_unread_data_rst)
{
    int s = open_active();
    feed_data(1 * SEC, TCP_ACK | TCP_PSH, 5001, 1001, "unread", 6);
    expect_nothing();
    ck_assert_int_eq(tcp_close(H.st, s, 1 * SEC + 10 * MS), 0);
    expect_sent(TCP_RST, 1001, 0);
    expect_nothing();
    ck_assert_ptr_null(tcp_sock_tcb(H.st, s));
    run_until(100 * SEC);
    expect_nothing();
}
END_TEST

/* RFC 1122 4.2.2.13: data arriving for an app that closed -> RST. */
START_TEST(test_data_after_close_rst)
{
    int s = open_active();
    ck_assert_int_eq(tcp_close(H.st, s, 1 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, 1001, 5001);
    feed(1 * SEC + 10 * MS, TCP_ACK, 5001, 1002);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_FIN_WAIT_2);
    feed_data(2 * SEC, TCP_ACK | TCP_PSH, 5001, 1002, "nobody", 6);
    expect_sent(TCP_RST, 1002, 0);
    expect_nothing();
    ck_assert_ptr_null(tcp_sock_tcb(H.st, s));
}
END_TEST

/* ======================================================================= */
/* Keepalive (RFC 1122 4.2.3.6)                                            */
/* ======================================================================= */

START_TEST(test_keepalive_off_by_default)
{
    int s = open_active();
    ck_assert(!tcb_of(s)->cfg.keepalive);
    run_until(3 * 3600 * SEC);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

START_TEST(test_keepalive_dead_peer)
{
    H.cfg.keepalive = true;
    int s = open_active(); /* ESTABLISHED at 100 ms: the idle period starts */
    uint32_t id = conn_of(s);
    uint64_t first = HANDSHAKE_RTT + 7200 * SEC;
    for (unsigned n = 1; n <= 9; n++) {
        uint64_t at = first + (n - 1) * 75 * SEC;
        run_until(at - 1);
        expect_nothing();
        size_t m = mark();
        run_until(at);
        /* The probe: <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>, no data. */
        const struct tcp_segment *p = expect_sent(TCP_ACK, 1000, 5001);
        ck_assert_uint_eq(p->payload_len, 0);
        expect_nothing();
        const struct tcp_event *rx = last_retransmit(m);
        ck_assert_ptr_nonnull(rx);
        ck_assert_uint_eq(rx->u.retx.cause, RETX_KEEPALIVE);
        ck_assert_uint_eq(rx->u.retx.attempt, n);
        ck_assert_uint_eq(tcp_stack_stats(H.st)->retransmits, 0); /* not counted */
    }
    uint64_t dead = first + 9 * 75 * SEC;
    run_until(dead - 1);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    size_t m = mark();
    run_until(dead);
    expect_sent(TCP_RST, 1001, 0);
    expect_nothing();
    expect_died(m, s, id, TCP_ERR_KEEPALIVE, CAUSE_KEEPALIVE_DEAD);
}
END_TEST

START_TEST(test_keepalive_answered)
{
    H.cfg.keepalive = true;
    H.cfg.keepalive_idle = 600 * SEC;
    H.cfg.keepalive_interval = 10 * SEC;
    H.cfg.keepalive_probes = 3;
    int s = open_active();
    uint64_t first = HANDSHAKE_RTT + 600 * SEC;
    run_until(first - 1);
    expect_nothing();
    run_until(first);
    expect_sent(TCP_ACK, 1000, 5001);
    run_until(first + 10 * SEC);
    expect_sent(TCP_ACK, 1000, 5001); /* second probe */
    ck_assert_uint_eq(tcb_of(s)->keepalive_sent, 2);
    /* The peer answers with the ACK the probe asks for. */
    uint64_t answer = first + 12 * SEC;
    feed(answer, TCP_ACK, 5001, 1001);
    expect_nothing();
    ck_assert_uint_eq(tcb_of(s)->keepalive_sent, 0);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), answer + 600 * SEC);
    /* The count starts over: three full probes again before giving up. */
    uint64_t next = answer + 600 * SEC;
    run_until(next - 1);
    expect_nothing();
    size_t m = mark();
    for (unsigned n = 1; n <= 3; n++) {
        run_until(next + (n - 1) * 10 * SEC);
        expect_sent(TCP_ACK, 1000, 5001);
        ck_assert_uint_eq(last_retransmit(m)->u.retx.attempt, n);
    }
    run_until(next + 30 * SEC - 1);
    expect_nothing();
    run_until(next + 30 * SEC);
    expect_sent(TCP_RST, 1001, 0);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_ERR_KEEPALIVE);
}
END_TEST

/* Lesson 8: the peer rebooted; it answers the probe with a RST carrying
 * <SEQ=SEG.ACK>, which is exactly our RCV.NXT. */
START_TEST(test_keepalive_peer_rebooted)
{
    H.cfg.keepalive = true;
    int s = open_active();
    uint32_t id = conn_of(s);
    uint64_t first = HANDSHAKE_RTT + 7200 * SEC;
    run_until(first);
    expect_sent(TCP_ACK, 1000, 5001);
    size_t m = mark();
    feed(first + 20 * MS, TCP_RST, 5001, 0);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSED);
    ck_assert_int_eq(tcp_sock_error(H.st, s), TCP_ERR_RESET);
    ck_assert(saw_error(m, id, TCP_ERR_RESET));
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

/* Traffic resets the idle period: the probe comes idle after the last
 * segment received. */
START_TEST(test_keepalive_idle_restarts_on_traffic)
{
    H.cfg.keepalive = true;
    int s = open_active();
    uint64_t t1 = 3600 * SEC;
    feed_data(t1, TCP_ACK | TCP_PSH, 5001, 1001, "hi", 2);
    uint8_t buf[2];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, t1), 2);
    run_until(t1 + DELACK);
    expect_sent(TCP_ACK, 1001, 5003);
    run_until(t1 + 7200 * SEC - 1);
    expect_nothing();
    run_until(t1 + 7200 * SEC);
    expect_sent(TCP_ACK, 1000, 5003);
    expect_nothing();
}
END_TEST

/* ======================================================================= */
/* Listener queues and SYN cookies                                         */
/* ======================================================================= */

START_TEST(test_syn_queue_full_drops)
{
    H.cfg.syn_backlog = 2;
    int l = open_listener(8);
    for (uint16_t i = 0; i < 2; i++) {
        H.rport = (uint16_t)(CLIENT_PORT + i);
        feed_syn(i * MS, TCP_SYN, 5000, 0, 1460);
        expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    }
    size_t m = mark();
    int before = tcp_sock_max(H.st);
    H.rport = CLIENT_PORT + 2;
    feed_syn(5 * MS, TCP_SYN, 5000, 0, 1460);
    expect_nothing(); /* Linux: dropped, the client will retry */
    ck_assert(saw_drop(m, DROP_SYN_QUEUE_FULL));
    ck_assert(saw_listen(m, LISTEN_SYN_DROPPED));
    ck_assert_int_eq(find_child(), 0);
    ck_assert_int_eq(tcp_sock_max(H.st), before);
    struct tcp_listen_stats ls;
    ck_assert_int_eq(tcp_listen_stats(H.st, l, &ls), 0);
    ck_assert_uint_eq(ls.syn_queue, 2);
    ck_assert_uint_eq(ls.syn_queue_max, 2);
    ck_assert_uint_eq(ls.syn_dropped, 1);
    ck_assert_uint_eq(ls.cookies_sent, 0);
    /* Completing one handshake makes room again. */
    H.rport = CLIENT_PORT;
    feed(10 * MS, TCP_ACK, 5001, 1001);
    expect_nothing();
    H.rport = CLIENT_PORT + 2;
    feed_syn(20 * MS, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    expect_nothing();
}
END_TEST

START_TEST(test_syn_cookies)
{
    H.cfg.syn_backlog = 1;
    H.cfg.syncookies = true;
    int l = open_listener(8);
    H.rport = CLIENT_PORT;
    feed_syn(0, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001); /* an ordinary half-open entry */

    /* The queue is full: a SYN-ACK whose ISN is the cookie, and no state. */
    size_t m = mark();
    int socks_before = tcp_sock_max(H.st);
    uint64_t deadline_before = tcp_stack_next_deadline(H.st);
    H.rport = CLIENT_PORT + 1;
    uint64_t t1 = 10 * MS;
    feed_syn(t1, TCP_SYN, 7000, 0, 1460);
    ck_assert_uint_lt(H.next_pkt, H.npkts);
    uint8_t copy[TCP_PACKET_MAX];
    struct tcp_segment sa;
    memcpy(copy, H.pkts[H.next_pkt].bytes, H.pkts[H.next_pkt].len);
    ck_assert_int_eq(tcp_segment_decode(copy, H.pkts[H.next_pkt].len, &sa), SEG_OK);
    uint32_t cookie = sa.seq;
    expect_sent(TCP_SYN | TCP_ACK, cookie, 7001);
    expect_nothing();
    ck_assert_uint_ne(cookie, 1000);
    ck_assert(sa.opt.has_mss);
    ck_assert_uint_eq(sa.opt.mss, 1460); /* the MSS the cookie encodes */
    ck_assert(saw_listen(m, LISTEN_COOKIE_SENT));
    ck_assert_int_eq(tcp_sock_max(H.st), socks_before); /* no TCB */
    ck_assert_int_eq(find_child(), 0);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), deadline_before); /* no timer */
    struct tcp_listen_stats ls;
    ck_assert_int_eq(tcp_listen_stats(H.st, l, &ls), 0);
    ck_assert_uint_eq(ls.cookies_sent, 1);
    ck_assert_uint_eq(ls.syn_queue, 1);
    ck_assert_uint_eq(ls.syn_dropped, 0);

    /* The same SYN again gets the same cookie (it is a function of it). */
    feed_syn(t1 + 1 * MS, TCP_SYN, 7000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, cookie, 7001);

    /* A forged ACK whose cookie hash is wrong: RST <SEQ=SEG.ACK>. */
    m = mark();
    feed(t1 + 2 * MS, TCP_ACK, 7001, cookie + 1 + 8);
    expect_sent(TCP_RST, cookie + 1 + 8, 0);
    expect_nothing();
    ck_assert(saw_drop(m, DROP_BAD_COOKIE));
    ck_assert_int_eq(find_child(), 0);
    /* The right cookie from another port is just as bad. */
    H.rport = CLIENT_PORT + 2;
    feed(t1 + 3 * MS, TCP_ACK, 7001, cookie + 1);
    expect_sent(TCP_RST, cookie + 1, 0);
    expect_nothing();
    ck_assert_int_eq(find_child(), 0);

    /* The genuine final ACK (with data): an ESTABLISHED connection out of
     * nothing. */
    H.rport = CLIENT_PORT + 1;
    m = mark();
    feed_data(t1 + 40 * MS, TCP_ACK | TCP_PSH, 7001, cookie + 1, "hi", 2);
    int c = find_child();
    ck_assert_int_gt(c, 0);
    ck_assert_int_eq(tcp_sock_state(H.st, c), TCP_ESTABLISHED);
    ck_assert(saw_listen(m, LISTEN_COOKIE_ACCEPTED));
    /* The cookie's connection never sat in the SYN queue: no event may
     * show that queue longer than the backlog (1) or shrinking for it. */
    for (size_t i = m; i < H.nevs; i++)
        if (H.evs[i].kind == EV_LISTEN)
            ck_assert_uint_eq(H.evs[i].u.listen.syn_queue, 1);
    const struct tcb *t = tcb_of(c);
    ck_assert_uint_eq(t->iss, cookie);
    ck_assert_uint_eq(t->snd_una, cookie + 1);
    ck_assert_uint_eq(t->rcv_nxt, 7003);
    ck_assert_uint_eq(t->snd_mss, 1460);
    ck_assert_int_eq(tcp_listen_stats(H.st, l, &ls), 0);
    ck_assert_uint_eq(ls.cookies_accepted, 1);
    ck_assert_uint_eq(ls.accept_queue, 1);
    ck_assert_uint_eq(ls.syn_queue, 1); /* the first, ordinary one */
    ck_assert_int_eq(tcp_accept(H.st, l, t1 + 40 * MS), c);
    uint8_t buf[4];
    ck_assert_int_eq(tcp_recv(H.st, c, buf, sizeof buf, t1 + 40 * MS), 2);
    ck_assert_mem_eq(buf, "hi", 2);
    run_until(t1 + 40 * MS + DELACK - 1);
    expect_nothing();
    run_until(t1 + 40 * MS + DELACK); /* its delayed ACK */
    expect_sent(TCP_ACK, cookie + 1, 7003);
    expect_nothing();

    /* Meanwhile the ordinary half-open entry has kept its timer. */
    H.rport = CLIENT_PORT;
    run_until(1 * SEC);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    feed(1 * SEC + 10 * MS, TCP_ACK, 5001, 1001);
    expect_nothing();

    /* And the cookie connection carries data back. */
    H.rport = CLIENT_PORT + 1;
    ck_assert_int_eq(tcp_send(H.st, c, (const uint8_t *)"ok", 2, 1 * SEC + 20 * MS), 2);
    expect_sent(TCP_ACK | TCP_PSH, cookie + 1, 7003);
    feed(1 * SEC + 30 * MS, TCP_ACK, 7003, cookie + 3);
    expect_nothing();
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

/* Linux: with the accept queue full the final ACK is ignored (the client
 * thinks it is connected; the server will retransmit its SYN-ACK). */
START_TEST(test_accept_queue_full)
{
    int l = open_listener(1);
    H.rport = CLIENT_PORT;
    feed_syn(0, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    H.rport = CLIENT_PORT + 1;
    feed_syn(1 * MS, TCP_SYN, 6000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 6001);

    H.rport = CLIENT_PORT;
    feed(10 * MS, TCP_ACK, 5001, 1001); /* fills the accept queue */
    expect_nothing();
    struct tcp_listen_stats ls;
    ck_assert_int_eq(tcp_listen_stats(H.st, l, &ls), 0);
    ck_assert_uint_eq(ls.accept_queue, 1);

    H.rport = CLIENT_PORT + 1;
    int b = find_child();
    size_t m = mark();
    feed(11 * MS, TCP_ACK, 6001, 1001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, b), TCP_SYN_RECEIVED);
    ck_assert(saw_drop(m, DROP_ACCEPT_QUEUE_FULL));
    ck_assert(saw_listen(m, LISTEN_ACCEPT_DROPPED));
    ck_assert_int_eq(tcp_listen_stats(H.st, l, &ls), 0);
    ck_assert_uint_eq(ls.accept_dropped, 1);
    ck_assert_uint_eq(ls.syn_queue, 1);
    ck_assert_uint_eq(ls.accept_queue, 1);

    /* A new SYN while the accept queue is full is dropped too (Linux). */
    H.rport = CLIENT_PORT + 2;
    m = mark();
    feed_syn(12 * MS, TCP_SYN, 7000, 0, 1460);
    expect_nothing();
    ck_assert(saw_listen(m, LISTEN_SYN_DROPPED));

    /* B's SYN-ACK timer still runs: retransmitted at 1 s + 1 ms. */
    H.rport = CLIENT_PORT + 1;
    run_until(1 * SEC + 1 * MS - 1);
    expect_nothing();
    run_until(1 * SEC + 1 * MS);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 6001);
    expect_nothing();
    /* The app accepts A; B's next ACK then completes. */
    ck_assert_int_gt(tcp_accept(H.st, l, 2 * SEC), 0);
    feed(2 * SEC, TCP_ACK, 6001, 1001);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, b), TCP_ESTABLISHED);
    ck_assert_int_eq(tcp_accept(H.st, l, 2 * SEC), b);
}
END_TEST

/* A RST for a half-open connection removes it; the listener stays. */
START_TEST(test_rst_in_syn_received)
{
    int l = open_listener(4);
    feed_syn(0, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    int c = find_child();
    uint32_t id = conn_of(c);
    size_t m = mark();
    feed(10 * MS, TCP_RST, 5001, 0);
    expect_nothing();
    expect_state_event(m, id, TCP_SYN_RECEIVED, TCP_CLOSED, CAUSE_RCV_RST);
    assert_half_open_gone(l);
}
END_TEST

/* An unacceptable ACK in SYN-RECEIVED: <SEQ=SEG.ACK><CTL=RST>. */
START_TEST(test_bad_ack_in_syn_received)
{
    open_listener(4);
    feed_syn(0, TCP_SYN, 5000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1000, 5001);
    feed(10 * MS, TCP_ACK, 5001, 1500);
    expect_sent(TCP_RST, 1500, 0);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, find_child()), TCP_SYN_RECEIVED);
}
END_TEST

/* ======================================================================= */
/* Ports                                                                   */
/* ======================================================================= */

START_TEST(test_bind_time_wait_addr_in_use)
{
    int s = open_active();
    close_into_time_wait(s);

    int s2 = new_socket();
    ck_assert_int_eq(tcp_bind(H.st, s2, OUR_PORT, 2 * SEC), -TCP_ERR_ADDR_IN_USE);
    ck_assert_int_eq(tcp_bind(H.st, s2, OUR_PORT + 1, 2 * SEC), 0); /* another port is fine */

    int s3 = new_reusing_socket();
    ck_assert_int_eq(tcp_bind(H.st, s3, OUR_PORT, 2 * SEC), 0);

    /* Once TIME_WAIT is over, the port is free for everyone. */
    run_until(1 * SEC + 10 * MS + 240 * SEC);
    int s4 = new_socket();
    ck_assert_int_eq(tcp_bind(H.st, s4, OUR_PORT + 2, 300 * SEC), 0);
    int s5 = new_socket();
    ck_assert_int_eq(tcp_bind(H.st, s5, OUR_PORT, 300 * SEC), -TCP_ERR_ADDR_IN_USE); /* s3 has it */
    tcp_release(H.st, s3);
    ck_assert_int_eq(tcp_bind(H.st, s5, OUR_PORT, 300 * SEC), 0);
    expect_nothing();
}
END_TEST

/* RFC 9293 3.6.1 (MAY-2): a new SYN may reopen a 4-tuple in TIME-WAIT
 * when a listener is there.  Without timestamps the SYN must lie beyond
 * the old RCV.NXT (RFC 6191 2, BSD and Linux); an older one meets
 * TIME-WAIT, which acknowledges it.  The new ISS lies above every
 * sequence number the old incarnation used (3.6.1 (1)). */
START_TEST(test_time_wait_passive_reopen)
{
    int s = open_active();
    uint32_t id = conn_of(s);
    close_into_time_wait(s);
    int l = new_reusing_socket();
    ck_assert_int_eq(tcp_bind(H.st, l, OUR_PORT, 2 * SEC), 0);
    ck_assert_int_eq(tcp_listen(H.st, l, 4, 2 * SEC), 0);

    /* An old SYN (not beyond RCV.NXT = 5002): TIME-WAIT answers it. */
    feed_syn(3 * SEC, TCP_SYN, 5001, 0, 1460);
    expect_sent(TCP_ACK, 1002, 5002);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);

    /* A new one: TIME-WAIT ends, the listener answers with ISS 1002 +
     * 65537, above the old SND.NXT. */
    size_t m = mark();
    feed_syn(4 * SEC, TCP_SYN, 90000, 0, 1460);
    expect_sent(TCP_SYN | TCP_ACK, 1002 + 65537, 90001);
    expect_nothing();
    bool closed = false;
    for (size_t i = m; i < H.nevs; i++) {
        const struct tcp_event *e = &H.evs[i];
        if (e->kind == EV_STATE && e->conn == id && e->u.state.to == TCP_CLOSED) {
            ck_assert_uint_eq(e->u.state.from, TCP_TIME_WAIT);
            ck_assert_uint_eq(e->u.state.cause, CAUSE_RCV_SYN);
            ck_assert_str_eq(e->u.state.rfc, "RFC 9293 3.6.1");
            closed = true;
        }
    }
    ck_assert(closed);
    ck_assert_int_eq(tcp_sock_state(H.st, find_child()), TCP_SYN_RECEIVED);
}
END_TEST

/* A listening port cannot be bound twice either. */
START_TEST(test_bind_listening_port_in_use)
{
    open_listener(4);
    int s = new_socket();
    ck_assert_int_eq(tcp_bind(H.st, s, SERVER_PORT, 0), -TCP_ERR_ADDR_IN_USE);
    expect_nothing();
}
END_TEST

/* ======================================================================= */
/* Sequence numbers across 2^32                                            */
/* ======================================================================= */

START_TEST(test_sequence_wraparound)
{
    H.cfg.nagle = false; /* the short last segment goes at once; Nagle has its own tests */
    H.cfg.isn = 0xFFFFFFF0u;
    H.iss = 0xFFFFFFF0u;
    H.irs = 0xFFFFFFE0u;
    int s = open_active();
    const uint32_t A = 0xFFFFFFF1u; /* our first data byte */
    const uint32_t B = 0xFFFFFFE1u; /* the peer's */

    /* We send 3000 bytes: 1460 + 1460 + 80, the second segment already
     * past 2^32. */
    static uint8_t out[3000];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i ^ (i >> 8));
    ck_assert_int_eq(tcp_send(H.st, s, out, sizeof out, 1 * SEC), 3000);
    const struct tcp_segment *d = expect_sent(TCP_ACK, A, B);
    ck_assert_uint_eq(d->payload_len, 1460);
    ck_assert_mem_eq(d->payload, out, 1460);
    d = expect_sent(TCP_ACK, A + 1460, B);
    ck_assert_uint_eq(A + 1460, 0x5A5u);
    ck_assert_uint_eq(d->payload_len, 1460);
    ck_assert_mem_eq(d->payload, out + 1460, 1460);
    d = expect_sent(TCP_ACK | TCP_PSH, A + 2920, B);
    ck_assert_uint_eq(d->payload_len, 80);
    ck_assert_mem_eq(d->payload, out + 2920, 80);
    expect_nothing();

    /* A partial ACK below 2^32, then one above it. */
    feed(1 * SEC + 50 * MS, TCP_ACK, B, A + 10);
    ck_assert_uint_eq(tcb_of(s)->snd_una, A + 10);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), 1 * SEC + 50 * MS + tcb_of(s)->rto_current);
    feed(1 * SEC + 60 * MS, TCP_ACK, B, A + 3000);
    expect_nothing();
    ck_assert_uint_eq(tcb_of(s)->snd_una, 0xBA9u);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
    /* An old ACK from before the wrap is a duplicate, not news. */
    feed(1 * SEC + 70 * MS, TCP_ACK, B, A + 5);
    expect_nothing();
    ck_assert_uint_eq(tcb_of(s)->snd_una, 0xBA9u);

    /* The peer sends 64 bytes across its own wrap. */
    static uint8_t in[64];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(0xA0 + i);
    feed_data(2 * SEC, TCP_ACK | TCP_PSH, B, A + 3000, in, 40);
    feed_data(2 * SEC + 1, TCP_ACK | TCP_PSH, B + 40, A + 3000, in + 40, 24);
    expect_sent(TCP_ACK, A + 3000, B + 64);
    ck_assert_uint_eq(B + 64, 0x21u);
    uint8_t got[64];
    ck_assert_int_eq(tcp_recv(H.st, s, got, sizeof got, 2 * SEC), 64);
    ck_assert_mem_eq(got, in, 64);
    /* A segment "before" the wrap is old: acknowledged, not delivered. */
    feed_data(2 * SEC + 2, TCP_ACK, B + 30, A + 3000, in + 30, 10);
    expect_sent(TCP_ACK, A + 3000, B + 64);
    ck_assert_uint_eq(tcp_sock_readable(H.st, s), 0);

    /* A RST at exactly RCV.NXT after the wrap would reset; one just below
     * (before the wrap) is out of the window and dropped. */
    feed(2 * SEC + 3, TCP_RST, B + 63, 0);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);

    /* Close: FIN at 0xBA9, the peer's at 0x21. */
    ck_assert_int_eq(tcp_close(H.st, s, 3 * SEC), 0);
    expect_sent(TCP_FIN | TCP_ACK, A + 3000, B + 64);
    feed(3 * SEC + 10 * MS, TCP_ACK, B + 64, A + 3001);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_FIN_WAIT_2);
    feed(3 * SEC + 20 * MS, TCP_FIN | TCP_ACK, B + 64, A + 3001);
    expect_sent(TCP_ACK, A + 3001, B + 65);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    run_until(3 * SEC + 20 * MS + 240 * SEC);
    ck_assert_ptr_null(tcp_sock_tcb(H.st, s));
    expect_nothing();
}
END_TEST

/* Retransmission of a segment that straddles 2^32. */
START_TEST(test_wraparound_retransmission)
{
    H.cfg.isn = 0xFFFFFFFAu;
    H.iss = 0xFFFFFFFAu;
    int s = open_active();
    ck_assert_int_eq(tcp_send(H.st, s, (const uint8_t *)"0123456789", 10, 1 * SEC), 10);
    expect_sent(TCP_ACK | TCP_PSH, 0xFFFFFFFBu, 5001);
    run_until(1 * SEC + RTO_AFTER_HANDSHAKE);
    const struct tcp_segment *d = expect_sent(TCP_ACK | TCP_PSH, 0xFFFFFFFBu, 5001);
    ck_assert_mem_eq(d->payload, "0123456789", 10);
    feed(1 * SEC + 400 * MS, TCP_ACK, 5001, 0x5u);
    expect_nothing();
    ck_assert_uint_eq(tcb_of(s)->snd_una, 5);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), TCP_TIME_NEVER);
}
END_TEST

/* ======================================================================= */
/* Malformed input                                                         */
/* ======================================================================= */

/* A bad checksum (TCP's or the IP header's) does not hide which segment
 * was lost: the drop event carries the headers as they arrived. */
START_TEST(test_checksum_drop_names_the_segment)
{
    open_active();
    struct tcp_segment seg = peer_seg(TCP_ACK | TCP_PSH, 5001, 1001);
    seg.payload = (const uint8_t *)"data";
    seg.payload_len = 4;
    size_t n = tcp_segment_encode(&seg, feed_buf, sizeof feed_buf);
    ck_assert_uint_gt(n, 0);
    for (unsigned k = 0; k < 2; k++) {
        size_t at = k == 0 ? n - 1 : 8; /* the last payload byte, then the IP TTL */
        feed_buf[at] ^= 0x01;
        size_t m = mark();
        tcp_stack_input(H.st, 1 * SEC, feed_buf, n);
        feed_buf[at] ^= 0x01;
        expect_nothing();
        ck_assert_uint_eq(count_events(m, EV_SEG_DROP), 1);
        const struct tcp_event_seg *d = &H.evs[m].u.seg;
        ck_assert_uint_eq(d->drop, DROP_CHECKSUM);
        ck_assert_uint_eq(d->src_addr, PEER_ADDR);
        ck_assert_uint_eq(d->dst_addr, OUR_ADDR);
        ck_assert_uint_eq(d->src_port, H.rport);
        ck_assert_uint_eq(d->dst_port, H.lport);
        ck_assert_uint_eq(d->seq, 5001);
        ck_assert_uint_eq(d->ack, 1001);
        ck_assert_uint_eq(d->flags, TCP_ACK | TCP_PSH);
        ck_assert_uint_eq(d->len, 4);
    }
}
END_TEST

START_TEST(test_malformed_packets_dropped)
{
    int s = open_active();
    size_t m = mark();
    /* Bad checksum: a payload byte flipped after encoding. */
    struct tcp_segment seg = peer_seg(TCP_ACK | TCP_PSH, 5001, 1001);
    seg.payload = (const uint8_t *)"data";
    seg.payload_len = 4;
    size_t n = tcp_segment_encode(&seg, feed_buf, sizeof feed_buf);
    ck_assert_uint_gt(n, 0);
    feed_buf[n - 1] ^= 0x01;
    H.now = 1 * SEC;
    tcp_stack_input(H.st, H.now, feed_buf, n);
    expect_nothing();
    ck_assert(saw_drop(m, DROP_CHECKSUM));
    ck_assert_uint_eq(tcp_sock_readable(H.st, s), 0);

    /* Truncated: every length shorter than the packet. */
    feed_buf[n - 1] ^= 0x01;
    for (size_t cut = 0; cut < n; cut++) {
        size_t before = mark();
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size so ASan sees over-reads */
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, feed_buf, cut);
        tcp_stack_input(H.st, H.now, copy, cut);
        free(copy);
        ck_assert_uint_eq(count_events(before, EV_SEG_DROP), 1);
        ck_assert_uint_eq(H.evs[before].kind, EV_SEG_DROP);
        uint8_t why = H.evs[before].u.seg.drop;
        ck_assert_msg(why == DROP_MALFORMED || why == DROP_CHECKSUM, "cut %zu: reason %s", cut,
                      tcp_drop_reason_name((enum tcp_drop_reason)why));
    }
    expect_nothing();
    ck_assert(saw_drop(m, DROP_MALFORMED));

    /* Garbage. */
    static const uint8_t junk[] = { 0x45, 0xff, 0x00, 0x05, 0x13 };
    tcp_stack_input(H.st, H.now, junk, sizeof junk);
    tcp_stack_input(H.st, H.now, NULL, 0);
    expect_nothing();

    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);
    ck_assert_uint_eq(tcb_of(s)->rcv_nxt, 5001);
    /* The intact packet still goes through. */
    tcp_stack_input(H.st, H.now, feed_buf, n);
    ck_assert_uint_eq(tcp_sock_readable(H.st, s), 4);
    uint8_t buf[4];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, H.now), 4);
    run_until(H.now + DELACK);
    expect_sent(TCP_ACK, 1001, 5005);
    expect_nothing();
}
END_TEST

/* A segment for another host's address is not ours to answer. */
START_TEST(test_wrong_destination_ignored)
{
    open_listener(4);
    struct tcp_segment seg = peer_seg(TCP_SYN, 5000, 0);
    seg.dst_addr = 0x0a000063u;
    feed_seg(0, &seg);
    expect_nothing();
    ck_assert_int_eq(find_child(), 0);
}
END_TEST

/* ======================================================================= */
/* Data transfer (issue 3): helpers                                        */
/* ======================================================================= */

/* The sender tests: we connect (open_active), the peer's SYN-ACK announces
 * MSS 1460, so every full segment is 1460 bytes; our data starts at ISS+1
 * and the peer's at IRS+1. */
#define SMSS 1460u
#define DATA0 1001u
#define PEER0 5001u
/* When the data-transfer tests write (after the handshake, RTO 300 ms). */
#define T0 (1 * SEC)

/* Byte `offset` of the stream the app writes.  The period (251, a prime)
 * never lines up with a segment, so a payload cut from the wrong offset
 * cannot match by chance. */
static uint8_t stream_byte(uint32_t offset)
{
    return (uint8_t)(offset % 251u);
}

/* The app writes the next n bytes of the stream; all must be taken. */
static void app_write(int s, uint32_t n, uint64_t t)
{
    uint8_t *buf = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(buf);
    for (uint32_t i = 0; i < n; i++)
        buf[i] = stream_byte(H.written + i);
    long rc = tcp_send(H.st, s, buf, n, t);
    free(buf);
    ck_assert_int_eq(rc, (long)n);
    H.written += n;
}

/* A data segment from us: [seq, seq+len) of the stream with the right
 * bytes, PSH exactly on the segment that empties the send buffer (the
 * engine's rule), and ack = the peer's first byte (the peer sends none). */
#define expect_data(seq, len) expect_data_at(__LINE__, (seq), (len), PEER0)

static const struct tcp_segment *expect_data_at(int line, uint32_t seq, uint32_t len,
                                                uint32_t ack)
{
    uint32_t end = DATA0 + H.written;
    uint8_t flags = TCP_ACK | (seq + len == end ? TCP_PSH : 0);
    const struct tcp_segment *d = expect_sent_at(line, flags, seq, ack);
    ck_assert_msg(d->payload_len == len, "line %d: segment %u carries %zu bytes, expected %u",
                  line, seq, d->payload_len, len);
    for (uint32_t i = 0; i < len; i++)
        ck_assert_msg(d->payload[i] == stream_byte(seq - DATA0 + i),
                      "line %d: byte %u of segment %u is wrong", line, i, seq);
    return d;
}

/* `count` full segments in a row from seq; returns the sequence after. */
static uint32_t expect_full_segments(uint32_t seq, unsigned count)
{
    for (unsigned i = 0; i < count; i++, seq += SMSS)
        expect_data_at(__LINE__, seq, SMSS, PEER0);
    return seq;
}

/* The peer's pure ACK with a window (raw field). */
static void peer_ack_win(uint64_t t, uint32_t ack, uint16_t window)
{
    struct tcp_segment s = peer_seg(TCP_ACK, PEER0, ack);
    s.window = window;
    feed_seg(t, &s);
}

static void peer_ack(uint64_t t, uint32_t ack)
{
    peer_ack_win(t, ack, 65535);
}

/* The peer's ACK with SACK blocks, given as left,right pairs. */
static void peer_ack_sack(uint64_t t, uint32_t ack, unsigned n, const uint32_t *edges)
{
    struct tcp_segment s = peer_seg(TCP_ACK, PEER0, ack);
    ck_assert_uint_le(n, TCP_SACK_MAX_BLOCKS);
    s.opt.sack_count = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        s.opt.sack[i].left = edges[2 * i];
        s.opt.sack[i].right = edges[2 * i + 1];
    }
    feed_seg(t, &s);
}

/* An active open whose SYN-ACK carries the given options and window. */
static int open_active_with(const struct tcp_options *peer_opts, uint16_t window)
{
    int s = start_active();
    struct tcp_segment sa = peer_seg(TCP_SYN | TCP_ACK, H.irs, H.iss + 1);
    sa.opt = *peer_opts;
    sa.window = window;
    feed_seg(HANDSHAKE_RTT, &sa);
    return s;
}

/* With timestamps on the old connection and offered again, RFC 6191 2
 * decides by timestamp: a SYN with a lower sequence number but a newer
 * timestamp reopens; an older timestamp does not. */
START_TEST(test_time_wait_reopen_by_timestamp)
{
    H.cfg.timestamps = true;
    struct tcp_options opts = { .has_mss = true, .mss = 1460, .has_timestamps = true,
                                .ts_val = 500, .ts_ecr = 0 };
    int s = open_active_with(&opts, 65535);
    ck_assert(tcb_of(s)->ts_ok);
    ck_assert_int_eq(tcp_close(H.st, s, 1 * SEC), 0);
    H.next_pkt = H.npkts; /* what was sent is not the point here */
    struct tcp_segment fin = peer_seg(TCP_FIN | TCP_ACK, 5001, 1002);
    fin.opt.has_timestamps = true;
    fin.opt.ts_val = 600;
    feed_seg(1 * SEC + 10 * MS, &fin);
    H.next_pkt = H.npkts; /* what was sent is not the point here */
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    int l = new_reusing_socket();
    ck_assert_int_eq(tcp_bind(H.st, l, OUR_PORT, 2 * SEC), 0);
    ck_assert_int_eq(tcp_listen(H.st, l, 4, 2 * SEC), 0);

    struct tcp_segment syn = peer_seg(TCP_SYN, 90000, 0);
    syn.opt.has_mss = true;
    syn.opt.mss = 1460;
    syn.opt.has_timestamps = true;
    syn.opt.ts_val = 599; /* older than the last one seen (600) */
    feed_seg(3 * SEC, &syn);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_TIME_WAIT);
    H.next_pkt = H.npkts; /* what was sent is not the point here */
    syn.seq = 10; /* below RCV.NXT, but the timestamp is newer */
    syn.opt.ts_val = 601;
    feed_seg(4 * SEC, &syn);
    expect_sent(TCP_SYN | TCP_ACK, 1002 + 65537, 11);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSED);
    ck_assert_int_eq(tcp_sock_state(H.st, find_child()), TCP_SYN_RECEIVED);
}
END_TEST

static const struct tcp_event *last_event(size_t from, enum tcp_event_kind kind)
{
    const struct tcp_event *found = NULL;
    for (size_t i = from; i < H.nevs; i++)
        if (H.evs[i].kind == kind)
            found = &H.evs[i];
    return found;
}

static size_t count_retransmits(size_t from, enum tcp_retx_cause cause)
{
    size_t n = 0;
    for (size_t i = from; i < H.nevs; i++)
        n += H.evs[i].kind == EV_RETRANSMIT && H.evs[i].u.retx.cause == cause;
    return n;
}

/* The last EV_CWND since mark m says exactly this. */
#define expect_cwnd(m, cwnd_, ssthresh_, phase_, cause_)                                       \
    do {                                                                                       \
        const struct tcp_event *ce_ = last_event((m), EV_CWND);                                \
        ck_assert_msg(ce_ != NULL, "no EV_CWND");                                              \
        ck_assert_uint_eq(ce_->u.cwnd.cwnd, (cwnd_));                                          \
        ck_assert_uint_eq(ce_->u.cwnd.ssthresh, (ssthresh_));                                  \
        ck_assert_msg(ce_->u.cwnd.phase == (phase_), "phase %s, expected %s",                  \
                      tcp_cc_phase_name((enum tcp_cc_phase)ce_->u.cwnd.phase),                 \
                      tcp_cc_phase_name(phase_));                                              \
        ck_assert_msg(ce_->u.cwnd.cause == (cause_), "cause %s, expected %s",                  \
                      tcp_cc_cause_name((enum tcp_cc_cause)ce_->u.cwnd.cause),                 \
                      tcp_cc_cause_name(cause_));                                              \
    } while (0)

/* The last EV_RETRANSMIT since mark m was exactly this. */
#define expect_retransmit(m, cause_, seq_, len_)                                               \
    do {                                                                                       \
        const struct tcp_event *re_ = last_retransmit(m);                                      \
        ck_assert_msg(re_ != NULL, "no EV_RETRANSMIT");                                        \
        ck_assert_msg(re_->u.retx.cause == (cause_), "retransmit cause %s, expected %s",       \
                      tcp_retx_cause_name((enum tcp_retx_cause)re_->u.retx.cause),             \
                      tcp_retx_cause_name(cause_));                                            \
        ck_assert_uint_eq(re_->u.retx.seq, (seq_));                                            \
        ck_assert_uint_eq(re_->u.retx.len, (len_));                                            \
    } while (0)

/* The SACK blocks of the last segment expect_sent() returned equal these
 * left,right pairs, in this order. */
static void expect_sack_blocks(unsigned n, const uint32_t *edges)
{
    ck_assert_uint_eq(last_seg.opt.sack_count, n);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_msg(last_seg.opt.sack[i].left == edges[2 * i] &&
                          last_seg.opt.sack[i].right == edges[2 * i + 1],
                      "SACK block %u is [%u,%u), expected [%u,%u)", i, last_seg.opt.sack[i].left,
                      last_seg.opt.sack[i].right, edges[2 * i], edges[2 * i + 1]);
    }
}

/* Open (IW 10 unless the test changed it), the app writes `segments` full
 * segments at T0 and the first flight goes out: `flight` segments. */
static int open_and_send(unsigned segments, unsigned flight)
{
    int s = open_active();
    app_write(s, segments * SMSS, T0);
    expect_full_segments(DATA0, flight);
    expect_nothing();
    return s;
}

/* ======================================================================= */
/* Sliding window and congestion window                                    */
/* ======================================================================= */

/* RFC 9293 3.8.6: at most SND.UNA + SND.WND may be sent; the window's
 * right edge moves with each ACK. */
START_TEST(test_sliding_window_peer_window)
{
    struct tcp_options opts = { .has_mss = true, .mss = 1460 };
    int s = open_active_with(&opts, 4380);
    expect_sent(TCP_ACK, DATA0, PEER0);
    const struct tcb *t = tcb_of(s);
    ck_assert_uint_eq(t->snd_wnd, 4380);
    ck_assert_uint_eq(t->cc.cwnd, 10 * SMSS); /* cwnd is not what limits here */

    app_write(s, 10 * SMSS, T0);
    uint32_t next = expect_full_segments(DATA0, 3);
    expect_nothing();
    ck_assert_uint_eq(t->snd_nxt - t->snd_una, 4380);
    /* Data in flight: the retransmission timer runs, no persist timer. */
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), T0 + RTO_AFTER_HANDSHAKE);
    ck_assert_uint_eq(t->timer[TCP_TIMER_PERSIST], TCP_TIME_NEVER);

    /* One segment acknowledged, same window: the edge slides by one MSS. */
    size_t m = mark();
    peer_ack_win(T0 + 100 * MS, DATA0 + SMSS, 4380);
    next = expect_full_segments(next, 1);
    expect_nothing();
    const struct tcp_event *w = last_event(m, EV_WINDOW);
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(w->u.window.snd_una, DATA0 + SMSS);
    ck_assert_uint_eq(w->u.window.snd_nxt, DATA0 + 4 * SMSS);
    ck_assert_uint_eq(w->u.window.snd_wnd, 4380);

    /* Two more acknowledged but the window shrinks to one MSS: the right
     * edge stays where it was, nothing may go. */
    peer_ack_win(T0 + 110 * MS, DATA0 + 3 * SMSS, 1460);
    expect_nothing();
    ck_assert_uint_eq(t->snd_wnd, 1460);
    run_until(T0 + 200 * MS);
    expect_nothing();

    /* The ACK that opens it: three segments at once. */
    peer_ack_win(T0 + 210 * MS, DATA0 + 4 * SMSS, 4380);
    next = expect_full_segments(next, 3);
    expect_nothing();
    ck_assert_uint_eq(t->snd_nxt, DATA0 + 7 * SMSS);
}
END_TEST

/* RFC 5681 3.1, RFC 3390, RFC 6928: the first flight is IW segments. */
static void check_initial_window(unsigned iw)
{
    H.cfg.initial_window = iw;
    size_t m = mark();
    int s = open_active();
    expect_cwnd(m, iw * SMSS, UINT32_MAX, CC_SLOW_START, CC_CAUSE_INIT);
    ck_assert_uint_eq(count_events(m, EV_CWND), 1);
    app_write(s, 12 * SMSS, T0);
    expect_full_segments(DATA0, iw);
    expect_nothing();
    run_until(T0 + 100 * MS);
    expect_nothing();
}

START_TEST(test_initial_window_1) { check_initial_window(1); }
END_TEST
START_TEST(test_initial_window_2) { check_initial_window(2); }
END_TEST
START_TEST(test_initial_window_4) { check_initial_window(4); }
END_TEST
START_TEST(test_initial_window_10) { check_initial_window(10); }
END_TEST

/* RFC 5681 3.1 equation 2: in slow start each ACK grows cwnd by
 * min(N, SMSS): an ACK of one segment lets two go (the window doubles
 * every round trip); a stretch ACK of two segments still adds one SMSS. */
START_TEST(test_slow_start_growth)
{
    H.cfg.initial_window = 2;
    int s = open_and_send(30, 2);
    uint32_t next = DATA0 + 2 * SMSS;
    for (unsigned k = 1; k <= 6; k++) {
        size_t m = mark();
        peer_ack(T0 + 100 * MS + k * MS, DATA0 + k * SMSS);
        expect_cwnd(m, (2 + k) * SMSS, UINT32_MAX, CC_SLOW_START, CC_CAUSE_ACK);
        ck_assert_uint_eq(count_events(m, EV_CWND), 1);
        next = expect_full_segments(next, 2);
        expect_nothing();
    }
    /* A stretch ACK for two segments: cwnd 8 -> 9 MSS, not 10. */
    size_t m = mark();
    peer_ack(T0 + 200 * MS, DATA0 + 8 * SMSS);
    expect_cwnd(m, 9 * SMSS, UINT32_MAX, CC_SLOW_START, CC_CAUSE_ACK);
    next = expect_full_segments(next, 3);
    expect_nothing();
    ck_assert_uint_eq(tcb_of(s)->snd_nxt - tcb_of(s)->snd_una, 9 * SMSS);
}
END_TEST

/* `count` ACKs of one SMSS each, a millisecond apart, that together do not
 * yet add up to a cwnd of acknowledged bytes: cwnd must not move and each
 * ACK lets one full segment out.  Returns the next sequence to be sent. */
static uint32_t acks_below_a_cwnd_of_bytes(unsigned count, uint64_t *at, uint32_t *acked,
                                           uint32_t next)
{
    for (unsigned k = 1; k <= count; k++) {
        size_t m = mark();
        peer_ack(*at += MS, DATA0 + (*acked += SMSS));
        ck_assert_msg(count_events(m, EV_CWND) == 0, "cwnd moved at ACK %u of %u (ack %u)", k,
                      count, DATA0 + *acked);
        next = expect_full_segments(next, 1);
    }
    return next;
}

/* RFC 5681 3.1 with RFC 3465 byte counting: at or above ssthresh cwnd
 * grows by one SMSS per cwnd's worth of acknowledged bytes. */
START_TEST(test_congestion_avoidance_growth)
{
    H.cfg.initial_window = 4;
    H.cfg.ssthresh_initial = 4 * SMSS;
    int s = open_and_send(40, 4);
    const struct tcb *t = tcb_of(s);
    uint32_t next = DATA0 + 4 * SMSS;
    uint32_t acked = 0;
    uint64_t at = T0 + 100 * MS;

    /* The first ACK: cwnd == ssthresh is congestion avoidance; cwnd does
     * not move, only the phase is reported. */
    size_t m = mark();
    peer_ack(at, DATA0 + (acked += SMSS));
    expect_cwnd(m, 4 * SMSS, 4 * SMSS, CC_CONGESTION_AVOIDANCE, CC_CAUSE_ACK);
    next = expect_full_segments(next, 1);
    /* Three more: the fourth completes 4 MSS of ACKed bytes: cwnd 5 MSS. */
    next = acks_below_a_cwnd_of_bytes(2, &at, &acked, next);
    m = mark();
    peer_ack(at += MS, DATA0 + (acked += SMSS));
    expect_cwnd(m, 5 * SMSS, 4 * SMSS, CC_CONGESTION_AVOIDANCE, CC_CAUSE_ACK);
    next = expect_full_segments(next, 2);
    /* Now five segments' worth of ACKs for the next MSS. */
    next = acks_below_a_cwnd_of_bytes(4, &at, &acked, next);
    m = mark();
    peer_ack(at += MS, DATA0 + (acked += SMSS));
    expect_cwnd(m, 6 * SMSS, 4 * SMSS, CC_CONGESTION_AVOIDANCE, CC_CAUSE_ACK);
    next = expect_full_segments(next, 2);
    expect_nothing();
    ck_assert_uint_eq(t->snd_nxt - t->snd_una, 6 * SMSS);
}
END_TEST

/* ======================================================================= */
/* Loss recovery                                                           */
/* ======================================================================= */

/* RFC 5681 3.2 / RFC 6582: ten segments in flight, the first lost.  The
 * peer's nine duplicate ACKs: the first two send nothing (no limited
 * transmit, RFC 3042, in this engine), the third retransmits the first
 * segment once with ssthresh = FlightSize / 2 and cwnd = ssthresh + 3 MSS,
 * each further one inflates cwnd by one MSS and, once cwnd exceeds what is
 * in flight, lets a new segment go.  The full ACK ends recovery with
 * RFC 6582 3.2 step 3 option 1: cwnd = min(ssthresh, max(FlightSize, SMSS)
 * + SMSS). */
START_TEST(test_fast_retransmit_newreno)
{
    int s = open_and_send(20, 10);
    const struct tcb *t = tcb_of(s);
    uint64_t at = T0 + 100 * MS;
    size_t m = mark();
    peer_ack(at, DATA0);
    expect_nothing();
    peer_ack(at += MS, DATA0);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_DUPACK), 2);
    ck_assert_uint_eq(last_event(m, EV_DUPACK)->u.dupack.count, 2);
    ck_assert_uint_eq(last_event(m, EV_DUPACK)->u.dupack.ack, DATA0);
    ck_assert_uint_eq(count_events(m, EV_CWND), 0);

    m = mark();
    peer_ack(at += MS, DATA0);
    expect_data(DATA0, SMSS);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 1);
    expect_retransmit(m, RETX_FAST, DATA0, SMSS);
    expect_cwnd(m, 7300 + 3 * SMSS, 7300, CC_FAST_RECOVERY, CC_CAUSE_FAST_RETRANSMIT);
    ck_assert(t->in_recovery);
    ck_assert_uint_eq(t->cc.recover, DATA0 + 10 * SMSS);

    /* Duplicates 4 and 5: inflate only (in flight is still 10 MSS). */
    uint32_t cwnd = 7300 + 3 * SMSS;
    for (unsigned k = 4; k <= 5; k++) {
        m = mark();
        peer_ack(at += MS, DATA0);
        cwnd += SMSS;
        expect_cwnd(m, cwnd, 7300, CC_FAST_RECOVERY, CC_CAUSE_DUPACK_INFLATE);
        expect_nothing();
    }
    /* Duplicates 6 to 9: cwnd passes the flight, one new segment each. */
    uint32_t next = DATA0 + 10 * SMSS;
    for (unsigned k = 6; k <= 9; k++) {
        m = mark();
        peer_ack(at += MS, DATA0);
        cwnd += SMSS;
        expect_cwnd(m, cwnd, 7300, CC_FAST_RECOVERY, CC_CAUSE_DUPACK_INFLATE);
        next = expect_full_segments(next, 1);
        expect_nothing();
        ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 0);
    }
    ck_assert_uint_eq(last_event(0, EV_DUPACK)->u.dupack.count, 9);

    /* The retransmission and the first new segment arrive: a full ACK.
     * 3 MSS stay in flight: cwnd = min(7300, 4380 + 1460) = 5840. */
    m = mark();
    peer_ack(at += 50 * MS, DATA0 + 11 * SMSS);
    expect_cwnd(m, 4 * SMSS, 7300, CC_CONGESTION_AVOIDANCE, CC_CAUSE_RECOVERY_END);
    ck_assert(!t->in_recovery);
    next = expect_full_segments(next, 1);
    expect_nothing();
    ck_assert_uint_eq(t->dupacks, 0);
}
END_TEST

/* Two losses in one window (segments 1 and 5), eight duplicate ACKs, then
 * the retransmission of segment 1 brings an ACK up to segment 5's start:
 * a partial ACK. */
static int two_losses_until_partial_ack(uint64_t *at, size_t *m)
{
    int s = open_and_send(30, 10);
    *at = T0 + 100 * MS;
    for (unsigned k = 1; k <= 8; k++)
        peer_ack(*at += MS, DATA0);
    expect_data(DATA0, SMSS);                             /* fast retransmit at the third */
    expect_full_segments(DATA0 + 10 * SMSS, 3);           /* dupacks 6, 7, 8 */
    expect_nothing();
    ck_assert_uint_eq(tcb_of(s)->cc.cwnd, 7300 + 8 * SMSS);
    *m = mark();
    peer_ack(*at += 50 * MS, DATA0 + 4 * SMSS);
    return s;
}

/* RFC 6582 3.2 step 3: the partial ACK retransmits the next hole at once
 * and stays in fast recovery, deflating cwnd by the bytes acknowledged and
 * adding back one SMSS: 18980 - 5840 + 1460 = 14600; then a new segment
 * if cwnd allows (9 MSS in flight). */
START_TEST(test_newreno_partial_ack)
{
    uint64_t at;
    size_t m;
    int s = two_losses_until_partial_ack(&at, &m);
    const struct tcb *t = tcb_of(s);
    expect_data(DATA0 + 4 * SMSS, SMSS);
    expect_data(DATA0 + 13 * SMSS, SMSS);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 1);
    expect_retransmit(m, RETX_RECOVERY, DATA0 + 4 * SMSS, SMSS);
    expect_cwnd(m, 10 * SMSS, 7300, CC_FAST_RECOVERY, CC_CAUSE_PARTIAL_ACK);
    ck_assert(t->in_recovery);

    /* The full ACK (all but the last new segment): out of recovery with
     * cwnd = min(7300, max(1460, 1460) + 1460) = 2920. */
    m = mark();
    peer_ack(at + 50 * MS, DATA0 + 13 * SMSS);
    expect_cwnd(m, 2 * SMSS, 7300, CC_CONGESTION_AVOIDANCE, CC_CAUSE_RECOVERY_END);
    ck_assert(!t->in_recovery);
    expect_full_segments(DATA0 + 14 * SMSS, 1);
    expect_nothing();
}
END_TEST

/* Reno (RFC 5681 3.2 step 6): the first ACK of new data ends recovery,
 * partial or not: cwnd = ssthresh, no retransmission of the second hole,
 * which then waits for the retransmission timer.  The engine keeps
 * RFC 6582's "recover" guard for every variant, so the duplicate ACKs the
 * new segments cause do not start a second fast retransmit. */
START_TEST(test_reno_partial_ack_ends_recovery)
{
    H.cfg.cc = TCP_CC_RENO;
    uint64_t at;
    size_t m;
    int s = two_losses_until_partial_ack(&at, &m);
    const struct tcb *t = tcb_of(s);
    expect_nothing(); /* 9 MSS in flight, cwnd 5 MSS */
    ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 0);
    expect_cwnd(m, 7300, 7300, CC_CONGESTION_AVOIDANCE, CC_CAUSE_RECOVERY_END);
    ck_assert(!t->in_recovery);

    /* The three new segments reach the peer: three duplicates of the
     * partial ACK, all below "recover". */
    uint64_t partial_at = at;
    for (unsigned k = 1; k <= 3; k++)
        peer_ack(at += MS, DATA0 + 4 * SMSS);
    expect_nothing();
    ck_assert_uint_eq(t->dupacks, 3);

    /* The timer, restarted by the partial ACK, repairs the hole: RTO
     * 300 ms (no new RTT sample: Karn), cwnd 1 MSS, ssthresh half of the
     * 9 MSS in flight. */
    run_until(partial_at + RTO_AFTER_HANDSHAKE - 1);
    expect_nothing();
    m = mark();
    run_until(partial_at + RTO_AFTER_HANDSHAKE);
    expect_data(DATA0 + 4 * SMSS, SMSS);
    expect_nothing();
    expect_retransmit(m, RETX_RTO, DATA0 + 4 * SMSS, SMSS);
    expect_cwnd(m, SMSS, 9 * SMSS / 2, CC_AFTER_RTO, CC_CAUSE_RTO);
}
END_TEST

/* Tahoe: the third duplicate retransmits one segment and cwnd falls to
 * one MSS (slow start), with no fast recovery and no inflation. */
START_TEST(test_tahoe_fast_retransmit)
{
    H.cfg.cc = TCP_CC_TAHOE;
    int s = open_and_send(20, 10);
    const struct tcb *t = tcb_of(s);
    uint64_t at = T0 + 100 * MS;
    peer_ack(at, DATA0);
    peer_ack(at += MS, DATA0);
    expect_nothing();
    size_t m = mark();
    peer_ack(at += MS, DATA0);
    expect_data(DATA0, SMSS);
    expect_nothing();
    expect_retransmit(m, RETX_FAST, DATA0, SMSS);
    expect_cwnd(m, SMSS, 7300, CC_SLOW_START, CC_CAUSE_FAST_RETRANSMIT);
    ck_assert(!t->in_recovery);
    m = mark();
    for (unsigned k = 4; k <= 9; k++)
        peer_ack(at += MS, DATA0);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_CWND), 0);
    ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 0);
    /* The ACK for the whole window: slow start from one MSS. */
    m = mark();
    peer_ack(at += 50 * MS, DATA0 + 10 * SMSS);
    expect_cwnd(m, 2 * SMSS, 7300, CC_SLOW_START, CC_CAUSE_ACK);
    expect_full_segments(DATA0 + 10 * SMSS, 2);
    expect_nothing();
}
END_TEST

/* RFC 5681 3.1 equation 4 and RFC 6298 5.4-5.6: at the timeout (exact
 * time) cwnd = 1 MSS, ssthresh = FlightSize / 2, the first segment is
 * resent and the timer doubles; the ACK of it lets two more go, as
 * retransmissions from the go-back.  RFC 6582 4.1: duplicate ACKs for
 * data sent before the timeout do not start a fast retransmit. */
START_TEST(test_rto_collapse_and_go_back)
{
    int s = open_and_send(20, 10);
    const struct tcb *t = tcb_of(s);
    uint64_t rto_at = T0 + RTO_AFTER_HANDSHAKE;
    run_until(rto_at - 1);
    expect_nothing();
    size_t m = mark();
    run_until(rto_at);
    expect_data(DATA0, SMSS);
    expect_nothing();
    expect_retransmit(m, RETX_RTO, DATA0, SMSS);
    expect_cwnd(m, SMSS, 7300, CC_AFTER_RTO, CC_CAUSE_RTO);
    ck_assert_uint_eq(t->cc.recover, DATA0 + 10 * SMSS);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), rto_at + 2 * RTO_AFTER_HANDSHAKE);

    m = mark();
    uint64_t at = rto_at + 100 * MS;
    peer_ack(at, DATA0 + SMSS);
    expect_cwnd(m, 2 * SMSS, 7300, CC_AFTER_RTO, CC_CAUSE_ACK);
    expect_full_segments(DATA0 + SMSS, 2);
    expect_nothing();
    ck_assert_uint_eq(count_retransmits(m, RETX_RTO), 2);
    ck_assert_uint_eq(t->snd_nxt, DATA0 + 3 * SMSS);

    /* The original segments 3 to 10 were delivered after all: their
     * duplicate ACKs sit below "recover" and start nothing. */
    m = mark();
    for (unsigned k = 1; k <= 5; k++)
        peer_ack(at += MS, DATA0 + SMSS);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_DUPACK), 5);
    ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 0);
    ck_assert_uint_eq(count_events(m, EV_CWND), 0);
    ck_assert(!t->in_recovery);
}
END_TEST

/* RFC 5681 equation 4's floor: one segment in flight still leaves
 * ssthresh = 2 MSS; a second timeout of the same segment keeps ssthresh
 * and doubles the timer again. */
START_TEST(test_rto_ssthresh_floor_and_backoff)
{
    int s = open_and_send(1, 1);
    (void)s;
    uint64_t at = T0 + RTO_AFTER_HANDSHAKE;
    size_t m = mark();
    run_until(at);
    expect_data(DATA0, SMSS);
    expect_cwnd(m, SMSS, 2 * SMSS, CC_AFTER_RTO, CC_CAUSE_RTO);
    at += 2 * RTO_AFTER_HANDSHAKE;
    run_until(at - 1);
    expect_nothing();
    m = mark();
    run_until(at);
    expect_data(DATA0, SMSS);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_CWND), 0);
    ck_assert_uint_eq(last_retransmit(m)->u.retx.attempt, 2);
    ck_assert_uint_eq(tcp_stack_next_deadline(H.st), at + 4 * RTO_AFTER_HANDSHAKE);
}
END_TEST

/* ======================================================================= */
/* SACK and D-SACK                                                         */
/* ======================================================================= */

static const struct tcp_options sack_syn_opts = {
    .has_mss = true, .mss = 1460, .sack_permitted = true,
};

/* An active open with SACK offered by both sides. */
static int open_active_sack(void)
{
    H.cfg.sack = true;
    int s = open_active_with(&sack_syn_opts, 65535);
    expect_sent(TCP_ACK, DATA0, PEER0);
    expect_nothing();
    ck_assert(tcb_of(s)->sack_ok);
    return s;
}

/* RFC 2018 2: SACK is used only when both SYNs carried SACK-permitted.
 * Here the peer does not offer it: out-of-order data gets no blocks. */
START_TEST(test_sack_negotiation_peer_declines)
{
    H.cfg.sack = true;
    int s = start_active();
    ck_assert(last_seg.opt.sack_permitted); /* we offered */
    feed_syn(HANDSHAKE_RTT, TCP_SYN | TCP_ACK, H.irs, H.iss + 1, 1460);
    expect_sent(TCP_ACK, DATA0, PEER0);
    ck_assert(!tcb_of(s)->sack_ok);
    feed_data(T0, TCP_ACK, PEER0 + 100, DATA0, "late", 4);
    expect_sent(TCP_ACK, DATA0, PEER0);
    ck_assert_uint_eq(last_seg.opt.sack_count, 0);
    expect_nothing();
}
END_TEST

/* ...and here we do not offer it (the default), the peer does. */
START_TEST(test_sack_negotiation_we_decline)
{
    int s = open_active_with(&sack_syn_opts, 65535);
    ck_assert(!last_seg.opt.sack_permitted); /* our SYN */
    expect_sent(TCP_ACK, DATA0, PEER0);
    expect_nothing();
    ck_assert(!tcb_of(s)->sack_ok);
}
END_TEST

START_TEST(test_sack_negotiation_passive)
{
    H.cfg.sack = true;
    open_listener(4);
    struct tcp_segment syn = peer_seg(TCP_SYN, H.irs, 0);
    syn.opt = sack_syn_opts;
    feed_seg(0, &syn);
    const struct tcp_segment *sa = expect_sent(TCP_SYN | TCP_ACK, H.iss, H.irs + 1);
    ck_assert(sa->opt.sack_permitted);
    ck_assert(tcb_of(find_child())->sack_ok);
    /* A second client that does not offer it gets no SACK-permitted. */
    H.rport = CLIENT_PORT + 1;
    feed_syn(1 * MS, TCP_SYN, H.irs, 0, 1460);
    sa = expect_sent(TCP_SYN | TCP_ACK, H.iss, H.irs + 1);
    ck_assert(!sa->opt.sack_permitted);
    ck_assert(!tcb_of(find_child())->sack_ok);
    expect_nothing();
}
END_TEST

/* The peer's bytes in the receiver tests: a fixed pattern. */
static uint8_t peer_bytes[8192];

static void fill_peer_bytes(void)
{
    for (size_t i = 0; i < sizeof peer_bytes; i++)
        peer_bytes[i] = (uint8_t)('a' + i % 26);
}

/* The peer sends its bytes [from, to) (offsets from its first byte). */
static void peer_data(uint64_t t, uint32_t from, uint32_t to, uint8_t extra_flags)
{
    feed_data(t, TCP_ACK | extra_flags, PEER0 + from, DATA0, peer_bytes + from, to - from);
}

/* The receiver: every out-of-order segment is ACKed at once with SACK
 * blocks, the block holding the newest segment first and the others
 * most recent first (RFC 2018 4), reported as EV_SACK sent. */
START_TEST(test_receiver_sack_blocks_most_recent_first)
{
    fill_peer_bytes();
    int s = open_active_sack();
    size_t m = mark();
    peer_data(T0, 100, 200, 0);
    expect_sent(TCP_ACK, DATA0, PEER0);
    expect_sack_blocks(1, (const uint32_t[]){ PEER0 + 100, PEER0 + 200 });
    const struct tcp_event *e = last_event(m, EV_SACK);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->u.sack.sent, 1);
    ck_assert_uint_eq(e->u.sack.count, 1);
    ck_assert_uint_eq(e->u.sack.dsack, 0);
    ck_assert_uint_eq(e->u.sack.blocks[0].left, PEER0 + 100);
    ck_assert_uint_eq(e->u.sack.blocks[0].right, PEER0 + 200);

    peer_data(T0 + 1 * MS, 300, 400, 0);
    expect_sent(TCP_ACK, DATA0, PEER0);
    expect_sack_blocks(2, (const uint32_t[]){ PEER0 + 300, PEER0 + 400, PEER0 + 100, PEER0 + 200 });
    peer_data(T0 + 2 * MS, 500, 600, 0);
    expect_sent(TCP_ACK, DATA0, PEER0);
    expect_sack_blocks(3, (const uint32_t[]){ PEER0 + 500, PEER0 + 600, PEER0 + 300, PEER0 + 400,
                                              PEER0 + 100, PEER0 + 200 });
    /* Filling the hole between two blocks merges them; the merged block
     * holds the newest segment, so it comes first. */
    peer_data(T0 + 3 * MS, 200, 300, 0);
    expect_sent(TCP_ACK, DATA0, PEER0);
    expect_sack_blocks(2, (const uint32_t[]){ PEER0 + 100, PEER0 + 400, PEER0 + 500, PEER0 + 600 });
    ck_assert_uint_eq(tcp_sock_readable(H.st, s), 0);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_SACK), 4);

    /* The first gap fills: ACK at once (RFC 5681 4.2) up to the next gap. */
    peer_data(T0 + 4 * MS, 0, 100, 0);
    expect_sent(TCP_ACK, DATA0, PEER0 + 400);
    expect_sack_blocks(1, (const uint32_t[]){ PEER0 + 500, PEER0 + 600 });
    expect_nothing();
    uint8_t buf[1000];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, T0 + 5 * MS), 400);
    ck_assert_mem_eq(buf, peer_bytes, 400);
}
END_TEST

/* RFC 9293 3.10.7.4 (and RFC 5681 4.2): out-of-order segments are held
 * and delivered in order once the gap fills; the filling segment is ACKed
 * at once; a FIN beyond the gap is processed when the gap fills. */
START_TEST(test_receiver_out_of_order_delivery_and_fin)
{
    fill_peer_bytes();
    int s = open_active();
    uint32_t id = conn_of(s);
    peer_data(T0, 100, 200, 0);
    expect_sent(TCP_ACK, DATA0, PEER0);
    ck_assert_uint_eq(last_seg.opt.sack_count, 0); /* no SACK negotiated */
    peer_data(T0 + 1 * MS, 200, 300, TCP_FIN);
    expect_sent(TCP_ACK, DATA0, PEER0);
    expect_nothing();
    ck_assert_uint_eq(tcp_sock_readable(H.st, s), 0);
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_ESTABLISHED);

    size_t m = mark();
    peer_data(T0 + 2 * MS, 0, 100, 0);
    /* One ACK, at once, for the data and the FIN. */
    expect_sent(TCP_ACK, DATA0, PEER0 + 301);
    expect_nothing();
    ck_assert_int_eq(tcp_sock_state(H.st, s), TCP_CLOSE_WAIT);
    expect_state_event(m, id, TCP_ESTABLISHED, TCP_CLOSE_WAIT, CAUSE_RCV_FIN);
    uint8_t buf[1000];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, T0 + 3 * MS), 300);
    ck_assert_mem_eq(buf, peer_bytes, 300);
    ck_assert(tcp_sock_eof(H.st, s));
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, T0 + 3 * MS), 0);
    run_until(T0 + 1 * SEC);
    expect_nothing();
}
END_TEST

/* RFC 2883 4.1.1: a duplicate segment is answered at once with an ACK
 * whose first SACK block is the duplicate range; 4.1.2: a partly
 * duplicate segment reports the duplicated part. */
START_TEST(test_receiver_dsack)
{
    fill_peer_bytes();
    int s = open_active_sack();
    peer_data(T0, 0, 100, 0);
    expect_nothing(); /* delayed ACK */
    size_t m = mark();
    peer_data(T0 + 10 * MS, 0, 100, 0);
    expect_sent(TCP_ACK, DATA0, PEER0 + 100);
    expect_sack_blocks(1, (const uint32_t[]){ PEER0, PEER0 + 100 });
    expect_nothing();
    const struct tcp_event *e = last_event(m, EV_SACK);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->u.sack.sent, 1);
    ck_assert_uint_eq(e->u.sack.dsack, 1);

    peer_data(T0 + 20 * MS, 50, 150, 0);
    expect_sent(TCP_ACK, DATA0, PEER0 + 150);
    expect_sack_blocks(1, (const uint32_t[]){ PEER0 + 50, PEER0 + 100 });
    expect_nothing();
    /* Reported once: the next ACK has no SACK option. */
    peer_data(T0 + 30 * MS, 150, 200, 0);
    run_until(T0 + 30 * MS + DELACK);
    expect_sent(TCP_ACK, DATA0, PEER0 + 200);
    ck_assert_uint_eq(last_seg.opt.sack_count, 0);
    expect_nothing();
    uint8_t buf[300];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, sizeof buf, T0 + 1 * SEC), 200);
    ck_assert_mem_eq(buf, peer_bytes, 200);
}
END_TEST

/* The sender side of D-SACK: a spurious timeout retransmission, then the
 * peer reports the duplicate; EV_SACK received with dsack set. */
START_TEST(test_sender_sees_dsack_after_spurious_retransmission)
{
    int s = open_active_sack();
    app_write(s, 100, T0);
    expect_data(DATA0, 100);
    run_until(T0 + RTO_AFTER_HANDSHAKE);
    expect_data(DATA0, 100); /* the original was only slow */
    peer_ack(T0 + RTO_AFTER_HANDSHAKE + 10 * MS, DATA0 + 100);
    size_t m = mark();
    peer_ack_sack(T0 + RTO_AFTER_HANDSHAKE + 20 * MS, DATA0 + 100, 1,
                  (const uint32_t[]){ DATA0, DATA0 + 100 });
    expect_nothing();
    const struct tcp_event *e = last_event(m, EV_SACK);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->u.sack.sent, 0);
    ck_assert_uint_eq(e->u.sack.dsack, 1);
    ck_assert_uint_eq(e->u.sack.count, 1);
    ck_assert_uint_eq(e->u.sack.blocks[0].left, DATA0);
    ck_assert_uint_eq(e->u.sack.blocks[0].right, DATA0 + 100);
    ck_assert_uint_eq(tcb_of(s)->sb.count, 0); /* not taken as SACKed data */
}
END_TEST

#define S(i) (DATA0 + (i) * SMSS)

/* RFC 6675: ten segments in flight, segments 0 and 4 lost.  The third
 * duplicate ACK retransmits segment 0 (cause fast) with cwnd = ssthresh =
 * FlightSize / 2; once three segments above segment 4 are SACKed it is
 * lost (IsLost) and retransmitted (cause sack) before any new data; the
 * SACKed segments are never sent again; recovery ends when the ACK passes
 * the recovery point, with cwnd = ssthresh. */
START_TEST(test_sack_recovery_two_holes)
{
    int s = open_active_sack();
    const struct tcb *t = tcb_of(s);
    app_write(s, 30 * SMSS, T0);
    expect_full_segments(S(0), 10);
    expect_nothing();
    uint64_t at = T0 + 100 * MS;

    /* Segments 1, 2, 3 arrive. */
    size_t m = mark();
    peer_ack_sack(at, S(0), 1, (const uint32_t[]){ S(1), S(2) });
    peer_ack_sack(at += MS, S(0), 1, (const uint32_t[]){ S(1), S(3) });
    expect_nothing();
    const struct tcp_event *e = last_event(m, EV_SACK);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->u.sack.sent, 0);
    ck_assert_uint_eq(e->u.sack.blocks[0].right, S(3));
    m = mark();
    peer_ack_sack(at += MS, S(0), 1, (const uint32_t[]){ S(1), S(4) });
    expect_data(S(0), SMSS);
    expect_nothing();
    expect_retransmit(m, RETX_FAST, S(0), SMSS);
    expect_cwnd(m, 7300, 7300, CC_FAST_RECOVERY, CC_CAUSE_FAST_RETRANSMIT);
    ck_assert(t->in_recovery && t->sack_recovery);

    /* Segments 5 and 6: pipe (RFC 6675 SetPipe) is still >= cwnd. */
    peer_ack_sack(at += MS, S(0), 2, (const uint32_t[]){ S(5), S(6), S(1), S(4) });
    peer_ack_sack(at += MS, S(0), 2, (const uint32_t[]){ S(5), S(7), S(1), S(4) });
    expect_nothing();
    /* Segment 7: now 3 segments are SACKed above segment 4, so it is lost:
     * retransmitted first, then one new segment fills the pipe. */
    m = mark();
    peer_ack_sack(at += MS, S(0), 2, (const uint32_t[]){ S(5), S(8), S(1), S(4) });
    expect_data(S(4), SMSS);
    expect_data(S(10), SMSS);
    expect_nothing();
    ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 1);
    expect_retransmit(m, RETX_SACK, S(4), SMSS);
    /* Segments 8 and 9: one new segment each as the pipe drains. */
    peer_ack_sack(at += MS, S(0), 2, (const uint32_t[]){ S(5), S(9), S(1), S(4) });
    expect_data(S(11), SMSS);
    peer_ack_sack(at += MS, S(0), 2, (const uint32_t[]){ S(5), S(10), S(1), S(4) });
    expect_data(S(12), SMSS);
    expect_nothing();
    /* The retransmitted segment 0 arrives: the ACK jumps to the second
     * hole, still below the recovery point. */
    m = mark();
    peer_ack_sack(at += 50 * MS, S(4), 1, (const uint32_t[]){ S(5), S(10) });
    expect_data(S(13), SMSS);
    expect_nothing();
    ck_assert(t->in_recovery);
    ck_assert_uint_eq(count_events(m, EV_RETRANSMIT), 0);
    /* The retransmitted segment 4 arrives: recovery is over. */
    m = mark();
    peer_ack(at += MS, S(10));
    expect_cwnd(m, 7300, 7300, CC_CONGESTION_AVOIDANCE, CC_CAUSE_RECOVERY_END);
    ck_assert(!t->in_recovery);
    expect_data(S(14), SMSS);
    expect_nothing();
    /* Two retransmissions in all: the holes, nothing SACKed. */
    ck_assert_uint_eq(t->retransmits, 2);
}
END_TEST
#undef S

/* ======================================================================= */
/* Flow control                                                            */
/* ======================================================================= */

/* A small receive buffer and an app that does not read: the advertised
 * window shrinks with every ACK and reaches zero; a probe into the zero
 * window is answered, not taken.  Small reads then do not reopen it
 * (RFC 1122 4.2.3.3); once the window can open by min(rcvbuf/2, MSS) and
 * to at least twice what was offered, a window update goes out. */
START_TEST(test_receiver_window_shrinks_to_zero_and_reopens)
{
    fill_peer_bytes();
    H.cfg.rcvbuf = 4096;
    int s = open_active();
    ck_assert_uint_eq(last_seg.window, 4096);
    peer_data(T0, 0, 1460, 0);
    expect_nothing();
    peer_data(T0 + 1 * MS, 1460, 2920, 0);
    expect_sent(TCP_ACK, DATA0, PEER0 + 2920);
    ck_assert_uint_eq(last_seg.window, 4096 - 2920);
    peer_data(T0 + 2 * MS, 2920, 4096, 0);
    run_until(T0 + 2 * MS + DELACK - 1);
    expect_nothing();
    run_until(T0 + 2 * MS + DELACK);
    expect_sent(TCP_ACK, DATA0, PEER0 + 4096);
    ck_assert_uint_eq(last_seg.window, 0);
    expect_nothing();

    /* A one-byte probe: outside the zero window, dropped and answered. */
    size_t m = mark();
    peer_data(T0 + 500 * MS, 4096, 4097, 0);
    expect_sent(TCP_ACK, DATA0, PEER0 + 4096);
    ck_assert_uint_eq(last_seg.window, 0);
    expect_nothing();
    ck_assert(saw_drop(m, DROP_OUT_OF_WINDOW));

    uint8_t buf[4096];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, 1000, T0 + 600 * MS), 1000);
    expect_nothing(); /* 1000 < min(2048, 1460): the window stays shut */
    ck_assert_int_eq(tcp_recv(H.st, s, buf + 1000, 1000, T0 + 700 * MS), 1000);
    expect_sent(TCP_ACK, DATA0, PEER0 + 4096); /* window update */
    ck_assert_uint_eq(last_seg.window, 2000);
    expect_nothing();
    /* 3500 could be offered, but that is less than twice the 2000 the
     * peer has: no segment just for that. */
    ck_assert_int_eq(tcp_recv(H.st, s, buf + 2000, 1500, T0 + 800 * MS), 1500);
    expect_nothing();
    ck_assert_int_eq(tcp_recv(H.st, s, buf + 3500, 596, T0 + 900 * MS), 596);
    expect_sent(TCP_ACK, DATA0, PEER0 + 4096);
    ck_assert_uint_eq(last_seg.window, 4096);
    expect_nothing();
    ck_assert_mem_eq(buf, peer_bytes, 4096);
}
END_TEST

/* RFC 1122 4.2.3.3: the right edge moves only by at least
 * min(rcvbuf / 2, MSS); smaller increases from small reads are not
 * offered, not even on ACKs sent anyway. */
START_TEST(test_receiver_sws_avoidance)
{
    fill_peer_bytes();
    H.cfg.rcvbuf = 8192;
    int s = open_active();
    peer_data(T0, 0, 1460, 0);
    peer_data(T0 + 1 * MS, 1460, 2920, 0);
    expect_sent(TCP_ACK, DATA0, PEER0 + 2920);
    ck_assert_uint_eq(last_seg.window, 8192 - 2920);
    uint8_t buf[4096];
    ck_assert_int_eq(tcp_recv(H.st, s, buf, 1000, T0 + 10 * MS), 1000);
    expect_nothing();
    /* Two more segments: the edge stays at PEER0 + 8192. */
    peer_data(T0 + 20 * MS, 2920, 4380, 0);
    peer_data(T0 + 21 * MS, 4380, 5840, 0);
    expect_sent(TCP_ACK, DATA0, PEER0 + 5840);
    ck_assert_uint_eq(last_seg.window, 8192 - 5840);
    /* 460 more bytes read: 1460 in all, enough to move the edge, but not
     * worth a segment of its own (3812 < 2 * 2352). */
    ck_assert_int_eq(tcp_recv(H.st, s, buf + 1000, 460, T0 + 30 * MS), 460);
    expect_nothing();
    /* The next ACK carries the larger window. */
    peer_data(T0 + 40 * MS, 5840, 5940, 0);
    run_until(T0 + 40 * MS + DELACK);
    expect_sent(TCP_ACK, DATA0, PEER0 + 5940);
    ck_assert_uint_eq(last_seg.window, 8192 - (5940 - 1460));
    expect_nothing();
}
END_TEST

/* The window reopens only a little (100 bytes, below the sender's SWS
 * threshold): the data waits for the persist timer's SWS override (RFC 1122
 * 4.2.3.4 (4)), and the segment it sends starts at the refused probe byte.
 * New data the peer never took: a plain send, no retransmission. */
START_TEST(test_persist_send_after_probe_is_not_a_retransmission)
{
    struct tcp_options opts = { .has_mss = true, .mss = 1460 };
    int s = open_active_with(&opts, 2920);
    expect_sent(TCP_ACK, DATA0, PEER0);
    app_write(s, 5000, T0);
    expect_full_segments(DATA0, 2);
    uint64_t at = T0 + 100 * MS;
    peer_ack_win(at, DATA0 + 2920, 0);
    at += 250 * MS; /* the first probe */
    run_until(at);
    expect_data(DATA0 + 2920, 1);
    size_t m = mark();
    peer_ack_win(at + 10 * MS, DATA0 + 2920, 100);
    expect_nothing(); /* 100 bytes: silly window avoidance holds them */
    run_until(at + 10 * MS + 200 * MS);
    expect_data(DATA0 + 2920, 100);
    expect_nothing();
    ck_assert_ptr_null(last_retransmit(m));
    ck_assert_uint_eq(tcp_stack_stats(H.st)->retransmits, 0);
    peer_ack_win(at + 300 * MS, DATA0 + 3020, 65535);
    H.next_pkt = H.npkts; /* the rest of the data: not the point here */
}
END_TEST

/* RFC 9293 3.8.6.1 and RFC 1122 4.2.2.17: with data queued and a zero
 * window, the sender probes with one byte, the first time after
 * max(persist_min, RTO), then with doubled intervals up to persist_max;
 * the window update stops the probes and the data flows again, starting
 * with the probed byte the peer could not take. */
START_TEST(test_zero_window_persist_probes)
{
    H.cfg.persist_max = 2 * SEC;
    struct tcp_options opts = { .has_mss = true, .mss = 1460 };
    int s = open_active_with(&opts, 2920);
    expect_sent(TCP_ACK, DATA0, PEER0);
    const struct tcb *t = tcb_of(s);
    app_write(s, 5000, T0);
    expect_full_segments(DATA0, 2);
    expect_nothing();
    uint64_t at = T0 + 100 * MS;
    peer_ack_win(at, DATA0 + 2920, 0);
    expect_nothing();
    ck_assert_uint_eq(t->snd_wnd, 0);
    /* RFC 6298 2.3 after a 100 ms sample: SRTT 100 ms, RTTVAR 37.5 ms,
     * RTO 250 ms, above persist_min (200 ms). */
    ck_assert_uint_eq(t->rto_current, 250 * MS);
    ck_assert_uint_eq(t->timer[TCP_TIMER_RTO], TCP_TIME_NEVER);

    static const uint64_t gaps[] = { 250 * MS, 500 * MS, 1 * SEC, 2 * SEC, 2 * SEC };
    for (unsigned i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
        at += gaps[i];
        ck_assert_uint_eq(t->timer[TCP_TIMER_PERSIST], at);
        run_until(at - 1);
        expect_nothing();
        size_t m = mark();
        run_until(at);
        expect_data(DATA0 + 2920, 1);
        expect_nothing();
        const struct tcp_event *p = last_retransmit(m);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq(p->u.retx.cause, RETX_PROBE);
        ck_assert_uint_eq(p->u.retx.seq, DATA0 + 2920);
        ck_assert_uint_eq(p->u.retx.len, 1);
        ck_assert_uint_eq(p->u.retx.attempt, i + 1);
        if (i == 0) {
            /* The peer answers: still no room, the probe byte not taken. */
            peer_ack_win(at + 10 * MS, DATA0 + 2920, 0);
            expect_nothing();
        }
    }
    /* The window opens: probing stops, the data goes from SND.UNA.  The
     * last 620 bytes wait for Nagle (a full segment is unacknowledged). */
    at += 100 * MS;
    size_t reopened = mark();
    peer_ack_win(at, DATA0 + 2920, 4380);
    expect_data(DATA0 + 2920, SMSS);
    expect_nothing();
    /* That segment starts with the refused probe byte but is new data: a
     * plain send, neither a probe nor a retransmission. */
    ck_assert_ptr_null(last_retransmit(reopened));
    ck_assert_uint_eq(tcp_stack_stats(H.st)->retransmits, 0);
    ck_assert_uint_eq(t->timer[TCP_TIMER_PERSIST], TCP_TIME_NEVER);
    ck_assert_uint_eq(t->persist_backoff, 0);
    peer_ack_win(at + 100 * MS, DATA0 + 2920 + SMSS, 4380);
    expect_data(DATA0 + 2920 + SMSS, 5000 - 2920 - SMSS);
    expect_nothing();
    peer_ack_win(at + 200 * MS, DATA0 + 5000, 4380);
    run_until(at + 60 * SEC);
    expect_nothing();
}
END_TEST

/* RFC 1122 4.2.3.4: a usable window smaller than an MSS and less than
 * half the largest window the peer offered is not used at once; the
 * override timer sends what fits when it fires. */
START_TEST(test_sender_sws_override)
{
    int s = open_active();
    const struct tcb *t = tcb_of(s);
    peer_ack_win(500 * MS, DATA0, 1000);
    expect_nothing();
    ck_assert_uint_eq(t->snd_wnd, 1000);
    ck_assert_uint_eq(t->max_snd_wnd, 65535);
    app_write(s, 5000, T0);
    expect_nothing();
    ck_assert_uint_eq(t->timer[TCP_TIMER_PERSIST], T0 + H.cfg.sws_override);
    run_until(T0 + H.cfg.sws_override - 1);
    expect_nothing();
    run_until(T0 + H.cfg.sws_override);
    expect_data(DATA0, 1000);
    expect_nothing();
    /* The window opens: full segments again, then the rest. */
    peer_ack_win(T0 + 300 * MS, DATA0 + 1000, 8000);
    expect_data(DATA0 + 1000, SMSS);
    expect_data(DATA0 + 1000 + SMSS, SMSS);
    expect_nothing(); /* the last 1080 bytes: Nagle */
    peer_ack_win(T0 + 400 * MS, DATA0 + 1000 + 2 * SMSS, 8000);
    expect_data(DATA0 + 1000 + 2 * SMSS, 4000 - 2 * SMSS);
    expect_nothing();
}
END_TEST

/* ======================================================================= */
/* Nagle and delayed ACK                                                   */
/* ======================================================================= */

/* RFC 896 / RFC 1122 4.2.3.4: a small segment waits while data is
 * unacknowledged; full segments do not wait. */
START_TEST(test_nagle_holds_small_segment)
{
    int s = open_active();
    app_write(s, 100, T0);
    expect_data(DATA0, 100);
    app_write(s, 100, T0 + 10 * MS);
    expect_nothing();
    app_write(s, 2000, T0 + 20 * MS);
    expect_data(DATA0 + 100, SMSS);
    expect_nothing(); /* 640 bytes left: small, and data unacknowledged */
    ck_assert_uint_eq(tcb_of(s)->timer[TCP_TIMER_PERSIST], TCP_TIME_NEVER);
    run_until(T0 + 100 * MS - 1);
    expect_nothing();
    peer_ack(T0 + 100 * MS, DATA0 + 100);
    expect_nothing(); /* the full segment is still unacknowledged */
    peer_ack(T0 + 120 * MS, DATA0 + 100 + SMSS);
    expect_data(DATA0 + 100 + SMSS, 640);
    expect_nothing();
}
END_TEST

START_TEST(test_nagle_off_sends_at_once)
{
    H.cfg.nagle = false;
    int s = open_active();
    app_write(s, 100, T0);
    expect_data(DATA0, 100);
    app_write(s, 100, T0 + 10 * MS);
    expect_data(DATA0 + 100, 100);
    app_write(s, 100, T0 + 20 * MS);
    expect_data(DATA0 + 200, 100);
    expect_nothing();
}
END_TEST

/* Nagle against the peer's delayed ACK: the second small write waits
 * for the ACK of the first, which the peer delays by its timeout (here
 * the wire is instant, so the ACK arrives at T0 + DELACK): the segment
 * leaves at exactly that time, not before. */
START_TEST(test_nagle_waits_for_delayed_ack)
{
    int s = open_active();
    app_write(s, 10, T0);
    expect_data(DATA0, 10);
    app_write(s, 10, T0 + 1 * MS);
    run_until(T0 + DELACK - 1);
    expect_nothing();
    peer_ack(T0 + DELACK, DATA0 + 10);
    expect_data(DATA0 + 10, 10);
    ck_assert_uint_eq(H.pkts[H.next_pkt - 1].at, T0 + DELACK);
    expect_nothing();
}
END_TEST

/* Our delayed ACK is carried by the response the app writes before the
 * timer fires (RFC 1122 4.2.3.2): no separate ACK. */
START_TEST(test_delayed_ack_rides_on_response)
{
    fill_peer_bytes();
    int s = open_active();
    peer_data(T0, 0, 10, TCP_PSH);
    expect_nothing();
    app_write(s, 50, T0 + 5 * MS);
    expect_data_at(__LINE__, DATA0, 50, PEER0 + 10);
    expect_nothing();
    ck_assert_uint_eq(tcb_of(s)->timer[TCP_TIMER_DELACK], TCP_TIME_NEVER);
    feed(T0 + 50 * MS, TCP_ACK, PEER0 + 10, DATA0 + 50);
    run_until(T0 + 2 * SEC);
    expect_nothing();
}
END_TEST

/* ======================================================================= */
/* Options: timestamps and window scaling (RFC 7323)                       */
/* ======================================================================= */

static void peer_ack_ts(uint64_t t, uint32_t ack, uint32_t ts_val, uint32_t ts_ecr)
{
    struct tcp_segment s = peer_seg(TCP_ACK, PEER0, ack);
    s.opt.has_timestamps = true;
    s.opt.ts_val = ts_val;
    s.opt.ts_ecr = ts_ecr;
    feed_seg(t, &s);
}

#define expect_rtt(m, sample_, srtt_, rttvar_, rto_)                                            \
    do {                                                                                       \
        const struct tcp_event *r_ = last_event((m), EV_RTT);                                  \
        ck_assert_msg(r_ != NULL, "no EV_RTT");                                                \
        ck_assert_uint_eq(r_->u.rtt.sample, (sample_));                                        \
        ck_assert_uint_eq(r_->u.rtt.srtt, (srtt_));                                            \
        ck_assert_uint_eq(r_->u.rtt.rttvar, (rttvar_));                                        \
        ck_assert_uint_eq(r_->u.rtt.rto, (rto_));                                              \
    } while (0)

/* RFC 7323 4.1 with RFC 6298 2.3: every ACK of new data gives a sample
 * from its echoed timestamp (1 ms clock), not just one per round trip;
 * an ACK of nothing new gives none. */
START_TEST(test_rtt_from_timestamps)
{
    H.cfg.timestamps = true;
    H.cfg.nagle = false; /* the last, short segment goes with the others */
    struct tcp_options opts = { .has_mss = true, .mss = 1460, .has_timestamps = true,
                                .ts_val = 7777, .ts_ecr = 0 };
    int s = open_active_with(&opts, 65535);
    ck_assert(last_seg.opt.has_timestamps); /* our SYN offered them */
    expect_sent(TCP_ACK, DATA0, PEER0);
    ck_assert(last_seg.opt.has_timestamps);
    ck_assert_uint_eq(last_seg.opt.ts_ecr, 7777);
    ck_assert_uint_eq(last_seg.opt.ts_val, HANDSHAKE_RTT / MS);
    ck_assert(tcb_of(s)->ts_ok);

    /* RFC 6691 2: the 12 option bytes come out of the payload, so a
     * full segment is still a 1500-byte packet. */
    uint32_t seg = tcb_of(s)->snd_mss;
    ck_assert_uint_eq(seg, SMSS - 12);
    app_write(s, 3 * SMSS, T0);
    for (uint32_t off = 0; off < 3 * SMSS; off += seg) {
        uint32_t len = 3 * SMSS - off < seg ? 3 * SMSS - off : seg;
        expect_data(DATA0 + off, len);
        if (len == seg)
            ck_assert_uint_eq(H.pkts[H.next_pkt - 1].len, 1500);
        ck_assert_uint_eq(last_seg.opt.ts_val, T0 / MS);
        ck_assert_uint_eq(last_seg.opt.ts_ecr, 7777);
    }
    expect_nothing();

    size_t m = mark();
    peer_ack_ts(T0 + 100 * MS, DATA0 + seg, 7800, T0 / MS);
    ck_assert_uint_eq(count_events(m, EV_RTT), 1);
    expect_rtt(m, 100 * MS, 100 * MS, 37500, 250 * MS);
    m = mark();
    peer_ack_ts(T0 + 150 * MS, DATA0 + 2 * seg, 7850, T0 / MS);
    ck_assert_uint_eq(count_events(m, EV_RTT), 1);
    expect_rtt(m, 150 * MS, 106250, 40625, 268750);
    m = mark();
    peer_ack_ts(T0 + 155 * MS, DATA0 + 2 * seg, 7855, T0 / MS); /* nothing new */
    ck_assert_uint_eq(count_events(m, EV_RTT), 0);
    m = mark();
    peer_ack_ts(T0 + 160 * MS, DATA0 + 3 * SMSS, 7860, T0 / MS);
    ck_assert_uint_eq(count_events(m, EV_RTT), 1);
    expect_rtt(m, 160 * MS, 112968, 43906, 112968 + 4 * 43906);
    ck_assert_uint_eq(tcb_of(s)->ts_recent, 7860);
    expect_nothing();
}
END_TEST

/* RFC 7323 2: with both sides offering window scaling, our window field
 * is the window shifted by our scale (the SYN's never is); the peer's
 * field is shifted by its scale. */
START_TEST(test_window_scaling)
{
    H.cfg.wscale = 7;
    H.cfg.rcvbuf = 1u << 20;
    struct tcp_options opts = { .has_mss = true, .mss = 1460, .has_wscale = true, .wscale = 2 };
    int s = open_active_with(&opts, 65535);
    ck_assert(last_seg.opt.has_wscale); /* our SYN */
    ck_assert_uint_eq(last_seg.opt.wscale, 7);
    ck_assert_uint_eq(last_seg.window, 65535);
    expect_sent(TCP_ACK, DATA0, PEER0);
    ck_assert_uint_eq(last_seg.window, (1u << 20) >> 7);
    const struct tcb *t = tcb_of(s);
    ck_assert(t->wscale_ok);
    ck_assert_uint_eq(t->snd_wnd, 65535); /* the SYN-ACK's field is not scaled */
    peer_ack_win(T0, DATA0, 1000);
    ck_assert_uint_eq(t->snd_wnd, 4000);
    expect_nothing();
}
END_TEST

/* Without the peer's option neither side scales; the field is capped. */
START_TEST(test_window_scaling_needs_both)
{
    H.cfg.wscale = 7;
    H.cfg.rcvbuf = 1u << 20;
    int s = open_active();
    ck_assert(!tcb_of(s)->wscale_ok);
    ck_assert_uint_eq(last_seg.window, 65535);
    peer_ack_win(T0, DATA0, 1000);
    ck_assert_uint_eq(tcb_of(s)->snd_wnd, 1000);
    expect_nothing();
}
END_TEST

/* ======================================================================= */

static Suite *engine_suite(void)
{
    Suite *suite = suite_create("engine");
    struct {
        const char *name;
        const TTest *tests[24];
    } groups[] = {
        { "open",
          { test_defaults, test_isn_from_random_source, test_active_open,
            test_active_open_ephemeral_port, test_passive_open,
            test_passive_open_ack_with_data, test_simultaneous_open,
            test_syn_retransmission_timing, test_syn_retries_configurable,
            test_syn_retransmitted_then_answered, test_synack_retransmission,
            test_duplicate_syn_in_syn_received } },
        { "reset",
          { test_closed_port_rst, test_closed_port_rst_gets_no_reply,
            test_syn_sent_unacceptable_ack, test_syn_sent_rst_refused, test_ack_at_listener_rst,
            test_rst_exact_resets, test_rst_in_window_challenge_ack,
            test_rst_outside_window_dropped, test_syn_in_established_challenge_ack,
            test_out_of_window_data_acked, test_fin_beyond_gap_acked_at_once } },
        { "data",
          { test_data_in_order, test_send_data_and_ack, test_delayed_ack_one_segment,
            test_delayed_ack_two_full_segments, test_delayed_ack_off,
            test_data_retransmission_on_rto, test_data_retry_limit, test_rto_capped } },
        { "close",
          { test_active_close, test_passive_close, test_close_delack_merge,
            test_simultaneous_close, test_fin_wait_1_fin_ack,
            test_fin_wait_1_fin_ack_with_gap, test_time_wait_restart,
            test_fin_wait_2_timeout_orphan, test_half_close, test_abort_sends_rst,
            test_abort_in_syn_sent_is_silent, test_close_with_unread_data_rst,
            test_data_after_close_rst } },
        { "keepalive",
          { test_keepalive_off_by_default, test_keepalive_dead_peer, test_keepalive_answered,
            test_keepalive_peer_rebooted, test_keepalive_idle_restarts_on_traffic } },
        { "listener",
          { test_syn_queue_full_drops, test_syn_cookies, test_accept_queue_full,
            test_rst_in_syn_received, test_bad_ack_in_syn_received,
            test_bind_time_wait_addr_in_use, test_bind_listening_port_in_use,
            test_time_wait_passive_reopen, test_time_wait_reopen_by_timestamp } },
        { "wraparound", { test_sequence_wraparound, test_wraparound_retransmission } },
        { "malformed", { test_malformed_packets_dropped, test_wrong_destination_ignored,
                         test_checksum_drop_names_the_segment } },
        { "window",
          { test_sliding_window_peer_window, test_initial_window_1, test_initial_window_2,
            test_initial_window_4, test_initial_window_10, test_slow_start_growth,
            test_congestion_avoidance_growth } },
        { "recovery",
          { test_fast_retransmit_newreno, test_newreno_partial_ack,
            test_reno_partial_ack_ends_recovery, test_tahoe_fast_retransmit,
            test_rto_collapse_and_go_back, test_rto_ssthresh_floor_and_backoff } },
        { "sack",
          { test_sack_negotiation_peer_declines, test_sack_negotiation_we_decline,
            test_sack_negotiation_passive, test_receiver_sack_blocks_most_recent_first,
            test_receiver_out_of_order_delivery_and_fin, test_receiver_dsack,
            test_sender_sees_dsack_after_spurious_retransmission,
            test_sack_recovery_two_holes } },
        { "flow",
          { test_receiver_window_shrinks_to_zero_and_reopens, test_receiver_sws_avoidance,
            test_zero_window_persist_probes, test_persist_send_after_probe_is_not_a_retransmission,
            test_sender_sws_override,
            test_nagle_holds_small_segment, test_nagle_off_sends_at_once,
            test_nagle_waits_for_delayed_ack, test_delayed_ack_rides_on_response } },
        { "options", { test_rtt_from_timestamps, test_window_scaling, test_window_scaling_needs_both } },
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        TCase *tc = tcase_create(groups[g].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        for (size_t i = 0; i < 24 && groups[g].tests[i]; i++)
            tcase_add_test(tc, groups[g].tests[i]);
        suite_add_tcase(suite, tc);
    }
    return suite;
}

int main(void)
{
    return check_main_run(engine_suite());
}
