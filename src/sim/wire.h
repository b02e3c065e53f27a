/* One direction of the virtual wire: a drop-tail queue in front of a link
 * with a bandwidth (serialisation time) and a propagation delay, plus random
 * impairments.  The wire decides each packet's fate when it is offered and
 * tells the world when (if ever) it arrives; the world owns the clock. */
#ifndef TCPVIZ_SIM_WIRE_H
#define TCPVIZ_SIM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/prng.h"

/* Probabilities are in parts per million so that scenarios are exact and
 * platform independent (no floating point in the fate of a packet). */
#define WIRE_PPM 1000000u

struct wire_params {
    uint64_t delay;         /* one-way propagation, µs */
    uint64_t rate_bps;      /* bits per second; 0 = infinitely fast */
    uint32_t queue_limit;   /* packets waiting for the link, 0 = unbounded */
    uint32_t loss_ppm;      /* independent loss */
    /* Gilbert-Elliott bursty loss: a two-state chain stepped once per packet. */
    bool gilbert;
    uint32_t ge_p_good_to_bad_ppm;
    uint32_t ge_p_bad_to_good_ppm;
    uint32_t ge_loss_good_ppm;
    uint32_t ge_loss_bad_ppm;
    uint32_t dup_ppm;       /* deliver a second copy */
    uint32_t reorder_ppm;   /* hold a packet back by reorder_delay */
    uint64_t reorder_delay; /* µs */
    uint32_t corrupt_ppm;   /* flip one bit (the receiver's checksum catches it) */
};

void wire_params_defaults(struct wire_params *p); /* 10 ms, unlimited rate, no loss */

enum wire_fate {
    WIRE_DELIVER = 0,
    WIRE_DROP_LOSS,        /* independent random loss */
    WIRE_DROP_BURST,       /* Gilbert-Elliott bad-state loss */
    WIRE_DROP_QUEUE,       /* drop-tail overflow */
};

struct wire_verdict {
    enum wire_fate fate;
    uint64_t arrival;         /* absolute µs when the (first) copy arrives */
    bool duplicate;           /* a second copy arrives at dup_arrival */
    uint64_t dup_arrival;
    bool corrupt;             /* the world flips bit corrupt_bit of the packet */
    uint32_t corrupt_bit;
    bool reordered;           /* arrival includes reorder_delay */
};

struct wire {
    struct wire_params p;
    bool ge_bad;              /* Gilbert-Elliott state */
    uint64_t link_free_at;    /* when the transmitter finishes its current packet */
    /* Departure times of packets still queued or on the transmitter, as a
     * ring, to know the queue length at any instant. */
    uint64_t *departures;
    size_t dep_cap, dep_head, dep_len;
    /* Counters. */
    uint64_t offered, delivered, dropped_loss, dropped_burst, dropped_queue,
             duplicated, reordered, corrupted;
};

void wire_init(struct wire *w, const struct wire_params *p);
void wire_free(struct wire *w);
void wire_set_params(struct wire *w, const struct wire_params *p);
/* A packet of len bytes is offered to the wire at time now: decide its fate.
 * Draws from rng in a fixed order so runs are reproducible. */
struct wire_verdict wire_offer(struct wire *w, struct prng *rng, uint64_t now, size_t len);
/* The same, the verdict written to *out.  For the world, once per packet:
 * a verdict returned by value is built field by field and then copied in
 * wide loads, which wait for those small stores to reach the cache. */
void wire_offer_into(struct wire *w, struct prng *rng, uint64_t now, size_t len,
                     struct wire_verdict *out);
/* Packets in the queue (including the one being transmitted) at time now. */
size_t wire_queue_len(struct wire *w, uint64_t now);
/* Deep copy for world snapshots (seek, fork).  dst must not own memory
 * (fresh, or after wire_free).  Returns false when out of memory; dst is
 * then an empty wire that is still safe to wire_free. */
bool wire_clone(struct wire *dst, const struct wire *src);

#endif
