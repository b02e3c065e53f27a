/* UTF-8 decoding, control characters and sanitising (see utf8.h). */
#include "util/utf8.h"

#include <string.h>

static bool is_continuation(unsigned char b)
{
    return (b & 0xC0) == 0x80;
}

size_t utf8_decode(const char *s, size_t len, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    *cp = UTF8_INVALID;
    if (len == 0)
        return 0;
    unsigned char b = u[0];
    size_t n;
    int32_t v, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        n = 2, v = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3, v = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4, v = b & 0x07, min = 0x10000;
    } else {
        return 1;
    }
    if (n > len)
        return 1;
    for (size_t i = 1; i < n; i++) {
        if (!is_continuation(u[i]))
            return 1;
        v = (v << 6) | (u[i] & 0x3F);
    }
    /* RFC 3629 3: overlong forms, surrogates and values past U+10FFFF are
     * not UTF-8. */
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 1;
    *cp = v;
    return n;
}

int32_t utf8_last(const char *s, size_t len)
{
    if (len == 0)
        return UTF8_INVALID;
    size_t start = len - 1;
    while (start > 0 && len - start < 4 && is_continuation((unsigned char)s[start]))
        start--;
    int32_t cp;
    size_t n = utf8_decode(s + start, len - start, &cp);
    return n == len - start ? cp : UTF8_INVALID;
}

bool utf8_is_control(int32_t cp)
{
    return (cp >= 0 && cp < 0x20) || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

bool utf8_is_cjk(int32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFFEF);
}

/* What one decoded character becomes in sanitised text (put, put_len). */
static void clean_char(const char *at, size_t n, int32_t cp, unsigned flags, const char **put,
                       size_t *put_len)
{
    *put = at;
    *put_len = n;
    if (cp == UTF8_INVALID) {
        *put = "?";
        *put_len = 1;
    } else if (cp == '\n' && (flags & UTF8_KEEP_NEWLINE)) {
        /* kept as it is */
    } else if (cp == '\t' && (flags & UTF8_TAB_TO_SPACE)) {
        *put = " ";
        *put_len = 1;
    } else if (utf8_is_control(cp)) {
        *put_len = 0;
    }
}

bool utf8_clean_append(char *dst, size_t cap, size_t *used, const char *src, size_t len,
                       unsigned flags)
{
    if (cap == 0)
        return len == 0;
    size_t out = *used < cap ? *used : cap - 1;
    bool all = true;
    for (size_t at = 0; at < len;) {
        int32_t cp;
        size_t n = utf8_decode(src + at, len - at, &cp);
        const char *put;
        size_t put_len;
        clean_char(src + at, n, cp, flags, &put, &put_len);
        if (out + put_len >= cap) {
            all = false;
            break;
        }
        memcpy(dst + out, put, put_len);
        out += put_len;
        at += n;
    }
    dst[out] = '\0';
    *used = out;
    return all;
}
