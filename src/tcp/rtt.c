#include "tcp/rtt.h"

/* RFC 6298 2.4: G, the clock granularity.  Our virtual clock ticks in µs,
 * so G is negligible; we still honour the max(G, K*RTTVAR) form with 1 ms,
 * a typical kernel tick, so RTTVAR = 0 never yields RTO = SRTT exactly. */
#define RTT_CLOCK_GRANULARITY 1000u
#define RTT_K 4u

void rtt_init(struct rtt_estimator *e, uint64_t rto_initial)
{
    e->has_sample = false;
    e->srtt = 0;
    e->rttvar = 0;
    e->rto = rto_initial;
}

void rtt_sample(struct rtt_estimator *e, uint64_t r, uint64_t rto_min, uint64_t rto_max)
{
    if (!e->has_sample) {
        /* RFC 6298 2.2: first measurement. */
        e->srtt = r;
        e->rttvar = r / 2;
        e->has_sample = true;
    } else {
        /* RFC 6298 2.3, alpha = 1/8, beta = 1/4; RTTVAR uses the old SRTT. */
        uint64_t delta = e->srtt > r ? e->srtt - r : r - e->srtt;
        e->rttvar = (3 * e->rttvar + delta) / 4;
        e->srtt = (7 * e->srtt + r) / 8;
    }
    uint64_t var = RTT_K * e->rttvar;
    e->rto = e->srtt + (var > RTT_CLOCK_GRANULARITY ? var : RTT_CLOCK_GRANULARITY);
    /* RFC 6298 2.4 and 2.5. */
    if (e->rto < rto_min)
        e->rto = rto_min;
    if (e->rto > rto_max)
        e->rto = rto_max;
}
