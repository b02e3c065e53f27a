/* Congestion control behind an ops table, one file per algorithm.
 *
 * The engine owns loss detection (duplicate ACKs, SACK, timeouts) and the
 * recovery state machine's bookkeeping; an algorithm only decides the
 * numbers: how cwnd grows on an ACK, what cwnd and ssthresh become when a
 * loss is detected or a timeout fires, and (for the Reno family) how fast
 * recovery inflates, deflates and ends.  All sizes are bytes. */
#ifndef TCPVIZ_TCP_CC_H
#define TCPVIZ_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp/seq.h"

enum tcp_cc_algo {
    TCP_CC_TAHOE = 0, /* slow start, congestion avoidance, fast retransmit; no fast recovery */
    TCP_CC_RENO,      /* + fast recovery ending on the first new ACK (RFC 5681 3.2) */
    TCP_CC_NEWRENO,   /* + partial ACKs keep recovery going (RFC 6582) */
    TCP_CC_CUBIC,     /* RFC 9438 window growth with NewReno's recovery */
    TCP_CC_ALGO_COUNT
};

enum tcp_cc_phase {
    CC_SLOW_START = 0,
    CC_CONGESTION_AVOIDANCE,
    CC_FAST_RECOVERY,
    CC_AFTER_RTO,     /* slow start again after a timeout, until ssthresh */
    CC_PHASE_COUNT
};

/* Why cwnd or ssthresh changed (reported in EV_CWND). */
enum tcp_cc_cause {
    CC_CAUSE_INIT = 0,
    CC_CAUSE_ACK,             /* growth on new data acknowledged */
    CC_CAUSE_DUPACK_INFLATE,  /* +1 MSS per duplicate ACK in fast recovery */
    CC_CAUSE_FAST_RETRANSMIT, /* loss detected by duplicate ACKs or SACK */
    CC_CAUSE_PARTIAL_ACK,     /* NewReno partial ACK: deflate */
    CC_CAUSE_RECOVERY_END,    /* full ACK: cwnd = ssthresh */
    CC_CAUSE_RTO,             /* timeout: cwnd = 1 MSS */
    CC_CAUSE_IDLE,            /* RFC 5681 4.1 restart after idle */
    CC_CAUSE_COUNT
};

struct tcp_cc {
    uint32_t cwnd;
    uint32_t ssthresh;
    uint32_t mss;
    uint8_t phase;            /* enum tcp_cc_phase */
    tcp_seq recover;          /* RFC 6582: highest sequence sent when recovery began */
    uint32_t bytes_acked;     /* congestion-avoidance byte counting (RFC 5681 3.1, RFC 3465) */
    /* CUBIC (RFC 9438) state; unused by the others. */
    uint64_t epoch_start;     /* µs; 0 = no epoch */
    uint32_t w_max;           /* bytes */
    uint32_t w_est;           /* bytes, Reno-friendly estimate */
    uint64_t k_usec;          /* time to reach w_max */
};

/* What the engine tells the algorithm about an ACK of new data. */
struct tcp_cc_ack {
    uint32_t acked;           /* bytes newly acknowledged */
    uint32_t flight;          /* bytes in flight before this ACK */
    tcp_seq ack;              /* SEG.ACK */
    uint64_t now;             /* µs */
    uint64_t srtt;            /* µs, 0 if unknown */
};

enum tcp_cc_recovery_step {
    CC_RECOVERY_CONTINUE = 0, /* stay in fast recovery */
    CC_RECOVERY_RETRANSMIT,   /* partial ACK: retransmit the next hole, stay (NewReno) */
    CC_RECOVERY_EXIT,         /* recovery over */
};

struct tcp_cc_ops {
    const char *name;         /* "tahoe", "reno", "newreno", "cubic" */
    /* RFC 5681 3.1 / RFC 6928: IW segments, ssthresh0 bytes (0 = very high). */
    void (*init)(struct tcp_cc *cc, uint32_t mss, unsigned iw_segments, uint32_t ssthresh0);
    /* New data acknowledged outside fast recovery: slow start or
     * congestion avoidance. */
    void (*on_ack)(struct tcp_cc *cc, const struct tcp_cc_ack *a);
    /* The dupthresh-th duplicate ACK (or SACK loss detection): set
     * ssthresh and cwnd.  snd_max is the highest sequence sent.  Returns
     * true when the algorithm does fast recovery (Reno family), false
     * when it falls back to slow start (Tahoe). */
    bool (*on_loss_detected)(struct tcp_cc *cc, uint32_t flight, tcp_seq snd_max, uint64_t now);
    /* Another duplicate ACK during fast recovery (RFC 5681 3.2 step 4). */
    void (*on_dupack_in_recovery)(struct tcp_cc *cc);
    /* New data acknowledged during fast recovery (RFC 5681 3.2 step 6,
     * RFC 6582 3.2 step 3). */
    enum tcp_cc_recovery_step (*on_ack_in_recovery)(struct tcp_cc *cc, const struct tcp_cc_ack *a);
    /* The retransmission timer expired (RFC 5681 3.1 equation 4). */
    void (*on_rto)(struct tcp_cc *cc, uint32_t flight, uint64_t now);
};

/* The algorithms, one file each (cc_tahoe.c, cc_reno.c, ...). */
extern const struct tcp_cc_ops tcp_cc_tahoe_ops;
extern const struct tcp_cc_ops tcp_cc_reno_ops;
extern const struct tcp_cc_ops tcp_cc_newreno_ops;
extern const struct tcp_cc_ops tcp_cc_cubic_ops;

/* The ops of an algorithm; an out-of-range value gets NewReno. */
const struct tcp_cc_ops *tcp_cc_ops_for(enum tcp_cc_algo algo); /* never NULL */
const char *tcp_cc_algo_name(enum tcp_cc_algo algo);
int tcp_cc_algo_from_name(const char *name);                     /* -1 if unknown */
const char *tcp_cc_phase_name(enum tcp_cc_phase p);              /* "slow-start", ... */
const char *tcp_cc_cause_name(enum tcp_cc_cause c);              /* "ack", "rto", ... */

/* Shared pieces the algorithms are built from (cc_common.c). */
void cc_common_init(struct tcp_cc *cc, uint32_t mss, unsigned iw_segments, uint32_t ssthresh0);
/* RFC 5681 3.1: slow start below ssthresh, else congestion avoidance by
 * appropriate byte counting; updates phase. */
void cc_reno_grow(struct tcp_cc *cc, uint32_t acked);
/* RFC 5681 equation 4: max(FlightSize / 2, 2 * SMSS). */
uint32_t cc_half_flight(const struct tcp_cc *cc, uint32_t flight);

#endif
