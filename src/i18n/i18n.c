/* Languages and the lookup of translated UI strings (see i18n.h for why the
 * catalog is compiled in rather than read by gettext(3) at run time). */
#include "config.h"

#include "i18n/i18n.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "i18n/catalog.h"

static const char *const lang_names[LANG_COUNT] = {
    [LANG_EN] = "en",
    [LANG_ZH_CN] = "zh_CN",
};

const char *tv_lang_name(enum tv_lang lang)
{
    return (int)lang >= 0 && lang < LANG_COUNT ? lang_names[lang] : lang_names[LANG_EN];
}

/* The length of the language part of a locale name "ll[_-]RR[.codeset][@mod]". */
static size_t language_len(const char *name)
{
    return strcspn(name, "_-.@");
}

/* The region part ("CN" in "zh_CN.UTF-8"), as a pointer and a length;
 * length 0 when there is none. */
static const char *region_of(const char *name, size_t *len)
{
    const char *p = name + language_len(name);
    if (*p != '_' && *p != '-') {
        *len = 0;
        return p;
    }
    p++;
    *len = strcspn(p, ".@");
    return p;
}

static bool word_is(const char *s, size_t len, const char *word)
{
    return len == strlen(word) && strncasecmp(s, word, len) == 0;
}

/* Simplified Chinese is written in mainland China and Singapore ("zh",
 * "zh_CN", "zh_SG", "zh-Hans").  We have no Traditional catalog, so an
 * explicit "zh_TW" or "zh_HK" is a language we do not have: the user
 * asked for it by name and deserves to hear so, not get a guess. */
static bool simplified_region(const char *region, size_t len)
{
    return len == 0 || word_is(region, len, "CN") || word_is(region, len, "SG") ||
           word_is(region, len, "Hans") || word_is(region, len, "Hans_CN");
}

int tv_lang_from_name(const char *name)
{
    if (!name || !*name)
        return -1;
    /* The C and POSIX locales are English. */
    if (strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0 || strncmp(name, "C.", 2) == 0)
        return LANG_EN;
    size_t lang_len = language_len(name), region_len;
    const char *region = region_of(name, &region_len);
    if (word_is(name, lang_len, "en"))
        return LANG_EN;
    if (word_is(name, lang_len, "zh") && simplified_region(region, region_len))
        return LANG_ZH_CN;
    return -1;
}

/* POSIX (XBD 8.2): LC_ALL overrides LC_MESSAGES, which overrides LANG;
 * an empty value counts as unset.  The environment is a guess at what the
 * user reads, so any Chinese locale (zh_TW too) gets the Chinese text. */
enum tv_lang tv_lang_from_env(const char *lc_all, const char *lc_messages, const char *lang)
{
    const char *chosen = NULL;
    if (lc_all && *lc_all)
        chosen = lc_all;
    else if (lc_messages && *lc_messages)
        chosen = lc_messages;
    else if (lang && *lang)
        chosen = lang;
    if (chosen && strncasecmp(chosen, "zh", 2) == 0)
        return LANG_ZH_CN;
    return LANG_EN;
}

/* Search by halving: the UI translates every label of every frame, and
 * po2c.awk writes the table in strcmp order (check_i18n verifies it). */
static const char *catalog_lookup(const struct tv_catalog_entry *table, size_t len,
                                  const char *msgid)
{
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(table[mid].msgid, msgid);
        if (c == 0)
            return table[mid].msgstr;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *tv_tr(enum tv_lang lang, const char *msgid)
{
    if (!msgid)
        return "";
    if (lang != LANG_ZH_CN)
        return msgid;
    const char *found = catalog_lookup(tv_catalog_zh_CN, tv_catalog_zh_CN_len, msgid);
    return found ? found : msgid;
}
