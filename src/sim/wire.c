/* One direction of the virtual wire.
 *
 * Determinism contract (why the dice are rolled the way they are):
 *   Every call to wire_offer rolls the same dice, in the same order, whatever
 *   the packet's fate turns out to be - also when the packet is dropped by
 *   the full queue, lost on the line, or has a length of zero.  Which dice are
 *   rolled depends only on the parameters:
 *       1. loss            if loss_ppm    != 0
 *       2. GE step, GE loss if gilbert
 *       3. duplicate       if dup_ppm     != 0
 *       4. reorder         if reorder_ppm != 0
 *       5. corrupt, bit    if corrupt_ppm != 0
 *   So the k-th packet offered under given parameters always sees the same
 *   random numbers, and one packet's fate never shifts the dice of the next.
 *   The fate is then computed from the dice and the wire's own state.
 */
#include "sim/wire.h"

#include <stdlib.h>
#include <string.h>

#define MICROS_PER_SECOND 1000000u
#define DEFAULT_DELAY_US 10000u /* 10 ms */

void wire_params_defaults(struct wire_params *p)
{
    memset(p, 0, sizeof *p);
    p->delay = DEFAULT_DELAY_US;
}

void wire_init(struct wire *w, const struct wire_params *p)
{
    memset(w, 0, sizeof *w);
    if (p)
        w->p = *p;
    else
        wire_params_defaults(&w->p);
}

void wire_free(struct wire *w)
{
    free(w->departures);
    w->departures = NULL;
    w->dep_cap = w->dep_head = w->dep_len = 0;
}

void wire_set_params(struct wire *w, const struct wire_params *p)
{
    w->p = *p;
    /* A chain that is switched off forgets its state, so switching it back on
     * always starts in the good state. */
    if (!w->p.gilbert)
        w->ge_bad = false;
}

bool wire_clone(struct wire *dst, const struct wire *src)
{
    *dst = *src;
    dst->departures = NULL;
    dst->dep_cap = dst->dep_head = dst->dep_len = 0;
    if (src->dep_len == 0)
        return true;
    dst->departures = malloc(src->dep_len * sizeof *dst->departures);
    if (!dst->departures)
        return false;
    /* Unroll the ring so the copy starts at index 0. */
    for (size_t i = 0; i < src->dep_len; i++)
        dst->departures[i] = src->departures[(src->dep_head + i) % src->dep_cap];
    dst->dep_cap = dst->dep_len = src->dep_len;
    return true;
}

/* ---- time arithmetic: saturate instead of wrapping, so a silly parameter
 * (a delay of years) makes a packet arrive "never" rather than in the past. */

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t mul_saturating(uint64_t a, uint64_t b)
{
    if (a != 0 && b > UINT64_MAX / a)
        return UINT64_MAX;
    return a * b;
}

/* Time the transmitter needs to clock len bytes onto the line, rounded up to
 * whole µs: ceil(len * 8 * 1e6 / rate_bps), in integers only.  The bits are
 * split into whole seconds (q) and a remainder (r < rate) so that nothing
 * overflows for any realistic length; above 18 Tbit/s the remainder's scale
 * is approximated, still rounding up. */
static uint64_t serialisation_us(uint64_t rate_bps, size_t len)
{
    if (rate_bps == 0)
        return 0;
    uint64_t bits = mul_saturating((uint64_t)len, 8);
    uint64_t q = bits / rate_bps;
    uint64_t r = bits % rate_bps;
    uint64_t frac;
    if (rate_bps <= UINT64_MAX / MICROS_PER_SECOND) {
        uint64_t scaled = r * MICROS_PER_SECOND;
        frac = scaled / rate_bps + (scaled % rate_bps != 0);
    } else {
        uint64_t bits_per_us = rate_bps / MICROS_PER_SECOND;
        frac = r / bits_per_us + (r % bits_per_us != 0);
    }
    return add_saturating(mul_saturating(q, MICROS_PER_SECOND), frac);
}

/* ---- the departures ring ---- */

static void forget_departed(struct wire *w, uint64_t now)
{
    while (w->dep_len > 0 && w->departures[w->dep_head] <= now) {
        w->dep_head = (w->dep_head + 1) % w->dep_cap;
        w->dep_len--;
    }
}

size_t wire_queue_len(struct wire *w, uint64_t now)
{
    forget_departed(w, now);
    return w->dep_len;
}

static bool grow_ring(struct wire *w)
{
    size_t new_cap = w->dep_cap ? w->dep_cap * 2 : 16;
    if (new_cap < w->dep_cap || new_cap > SIZE_MAX / sizeof *w->departures)
        return false;
    uint64_t *ring = malloc(new_cap * sizeof *ring);
    if (!ring)
        return false;
    for (size_t i = 0; i < w->dep_len; i++)
        ring[i] = w->departures[(w->dep_head + i) % w->dep_cap];
    free(w->departures);
    w->departures = ring;
    w->dep_cap = new_cap;
    w->dep_head = 0;
    return true;
}

static bool remember_departure(struct wire *w, uint64_t departure)
{
    if (w->dep_len == w->dep_cap && !grow_ring(w))
        return false;
    w->departures[(w->dep_head + w->dep_len) % w->dep_cap] = departure;
    w->dep_len++;
    return true;
}

/* ---- the dice ---- */

/* Raw rolls, each uniform in [0, WIRE_PPM); "happens" means roll < ppm.
 * Rolls for disabled impairments stay at WIRE_PPM, which never happens. */
struct wire_dice {
    uint32_t loss;
    uint32_t ge_step;
    uint32_t ge_loss;
    uint32_t dup;
    uint32_t reorder;
    uint32_t corrupt;
    uint32_t corrupt_bit;
};

static uint32_t roll_ppm(struct prng *rng)
{
    return (uint32_t)prng_below(rng, WIRE_PPM);
}

static uint32_t bit_count(size_t len)
{
    uint64_t bits = mul_saturating((uint64_t)len, 8);
    return bits > UINT32_MAX ? UINT32_MAX : (uint32_t)bits;
}

static struct wire_dice roll_dice(const struct wire_params *p, struct prng *rng, size_t len)
{
    struct wire_dice d = { WIRE_PPM, WIRE_PPM, WIRE_PPM, WIRE_PPM, WIRE_PPM, WIRE_PPM, 0 };
    if (p->loss_ppm != 0)
        d.loss = roll_ppm(rng);
    if (p->gilbert) {
        d.ge_step = roll_ppm(rng);
        d.ge_loss = roll_ppm(rng);
    }
    if (p->dup_ppm != 0)
        d.dup = roll_ppm(rng);
    if (p->reorder_ppm != 0)
        d.reorder = roll_ppm(rng);
    if (p->corrupt_ppm != 0) {
        d.corrupt = roll_ppm(rng);
        /* A zero-length packet has no bit to flip; still roll (bound 1) so
         * the number of draws does not depend on the length. */
        uint32_t bits = bit_count(len);
        d.corrupt_bit = (uint32_t)prng_below(rng, bits ? bits : 1);
    }
    return d;
}

/* ---- the fate ---- */

/* Step the Gilbert-Elliott chain once, then decide loss in the new state. */
static enum wire_fate gilbert_elliott_fate(struct wire *w, const struct wire_dice *d)
{
    const struct wire_params *p = &w->p;
    uint32_t leave_ppm = w->ge_bad ? p->ge_p_bad_to_good_ppm : p->ge_p_good_to_bad_ppm;
    if (d->ge_step < leave_ppm)
        w->ge_bad = !w->ge_bad;
    if (w->ge_bad)
        return d->ge_loss < p->ge_loss_bad_ppm ? WIRE_DROP_BURST : WIRE_DELIVER;
    return d->ge_loss < p->ge_loss_good_ppm ? WIRE_DROP_LOSS : WIRE_DELIVER;
}

static enum wire_fate line_fate(struct wire *w, const struct wire_dice *d)
{
    enum wire_fate fate = WIRE_DELIVER;
    if (d->loss < w->p.loss_ppm)
        fate = WIRE_DROP_LOSS;
    /* The chain steps for every packet on the line, even one already lost
     * independently, so its state does not depend on the other impairment. */
    if (w->p.gilbert) {
        enum wire_fate ge = gilbert_elliott_fate(w, d);
        if (fate == WIRE_DELIVER)
            fate = ge;
    }
    return fate;
}

static void apply_delivery_impairments(struct wire *w, const struct wire_dice *d,
                                       uint64_t tx_us, size_t len, struct wire_verdict *v)
{
    const struct wire_params *p = &w->p;
    if (d->reorder < p->reorder_ppm) {
        v->reordered = true;
        v->arrival = add_saturating(v->arrival, p->reorder_delay);
        w->reordered++;
    }
    if (d->dup < p->dup_ppm) {
        /* The copy trails the original by one serialisation time (at least
         * 1 µs so the two never arrive in the same instant). */
        v->duplicate = true;
        v->dup_arrival = add_saturating(v->arrival, tx_us ? tx_us : 1);
        w->duplicated++;
    }
    if (d->corrupt < p->corrupt_ppm && len > 0) {
        v->corrupt = true;
        v->corrupt_bit = d->corrupt_bit;
        w->corrupted++;
    }
}

static void count_drop(struct wire *w, enum wire_fate fate)
{
    switch (fate) {
    case WIRE_DROP_LOSS:  w->dropped_loss++;  break;
    case WIRE_DROP_BURST: w->dropped_burst++; break;
    case WIRE_DROP_QUEUE: w->dropped_queue++; break;
    case WIRE_DELIVER:    w->delivered++;     break;
    }
}

struct wire_verdict wire_offer(struct wire *w, struct prng *rng, uint64_t now, size_t len)
{
    struct wire_verdict v;
    wire_offer_into(w, rng, now, len, &v);
    return v;
}

void wire_offer_into(struct wire *w, struct prng *rng, uint64_t now, size_t len,
                     struct wire_verdict *v)
{
    memset(v, 0, sizeof *v);
    w->offered++;

    struct wire_dice dice = roll_dice(&w->p, rng, len);

    /* Drop-tail: the queue counts the packet on the transmitter too.  Running
     * out of memory for the ring is treated as a full queue. */
    size_t queued = wire_queue_len(w, now);
    bool full = w->p.queue_limit > 0 && queued >= w->p.queue_limit;
    uint64_t tx_us = serialisation_us(w->p.rate_bps, len);
    uint64_t start = now > w->link_free_at ? now : w->link_free_at;
    uint64_t departure = add_saturating(start, tx_us);
    if (full || (departure > now && !remember_departure(w, departure))) {
        v->fate = WIRE_DROP_QUEUE;
        count_drop(w, v->fate);
        return;
    }
    /* Packets that leave at once (infinite rate) never wait, so they need no
     * entry in the ring. */
    w->link_free_at = departure;

    /* Past the queue the packet occupies the link even if the line loses it. */
    v->fate = line_fate(w, &dice);
    count_drop(w, v->fate);
    if (v->fate != WIRE_DELIVER)
        return;
    v->arrival = add_saturating(departure, w->p.delay);
    apply_delivery_impairments(w, &dice, tx_us, len, v);
}
