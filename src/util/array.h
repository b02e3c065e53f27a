/* Growing and copying dynamic arrays: the one place that doubles a
 * capacity, checks the size for overflow and calls realloc, for the many
 * arrays of the engine, the parsers and the course that grow one element
 * at a time, and the one copy the world's snapshots make of them. */
#ifndef TCPVIZ_UTIL_ARRAY_H
#define TCPVIZ_UTIL_ARRAY_H

#include <stddef.h>

/* items, an array of *cap elements of elem bytes (NULL when *cap is 0),
 * moved by realloc to twice the capacity, or to first when it had none;
 * *cap is updated.  NULL, with items and *cap untouched, when memory runs
 * out or the new size does not fit in a size_t.  The caller stores the
 * result in place of items:
 *
 *     if (n == cap) {
 *         struct thing *more = array_grow(things, &cap, sizeof *more, 16);
 *         if (!more)
 *             return false;
 *         things = more;
 *     }
 */
void *array_grow(void *items, size_t *cap, size_t elem, size_t first);

/* A fresh copy of n elements of elem bytes (src may be NULL when n is 0).
 * Room for at least one element is allocated, so NULL always means that
 * memory ran out or the size does not fit in a size_t; the caller frees. */
void *array_dup(const void *src, size_t n, size_t elem);

#endif
