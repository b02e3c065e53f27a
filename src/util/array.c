/* Growing a dynamic array (see array.h). */
#include "util/array.h"

#include <stdint.h>
#include <stdlib.h>

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
