/* SplitMix64 expands the 64-bit seed into xoshiro256**'s 256-bit state;
 * xoshiro256** then produces the stream.  Both are public-domain designs by
 * Vigna and Blackman, chosen because they are tiny, fast and fully specified,
 * so a seed means the same run everywhere (unlike rand()). */
#include "sim/prng.h"

#define PPM_SCALE 1000000u

static uint64_t rotate_left(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* One SplitMix64 step: advances *state and returns a well-mixed word. */
static uint64_t splitmix64_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void prng_seed(struct prng *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64_next(&sm);
    /* xoshiro's only forbidden state is all zeros; SplitMix64 cannot produce
     * four zero words in a row, but make the guarantee explicit. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

uint64_t prng_next(struct prng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate_left(s[3], 45);
    return result;
}

uint32_t prng_u32(struct prng *r)
{
    /* The high bits of xoshiro256** are its best ones. */
    return (uint32_t)(prng_next(r) >> 32);
}

uint64_t prng_below(struct prng *r, uint64_t bound)
{
    /* bound 0 is a caller bug; answer 0 (and draw nothing) rather than
     * divide by zero. */
    if (bound == 0)
        return 0;
    /* Reject the lowest (2^64 mod bound) values: what remains is a whole
     * number of copies of [0, bound), so x % bound is exactly uniform.
     * (-bound) % bound computes 2^64 mod bound in 64-bit arithmetic. */
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t x = prng_next(r);
        if (x >= threshold)
            return x % bound;
    }
}

bool prng_chance_ppm(struct prng *r, uint32_t ppm)
{
    /* Always one prng_below draw, even for 0 or 1,000,000, so the number of
     * draws never depends on the probability's value. */
    return prng_below(r, PPM_SCALE) < ppm;
}
