/* What the world's `send` pattern should add up to, for the suites that
 * check a transfer end to end (check_world, check_integrity). */
#ifndef TCPVIZ_TESTS_PATTERN_DIGEST_H
#define TCPVIZ_TESTS_PATTERN_DIGEST_H

#include <stdint.h>

#include "sim/stream_digest.h"
#include "sim/world.h"

/* The stream digest of the first n bytes the host's pattern sends write,
 * fed a byte at a time so that it does not share the world's chunking. */
static inline uint64_t pattern_digest(int host, uint64_t n)
{
    struct stream_digest d;
    stream_digest_init(&d);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t b = world_pattern_byte(i, host);
        stream_digest_update(&d, &b, 1);
    }
    return stream_digest_value(&d);
}

#endif
