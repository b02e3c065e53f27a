/* Per-endpoint settings.  Every limit the engine applies lives here, so a
 * scenario can change any of them; tcp_config_defaults() documents where each
 * default comes from (see also docs/defaults.md). Times are in microseconds. */
#ifndef TCPVIZ_TCP_SETTINGS_H
#define TCPVIZ_TCP_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_USEC_PER_MS 1000ull
#define TCP_USEC_PER_SEC 1000000ull

struct tcp_config {
    /* Segment sizes and buffers. */
    uint16_t mss;            /* MSS we announce and the largest we send */
    uint32_t sndbuf;         /* send buffer, bytes */
    uint32_t rcvbuf;         /* receive buffer, bytes */

    /* Retransmission (RFC 6298). */
    uint64_t rto_initial;    /* before any RTT sample: 1 s (RFC 6298 2.1) */
    uint64_t rto_min;        /* lower clamp: 1 s in RFC 6298 2.4; Linux uses 200 ms */
    uint64_t rto_max;        /* upper clamp: at least 60 s (RFC 6298 2.5) */
    unsigned syn_retries;    /* SYN retransmissions before giving up (Linux 6) */
    unsigned synack_retries; /* SYN-ACK retransmissions (Linux 5) */
    unsigned retries;        /* data/FIN retransmissions (Linux tcp_retries2 15) */

    /* Closing. */
    uint64_t msl;            /* maximum segment lifetime; TIME_WAIT lasts 2*MSL */
    uint64_t fin_wait2_timeout; /* orphaned FIN_WAIT_2 lifetime (Linux 60 s); 0 = none */

    /* Keepalive (RFC 1122 4.2.3.6: off by default, idle >= 2 h). */
    bool keepalive;
    uint64_t keepalive_idle;
    uint64_t keepalive_interval;
    unsigned keepalive_probes;

    /* Delayed ACK (RFC 1122 4.2.3.2, RFC 9293 3.8.6.3). 0 turns it off. */
    uint64_t delack_timeout;

    /* Listener. */
    unsigned syn_backlog;    /* SYN (half-open) queue bound */
    bool syncookies;         /* answer SYNs with cookies when the SYN queue is full */

    /* Socket options. */
    bool reuseaddr;          /* SO_REUSEADDR: bind despite TIME_WAIT connections */
    bool nagle;              /* issue 3: Nagle's algorithm (off = TCP_NODELAY) */
    bool sack;               /* offer SACK-permitted (RFC 2018) */
    bool timestamps;         /* offer timestamps (RFC 7323) */
    int wscale;              /* window scale to offer, -1 = do not offer */

    /* Congestion control (RFC 5681, RFC 6582; see src/tcp/cc.h). */
    int cc;                  /* enum tcp_cc_algo */
    unsigned initial_window; /* IW in segments: 1, 2, 4 or 10 (RFC 3390, RFC 6928) */
    uint32_t ssthresh_initial; /* bytes; 0 = "arbitrarily high" (RFC 5681 3.1) */
    unsigned dupthresh;      /* duplicate ACKs that start fast retransmit (3) */
    bool sack_recovery;      /* with SACK negotiated, recover per RFC 6675 */
    bool dsack;              /* report duplicates with D-SACK (RFC 2883) */

    /* Flow control. */
    uint64_t persist_min;    /* first zero-window probe interval (RFC 9293 3.8.6.1) */
    uint64_t persist_max;    /* backoff cap for probes */
    uint64_t sws_override;   /* sender SWS override timeout (RFC 1122 4.2.3.4), 0 = off */

    /* Initial sequence number: use `isn` when isn_fixed, else the stack's
     * random source. */
    bool isn_fixed;
    uint32_t isn;

    /* The app reads received data as soon as it arrives (a scenario can
     * turn this off to model an app that stops reading). */
    bool autoread;
    /* The app accepts connections as soon as they are ready. */
    bool autoaccept;
};

void tcp_config_defaults(struct tcp_config *cfg);

#endif
