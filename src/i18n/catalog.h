/* The compiled translation tables (private to src/i18n and the tests).
 *
 * build-aux/po2c.awk writes catalog_zh_CN.c from po/zh_CN.po at build
 * time: one entry per translated message, ordered by msgid as strcmp
 * orders them (tv_tr searches by halving), strings already unescaped by
 * the C compiler.  The header entry
 * (msgid ""), fuzzy entries and untranslated entries are left out. */
#ifndef TCPVIZ_I18N_CATALOG_H
#define TCPVIZ_I18N_CATALOG_H

#include <stddef.h>

struct tv_catalog_entry {
    const char *msgid;
    const char *msgstr;
};

extern const struct tv_catalog_entry tv_catalog_zh_CN[];
extern const size_t tv_catalog_zh_CN_len;

#endif
