/* Tests of the language plumbing (src/i18n): choosing a language from a
 * name or the environment, the lookup, and properties every entry of the
 * compiled Chinese catalog must have so that drawing it cannot go wrong:
 * the same printf conversions as its msgid (a mismatch would make printf
 * read the wrong argument type) and no control characters but newlines. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "i18n/catalog.h"
#include "i18n/i18n.h"

#include "check_main.h"

/* ====================================================== language names == */

START_TEST(lang_from_name_knows_our_two_languages)
{
    ck_assert_int_eq(tv_lang_from_name("en"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_name("EN"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_name("en_US.UTF-8"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_name("en_GB"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_name("C"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_name("C.UTF-8"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_name("POSIX"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_name("zh_CN"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_name("zh"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_name("zh_CN.UTF-8"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_name("zh-CN"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_name("ZH_cn"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_name("zh_SG.utf8"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_name("zh-Hans"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_name("zh_CN@pinyin"), LANG_ZH_CN);
}
END_TEST

START_TEST(lang_from_name_refuses_what_we_do_not_have)
{
    ck_assert_int_eq(tv_lang_from_name(NULL), -1);
    ck_assert_int_eq(tv_lang_from_name(""), -1);
    ck_assert_int_eq(tv_lang_from_name("fr_FR"), -1);
    ck_assert_int_eq(tv_lang_from_name("de"), -1);
    /* No Traditional Chinese catalog: asked for by name, it is refused. */
    ck_assert_int_eq(tv_lang_from_name("zh_TW"), -1);
    ck_assert_int_eq(tv_lang_from_name("zh_HK.UTF-8"), -1);
    /* Prefixes of a language are not that language. */
    ck_assert_int_eq(tv_lang_from_name("eng"), -1);
    ck_assert_int_eq(tv_lang_from_name("zhx"), -1);
    ck_assert_int_eq(tv_lang_from_name("e"), -1);
}
END_TEST

START_TEST(lang_name_round_trips)
{
    ck_assert_str_eq(tv_lang_name(LANG_EN), "en");
    ck_assert_str_eq(tv_lang_name(LANG_ZH_CN), "zh_CN");
    for (int l = 0; l < LANG_COUNT; l++)
        ck_assert_int_eq(tv_lang_from_name(tv_lang_name((enum tv_lang)l)), l);
    /* Out of range: a name all the same, never NULL. */
    ck_assert_str_eq(tv_lang_name(LANG_COUNT), "en");
}
END_TEST

/* ========================================================= environment == */

START_TEST(lang_from_env_follows_posix_precedence)
{
    /* LC_ALL > LC_MESSAGES > LANG. */
    ck_assert_int_eq(tv_lang_from_env("zh_CN.UTF-8", "en_US.UTF-8", "en_US.UTF-8"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_env("en_US.UTF-8", "zh_CN.UTF-8", "zh_CN.UTF-8"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_env(NULL, "zh_CN.UTF-8", "en_US.UTF-8"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_env(NULL, "C", "zh_CN.UTF-8"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_env(NULL, NULL, "zh_CN.UTF-8"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_env(NULL, NULL, "en_US.UTF-8"), LANG_EN);
}
END_TEST

START_TEST(lang_from_env_skips_empty_values)
{
    ck_assert_int_eq(tv_lang_from_env("", "", "zh_CN.UTF-8"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_env("", "zh_CN", "en_US"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_env("", NULL, ""), LANG_EN);
    ck_assert_int_eq(tv_lang_from_env(NULL, NULL, NULL), LANG_EN);
}
END_TEST

START_TEST(lang_from_env_takes_any_chinese_locale)
{
    /* A guess at what the user reads: Simplified beats English for zh_TW. */
    ck_assert_int_eq(tv_lang_from_env(NULL, NULL, "zh_TW.UTF-8"), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_env("zh", NULL, NULL), LANG_ZH_CN);
    ck_assert_int_eq(tv_lang_from_env(NULL, NULL, "C"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_env(NULL, NULL, "POSIX"), LANG_EN);
    ck_assert_int_eq(tv_lang_from_env("fr_FR.UTF-8", NULL, "zh_CN.UTF-8"), LANG_EN);
}
END_TEST

/* ============================================================== lookup == */

START_TEST(tr_english_returns_the_msgid_itself)
{
    static const char msgid[] = "quit";
    ck_assert_ptr_eq(tv_tr(LANG_EN, msgid), msgid);
    ck_assert_str_eq(tv_tr(LANG_EN, NULL), "");
}
END_TEST

START_TEST(tr_chinese_finds_a_known_entry)
{
    ck_assert_str_eq(tv_tr(LANG_ZH_CN, "quit"), "退出");
    ck_assert_str_eq(tv_tr(LANG_ZH_CN, "help"), "帮助");
}
END_TEST

START_TEST(tr_chinese_miss_returns_the_msgid)
{
    static const char msgid[] = "no such message in any catalog";
    ck_assert_ptr_eq(tv_tr(LANG_ZH_CN, msgid), msgid);
    /* The header entry (msgid "") is not a translation. */
    ck_assert_str_eq(tv_tr(LANG_ZH_CN, ""), "");
}
END_TEST

START_TEST(tr_chinese_finds_every_catalog_entry)
{
    ck_assert_uint_gt(tv_catalog_zh_CN_len, 100);
    for (size_t i = 0; i < tv_catalog_zh_CN_len; i++) {
        const struct tv_catalog_entry *e = &tv_catalog_zh_CN[i];
        ck_assert_msg(e->msgid[0] && e->msgstr[0], "entry %zu is empty", i);
        /* Equal msgids would make the second unreachable. */
        ck_assert_msg(tv_tr(LANG_ZH_CN, e->msgid) == e->msgstr, "\"%s\" does not find its msgstr",
                      e->msgid);
    }
}
END_TEST

/* tv_tr searches by halving: an entry out of order (or a duplicate msgid)
 * would make some translations unreachable. */
START_TEST(catalog_is_in_strict_strcmp_order)
{
    for (size_t i = 1; i < tv_catalog_zh_CN_len; i++)
        ck_assert_msg(strcmp(tv_catalog_zh_CN[i - 1].msgid, tv_catalog_zh_CN[i].msgid) < 0,
                      "entries %zu and %zu are out of order: \"%s\", \"%s\"", i - 1, i,
                      tv_catalog_zh_CN[i - 1].msgid, tv_catalog_zh_CN[i].msgid);
}
END_TEST

/* ===================================================== catalog entries == */

/* The printf conversions of fmt, "%" sequences without their literal
 * text, one after another ("%d|%-8s|%.3f|"); "%%" is not a conversion.
 * Returns false (with *bad set) on a sequence printf would not accept or
 * that this project forbids (positional "%1$d": restructure the code). */
static bool conversions(const char *fmt, char *out, size_t len, const char **bad)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        const char *start = p++;
        if (*p == '%')
            continue;
        p += strspn(p, "-+ #0'");
        p += *p == '*' ? 1 : strspn(p, "0123456789");
        if (*p == '.') {
            p++;
            p += *p == '*' ? 1 : strspn(p, "0123456789");
        }
        p += strspn(p, "hlLjzt");
        if (!*p || !strchr("diouxXeEfFgGaAcsp", *p)) {
            *bad = start;
            return false;
        }
        int n = snprintf(out + used, len - used, "%.*s|", (int)(p - start + 1), start);
        if (n < 0 || (size_t)n >= len - used) {
            *bad = start;
            return false;
        }
        used += (size_t)n;
    }
    return true;
}

START_TEST(conversions_are_read_as_printf_reads_them)
{
    char out[128];
    const char *bad = NULL;
    ck_assert(conversions("a %d b %-8s %% %.3f %zu %5.2lf%c", out, sizeof out, &bad));
    ck_assert_str_eq(out, "%d|%-8s|%.3f|%zu|%5.2lf|%c|");
    ck_assert(!conversions("%1$d", out, sizeof out, &bad));
    ck_assert(!conversions("100%", out, sizeof out, &bad));
    ck_assert(!conversions("%n", out, sizeof out, &bad));
}
END_TEST

START_TEST(every_msgstr_has_the_conversions_of_its_msgid)
{
    for (size_t i = 0; i < tv_catalog_zh_CN_len; i++) {
        const struct tv_catalog_entry *e = &tv_catalog_zh_CN[i];
        char want[512], got[512];
        const char *bad = NULL;
        ck_assert_msg(conversions(e->msgid, want, sizeof want, &bad),
                      "msgid \"%s\": bad conversion at \"%s\"", e->msgid, bad);
        ck_assert_msg(conversions(e->msgstr, got, sizeof got, &bad),
                      "msgstr of \"%s\": bad conversion at \"%s\"", e->msgid, bad);
        ck_assert_msg(strcmp(want, got) == 0, "\"%s\": msgid has %s but msgstr has %s",
                      e->msgid, want, got);
    }
}
END_TEST

START_TEST(every_msgstr_is_free_of_control_characters)
{
    for (size_t i = 0; i < tv_catalog_zh_CN_len; i++) {
        const struct tv_catalog_entry *e = &tv_catalog_zh_CN[i];
        for (const unsigned char *p = (const unsigned char *)e->msgstr; *p; p++)
            ck_assert_msg(*p == '\n' || (*p >= 0x20 && *p != 0x7f),
                          "msgstr of \"%s\" has control character 0x%02x", e->msgid, *p);
    }
}
END_TEST

/* A newline in one and not the other would change how many rows the
 * text takes where it is drawn. */
START_TEST(every_msgstr_keeps_the_newlines_of_its_msgid)
{
    for (size_t i = 0; i < tv_catalog_zh_CN_len; i++) {
        const struct tv_catalog_entry *e = &tv_catalog_zh_CN[i];
        size_t want = 0, got = 0;
        for (const char *p = e->msgid; *p; p++)
            want += *p == '\n';
        for (const char *p = e->msgstr; *p; p++)
            got += *p == '\n';
        ck_assert_msg(want == got, "\"%s\": %zu newlines in msgid, %zu in msgstr", e->msgid,
                      want, got);
    }
}
END_TEST

static Suite *i18n_suite(void)
{
    Suite *s = suite_create("i18n");

    TCase *names = tcase_create("names");
    tcase_add_test(names, lang_from_name_knows_our_two_languages);
    tcase_add_test(names, lang_from_name_refuses_what_we_do_not_have);
    tcase_add_test(names, lang_name_round_trips);
    tcase_add_test(names, lang_from_env_follows_posix_precedence);
    tcase_add_test(names, lang_from_env_skips_empty_values);
    tcase_add_test(names, lang_from_env_takes_any_chinese_locale);
    suite_add_tcase(s, names);

    TCase *lookup = tcase_create("lookup");
    tcase_add_test(lookup, tr_english_returns_the_msgid_itself);
    tcase_add_test(lookup, tr_chinese_finds_a_known_entry);
    tcase_add_test(lookup, tr_chinese_miss_returns_the_msgid);
    tcase_add_test(lookup, tr_chinese_finds_every_catalog_entry);
    tcase_add_test(lookup, catalog_is_in_strict_strcmp_order);
    suite_add_tcase(s, lookup);

    TCase *catalog = tcase_create("catalog");
    tcase_add_test(catalog, conversions_are_read_as_printf_reads_them);
    tcase_add_test(catalog, every_msgstr_has_the_conversions_of_its_msgid);
    tcase_add_test(catalog, every_msgstr_is_free_of_control_characters);
    tcase_add_test(catalog, every_msgstr_keeps_the_newlines_of_its_msgid);
    suite_add_tcase(s, catalog);
    return s;
}

int main(void)
{
    return check_main_run(i18n_suite());
}
