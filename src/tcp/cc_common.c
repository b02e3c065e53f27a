/* The pieces every congestion-control algorithm shares (RFC 5681 3.1,
 * RFC 3465, RFC 6928), the lookup from enum to ops table, and the printable
 * names.  The names appear in traces, JSON and golden files: they are part
 * of the interface. */
#include <stddef.h>

#include "tcp/cc.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define NAME_OR(table, i) ((size_t)(i) < COUNT_OF(table) ? (table)[i] : "?")

/* RFC 6928 raises the initial window to at most 10 segments. */
enum { IW_MAX_SEGMENTS = 10 };

static uint32_t add_saturating(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static uint32_t mul_saturating(uint32_t a, uint32_t b)
{
    uint64_t product = (uint64_t)a * b;
    return product > UINT32_MAX ? UINT32_MAX : (uint32_t)product;
}

static unsigned clamp_initial_window(unsigned iw_segments)
{
    if (iw_segments < 1) return 1;
    if (iw_segments > IW_MAX_SEGMENTS) return IW_MAX_SEGMENTS;
    return iw_segments;
}

void cc_common_init(struct tcp_cc *cc, uint32_t mss, unsigned iw_segments, uint32_t ssthresh0)
{
    *cc = (struct tcp_cc){0};
    /* An MSS of 0 would make every window 0 and stall the connection for
     * good; 1 byte at least keeps the arithmetic meaningful. */
    cc->mss = mss ? mss : 1;
    /* RFC 5681 3.1 (IW), RFC 3390 and RFC 6928: 1, 2, 4 or 10 segments. */
    cc->cwnd = mul_saturating(cc->mss, clamp_initial_window(iw_segments));
    /* RFC 5681 3.1: "The initial value of ssthresh SHOULD be set
     * arbitrarily high", unless the scenario chose one. */
    cc->ssthresh = ssthresh0 ? ssthresh0 : UINT32_MAX;
    cc->phase = CC_SLOW_START;
    cc->bytes_acked = 0;
}

/* RFC 5681 3.1: during slow start cwnd grows by at most SMSS per ACK
 * (equation 2), whatever the ACK covers, so stretch ACKs cannot burst. */
static void slow_start(struct tcp_cc *cc, uint32_t acked)
{
    cc->cwnd = add_saturating(cc->cwnd, acked < cc->mss ? acked : cc->mss);
    /* After a timeout the phase stays "after RTO" until ssthresh is
     * reached, so a lesson can tell this slow start from the first one. */
    if (cc->phase != CC_AFTER_RTO) cc->phase = CC_SLOW_START;
}

/* RFC 5681 3.1 and RFC 3465 2.1 (appropriate byte counting): cwnd grows by
 * one SMSS once a whole cwnd worth of bytes has been acknowledged, which is
 * about one SMSS per round trip however the receiver spaces its ACKs. */
static void congestion_avoidance(struct tcp_cc *cc, uint32_t acked)
{
    cc->phase = CC_CONGESTION_AVOIDANCE;
    cc->bytes_acked = add_saturating(cc->bytes_acked, acked);
    if (cc->bytes_acked >= cc->cwnd) {
        cc->bytes_acked -= cc->cwnd;
        cc->cwnd = add_saturating(cc->cwnd, cc->mss);
    }
}

void cc_reno_grow(struct tcp_cc *cc, uint32_t acked)
{
    if (cc->cwnd < cc->ssthresh)
        slow_start(cc, acked);
    else
        congestion_avoidance(cc, acked);
}

uint32_t cc_half_flight(const struct tcp_cc *cc, uint32_t flight)
{
    /* RFC 5681 3.1 equation 4: ssthresh = max(FlightSize / 2, 2 * SMSS). */
    uint32_t floor = mul_saturating(cc->mss, 2);
    uint32_t half = flight / 2;
    return half > floor ? half : floor;
}

/* An out-of-range value (a corrupt setting, a future enum) gets NewReno,
 * the default in settings.c, rather than NULL: callers never check. */
const struct tcp_cc_ops *tcp_cc_ops_for(enum tcp_cc_algo algo)
{
    switch (algo) {
    case TCP_CC_TAHOE: return &tcp_cc_tahoe_ops;
    case TCP_CC_RENO: return &tcp_cc_reno_ops;
    case TCP_CC_NEWRENO: return &tcp_cc_newreno_ops;
    case TCP_CC_CUBIC: return &tcp_cc_cubic_ops;
    case TCP_CC_ALGO_COUNT: break;
    }
    return &tcp_cc_newreno_ops;
}

static const char *const algo_names[TCP_CC_ALGO_COUNT] = {
    "tahoe", "reno", "newreno", "cubic",
};

static const char *const phase_names[CC_PHASE_COUNT] = {
    "slow-start", "congestion-avoidance", "fast-recovery", "after-rto",
};

static const char *const cause_names[CC_CAUSE_COUNT] = {
    "init", "ack", "dupack-inflate", "fast-retransmit",
    "partial-ack", "recovery-end", "rto", "idle",
};

const char *tcp_cc_algo_name(enum tcp_cc_algo algo) { return NAME_OR(algo_names, algo); }
const char *tcp_cc_phase_name(enum tcp_cc_phase p) { return NAME_OR(phase_names, p); }
const char *tcp_cc_cause_name(enum tcp_cc_cause c) { return NAME_OR(cause_names, c); }

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Scenario files may write "NewReno" or "CUBIC": compare ignoring case. */
static bool same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (ascii_lower(*a) != ascii_lower(*b)) return false;
    return *a == *b;
}

int tcp_cc_algo_from_name(const char *name)
{
    if (!name) return -1;
    for (size_t i = 0; i < COUNT_OF(algo_names); i++)
        if (same_name(algo_names[i], name)) return (int)i;
    return -1;
}
