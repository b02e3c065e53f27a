/* Growing a dynamic array (see array.h). */
#include "util/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *array_grow(void *items, size_t *cap, size_t elem, size_t first)
{
    size_t want = *cap ? *cap * 2 : first;
    /* Doubling past SIZE_MAX wraps to something smaller; a byte count past
     * it would wrap in the multiplication. */
    if (want <= *cap || elem == 0 || want > SIZE_MAX / elem)
        return NULL;
    void *grown = realloc(items, want * elem);
    if (!grown)
        return NULL;
    *cap = want;
    return grown;
}

void *array_dup(const void *src, size_t n, size_t elem)
{
    /* Refused here rather than left to calloc: AddressSanitizer stops the
     * program on a calloc whose size overflows instead of returning NULL. */
    if (elem == 0 || n > SIZE_MAX / elem)
        return NULL;
    /* The spare element of an empty copy reads as zeros. */
    void *copy = calloc(n ? n : 1, elem);
    if (copy && n)
        memcpy(copy, src, n * elem);
    return copy;
}
