#include "sim/stream_digest.h"

#define DIGEST_BASIS 0xcbf29ce484222325ull
#define DIGEST_PRIME 0x100000001b3ull

static uint64_t mix(uint64_t h, uint64_t word)
{
    h ^= word;
    h = (h << 31) | (h >> 33); /* the rotation moves high bits down again */
    return h * DIGEST_PRIME;
}

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t w = 0;
    for (int i = 7; i >= 0; i--)
        w = (w << 8) | p[i];
    return w;
}

void stream_digest_init(struct stream_digest *d)
{
    d->h = DIGEST_BASIS;
    d->tail = 0;
    d->length = 0;
    d->tail_len = 0;
}

void stream_digest_update(struct stream_digest *d, const uint8_t *p, size_t n)
{
    d->length += n;
    /* First complete a word begun by an earlier update. */
    while (n && d->tail_len) {
        d->tail |= (uint64_t)*p++ << (8 * d->tail_len);
        n--;
        if (++d->tail_len == 8) {
            d->h = mix(d->h, d->tail);
            d->tail = 0;
            d->tail_len = 0;
        }
    }
    if (d->tail_len)
        return; /* all of p went into the unfinished word */
    for (; n >= 8; p += 8, n -= 8)
        d->h = mix(d->h, load_le64(p));
    for (unsigned i = 0; i < n; i++)
        d->tail |= (uint64_t)p[i] << (8 * i);
    d->tail_len = (unsigned)n;
}

uint64_t stream_digest_value(const struct stream_digest *d)
{
    uint64_t h = d->h;
    if (d->tail_len)
        h = mix(h, d->tail);
    return mix(h, d->length);
}

uint64_t stream_digest_of(const uint8_t *p, size_t n)
{
    struct stream_digest d;
    stream_digest_init(&d);
    stream_digest_update(&d, p, n);
    return stream_digest_value(&d);
}
