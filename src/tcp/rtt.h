/* The retransmission timer's estimator (RFC 6298). */
#ifndef TCPVIZ_TCP_RTT_H
#define TCPVIZ_TCP_RTT_H

#include <stdbool.h>
#include <stdint.h>

struct rtt_estimator {
    bool has_sample;
    uint64_t srtt;   /* µs */
    uint64_t rttvar; /* µs */
    uint64_t rto;    /* µs, before backoff */
};

/* RFC 6298 2.1: no sample yet, RTO = initial value. */
void rtt_init(struct rtt_estimator *e, uint64_t rto_initial);
/* RFC 6298 2.2 / 2.3: fold in a measurement, then clamp to [min, max]. */
void rtt_sample(struct rtt_estimator *e, uint64_t r, uint64_t rto_min, uint64_t rto_max);

#endif
