/* The world's random numbers: a small generator of our own (SplitMix64 to
 * seed, xoshiro256** to draw) so the same seed gives the same run on every
 * platform and C library. */
#ifndef TCPVIZ_SIM_PRNG_H
#define TCPVIZ_SIM_PRNG_H

#include <stdbool.h>
#include <stdint.h>

struct prng {
    uint64_t s[4];
};

void prng_seed(struct prng *r, uint64_t seed);
uint64_t prng_next(struct prng *r);
uint32_t prng_u32(struct prng *r);
/* Uniform in [0, bound), without modulo bias; bound > 0. */
uint64_t prng_below(struct prng *r, uint64_t bound);
/* True with probability ppm / 1,000,000. */
bool prng_chance_ppm(struct prng *r, uint32_t ppm);

#endif
