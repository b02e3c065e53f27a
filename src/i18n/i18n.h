/* Languages and translated UI strings.
 *
 * The translations are written in po/zh_CN.po (gettext's format, so any
 * PO editor and msgfmt --check work on it) and compiled into the program
 * at build time (build-aux/po2c.awk makes src/i18n/catalog_zh_CN.c).  We do
 * not call gettext(3) at run time: glibc's gettext translates only when the
 * zh_CN locale is generated on the machine and never under LANG=C, while a
 * student who asks for --lang zh_CN should get Chinese on any machine whose
 * terminal shows UTF-8.  The language is therefore state passed around,
 * not the C locale. */
#ifndef TCPVIZ_I18N_I18N_H
#define TCPVIZ_I18N_I18N_H

enum tv_lang { LANG_EN = 0, LANG_ZH_CN, LANG_COUNT };

/* "en" / "zh_CN" (also accepts "zh", "zh_CN.UTF-8", "zh-CN"...; case
 * insensitive).  -1 if not a language we have. */
int tv_lang_from_name(const char *name);
/* "en", "zh_CN". */
const char *tv_lang_name(enum tv_lang lang);
/* The default from the environment: the first non-empty of LC_ALL,
 * LC_MESSAGES, LANG; Chinese when it starts with "zh", else English.
 * Arguments are the variables' values (NULL when unset), so tests need no
 * setenv. */
enum tv_lang tv_lang_from_env(const char *lc_all, const char *lc_messages, const char *lang);

/* The translation of msgid into lang; msgid itself for English or when the
 * catalog has no translation.  The result lives as long as the program.
 * format_arg: printf(tv_tr(lang, "%d segments"), n) is checked by the
 * compiler against the msgid, and tests/check_i18n.c checks that every
 * msgstr has the msgid's conversions. */
#if defined(__GNUC__)
#define TV_FORMAT_ARG(n) __attribute__((format_arg(n)))
#else
#define TV_FORMAT_ARG(n)
#endif
const char *tv_tr(enum tv_lang lang, const char *msgid) TV_FORMAT_ARG(2);

/* Marks a string for extraction without translating it (for tables). */
#define N_(s) (s)

#endif
