/* The bytes of "HOST send N" without computing them one by one.
 *
 * A bulk sender offers up to a chunk to its send buffer every time an ACK
 * frees some room; building that chunk byte by byte cost more than all of
 * the TCP work in a 100 MB transfer (the buffer takes a few KB of each
 * 16 KB chunk).  world_pattern_byte(i, host) depends on i only through
 * i mod 256 (131 * 256 = 0 mod 256), so the stream from any offset is a
 * window into a table holding one period plus one chunk, built once per
 * host on first use. */
#include "sim/world_internal.h"

#include <stdlib.h>

#define PATTERN_PERIOD 256u

const uint8_t *world_pattern_span(struct world *w, int host, uint64_t offset, size_t len)
{
    if (host < 0 || host >= SCN_MAX_HOSTS || len > WORLD_PATTERN_SPAN)
        return NULL;
    uint8_t **table = &w->pattern[host];
    if (!*table) {
        *table = malloc(PATTERN_PERIOD + WORLD_PATTERN_SPAN);
        if (!*table)
            return NULL;
        for (size_t i = 0; i < PATTERN_PERIOD + WORLD_PATTERN_SPAN; i++)
            (*table)[i] = world_pattern_byte(i, host);
    }
    return *table + offset % PATTERN_PERIOD;
}

void world_pattern_free(struct world *w)
{
    for (int i = 0; i < SCN_MAX_HOSTS; i++) {
        free(w->pattern[i]);
        w->pattern[i] = NULL;
    }
}
