/* UTF-8 as tcpviz reads it: one decoder, one idea of a control character,
 * one sanitiser, shared by the lesson parser, the lesson runner and the
 * curses drawing code (no curses here).
 *
 * Decoding is done by hand rather than with mbrtowc so that a file's bytes
 * are judged the same way whatever the locale (RFC 3629: shortest form
 * only, no surrogates, nothing above U+10FFFF). */
#ifndef TCPVIZ_UTIL_UTF8_H
#define TCPVIZ_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What *cp holds for a byte that does not start a valid sequence. */
#define UTF8_INVALID (-1)

/* U+00A0 NO-BREAK SPACE: laid out as a space, never a line break. */
#define UTF8_NBSP 0xA0

/* Decode the character at s[0..len).  Returns the bytes it takes (1 for
 * an invalid byte, which *cp reports as UTF8_INVALID; 0 only when len is
 * 0).  Never reads s[len] or beyond. */
size_t utf8_decode(const char *s, size_t len, int32_t *cp);

/* The last character of s[0..len); UTF8_INVALID when len is 0 or the
 * bytes at the end are not one valid sequence. */
int32_t utf8_last(const char *s, size_t len);

/* C0, DEL and C1 (U+0080..U+009F): characters that move the cursor or
 * start escape sequences, which text from a file must never do. */
bool utf8_is_control(int32_t cp);

/* Chinese and Japanese: CJK ideographs, kana, CJK and full-width
 * punctuation.  Such text has no spaces between words, so it joins
 * without one and may break between any two characters. */
bool utf8_is_cjk(int32_t cp);

/* What utf8_clean_append keeps of the control characters (by default it
 * drops them all). */
enum utf8_clean_flags {
    UTF8_KEEP_NEWLINE = 1 << 0,  /* '\n' stays: a paragraph break */
    UTF8_TAB_TO_SPACE = 1 << 1,  /* a tab becomes one space */
};

/* Append src[0..len) to dst at *used (dst holds cap bytes), sanitised:
 * control characters dropped (but see flags), each invalid byte written as
 * '?'.  A character is never split: the copy stops before the first one
 * that does not fit with its terminator.  dst is always terminated (when
 * cap > 0) and *used advanced.  False when something did not fit. */
bool utf8_clean_append(char *dst, size_t cap, size_t *used, const char *src, size_t len,
                       unsigned flags);

#endif
