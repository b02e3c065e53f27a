/* src/util/utf8.c: decoding, control characters, CJK, the sanitiser;
 * src/util/array.c: growing an array. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "util/array.h"
#include "util/utf8.h"

/* ============================================================ decode == */

START_TEST(decode_reads_one_to_four_bytes)
{
    int32_t cp;
    ck_assert_uint_eq(utf8_decode("A", 1, &cp), 1);
    ck_assert_int_eq(cp, 'A');
    ck_assert_uint_eq(utf8_decode("\xC3\xA9x", 3, &cp), 2); /* é */
    ck_assert_int_eq(cp, 0xE9);
    ck_assert_uint_eq(utf8_decode("\xE4\xB8\xAD", 3, &cp), 3); /* 中 */
    ck_assert_int_eq(cp, 0x4E2D);
    ck_assert_uint_eq(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4); /* U+1F600 */
    ck_assert_int_eq(cp, 0x1F600);
}
END_TEST

START_TEST(decode_refuses_what_is_not_utf8)
{
    int32_t cp;
    /* A stray continuation byte, overlong forms, a surrogate, past
     * U+10FFFF, a lead byte without its continuation: one byte, invalid. */
    static const char *const bad[] = {
        "\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE4\xB8" "A",
        "\xFF",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_uint_eq(utf8_decode(bad[i], strlen(bad[i]), &cp), 1);
        ck_assert_int_eq(cp, UTF8_INVALID);
    }
}
END_TEST

START_TEST(decode_never_reads_past_len)
{
    int32_t cp;
    /* 中 cut short by len: the bytes after it are not looked at. */
    ck_assert_uint_eq(utf8_decode("\xE4\xB8\xAD", 2, &cp), 1);
    ck_assert_int_eq(cp, UTF8_INVALID);
    ck_assert_uint_eq(utf8_decode("x", 0, &cp), 0);
    ck_assert_int_eq(cp, UTF8_INVALID);
}
END_TEST

START_TEST(last_finds_the_final_character)
{
    ck_assert_int_eq(utf8_last("ab", 2), 'b');
    ck_assert_int_eq(utf8_last("a\xE4\xB8\xAD", 4), 0x4E2D);
    ck_assert_int_eq(utf8_last("\xE4\xB8\xAD" "a", 3), 0x4E2D); /* len stops before 'a' */
    ck_assert_int_eq(utf8_last("", 0), UTF8_INVALID);
    ck_assert_int_eq(utf8_last("a\xB8\xAD", 3), UTF8_INVALID); /* no lead byte */
    ck_assert_int_eq(utf8_last("a\xE4\xB8", 3), UTF8_INVALID); /* cut short */
}
END_TEST

/* ====================================================== classifying == */

START_TEST(control_is_c0_del_and_c1)
{
    ck_assert(utf8_is_control(0));
    ck_assert(utf8_is_control('\n'));
    ck_assert(utf8_is_control(0x1B));
    ck_assert(utf8_is_control(0x7F));
    ck_assert(utf8_is_control(0x80));
    ck_assert(utf8_is_control(0x9B)); /* CSI */
    ck_assert(!utf8_is_control(' '));
    ck_assert(!utf8_is_control('~'));
    ck_assert(!utf8_is_control(0xA0));
    ck_assert(!utf8_is_control(0x4E2D));
    ck_assert(!utf8_is_control(UTF8_INVALID));
}
END_TEST

START_TEST(cjk_covers_ideographs_and_their_punctuation)
{
    ck_assert(utf8_is_cjk(0x4E2D));   /* 中 */
    ck_assert(utf8_is_cjk(0x3002));   /* 。 */
    ck_assert(utf8_is_cjk(0xFF0C));   /* ， */
    ck_assert(utf8_is_cjk(0x30AB));   /* カ */
    ck_assert(!utf8_is_cjk('a'));
    ck_assert(!utf8_is_cjk(0x201C));  /* “ is shared with Latin text */
    ck_assert(!utf8_is_cjk(UTF8_INVALID));
}
END_TEST

/* ======================================================== sanitiser == */

static const char *clean(const char *src, unsigned flags, char *out, size_t n)
{
    size_t used = 0;
    utf8_clean_append(out, n, &used, src, strlen(src), flags);
    ck_assert_uint_eq(used, strlen(out));
    return out;
}

START_TEST(clean_drops_controls_and_marks_bad_bytes)
{
    char out[64];
    ck_assert_str_eq(clean("a\x1b[2Jb\x7f" "c\xC2\x9B" "d", 0, out, sizeof out), "a[2Jbcd");
    ck_assert_str_eq(clean("x\xFFy\xC0\xAFz", 0, out, sizeof out), "x?y??z");
    ck_assert_str_eq(clean("a\nb\tc", 0, out, sizeof out), "abc");
    ck_assert_str_eq(clean("\xE4\xB8\xAD\xC3\xA9", 0, out, sizeof out), "\xE4\xB8\xAD\xC3\xA9");
}
END_TEST

START_TEST(clean_flags_keep_newlines_and_turn_tabs_to_spaces)
{
    char out[64];
    ck_assert_str_eq(clean("a\nb\tc\r", UTF8_KEEP_NEWLINE, out, sizeof out), "a\nbc");
    ck_assert_str_eq(clean("a\nb\tc", UTF8_TAB_TO_SPACE, out, sizeof out), "ab c");
    ck_assert_str_eq(clean("a\nb\tc", UTF8_KEEP_NEWLINE | UTF8_TAB_TO_SPACE, out, sizeof out),
                     "a\nb c");
}
END_TEST

START_TEST(clean_never_splits_a_character_and_appends)
{
    char out[6];
    size_t used = 0;
    /* "ab" then 中 (3 bytes) fits with the terminator; the next does not. */
    ck_assert(utf8_clean_append(out, sizeof out, &used, "ab", 2, 0));
    ck_assert(!utf8_clean_append(out, sizeof out, &used, "\xE4\xB8\xAD\xE6\x96\x87", 6, 0));
    ck_assert_uint_eq(used, 5);
    ck_assert_str_eq(out, "ab\xE4\xB8\xAD");
    /* Full: nothing more goes in, and the text stays terminated. */
    ck_assert(!utf8_clean_append(out, sizeof out, &used, "z", 1, 0));
    ck_assert_str_eq(out, "ab\xE4\xB8\xAD");
    /* A zero-sized buffer is never written. */
    used = 0;
    ck_assert(!utf8_clean_append(NULL, 0, &used, "z", 1, 0));
    ck_assert(utf8_clean_append(NULL, 0, &used, "", 0, 0));
}
END_TEST

/* ============================================================= array == */

START_TEST(array_grow_starts_at_first_then_doubles_keeping_the_items)
{
    size_t cap = 0;
    int *items = array_grow(NULL, &cap, sizeof *items, 3);
    ck_assert_ptr_nonnull(items);
    ck_assert_uint_eq(cap, 3);
    for (int i = 0; i < 3; i++)
        items[i] = 10 + i;
    int *more = array_grow(items, &cap, sizeof *more, 3);
    ck_assert_ptr_nonnull(more);
    ck_assert_uint_eq(cap, 6);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(more[i], 10 + i);
    more[5] = 15; /* the new room is there to write */
    free(more);
}
END_TEST

/* A copy is its own memory with the same elements; an empty one still
 * owns one zeroed element, so NULL can only mean failure. */
START_TEST(array_dup_copies_and_never_returns_null_for_empty)
{
    const int items[] = { 7, -1, 42 };
    int *copy = array_dup(items, 3, sizeof *items);
    ck_assert_ptr_nonnull(copy);
    ck_assert_ptr_ne(copy, items);
    ck_assert_int_eq(copy[0], 7);
    ck_assert_int_eq(copy[1], -1);
    ck_assert_int_eq(copy[2], 42);
    free(copy);
    int *empty = array_dup(NULL, 0, sizeof *empty);
    ck_assert_ptr_nonnull(empty);
    ck_assert_int_eq(empty[0], 0);
    free(empty);
    ck_assert_ptr_null(array_dup(items, SIZE_MAX / 2, 4));
}
END_TEST

START_TEST(array_grow_refuses_a_size_that_would_overflow)
{
    /* Neither realloc is reached: the sizes are refused first, and the
     * array and its capacity are left as they were. */
    char dummy[1];
    size_t cap = SIZE_MAX / 2 + 1;
    ck_assert_ptr_null(array_grow(dummy, &cap, 1, 8));
    ck_assert_uint_eq(cap, SIZE_MAX / 2 + 1);
    cap = SIZE_MAX / 16 + 1;
    ck_assert_ptr_null(array_grow(dummy, &cap, 8, 8));
    ck_assert_uint_eq(cap, SIZE_MAX / 16 + 1);
    cap = 0;
    ck_assert_ptr_null(array_grow(NULL, &cap, 4, 0));
    ck_assert_uint_eq(cap, 0);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *decode = tcase_create("decode");
    tcase_add_test(decode, decode_reads_one_to_four_bytes);
    tcase_add_test(decode, decode_refuses_what_is_not_utf8);
    tcase_add_test(decode, decode_never_reads_past_len);
    tcase_add_test(decode, last_finds_the_final_character);
    suite_add_tcase(s, decode);
    TCase *classify = tcase_create("classify");
    tcase_add_test(classify, control_is_c0_del_and_c1);
    tcase_add_test(classify, cjk_covers_ideographs_and_their_punctuation);
    suite_add_tcase(s, classify);
    TCase *sanitise = tcase_create("sanitise");
    tcase_add_test(sanitise, clean_drops_controls_and_marks_bad_bytes);
    tcase_add_test(sanitise, clean_flags_keep_newlines_and_turn_tabs_to_spaces);
    tcase_add_test(sanitise, clean_never_splits_a_character_and_appends);
    suite_add_tcase(s, sanitise);
    TCase *array = tcase_create("array");
    tcase_add_test(array, array_grow_starts_at_first_then_doubles_keeping_the_items);
    tcase_add_test(array, array_grow_refuses_a_size_that_would_overflow);
    tcase_add_test(array, array_dup_copies_and_never_returns_null_for_empty);
    suite_add_tcase(s, array);
    return s;
}

int main(void)
{
    return check_main_run(util_suite());
}
