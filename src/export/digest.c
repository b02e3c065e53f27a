/* FNV-1a 64 (Fowler/Noll/Vo, draft-eastlake-fnv): xor the byte in, then
 * multiply by the FNV prime.  Unsigned 64-bit arithmetic wraps by the C
 * standard, so no masking is needed. */
#include "export/digest.h"

#define FNV1A64_PRIME 1099511628211ull

uint64_t fnv1a64_update(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV1A64_PRIME;
    }
    return h;
}

void digest_hex(uint64_t h, char out[DIGEST_HEX_LEN])
{
    static const char hex[] = "0123456789abcdef";
    /* Written by hand rather than with "%016" PRIx64 so the helper needs no
     * stdio and cannot be affected by the locale. */
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[h & 0xf];
        h >>= 4;
    }
    out[16] = '\0';
}
