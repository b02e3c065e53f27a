/* SYN cookies (RFC 4987 3.6): the listener answers a SYN with a SYN-ACK
 * whose ISN encodes the connection, so it keeps no state until the final
 * ACK comes back carrying ISN + 1.
 *
 * Layout of the 32-bit cookie, as in the classic design:
 *   bits 31..27  t mod 32, where t counts 64-second periods
 *   bits 26..3   24 bits of a keyed hash of (4-tuple, peer ISN, t)
 *   bits  2..0   index of the MSS in a small table
 * The hash is a teaching stand-in for the keyed cryptographic hash a real
 * stack uses (Linux: SipHash); it is not meant to resist an attacker. */
#include "tcp/tcb.h"

#define COOKIE_PERIOD_SHIFT 26 /* 2^26 µs = 67 s, about Linux's 64 s */

static const uint16_t cookie_mss_table[8] = { 216, 536, 1024, 1220, 1360, 1440, 1460, 8960 };

static uint32_t mix32(uint64_t x)
{
    /* A SplitMix64-style finaliser: spreads every input bit. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (uint32_t)x;
}

static uint32_t cookie_hash(uint32_t secret, const struct tcp_segment *s, uint32_t peer_isn,
                            uint32_t t)
{
    uint64_t h = ((uint64_t)secret << 32) | s->src_addr;
    h = mix32(h) ^ ((uint64_t)s->dst_addr << 32);
    h = mix32(h ^ ((uint64_t)s->src_port << 48) ^ ((uint64_t)s->dst_port << 32) ^ peer_isn);
    return mix32(h ^ ((uint64_t)t << 40)) & 0xffffffu;
}

uint32_t syncookie_make(uint32_t secret, const struct tcp_segment *syn, uint64_t now, uint16_t *mss)
{
    uint32_t t = (uint32_t)(now >> COOKIE_PERIOD_SHIFT);
    uint16_t want = syn->opt.has_mss ? syn->opt.mss : TCP_DEFAULT_PEER_MSS;
    unsigned idx = 0;
    for (unsigned i = 0; i < 8; i++)
        if (cookie_mss_table[i] <= want)
            idx = i; /* the largest table entry not above the peer's MSS */
    *mss = cookie_mss_table[idx];
    return ((t & 31u) << 27) | (cookie_hash(secret, syn, syn->seq, t) << 3) | idx;
}

bool syncookie_check(uint32_t secret, const struct tcp_segment *ack, uint64_t now, uint16_t *mss)
{
    uint32_t cookie = ack->ack - 1;
    uint32_t peer_isn = ack->seq - 1;
    uint32_t t_now = (uint32_t)(now >> COOKIE_PERIOD_SHIFT);
    /* Accept a cookie from this period or the previous one. */
    for (uint32_t age = 0; age < 2 && age <= t_now; age++) {
        uint32_t t = t_now - age;
        if ((cookie >> 27) != (t & 31u))
            continue;
        if (((cookie >> 3) & 0xffffffu) != cookie_hash(secret, ack, peer_isn, t))
            continue;
        *mss = cookie_mss_table[cookie & 7u];
        return true;
    }
    return false;
}
