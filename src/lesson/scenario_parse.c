/* Scenario file parser.
 *
 * The file is read line by line.  Each line is cut into tokens (words and
 * "quoted strings"), then handed to the handler of its first word through
 * the keyword table below: adding a keyword is one table row and one
 * function.  Actions ("client close", "expect server state=LISTEN") have
 * their own table.  The lesson format's lines (narration, steps,
 * questions) come through an extension (scenario_parse_buffer_ext) that
 * sees each line first and borrows the sub-parsers at the end of this
 * file, so both formats share one tokenizer and one error style.
 *
 * Every error goes through fail(), which prefixes "FILE:LINE: ", so a
 * teacher always learns where the problem is and what was expected. */
#include "lesson/scenario_parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/wire.h"
#include "tcp/cc.h"
#include "tcp/settings.h"
#include "tcp/event.h"
#include "tcp/segment.h"
#include "tcp/state.h"
#include "tcp/timer.h"
#include "util/array.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#define DEFAULT_DURATION (60 * TCP_USEC_PER_SEC)
#define DEFAULT_LISTEN_BACKLOG 128u   /* the classic SOMAXCONN */
#define DEFAULT_INJECT_WINDOW 65535u
#define DEFAULT_INJECT_INTERVAL TCP_USEC_PER_MS
#define WSCALE_MAX 14u                /* RFC 7323 2.3 */
#define WSCALE_OFF UINT64_MAX
#define IW_MAX_SEGMENTS 10u           /* RFC 6928: at most 10 segments */
#define NO_FLAG SIZE_MAX

/* ------------------------------------------------------------------------ */
/* Parser state and errors                                                   */

struct token {
    char *text;     /* unescaped, NUL-terminated, inside line.buf */
    size_t start;   /* offset of the token in the raw line */
    bool quoted;
};

struct line {
    const char *raw;      /* the line as written, without its newline */
    size_t content_end;   /* where a comment starts (or the line ends) */
    char *buf;            /* storage for the token texts */
    size_t bufcap;
    struct token *tok;
    size_t ntok, tokcap;
};

struct parser;

/* What an extension (the lesson parser) holds while it looks at a line:
 * the parser itself, behind the opaque type of scenario_parse.h. */
struct scenario_ext_line {
    struct parser *p;
};

struct parser {
    struct scenario *s;
    unsigned lineno;
    char *err;
    size_t errlen;
    size_t links_cap, faults_cap, rules_cap;
    unsigned title_line, duration_line, seed_line;
    struct line line;
    /* Parsing one action typed by the user (scenario_parse_action_line):
     * messages carry no FILE:LINE, and the scenario (a shallow copy of the
     * caller's) must not grow. */
    bool one_action;
    /* Extra line keywords (lessons): sees each line first; NULL for a
     * plain scenario. */
    const struct scenario_extension *ext;
    struct scenario_ext_line handle;
};

static void PRINTF_LIKE(3, 4) set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Report an error at a line; always returns -1. */
static int PRINTF_LIKE(3, 0) vfail_at(struct parser *p, unsigned line, const char *fmt, va_list ap)
{
    if (!p->err || p->errlen == 0)
        return -1;
    int n = p->one_action ? 0 : snprintf(p->err, p->errlen, "%s:%u: ", p->s->file, line);
    if (n < 0 || (size_t)n >= p->errlen)
        return -1;
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    return -1;
}

/* Report an error at the current line; always returns -1. */
static int PRINTF_LIKE(2, 3) fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(p, p->lineno, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *tok(const struct parser *p, size_t i)
{
    return i < p->line.ntok ? p->line.tok[i].text : NULL;
}

/* Grow a dynamic array so that it holds at least n + 1 elements. */
static int reserve(struct parser *p, void **array, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    void *grown = array_grow(*array, cap, elem, 8);
    if (!grown)
        return fail(p, "out of memory");
    *array = grown;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Numbers and units (exact integer arithmetic: no floating point, so the    */
/* same file gives the same run everywhere)                                  */

struct unit {
    const char *suffix;
    uint64_t scale;
};

static const struct unit duration_units[] = {
    { "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "min", 60000000 }, { "h", 3600000000u },
};
static const struct unit byte_units[] = {
    { "", 1 }, { "k", 1000 }, { "M", 1000000 }, { "KiB", 1024 }, { "MiB", 1048576 },
};
static const struct unit rate_units[] = {
    { "bit", 1 }, { "kbit", 1000 }, { "Mbit", 1000000 }, { "Gbit", 1000000000 },
};
/* One percent is 10,000 parts per million. */
static const struct unit percent_units[] = { { "%", 10000 } };

enum num_status { NUM_OK, NUM_NOT_NUMBER, NUM_NO_UNIT, NUM_BAD_UNIT, NUM_TOO_LARGE, NUM_INEXACT };

#define FRACTION_DIGITS_MAX 9

/* "1.5s" -> 1500000 with duration_units.  The fraction times the unit must
 * come out whole ("1.5us" is refused rather than rounded). */
static enum num_status parse_scaled(const char *text, const struct unit *units, size_t nunits,
                                    uint64_t *out)
{
    const char *c = text;
    uint64_t whole = 0;
    size_t nwhole = 0;
    for (; isdigit((unsigned char)*c); c++, nwhole++) {
        uint64_t d = (uint64_t)(*c - '0');
        if (whole > (UINT64_MAX - d) / 10)
            return NUM_TOO_LARGE;
        whole = whole * 10 + d;
    }
    if (nwhole == 0)
        return NUM_NOT_NUMBER;
    uint64_t frac = 0, frac_scale = 1;
    if (*c == '.') {
        size_t nfrac = 0;
        for (c++; isdigit((unsigned char)*c); c++, nfrac++) {
            if (nfrac >= FRACTION_DIGITS_MAX) {
                if (*c != '0')
                    return NUM_INEXACT;
                continue;
            }
            frac = frac * 10 + (uint64_t)(*c - '0');
            frac_scale *= 10;
        }
        if (nfrac == 0)
            return NUM_NOT_NUMBER;
    }
    const struct unit *u = NULL;
    for (size_t i = 0; i < nunits && !u; i++)
        if (strcmp(c, units[i].suffix) == 0)
            u = &units[i];
    if (!u)
        return *c == '\0' ? NUM_NO_UNIT : NUM_BAD_UNIT;
    if (whole != 0 && u->scale > UINT64_MAX / whole)
        return NUM_TOO_LARGE;
    /* frac < 10^9 and scale < 2^32, so the product fits. */
    uint64_t frac_units = frac * u->scale;
    if (frac_units % frac_scale != 0)
        return NUM_INEXACT;
    uint64_t value = whole * u->scale;
    if (value > UINT64_MAX - frac_units / frac_scale)
        return NUM_TOO_LARGE;
    *out = value + frac_units / frac_scale;
    return NUM_OK;
}

/* Plain decimal digits only (no sign, no unit). */
static bool parse_whole(const char *text, uint64_t *out)
{
    uint64_t v = 0;
    if (!*text)
        return false;
    for (const char *c = text; *c; c++) {
        if (!isdigit((unsigned char)*c))
            return false;
        uint64_t d = (uint64_t)(*c - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

int scenario_parse_duration(const char *text, uint64_t *usec)
{
    return parse_scaled(text, duration_units, COUNT_OF(duration_units), usec) == NUM_OK ? 0 : -1;
}

int scenario_parse_bytes(const char *text, uint64_t *bytes)
{
    return parse_scaled(text, byte_units, COUNT_OF(byte_units), bytes) == NUM_OK ? 0 : -1;
}

int scenario_parse_rate(const char *text, uint64_t *bps)
{
    return parse_scaled(text, rate_units, COUNT_OF(rate_units), bps) == NUM_OK ? 0 : -1;
}

int scenario_parse_percent(const char *text, uint32_t *ppm)
{
    uint64_t v;
    if (parse_scaled(text, percent_units, COUNT_OF(percent_units), &v) != NUM_OK || v > WIRE_PPM)
        return -1;
    *ppm = (uint32_t)v;
    return 0;
}

static int need_duration(struct parser *p, const char *text, uint64_t *out)
{
    switch (parse_scaled(text, duration_units, COUNT_OF(duration_units), out)) {
    case NUM_OK:
        return 0;
    case NUM_NO_UNIT:
        return fail(p, "bad duration '%.60s': expected a duration with a unit, like 200ms", text);
    case NUM_INEXACT:
        return fail(p, "bad duration '%.60s': durations are whole microseconds", text);
    case NUM_TOO_LARGE:
        return fail(p, "bad duration '%.60s': too long", text);
    default:
        return fail(p, "bad duration '%.60s': expected a number and a unit (us, ms, s, min, h), "
                       "like 200ms or 1.5s", text);
    }
}

static int need_count(struct parser *p, const char *what, const char *text, uint64_t max, uint64_t *out)
{
    if (!parse_whole(text, out))
        return fail(p, "bad %s '%.60s': expected a whole number", what, text);
    if (*out > max)
        return fail(p, "bad %s '%.60s': at most %llu", what, text, (unsigned long long)max);
    return 0;
}

static int need_bytes(struct parser *p, const char *text, uint64_t max, uint64_t *out)
{
    enum num_status st = parse_scaled(text, byte_units, COUNT_OF(byte_units), out);
    if (st != NUM_OK)
        return fail(p, "bad size '%.60s': expected bytes like 1460, 64k, 1M, 64KiB or 1MiB", text);
    if (*out > max)
        return fail(p, "bad size '%.60s': at most %llu bytes", text, (unsigned long long)max);
    return 0;
}

static int need_percent(struct parser *p, const char *text, uint64_t *out)
{
    enum num_status st = parse_scaled(text, percent_units, COUNT_OF(percent_units), out);
    if (st == NUM_INEXACT)
        return fail(p, "bad percentage '%.60s': at most 4 decimals (0.0001%% is one in a million)", text);
    if (st != NUM_OK)
        return fail(p, "bad percentage '%.60s': expected a number followed by %%, like 0.5%%", text);
    if (*out > WIRE_PPM)
        return fail(p, "bad percentage '%.60s': at most 100%%", text);
    return 0;
}

static int need_rate(struct parser *p, const char *text, uint64_t *out)
{
    if (parse_scaled(text, rate_units, COUNT_OF(rate_units), out) != NUM_OK)
        return fail(p, "bad rate '%.60s': expected a number and a unit (bit, kbit, Mbit, Gbit), "
                       "like 100Mbit", text);
    return 0;
}

static int need_on_off(struct parser *p, const char *text, uint64_t *out)
{
    if (strcmp(text, "on") == 0)
        *out = 1;
    else if (strcmp(text, "off") == 0)
        *out = 0;
    else
        return fail(p, "bad switch '%.60s': expected on or off", text);
    return 0;
}

/* A congestion-control algorithm by name ("newreno"); the list in the
 * message comes from the engine's own names, so it cannot go stale. */
static int need_cc(struct parser *p, const char *text, uint64_t *out)
{
    int algo = tcp_cc_algo_from_name(text);
    if (algo >= 0) {
        *out = (uint64_t)algo;
        return 0;
    }
    char names[128] = "";
    for (int a = 0; a < TCP_CC_ALGO_COUNT; a++) {
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", a ? " " : "",
                 tcp_cc_algo_name((enum tcp_cc_algo)a));
    }
    return fail(p, "unknown congestion control '%.60s' (algorithms: %s)", text, names);
}

static int need_port(struct parser *p, const char *text, uint16_t *out)
{
    uint64_t v;
    if (!parse_whole(text, &v) || v == 0 || v > 65535)
        return fail(p, "bad port '%.60s': expected a number from 1 to 65535", text);
    *out = (uint16_t)v;
    return 0;
}

/* Dotted quad, each part 0..255 written with 1 to 3 digits. */
static bool parse_ipv4(const char *text, uint32_t *addr)
{
    const char *c = text;
    uint32_t a = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0 && *c++ != '.')
            return false;
        unsigned v = 0, digits = 0;
        for (; isdigit((unsigned char)*c) && digits < 3; c++, digits++)
            v = v * 10 + (unsigned)(*c - '0');
        if (digits == 0 || v > 255 || isdigit((unsigned char)*c))
            return false;
        a = a << 8 | v;
    }
    if (*c)
        return false;
    *addr = a;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Tokens                                                                    */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int push_token(struct parser *p, char *text, size_t start, bool quoted)
{
    struct line *l = &p->line;
    if (reserve(p, (void **)&l->tok, &l->tokcap, l->ntok, sizeof *l->tok) < 0)
        return -1;
    l->tok[l->ntok++] = (struct token){ .text = text, .start = start, .quoted = quoted };
    return 0;
}

/* Copy a quoted string starting after its opening quote; *i ends after the
 * closing quote.  Only \" and \\ are escapes, so Windows paths and the like
 * cannot be misread silently. */
static int scan_quoted(struct parser *p, const char *raw, size_t len, size_t *i, char **out)
{
    while (*i < len) {
        char c = raw[(*i)++];
        if (c == '"')
            return 0;
        if (c == '\\') {
            if (*i >= len)
                break;
            char e = raw[(*i)++];
            if (e != '"' && e != '\\')
                return fail(p, "unknown escape in a quoted string: only \\\" and \\\\ are allowed");
            c = e;
        }
        *(*out)++ = c;
    }
    return fail(p, "unterminated quoted string: expected a closing \"");
}

/* The end of a quoted string that starts at raw[i] (its opening quote),
 * unescaped into out; 0 when it is not one (unterminated, bad escape). */
static size_t quoted_end(const char *raw, size_t len, size_t i, char *out)
{
    for (i++; i < len; i++) {
        char c = raw[i];
        if (c == '"') {
            *out = '\0';
            return i + 1;
        }
        if (c == '\\') {
            if (i + 1 >= len || (raw[i + 1] != '"' && raw[i + 1] != '\\'))
                return 0;
            c = raw[++i];
        }
        *out++ = c;
    }
    return 0;
}

/* Prose (a lesson's narration): from raw[i] to a comment is one token.
 * Quotes in prose are ordinary characters, except that a '#' between two
 * of them does not start a comment, and that text which is exactly one
 * quoted string is taken unescaped, as everywhere else. */
static int scan_prose(struct parser *p, const char *raw, size_t len, size_t i, char *out)
{
    struct line *l = &p->line;
    while (i < len && is_blank(raw[i]))
        i++;
    size_t start = i;
    bool in_quotes = false;
    for (; i < len && (in_quotes || raw[i] != '#'); i++) {
        if (raw[i] == '\\' && in_quotes && i + 1 < len)
            i++;
        else if (raw[i] == '"')
            in_quotes = !in_quotes;
    }
    l->content_end = i;
    size_t end = i;
    while (end > start && is_blank(raw[end - 1]))
        end--;
    if (end == start)
        return 0;
    if (raw[start] == '"' && quoted_end(raw, len, start, out) == end)
        return push_token(p, out, start, true);
    memcpy(out, raw + start, end - start);
    out[end - start] = '\0';
    return push_token(p, out, start, false);
}

static int tokenize(struct parser *p, const char *raw, size_t len)
{
    struct line *l = &p->line;
    l->raw = raw;
    l->content_end = len;
    l->ntok = 0;
    /* Every token is at most its raw length plus a NUL, and tokens are
     * separated, so len + 1 bytes always suffice. */
    if (len + 1 > l->bufcap) {
        char *grown = realloc(l->buf, len + 1);
        if (!grown)
            return fail(p, "out of memory");
        l->buf = grown;
        l->bufcap = len + 1;
    }
    char *out = l->buf;
    size_t i = 0;
    for (;;) {
        while (i < len && is_blank(raw[i]))
            i++;
        if (i >= len)
            break;
        if (raw[i] == '#') {
            l->content_end = i;
            break;
        }
        char *text = out;
        size_t start = i;
        bool quoted = raw[i] == '"';
        if (quoted) {
            i++;
            if (scan_quoted(p, raw, len, &i, &out) < 0)
                return -1;
            if (i < len && !is_blank(raw[i]) && raw[i] != '#')
                return fail(p, "expected a space after the closing quote");
        } else {
            for (; i < len && !is_blank(raw[i]) && raw[i] != '#'; i++) {
                if (raw[i] == '"')
                    return fail(p, "unexpected '\"' inside a word: put a space before a quoted string");
                *out++ = raw[i];
            }
        }
        *out++ = '\0';
        if (push_token(p, text, start, quoted) < 0)
            return -1;
        if (p->ext && p->ext->prose_after && p->ext->prose_after(p->ext->ctx, &p->handle)) {
            if (scan_prose(p, raw, len, i, out) < 0)
                return -1;
            break;
        }
    }
    while (l->content_end > 0 && is_blank(raw[l->content_end - 1]))
        l->content_end--;
    return 0;
}

/* The text of a line from token `first` on: a single quoted string is
 * taken unescaped, anything else exactly as written (without the comment). */
static int rest_of_line(struct parser *p, size_t first, const char *what, char **out)
{
    const struct line *l = &p->line;
    if (first >= l->ntok)
        return fail(p, "%s needs some text after it", what);
    if (first + 1 == l->ntok && l->tok[first].quoted) {
        *out = strdup(l->tok[first].text);
    } else {
        size_t start = l->tok[first].start, n = l->content_end - start;
        *out = malloc(n + 1);
        if (*out) {
            memcpy(*out, l->raw + start, n);
            (*out)[n] = '\0';
        }
    }
    return *out ? 0 : fail(p, "out of memory");
}

/* Split "key=value" in place. */
static int split_key_value(struct parser *p, char *text, const char **key, const char **value)
{
    char *eq = strchr(text, '=');
    *key = text;
    *value = "";
    if (!eq || eq == text)
        return fail(p, "expected key=value, got '%.60s'", text);
    *eq = '\0';
    *key = text;
    *value = eq + 1;
    return 0;
}

static int no_more(struct parser *p, size_t i, const char *after)
{
    if (i < p->line.ntok)
        return fail(p, "unexpected '%.60s' after %s", tok(p, i), after);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Hosts, flags, settings tables                                             */

static void list_hosts(const struct scenario *s, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < s->nhosts && n < cap; i++) {
        int w = snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", s->hosts[i].name);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}

static int need_host(struct parser *p, const char *name, int *index)
{
    *index = scenario_host_index(p->s, name);
    if (*index >= 0)
        return 0;
    if (p->s->nhosts == 0)
        return fail(p, "unknown host '%.60s' (no host is declared yet: add a 'host' line first)", name);
    char hosts[SCN_MAX_HOSTS * (SCN_NAME_MAX + 2) + 1];
    list_hosts(p->s, hosts, sizeof hosts);
    return fail(p, "unknown host '%.60s' (hosts: %s)", name, hosts);
}

/* A host name or a dotted IPv4 address. */
static int need_address(struct parser *p, const char *text, uint32_t *addr)
{
    if (parse_ipv4(text, addr))
        return 0;
    int h;
    if (need_host(p, text, &h) < 0)
        return -1;
    *addr = p->s->hosts[h].addr;
    return 0;
}

static const struct {
    const char *name;
    uint8_t bit;
} flag_names[] = {
    { "SYN", TCP_SYN }, { "FIN", TCP_FIN }, { "RST", TCP_RST }, { "PSH", TCP_PSH },
    { "ACK", TCP_ACK }, { "URG", TCP_URG }, { "ECE", TCP_ECE }, { "CWR", TCP_CWR },
};

static int flag_bit(const char *name, size_t len)
{
    for (size_t i = 0; i < COUNT_OF(flag_names); i++)
        if (strlen(flag_names[i].name) == len && strncasecmp(flag_names[i].name, name, len) == 0)
            return flag_names[i].bit;
    return -1;
}

/* "SYN,ACK" -> TCP_SYN | TCP_ACK. */
static int need_flags(struct parser *p, const char *text, uint8_t *out)
{
    uint8_t flags = 0;
    const char *c = text;
    for (;;) {
        size_t len = strcspn(c, ",");
        if (len == 0)
            return fail(p, "bad flags '%.60s': expected flag names separated by commas, like SYN,ACK",
                        text);
        int bit = flag_bit(c, len);
        if (bit < 0)
            return fail(p, "unknown flag '%.*s' (flags: SYN FIN RST PSH ACK URG ECE CWR)",
                        (int)(len > 60 ? 60 : len), c);
        flags |= (uint8_t)bit;
        if (c[len] == '\0')
            break;
        c += len + 1;
    }
    *out = flags;
    return 0;
}

/* "flags=" means exactly these flags; PSH is left out of both masks so a
 * rule about data segments does not depend on the sender's PSH habit. */
static void match_exact_flags(struct scn_seg_match *m, uint8_t flags)
{
    m->exact_flags = true;
    m->flags_set = (uint8_t)(flags & ~TCP_PSH);
    m->flags_clear = (uint8_t)(~(flags | TCP_PSH));
}

static int need_yes_no(struct parser *p, const char *text, int *out)
{
    if (strcmp(text, "yes") == 0)
        *out = 1;
    else if (strcmp(text, "no") == 0)
        *out = 0;
    else
        return fail(p, "bad data '%.60s': expected yes or no", text);
    return 0;
}

enum value_kind {
    VAL_COUNT,            /* whole number */
    VAL_BYTES,            /* 64KiB */
    VAL_DURATION,         /* 200ms */
    VAL_DURATION_OR_OFF,  /* 200ms or off (= 0) */
    VAL_ON_OFF,
    VAL_WSCALE,           /* 0..14 or off (= -1) */
    VAL_PERCENT,          /* stored as ppm */
    VAL_RATE,             /* bits per second */
    VAL_CC,               /* congestion control name, stored as enum tcp_cc_algo */
};

/* One key=value setting that writes a field of a struct. */
struct setting {
    const char *key;
    enum value_kind kind;
    size_t offset, size;
    uint64_t min, max;    /* max 0: as large as the field holds */
    size_t also_true;     /* offset of a bool this key turns on, or NO_FLAG */
};

#define CFG_FIELD(f) offsetof(struct tcp_config, f), sizeof(((struct tcp_config *)0)->f)
#define WIRE_FIELD(f) offsetof(struct wire_params, f), sizeof(((struct wire_params *)0)->f)

static const struct setting host_settings[] = {
    { "mss", VAL_COUNT, CFG_FIELD(mss), 1, 0, NO_FLAG },
    { "sndbuf", VAL_BYTES, CFG_FIELD(sndbuf), 0, 0, NO_FLAG },
    { "rcvbuf", VAL_BYTES, CFG_FIELD(rcvbuf), 0, 0, NO_FLAG },
    { "rto_initial", VAL_DURATION, CFG_FIELD(rto_initial), 1, 0, NO_FLAG },
    { "rto_min", VAL_DURATION, CFG_FIELD(rto_min), 1, 0, NO_FLAG },
    { "rto_max", VAL_DURATION, CFG_FIELD(rto_max), 1, 0, NO_FLAG },
    { "syn_retries", VAL_COUNT, CFG_FIELD(syn_retries), 0, 0, NO_FLAG },
    { "synack_retries", VAL_COUNT, CFG_FIELD(synack_retries), 0, 0, NO_FLAG },
    { "retries", VAL_COUNT, CFG_FIELD(retries), 0, 0, NO_FLAG },
    { "msl", VAL_DURATION, CFG_FIELD(msl), 0, 0, NO_FLAG },
    { "fin_wait2", VAL_DURATION_OR_OFF, CFG_FIELD(fin_wait2_timeout), 0, 0, NO_FLAG },
    { "keepalive", VAL_ON_OFF, CFG_FIELD(keepalive), 0, 0, NO_FLAG },
    { "keepidle", VAL_DURATION, CFG_FIELD(keepalive_idle), 1, 0, NO_FLAG },
    { "keepintvl", VAL_DURATION, CFG_FIELD(keepalive_interval), 1, 0, NO_FLAG },
    { "keepcnt", VAL_COUNT, CFG_FIELD(keepalive_probes), 1, 0, NO_FLAG },
    { "delack", VAL_DURATION_OR_OFF, CFG_FIELD(delack_timeout), 0, 0, NO_FLAG },
    { "backlog", VAL_COUNT, CFG_FIELD(syn_backlog), 0, 0, NO_FLAG },
    { "syncookies", VAL_ON_OFF, CFG_FIELD(syncookies), 0, 0, NO_FLAG },
    { "reuseaddr", VAL_ON_OFF, CFG_FIELD(reuseaddr), 0, 0, NO_FLAG },
    { "nagle", VAL_ON_OFF, CFG_FIELD(nagle), 0, 0, NO_FLAG },
    { "sack", VAL_ON_OFF, CFG_FIELD(sack), 0, 0, NO_FLAG },
    { "timestamps", VAL_ON_OFF, CFG_FIELD(timestamps), 0, 0, NO_FLAG },
    { "wscale", VAL_WSCALE, CFG_FIELD(wscale), 0, WSCALE_MAX, NO_FLAG },
    { "isn", VAL_COUNT, CFG_FIELD(isn), 0, 0, offsetof(struct tcp_config, isn_fixed) },
    { "autoread", VAL_ON_OFF, CFG_FIELD(autoread), 0, 0, NO_FLAG },
    { "autoaccept", VAL_ON_OFF, CFG_FIELD(autoaccept), 0, 0, NO_FLAG },
    /* Congestion control and loss recovery (RFC 5681, 6582, 6675, 2883). */
    { "cc", VAL_CC, CFG_FIELD(cc), 0, 0, NO_FLAG },
    { "iw", VAL_COUNT, CFG_FIELD(initial_window), 1, IW_MAX_SEGMENTS, NO_FLAG },
    { "ssthresh", VAL_BYTES, CFG_FIELD(ssthresh_initial), 1, 0, NO_FLAG },
    { "dupthresh", VAL_COUNT, CFG_FIELD(dupthresh), 1, 0, NO_FLAG },
    { "sack_recovery", VAL_ON_OFF, CFG_FIELD(sack_recovery), 0, 0, NO_FLAG },
    { "dsack", VAL_ON_OFF, CFG_FIELD(dsack), 0, 0, NO_FLAG },
    /* Flow control: zero-window probes and the sender's SWS override. */
    { "persist_min", VAL_DURATION, CFG_FIELD(persist_min), 1, 0, NO_FLAG },
    { "persist_max", VAL_DURATION, CFG_FIELD(persist_max), 1, 0, NO_FLAG },
    { "sws_override", VAL_DURATION_OR_OFF, CFG_FIELD(sws_override), 0, 0, NO_FLAG },
};

#define GILBERT offsetof(struct wire_params, gilbert)
static const struct setting link_settings[] = {
    { "delay", VAL_DURATION, WIRE_FIELD(delay), 0, 0, NO_FLAG },
    { "rate", VAL_RATE, WIRE_FIELD(rate_bps), 0, 0, NO_FLAG },
    { "queue", VAL_COUNT, WIRE_FIELD(queue_limit), 0, 0, NO_FLAG },
    { "loss", VAL_PERCENT, WIRE_FIELD(loss_ppm), 0, 0, NO_FLAG },
    { "gilbert", VAL_ON_OFF, WIRE_FIELD(gilbert), 0, 0, NO_FLAG },
    { "ge_gb", VAL_PERCENT, WIRE_FIELD(ge_p_good_to_bad_ppm), 0, 0, GILBERT },
    { "ge_bg", VAL_PERCENT, WIRE_FIELD(ge_p_bad_to_good_ppm), 0, 0, GILBERT },
    { "ge_loss_good", VAL_PERCENT, WIRE_FIELD(ge_loss_good_ppm), 0, 0, GILBERT },
    { "ge_loss_bad", VAL_PERCENT, WIRE_FIELD(ge_loss_bad_ppm), 0, 0, GILBERT },
    { "dup", VAL_PERCENT, WIRE_FIELD(dup_ppm), 0, 0, NO_FLAG },
    { "reorder", VAL_PERCENT, WIRE_FIELD(reorder_ppm), 0, 0, NO_FLAG },
    { "reorder_delay", VAL_DURATION, WIRE_FIELD(reorder_delay), 0, 0, NO_FLAG },
    { "corrupt", VAL_PERCENT, WIRE_FIELD(corrupt_ppm), 0, 0, NO_FLAG },
};

static uint64_t field_limit(const struct setting *st)
{
    if (st->max)
        return st->max;
    return st->size >= 8 ? UINT64_MAX : (UINT64_C(1) << (st->size * 8)) - 1;
}

static int parse_setting_value(struct parser *p, const struct setting *st, const char *value,
                               uint64_t *v)
{
    int rc;
    switch (st->kind) {
    case VAL_COUNT:
        rc = need_count(p, st->key, value, UINT64_MAX, v);
        break;
    case VAL_BYTES:
        rc = need_bytes(p, value, UINT64_MAX, v);
        break;
    case VAL_DURATION_OR_OFF:
        if (strcmp(value, "off") == 0) {
            *v = 0;
            return 0;
        }
        rc = need_duration(p, value, v);
        break;
    case VAL_DURATION:
        rc = need_duration(p, value, v);
        break;
    case VAL_ON_OFF:
        return need_on_off(p, value, v);
    case VAL_WSCALE:
        if (strcmp(value, "off") == 0) {
            *v = WSCALE_OFF;
            return 0;
        }
        rc = need_count(p, st->key, value, WSCALE_MAX, v);
        break;
    case VAL_PERCENT:
        return need_percent(p, value, v);
    case VAL_RATE:
        rc = need_rate(p, value, v);
        break;
    case VAL_CC:
        return need_cc(p, value, v);
    default:
        return fail(p, "internal error: bad setting kind");
    }
    if (rc < 0)
        return -1;
    if (*v > field_limit(st))
        return fail(p, "%s=%.60s is too large (at most %llu)", st->key, value,
                    (unsigned long long)field_limit(st));
    if (*v < st->min)
        return fail(p, "%s=%.60s is too small (at least %llu)", st->key, value,
                    (unsigned long long)st->min);
    return 0;
}

/* Remember that bytes [offset, offset + size) were written (once). */
static int note_changed(struct parser *p, struct scn_field_set *changed, size_t offset,
                        size_t size)
{
    for (unsigned i = 0; i < changed->count; i++)
        if (changed->field[i].offset == offset)
            return 0;
    if (changed->count >= SCN_SET_MAX_FIELDS)
        return fail(p, "too many settings on one line (at most %d)", SCN_SET_MAX_FIELDS);
    changed->field[changed->count].offset = (uint16_t)offset;
    changed->field[changed->count].size = (uint16_t)size;
    changed->count++;
    return 0;
}

static void store_setting(void *base, const struct setting *st, uint64_t v)
{
    char *field = (char *)base + st->offset;
    if (st->kind == VAL_ON_OFF) {
        bool b = v != 0;
        memcpy(field, &b, sizeof b);
    } else if (st->kind == VAL_WSCALE) {
        int shift = v == WSCALE_OFF ? -1 : (int)v;
        memcpy(field, &shift, sizeof shift);
    } else if (st->kind == VAL_CC) {
        int algo = (int)v;
        memcpy(field, &algo, sizeof algo);
    } else if (st->size == sizeof(uint16_t)) {
        uint16_t x = (uint16_t)v;
        memcpy(field, &x, sizeof x);
    } else if (st->size == sizeof(uint32_t)) {
        uint32_t x = (uint32_t)v;
        memcpy(field, &x, sizeof x);
    } else {
        memcpy(field, &v, sizeof v);
    }
    if (st->also_true != NO_FLAG) {
        bool on = true;
        memcpy((char *)base + st->also_true, &on, sizeof on);
    }
}

static void list_settings(const struct setting *table, size_t n, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++) {
        int w = snprintf(buf + used, cap - used, "%s%s", i ? " " : "", table[i].key);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Apply tokens first..end of the line, each key=value, to base; when
 * changed is not NULL, also note which fields they wrote. */
static int apply_settings(struct parser *p, size_t first, const struct setting *table, size_t n,
                          void *base, struct scn_field_set *changed)
{
    for (size_t i = first; i < p->line.ntok; i++) {
        const char *key, *value;
        if (split_key_value(p, p->line.tok[i].text, &key, &value) < 0)
            return -1;
        const struct setting *st = NULL;
        for (size_t k = 0; k < n && !st; k++)
            if (strcmp(table[k].key, key) == 0)
                st = &table[k];
        if (!st) {
            char known[1024];
            list_settings(table, n, known, sizeof known);
            return fail(p, "unknown setting '%.60s' (settings: %s)", key, known);
        }
        uint64_t v;
        if (parse_setting_value(p, st, value, &v) < 0)
            return -1;
        store_setting(base, st, v);
        if (changed && (note_changed(p, changed, st->offset, st->size) < 0 ||
                        (st->also_true != NO_FLAG &&
                         note_changed(p, changed, st->also_true, sizeof(bool)) < 0)))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Header lines: title, duration, seed, host, link, fault                     */

static int once(struct parser *p, unsigned *seen_at, const char *what)
{
    if (*seen_at)
        return fail(p, "%s given twice (first at line %u)", what, *seen_at);
    *seen_at = p->lineno;
    return 0;
}

static int parse_title(struct parser *p)
{
    if (once(p, &p->title_line, "title") < 0)
        return -1;
    return rest_of_line(p, 1, "title", &p->s->title);
}

static int parse_duration_line(struct parser *p)
{
    if (once(p, &p->duration_line, "duration") < 0)
        return -1;
    if (!tok(p, 1))
        return fail(p, "duration needs a value, like 'duration 30s'");
    if (need_duration(p, tok(p, 1), &p->s->duration) < 0 || no_more(p, 2, "the duration") < 0)
        return -1;
    if (p->s->duration == 0)
        return fail(p, "duration must be longer than 0s");
    return 0;
}

static int parse_seed(struct parser *p)
{
    if (once(p, &p->seed_line, "seed") < 0)
        return -1;
    if (!tok(p, 1))
        return fail(p, "seed needs a number, like 'seed 42'");
    if (need_count(p, "seed", tok(p, 1), UINT64_MAX, &p->s->seed) < 0 || no_more(p, 2, "the seed") < 0)
        return -1;
    p->s->has_seed = true;
    return 0;
}

/* Words that start an action; a host may not be called like them. */
static const char *const reserved_names[] = { "link", "inject", "expect", "note" };

static int check_host_name(struct parser *p, const char *name)
{
    size_t len = strlen(name);
    bool ok = len > 0 && len < SCN_NAME_MAX && isalpha((unsigned char)name[0]);
    for (size_t i = 1; ok && i < len; i++)
        ok = isalnum((unsigned char)name[i]) || name[i] == '_' || name[i] == '-';
    if (!ok)
        return fail(p, "bad host name '%.60s': expected a letter, then letters, digits, '_' or '-', "
                       "at most %d characters", name, SCN_NAME_MAX - 1);
    for (size_t i = 0; i < COUNT_OF(reserved_names); i++)
        if (strcmp(name, reserved_names[i]) == 0)
            return fail(p, "'%s' cannot be a host name: it starts an action", name);
    int dup = scenario_host_index(p->s, name);
    if (dup >= 0)
        return fail(p, "duplicate host '%s' (first declared at line %u)", name,
                    p->s->hosts[dup].origin.line);
    return 0;
}

static int parse_host(struct parser *p)
{
    struct scenario *s = p->s;
    const char *name = tok(p, 1), *addr_text = tok(p, 2);
    if (!name || !addr_text)
        return fail(p, "expected 'host NAME ADDRESS [key=value ...]', like 'host client 10.0.0.1'");
    if (check_host_name(p, name) < 0)
        return -1;
    if (s->nhosts >= SCN_MAX_HOSTS)
        return fail(p, "too many hosts (at most %d)", SCN_MAX_HOSTS);
    uint32_t addr;
    if (!parse_ipv4(addr_text, &addr))
        return fail(p, "bad IPv4 address '%.60s': expected four numbers 0-255 with dots, like 10.0.0.1",
                    addr_text);
    for (unsigned i = 0; i < s->nhosts; i++)
        if (s->hosts[i].addr == addr)
            return fail(p, "address %s is already used by host '%s'", addr_text, s->hosts[i].name);
    struct scn_host *h = &s->hosts[s->nhosts];
    memset(h, 0, sizeof *h);
    memcpy(h->name, name, strlen(name) + 1);
    h->addr = addr;
    h->origin = (struct scn_origin){ s->file, p->lineno };
    tcp_config_defaults(&h->cfg);
    if (apply_settings(p, 3, host_settings, COUNT_OF(host_settings), &h->cfg, NULL) < 0)
        return -1;
    s->nhosts++;
    return 0;
}

/* "client->server" or "client<->server". */
static int parse_link_ends(struct parser *p, const char *text, int *from, int *to, bool *both)
{
    const char *arrow = strstr(text, "<->");
    size_t arrow_len = 3;
    *both = arrow != NULL;
    if (!arrow) {
        arrow = strstr(text, "->");
        arrow_len = 2;
    }
    if (!arrow)
        return fail(p, "expected A->B or A<->B, got '%.60s'", text);
    size_t left_len = (size_t)(arrow - text);
    char left[SCN_NAME_MAX];
    if (left_len >= sizeof left)
        left_len = sizeof left - 1;   /* too long to be a host: need_host says so */
    memcpy(left, text, left_len);
    left[left_len] = '\0';
    if (need_host(p, left, from) < 0 || need_host(p, arrow + arrow_len, to) < 0)
        return -1;
    if (*from == *to)
        return fail(p, "a link joins two different hosts, got '%.60s'", text);
    return 0;
}

static int add_link(struct parser *p, int from, int to, const struct wire_params *params,
                    unsigned line)
{
    struct scenario *s = p->s;
    int existing = scenario_link_index(s, from, to);
    if (existing >= 0)
        return fail(p, "a second link %s->%s (the first is at line %u)", s->hosts[from].name,
                    s->hosts[to].name, s->links[existing].origin.line);
    if (reserve(p, (void **)&s->links, &p->links_cap, s->nlinks, sizeof *s->links) < 0)
        return -1;
    s->links[s->nlinks++] = (struct scn_link){
        .from = from, .to = to, .params = *params, .origin = { s->file, line },
    };
    return 0;
}

static int parse_link(struct parser *p)
{
    if (!tok(p, 1))
        return fail(p, "expected 'link A->B [key=value ...]' or 'link A<->B ...'");
    int from, to;
    bool both;
    if (parse_link_ends(p, tok(p, 1), &from, &to, &both) < 0)
        return -1;
    struct wire_params params;
    wire_params_defaults(&params);
    if (apply_settings(p, 2, link_settings, COUNT_OF(link_settings), &params, NULL) < 0)
        return -1;
    if (add_link(p, from, to, &params, p->lineno) < 0)
        return -1;
    return both ? add_link(p, to, from, &params, p->lineno) : 0;
}

static void match_any(struct scn_seg_match *m)
{
    memset(m, 0, sizeof *m);
    m->from = -1;
    m->to = -1;
    m->data = -1;
}

/* One MATCH key of a fault line; returns 1 if the key is not a match key. */
static int parse_match_key(struct parser *p, const char *key, const char *value,
                           struct scn_seg_match *m)
{
    uint8_t flags;
    uint64_t n;
    if (strcmp(key, "from") == 0)
        return need_host(p, value, &m->from);
    if (strcmp(key, "to") == 0)
        return need_host(p, value, &m->to);
    if (strcmp(key, "flags") == 0) {
        if (need_flags(p, value, &flags) < 0)
            return -1;
        match_exact_flags(m, flags);
        return 0;
    }
    if (strcmp(key, "has") == 0) {
        if (need_flags(p, value, &flags) < 0)
            return -1;
        m->exact_flags = false;
        m->flags_set = flags;
        m->flags_clear = 0;
        return 0;
    }
    if (strcmp(key, "data") == 0)
        return need_yes_no(p, value, &m->data);
    if (strcmp(key, "nth") == 0) {
        if (strcmp(value, "all") == 0) {
            m->nth = 0;
            return 0;
        }
        if (need_count(p, "nth", value, UINT32_MAX, &n) < 0)
            return -1;
        if (n == 0)
            return fail(p, "nth counts from 1 (or say nth=all)");
        m->nth = (unsigned)n;
        return 0;
    }
    return 1;
}

static const struct {
    const char *name;
    enum scn_fault_kind kind;
} fault_kinds[] = {
    { "drop", FAULT_DROP }, { "dup", FAULT_DUPLICATE }, { "corrupt", FAULT_CORRUPT },
    { "delay", FAULT_DELAY },
};

static int parse_fault(struct parser *p)
{
    struct scenario *s = p->s;
    const char *kind = tok(p, 1);
    struct scn_fault f;
    memset(&f, 0, sizeof f);
    size_t k = 0;
    while (kind && k < COUNT_OF(fault_kinds) && strcmp(kind, fault_kinds[k].name) != 0)
        k++;
    if (!kind || k == COUNT_OF(fault_kinds))
        return fail(p, "expected 'fault drop|dup|corrupt|delay MATCH...', got '%.60s'",
                    kind ? kind : "");
    f.kind = fault_kinds[k].kind;
    f.origin = (struct scn_origin){ s->file, p->lineno };
    match_any(&f.match);
    bool has_by = false;
    for (size_t i = 2; i < p->line.ntok; i++) {
        const char *key, *value;
        if (split_key_value(p, p->line.tok[i].text, &key, &value) < 0)
            return -1;
        if (strcmp(key, "by") == 0 && f.kind == FAULT_DELAY) {
            if (need_duration(p, value, &f.delay) < 0)
                return -1;
            has_by = true;
            continue;
        }
        int rc = parse_match_key(p, key, value, &f.match);
        if (rc < 0)
            return -1;
        if (rc > 0)
            return fail(p, "unknown fault key '%.60s' (keys: from to flags has data nth%s)", key,
                        f.kind == FAULT_DELAY ? " by" : "");
    }
    if (f.kind == FAULT_DELAY && !has_by)
        return fail(p, "fault delay needs by=DURATION, like by=500ms");
    if (reserve(p, (void **)&s->faults, &p->faults_cap, s->nfaults, sizeof *s->faults) < 0)
        return -1;
    s->faults[s->nfaults++] = f;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                   */

/* Each action parser gets the index of the first token after its verb. */
typedef int (*action_parser)(struct parser *p, size_t i, struct scn_action *a);

static int act_no_args(struct parser *p, size_t i, struct scn_action *a)
{
    (void)a;
    return no_more(p, i, "this action (it takes no arguments)");
}

static int act_listen(struct parser *p, size_t i, struct scn_action *a)
{
    if (!tok(p, i))
        return fail(p, "listen needs a port, like 'server listen 80'");
    if (need_port(p, tok(p, i), &a->port) < 0)
        return -1;
    a->backlog = DEFAULT_LISTEN_BACKLOG;
    for (i++; i < p->line.ntok; i++) {
        const char *key, *value;
        uint64_t n;
        if (split_key_value(p, p->line.tok[i].text, &key, &value) < 0)
            return -1;
        if (strcmp(key, "backlog") != 0)
            return fail(p, "unknown listen key '%.60s' (keys: backlog)", key);
        if (need_count(p, "backlog", value, UINT32_MAX, &n) < 0)
            return -1;
        a->backlog = (unsigned)n;
    }
    return 0;
}

/* "server:80" or "10.0.0.2:80"; the port is after the last colon. */
static int need_peer_port(struct parser *p, char *text, uint32_t *addr, uint16_t *port)
{
    char *colon = strrchr(text, ':');
    if (!colon || colon == text)
        return fail(p, "expected PEER:PORT, like server:80, got '%.60s'", text);
    *colon = '\0';
    int rc = need_address(p, text, addr);
    *colon = ':';
    return rc < 0 ? -1 : need_port(p, colon + 1, port);
}

static int act_connect(struct parser *p, size_t i, struct scn_action *a)
{
    if (!tok(p, i))
        return fail(p, "connect needs PEER:PORT, like 'client connect server:80'");
    if (need_peer_port(p, p->line.tok[i].text, &a->peer_addr, &a->port) < 0)
        return -1;
    for (i++; i < p->line.ntok; i++) {
        const char *key, *value;
        if (split_key_value(p, p->line.tok[i].text, &key, &value) < 0)
            return -1;
        if (strcmp(key, "port") != 0)
            return fail(p, "unknown connect key '%.60s' (keys: port)", key);
        if (need_port(p, value, &a->local_port) < 0)
            return -1;
    }
    return 0;
}

static int act_send(struct parser *p, size_t i, struct scn_action *a)
{
    if (!tok(p, i))
        return fail(p, "send needs a size or a \"text\", like 'client send 10KiB'");
    if (p->line.tok[i].quoted) {
        a->text = strdup(tok(p, i));
        if (!a->text)
            return fail(p, "out of memory");
        a->bytes = strlen(a->text);
    } else if (need_bytes(p, tok(p, i), UINT64_MAX, &a->bytes) < 0) {
        return -1;
    }
    for (i++; i < p->line.ntok; i++) {
        const char *key, *value;
        if (split_key_value(p, p->line.tok[i].text, &key, &value) < 0)
            return -1;
        if (strcmp(key, "rate") != 0)
            return fail(p, "unknown send key '%.60s' (keys: rate)", key);
        if (need_rate(p, value, &a->rate_bps) < 0)
            return -1;
        if (a->rate_bps == 0)
            return fail(p, "a send rate must be more than 0bit");
    }
    return 0;
}

static int act_read(struct parser *p, size_t i, struct scn_action *a)
{
    a->bytes = 0;   /* everything available */
    if (tok(p, i) && !strchr(tok(p, i), '=')) {
        if (need_bytes(p, tok(p, i), UINT64_MAX, &a->bytes) < 0)
            return -1;
        i++;
    }
    for (; i < p->line.ntok; i++) {
        const char *key, *value;
        if (split_key_value(p, p->line.tok[i].text, &key, &value) < 0)
            return -1;
        if (strcmp(key, "every") != 0)
            return fail(p, "unknown read key '%.60s' (keys: every)", key);
        if (need_duration(p, value, &a->every) < 0)
            return -1;
        if (a->every == 0)
            return fail(p, "every= must be longer than 0s");
    }
    return 0;
}

/* "respond request=SIZE response=SIZE": both are required. */
static int act_respond(struct parser *p, size_t i, struct scn_action *a)
{
    bool has_request = false, has_response = false;
    for (; i < p->line.ntok; i++) {
        const char *key, *value;
        if (split_key_value(p, p->line.tok[i].text, &key, &value) < 0)
            return -1;
        if (strcmp(key, "request") == 0) {
            if (need_bytes(p, value, UINT64_MAX, &a->request) < 0)
                return -1;
            has_request = true;
        } else if (strcmp(key, "response") == 0) {
            if (need_bytes(p, value, UINT64_MAX, &a->response) < 0)
                return -1;
            has_response = true;
        } else {
            return fail(p, "unknown respond key '%.60s' (keys: request response)", key);
        }
    }
    if (!has_request || !has_response)
        return fail(p, "expected 'HOST respond request=SIZE response=SIZE', like "
                       "'server respond request=100 response=10KiB'");
    if (a->request == 0)
        return fail(p, "request= must be at least 1 byte");
    return 0;
}

static int act_set(struct parser *p, size_t i, struct scn_action *a)
{
    if (!tok(p, i))
        return fail(p, "set needs key=value settings, like 'server set rcvbuf=4KiB'");
    a->cfg = p->s->hosts[a->host].cfg;
    return apply_settings(p, i, host_settings, COUNT_OF(host_settings), &a->cfg, &a->changed);
}

static int act_link(struct parser *p, size_t i, struct scn_action *a)
{
    struct scenario *s = p->s;
    int from, to;
    bool both;
    if (!tok(p, i))
        return fail(p, "expected 'link A->B key=value ...'");
    if (parse_link_ends(p, tok(p, i), &from, &to, &both) < 0)
        return -1;
    if (both)
        return fail(p, "a link action changes one direction: write A->B (and a second line for B->A)");
    if (!tok(p, i + 1))
        return fail(p, "link needs key=value settings, like 'link client->server loss=10%%'");
    a->link = scenario_link_index(s, from, to);
    if (a->link < 0 && p->one_action)
        return fail(p, "there is no link %s->%s", s->hosts[from].name, s->hosts[to].name);
    if (a->link < 0) {
        struct wire_params defaults;
        wire_params_defaults(&defaults);
        if (add_link(p, from, to, &defaults, p->lineno) < 0)
            return -1;
        a->link = (int)s->nlinks - 1;
    }
    a->link_params = s->links[a->link].params;
    return apply_settings(p, i + 1, link_settings, COUNT_OF(link_settings), &a->link_params,
                          &a->changed);
}

/* SRC:PORT of an inject: an IPv4 address, or "random" (spoofed source). */
static int inject_source(struct parser *p, char *text, struct scn_inject *in)
{
    char *colon = strrchr(text, ':');
    const char *port = colon ? colon + 1 : "random";
    if (colon)
        *colon = '\0';
    if (strcmp(text, "random") == 0) {
        in->src_random = true;
        if (strcmp(port, "random") == 0)
            return 0;
        return need_port(p, port, &in->src_port);
    }
    if (!colon || !parse_ipv4(text, &in->src_addr))
        return fail(p, "expected a source like 10.0.0.9:4000 or random:random, got '%.60s'", text);
    return need_port(p, port, &in->src_port);
}

static int inject_key(struct parser *p, const char *key, const char *value, struct scn_inject *in,
                      bool *has_flags)
{
    uint64_t n;
    if (strcmp(key, "flags") == 0) {
        *has_flags = true;
        return need_flags(p, value, &in->flags);
    }
    if (strcmp(key, "seq") == 0 && strcmp(value, "random") == 0) {
        in->seq_random = true;
        return 0;
    }
    if (strcmp(key, "interval") == 0)
        return need_duration(p, value, &in->interval);
    static const struct {
        const char *key;
        uint64_t min, max;
    } numbers[] = {
        { "seq", 0, UINT32_MAX }, { "ack", 0, UINT32_MAX }, { "win", 0, UINT16_MAX },
        { "len", 0, UINT16_MAX }, { "mss", 1, UINT16_MAX }, { "count", 1, 1000000 },
    };
    size_t k = 0;
    while (k < COUNT_OF(numbers) && strcmp(numbers[k].key, key) != 0)
        k++;
    if (k == COUNT_OF(numbers))
        return fail(p, "unknown inject key '%.60s' (keys: flags seq ack win len mss count interval)",
                    key);
    if (need_count(p, key, value, numbers[k].max, &n) < 0)
        return -1;
    if (n < numbers[k].min)
        return fail(p, "%s=%.60s is too small (at least %llu)", key, value,
                    (unsigned long long)numbers[k].min);
    switch (k) {
    case 0: in->seq = (uint32_t)n; break;
    case 1: in->ack = (uint32_t)n; break;
    case 2: in->win = (uint16_t)n; break;
    case 3: in->len = (uint32_t)n; break;
    case 4: in->mss = (uint16_t)n; break;
    default: in->count = (unsigned)n; break;
    }
    return 0;
}

static int act_inject(struct parser *p, size_t i, struct scn_action *a)
{
    struct scn_inject *in = &a->inject;
    in->win = DEFAULT_INJECT_WINDOW;
    in->count = 1;
    in->interval = DEFAULT_INJECT_INTERVAL;
    if (!tok(p, i) || !tok(p, i + 1) || strcmp(tok(p, i + 1), ">") != 0 || !tok(p, i + 2))
        return fail(p, "expected 'inject SRC:PORT > DST:PORT flags=...', like "
                       "'inject random:random > server:80 flags=SYN'");
    if (inject_source(p, p->line.tok[i].text, in) < 0 ||
        need_peer_port(p, p->line.tok[i + 2].text, &in->dst_addr, &in->dst_port) < 0)
        return -1;
    bool has_flags = false;
    for (i += 3; i < p->line.ntok; i++) {
        const char *key, *value;
        if (split_key_value(p, p->line.tok[i].text, &key, &value) < 0 ||
            inject_key(p, key, value, in, &has_flags) < 0)
            return -1;
    }
    if (!has_flags)
        return fail(p, "inject needs flags=..., like flags=SYN");
    return 0;
}

enum expect_type { EXPECT_NUMBER, EXPECT_MS, EXPECT_STATE, EXPECT_ERROR, EXPECT_YES_NO };

static const struct {
    const char *key;
    enum expect_type type;
} expect_keys[] = {
    { "state", EXPECT_STATE },       { "error", EXPECT_ERROR },
    { "bytes_read", EXPECT_NUMBER }, { "bytes_written", EXPECT_NUMBER },
    { "retransmits", EXPECT_NUMBER }, { "accepted", EXPECT_NUMBER },
    { "syn_queue", EXPECT_NUMBER },  { "accept_queue", EXPECT_NUMBER },
    { "syn_dropped", EXPECT_NUMBER }, { "cookies_sent", EXPECT_NUMBER },
    { "rst_sent", EXPECT_NUMBER },   { "segs_out", EXPECT_NUMBER },
    { "segs_in", EXPECT_NUMBER },
    /* The connection's own variables (RFC 9293 3.3.1, RFC 5681 2); sequence
     * numbers are absolute 32-bit values, compared as plain numbers. */
    { "cwnd", EXPECT_NUMBER },       { "ssthresh", EXPECT_NUMBER },
    { "snd_una", EXPECT_NUMBER },    { "snd_nxt", EXPECT_NUMBER },
    { "snd_wnd", EXPECT_NUMBER },    { "rcv_nxt", EXPECT_NUMBER },
    { "rcv_wnd", EXPECT_NUMBER },    { "dupacks", EXPECT_NUMBER },
    { "in_recovery", EXPECT_YES_NO },
    /* The RTO estimator (RFC 6298), in whole milliseconds (world_rules.c). */
    { "rto", EXPECT_MS },            { "srtt", EXPECT_MS },
    { "rttvar", EXPECT_MS },
};

static const struct {
    const char *op;
    enum scn_cmp cmp;
} comparisons[] = {
    { "=", CMP_EQ }, { "!=", CMP_NE }, { "<", CMP_LT }, { "<=", CMP_LE }, { ">", CMP_GT }, { ">=", CMP_GE },
};

static int error_from_name(const char *name)
{
    for (int e = 0; e < TCP_ERR_COUNT; e++)
        if (strcasecmp(tcp_error_name((enum tcp_error)e), name) == 0)
            return e;
    return -1;
}

static int expect_value(struct parser *p, enum expect_type type, const char *value,
                        struct scn_expect_term *t)
{
    if (type == EXPECT_STATE) {
        int st = tcp_state_from_name(value);
        if (st < 0)
            return fail(p, "unknown state '%.60s' (states: CLOSED LISTEN SYN_SENT SYN_RECEIVED "
                           "ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT)",
                        value);
        t->value = st;
        t->is_state = true;
    } else if (type == EXPECT_ERROR) {
        int e = error_from_name(value);
        if (e < 0) {
            char names[256] = "";
            for (int k = 0; k < TCP_ERR_COUNT; k++) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof names - used, "%s%s", k ? " " : "",
                         tcp_error_name((enum tcp_error)k));
            }
            return fail(p, "unknown error '%.60s' (errors: %s)", value, names);
        }
        t->value = e;
        t->is_error = true;
    } else if (type == EXPECT_YES_NO) {
        if (strcmp(value, "yes") == 0 || strcmp(value, "1") == 0)
            t->value = 1;
        else if (strcmp(value, "no") == 0 || strcmp(value, "0") == 0)
            t->value = 0;
        else
            return fail(p, "bad %s '%.60s': expected yes or no", t->key, value);
    } else if (type == EXPECT_MS) {
        /* A plain number, like every expect value and every answer; the
         * unit is fixed so that lessons read "rto=200", not "200000". */
        uint64_t n;
        if (!parse_whole(value, &n) || n > INT64_MAX)
            return fail(p, "bad %s '%.60s': expected a whole number of milliseconds, like %s=200",
                        t->key, value, t->key);
        t->value = (int64_t)n;
    } else {
        uint64_t n;
        if (need_count(p, t->key, value, INT64_MAX, &n) < 0)
            return -1;
        t->value = (int64_t)n;
    }
    return 0;
}

/* "state=ESTABLISHED", "retransmits>=1": key, operator, value, no spaces. */
static int parse_expect_term(struct parser *p, const char *text, struct scn_expect_term *t)
{
    size_t key_len = strcspn(text, "=!<>");
    if (key_len == 0 || text[key_len] == '\0')
        return fail(p, "expected KEY OP VALUE without spaces, like state=ESTABLISHED, got '%.60s'", text);
    size_t op_len = strspn(text + key_len, "=!<>");
    size_t c = 0;
    while (c < COUNT_OF(comparisons) &&
           !(strlen(comparisons[c].op) == op_len && strncmp(comparisons[c].op, text + key_len, op_len) == 0))
        c++;
    if (c == COUNT_OF(comparisons))
        return fail(p, "bad operator '%.*s' in '%.60s' (expected one of = != < <= > >=)",
                    (int)(op_len > 8 ? 8 : op_len), text + key_len, text);
    size_t k = 0;
    while (k < COUNT_OF(expect_keys) &&
           !(strlen(expect_keys[k].key) == key_len && strncmp(expect_keys[k].key, text, key_len) == 0))
        k++;
    if (k == COUNT_OF(expect_keys)) {
        char known[512] = "";
        for (size_t j = 0; j < COUNT_OF(expect_keys); j++) {
            size_t used = strlen(known);
            snprintf(known + used, sizeof known - used, "%s%s", j ? " " : "", expect_keys[j].key);
        }
        return fail(p, "unknown expect key '%.*s' (keys: %s)", (int)(key_len > 60 ? 60 : key_len),
                    text, known);
    }
    const char *value = text + key_len + op_len;
    if (!*value)
        return fail(p, "missing value after '%.60s'", text);
    memset(t, 0, sizeof *t);
    memcpy(t->key, expect_keys[k].key, strlen(expect_keys[k].key) + 1);
    t->cmp = comparisons[c].cmp;
    bool ordered = expect_keys[k].type == EXPECT_NUMBER || expect_keys[k].type == EXPECT_MS;
    if (!ordered && t->cmp != CMP_EQ && t->cmp != CMP_NE)
        return fail(p, "%s can only be compared with = or !=", t->key);
    return expect_value(p, expect_keys[k].type, value, t);
}

/* "HOST CHECK..." to the end of the line, into an ACT_EXPECT action. */
static int parse_expect_checks(struct parser *p, size_t i, struct scn_action *a)
{
    if (!tok(p, i))
        return fail(p, "expected 'expect HOST KEY=VALUE ...', like 'expect client state=ESTABLISHED'");
    if (need_host(p, tok(p, i), &a->host) < 0)
        return -1;
    if (!tok(p, i + 1))
        return fail(p, "expect needs at least one check, like state=ESTABLISHED");
    for (i++; i < p->line.ntok; i++) {
        if (a->nterms >= SCN_EXPECT_MAX_TERMS)
            return fail(p, "too many checks on one expect line (at most %d)", SCN_EXPECT_MAX_TERMS);
        if (parse_expect_term(p, tok(p, i), &a->terms[a->nterms]) < 0)
            return -1;
        a->nterms++;
    }
    return 0;
}

static int act_expect(struct parser *p, size_t i, struct scn_action *a)
{
    if (parse_expect_checks(p, i, a) < 0)
        return -1;
    p->s->nexpects++;
    return 0;
}

static int act_note(struct parser *p, size_t i, struct scn_action *a)
{
    return rest_of_line(p, i, "note", &a->text);
}

struct action_word {
    const char *name;
    enum scn_action_kind kind;
    action_parser parse;
};

/* Actions written "HOST verb ...". */
static const struct action_word host_actions[] = {
    { "listen", ACT_LISTEN, act_listen },     { "connect", ACT_CONNECT, act_connect },
    { "accept", ACT_ACCEPT, act_no_args },    { "send", ACT_SEND, act_send },
    { "read", ACT_READ, act_read },           { "shutdown", ACT_SHUTDOWN, act_no_args },
    { "close", ACT_CLOSE, act_no_args },      { "abort", ACT_ABORT, act_no_args },
    { "crash", ACT_CRASH, act_no_args },      { "reboot", ACT_REBOOT, act_no_args },
    { "set", ACT_SET, act_set },              { "respond", ACT_RESPOND, act_respond },
};

/* Actions that start with their own word (must match reserved_names). */
static const struct action_word lead_actions[] = {
    { "link", ACT_LINK, act_link },       { "inject", ACT_INJECT, act_inject },
    { "expect", ACT_EXPECT, act_expect }, { "note", ACT_NOTE, act_note },
};

static const struct action_word *find_action(const struct action_word *table, size_t n,
                                             const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static int parse_action(struct parser *p, size_t i, struct scn_action *a)
{
    if (!tok(p, i))
        return fail(p, "expected an action, like 'client close' or 'expect server state=LISTEN'");
    const struct action_word *w = find_action(lead_actions, COUNT_OF(lead_actions), tok(p, i));
    if (w) {
        a->kind = w->kind;
        return w->parse(p, i + 1, a);
    }
    if (need_host(p, tok(p, i), &a->host) < 0)
        return -1;
    w = find_action(host_actions, COUNT_OF(host_actions), tok(p, i + 1));
    if (!w)
        return fail(p, "unknown action '%.60s' after host '%s' (actions: listen connect accept send "
                       "read respond shutdown close abort crash reboot set)",
                    tok(p, i + 1) ? tok(p, i + 1) : "", p->s->hosts[a->host].name);
    a->kind = w->kind;
    return w->parse(p, i + 2, a);
}

/* ------------------------------------------------------------------------ */
/* Rules: at TIME ACTION, at end ACTION, on HOST EVENT ... do ACTION          */

/* Append an empty rule.  It is counted at once so that whatever its action
 * comes to own is freed by scenario_free even if the line has an error. */
static struct scn_rule *new_rule(struct parser *p)
{
    struct scenario *s = p->s;
    if (reserve(p, (void **)&s->rules, &p->rules_cap, s->nrules, sizeof *s->rules) < 0)
        return NULL;
    struct scn_rule *r = &s->rules[s->nrules++];
    memset(r, 0, sizeof *r);
    r->trigger.host = -1;
    r->trigger.nth = 1;
    match_any(&r->trigger.match);
    r->action.host = -1;
    r->action.link = -1;
    r->action.origin = (struct scn_origin){ s->file, p->lineno };
    return r;
}

static int parse_at(struct parser *p)
{
    struct scn_rule *r = new_rule(p);
    if (!r)
        return -1;
    if (!tok(p, 1))
        return fail(p, "expected 'at TIME ACTION' or 'at end ACTION', like 'at 1s client close'");
    if (strcmp(tok(p, 1), "end") == 0)
        r->trigger.kind = TRIG_END;
    else if (need_duration(p, tok(p, 1), &r->trigger.at) < 0)
        return -1;
    else
        r->trigger.kind = TRIG_AT;
    return parse_action(p, 2, &r->action);
}

static int parse_event(struct parser *p, const char *text, struct scn_trigger *t)
{
    if (strcmp(text, "eof") == 0) {
        t->kind = TRIG_EOF;
        return 0;
    }
    if (strcmp(text, "error") == 0) {
        t->kind = TRIG_ERROR;
        return 0;
    }
    const char *eq = strchr(text, '=');
    const char *value = eq ? eq + 1 : "";
    size_t key_len = eq ? (size_t)(eq - text) : 0;
    uint8_t flags;
    if (key_len == 5 && strncmp(text, "state", 5) == 0) {
        t->kind = TRIG_STATE;
        t->value = tcp_state_from_name(value);
        if (t->value < 0)
            return fail(p, "unknown state '%.60s' (like ESTABLISHED or TIME_WAIT)", value);
    } else if (key_len == 5 && strncmp(text, "timer", 5) == 0) {
        t->kind = TRIG_TIMER;
        t->value = tcp_timer_from_name(value);
        if (t->value < 0)
            return fail(p, "unknown timer '%.60s' (timers: rto persist delack keepalive time-wait "
                           "fin-wait-2)", value);
    } else if ((key_len == 4 && strncmp(text, "sent", 4) == 0) ||
               (key_len == 8 && strncmp(text, "received", 8) == 0)) {
        bool sent = key_len == 4;
        t->kind = sent ? TRIG_SENT : TRIG_RECEIVED;
        if (need_flags(p, value, &flags) < 0)
            return -1;
        match_exact_flags(&t->match, flags);
        if (sent)
            t->match.from = t->host;
        else
            t->match.to = t->host;
    } else {
        return fail(p, "unknown event '%.60s' (events: state=STATE timer=NAME sent=FLAGS "
                       "received=FLAGS eof error)", text);
    }
    return 0;
}

static int need_trigger_nth(struct parser *p, const char *value, struct scn_trigger *t)
{
    uint64_t n;
    if (need_count(p, "nth", value, UINT32_MAX, &n) < 0)
        return -1;
    if (n == 0)
        return fail(p, "nth counts from 1");
    t->nth = (unsigned)n;
    return 0;
}

static int parse_trigger_option(struct parser *p, char *text, struct scn_trigger *t)
{
    const char *key, *value;
    if (!strchr(text, '='))
        return fail(p, "expected 'do' and an action after the event, got '%.60s'", text);
    if (split_key_value(p, text, &key, &value) < 0)
        return -1;
    if (strcmp(key, "nth") == 0)
        return need_trigger_nth(p, value, t);
    if (strcmp(key, "after") == 0)
        return need_duration(p, value, &t->after);
    if (strcmp(key, "data") == 0 && (t->kind == TRIG_SENT || t->kind == TRIG_RECEIVED))
        return need_yes_no(p, value, &t->match.data);
    return fail(p, "unknown option '%.60s' before 'do' (options: nth after%s)", key,
                t->kind == TRIG_SENT || t->kind == TRIG_RECEIVED ? " data" : "");
}

static int parse_on(struct parser *p)
{
    struct scn_rule *r = new_rule(p);
    if (!r)
        return -1;
    if (!tok(p, 1) || !tok(p, 2))
        return fail(p, "expected 'on HOST EVENT do ACTION', like 'on server eof do server close'");
    if (need_host(p, tok(p, 1), &r->trigger.host) < 0 || parse_event(p, tok(p, 2), &r->trigger) < 0)
        return -1;
    size_t i = 3;
    for (; tok(p, i) && strcmp(tok(p, i), "do") != 0; i++)
        if (parse_trigger_option(p, p->line.tok[i].text, &r->trigger) < 0)
            return -1;
    if (!tok(p, i))
        return fail(p, "expected 'do' and an action after the event, like '... do server close'");
    return parse_action(p, i + 1, &r->action);
}

/* ------------------------------------------------------------------------ */
/* Lines and files                                                           */

typedef int (*line_handler)(struct parser *p);

static const struct {
    const char *keyword;
    line_handler parse;
} line_keywords[] = {
    { "title", parse_title }, { "duration", parse_duration_line }, { "seed", parse_seed },
    { "host", parse_host },   { "link", parse_link },              { "fault", parse_fault },
    { "at", parse_at },       { "on", parse_on },
};

static int dispatch_line(struct parser *p)
{
    const char *word = tok(p, 0);
    if (p->ext) {
        int handled = p->ext->line(p->ext->ctx, &p->handle);
        if (handled != 0)
            return handled < 0 ? -1 : 0;
    }
    for (size_t i = 0; i < COUNT_OF(line_keywords); i++)
        if (strcmp(word, line_keywords[i].keyword) == 0)
            return line_keywords[i].parse(p);
    char known[512] = "";
    for (size_t i = 0; i < COUNT_OF(line_keywords); i++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", line_keywords[i].keyword);
    }
    const char *extra;
    for (size_t i = 0; p->ext && p->ext->keyword && (extra = p->ext->keyword(p->ext->ctx, i)); i++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, ", %s", extra);
    }
    return fail(p, "unknown keyword '%.60s' (expected one of: %s)", word, known);
}

/* Offset of the first byte that is not valid UTF-8, or len if all are.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t extra;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (len - i <= extra)
            return i;
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += extra + 1;
    }
    return len;
}

static int parse_line(struct parser *p, const char *raw, size_t len)
{
    const char *nul = memchr(raw, '\0', len);
    if (nul)
        return fail(p, "NUL byte at column %zu (expected plain text)", (size_t)(nul - raw) + 1);
    size_t bad = utf8_invalid_at((const unsigned char *)raw, len);
    if (bad < len)
        return fail(p, "invalid UTF-8 at byte %zu of the line (expected UTF-8 text)", bad + 1);
    if (tokenize(p, raw, len) < 0)
        return -1;
    return p->line.ntok == 0 ? 0 : dispatch_line(p);
}

static int parse_lines(struct parser *p, const char *text, size_t len)
{
    static const char bom[] = "\xEF\xBB\xBF";   /* some editors start files with it */
    size_t pos = 0;
    if (len >= 3 && memcmp(text, bom, 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *newline = memchr(text + pos, '\n', len - pos);
        size_t end = newline ? (size_t)(newline - text) : len;
        p->lineno++;
        if (parse_line(p, text + pos, end - pos) < 0)
            return -1;
        pos = end + 1;
    }
    return 0;
}

/* So that the world always finds a link between any two hosts. */
static int add_default_links(struct parser *p)
{
    struct wire_params defaults;
    wire_params_defaults(&defaults);
    for (unsigned a = 0; a < p->s->nhosts; a++)
        for (unsigned b = 0; b < p->s->nhosts; b++)
            if (a != b && scenario_link_index(p->s, (int)a, (int)b) < 0 &&
                add_link(p, (int)a, (int)b, &defaults, 0) < 0)
                return -1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* One action on its own (the UI's command line)                             */

int scenario_parse_action_line(const struct scenario *s, const char *line, struct scn_action *out,
                               char *err, size_t errlen)
{
    /* The action parsers take a writable scenario; a shallow copy lets them
     * keep their habits (act_expect counts expects) without touching the
     * caller's, and one_action stops the only one that would grow it. */
    struct scenario copy = *s;
    struct parser p = { .s = &copy, .err = err, .errlen = errlen, .one_action = true };
    memset(out, 0, sizeof *out);
    out->host = -1;
    out->link = -1;
    out->origin = (struct scn_origin){ s->file, 0 };
    if (err && errlen)
        err[0] = '\0';
    size_t len = strlen(line);
    int rc;
    if (utf8_invalid_at((const unsigned char *)line, len) < len)
        rc = fail(&p, "invalid UTF-8 (expected UTF-8 text)");
    else if ((rc = tokenize(&p, line, len)) == 0 && p.line.ntok == 0)
        rc = fail(&p, "expected an action, like 'client send 1000' or 'link client->server loss=5%%'");
    else if (rc == 0)
        rc = parse_action(&p, 0, out);
    free(p.line.buf);
    free(p.line.tok);
    if (rc < 0)
        scenario_action_clear(out);
    return rc;
}

void scenario_action_clear(struct scn_action *a)
{
    free(a->text);
    a->text = NULL;
}

/* The words of the grammar, for completion. */
static const char *word_at(const struct action_word *table, size_t n, size_t i)
{
    return i < n ? table[i].name : NULL;
}

const char *scenario_host_verb(size_t i)
{
    return word_at(host_actions, COUNT_OF(host_actions), i);
}

const char *scenario_lead_verb(size_t i)
{
    return word_at(lead_actions, COUNT_OF(lead_actions), i);
}

const char *scenario_set_key(size_t i)
{
    return i < COUNT_OF(host_settings) ? host_settings[i].key : NULL;
}

const char *scenario_link_key(size_t i)
{
    return i < COUNT_OF(link_settings) ? link_settings[i].key : NULL;
}

int scenario_parse_buffer_ext(const char *name, const char *text, size_t len, struct scenario *out,
                              const struct scenario_extension *ext, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (err && errlen)
        err[0] = '\0';
    out->file = strdup(name);
    if (!out->file) {
        set_error(err, errlen, "%s: out of memory", name);
        return -1;
    }
    out->duration = DEFAULT_DURATION;
    struct parser p = { .s = out, .err = err, .errlen = errlen, .ext = ext };
    p.handle.p = &p;
    int rc = parse_lines(&p, text, len);
    if (rc == 0 && ext && ext->finish) {
        /* End-of-file checks name their own lines; tokens are gone. */
        p.line.ntok = 0;
        rc = ext->finish(ext->ctx, &p.handle) < 0 ? -1 : 0;
    }
    if (rc == 0)
        rc = add_default_links(&p);
    free(p.line.buf);
    free(p.line.tok);
    if (rc < 0)
        scenario_free(out);
    return rc;
}

int scenario_parse_buffer(const char *name, const char *text, size_t len, struct scenario *out,
                          char *err, size_t errlen)
{
    return scenario_parse_buffer_ext(name, text, len, out, NULL, err, errlen);
}

int scenario_parse_string(const char *name, const char *text, struct scenario *out, char *err,
                          size_t errlen)
{
    return scenario_parse_buffer(name, text, strlen(text), out, err, errlen);
}

char *scenario_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0;
    for (;;) {
        if (*len == cap) {
            char *grown = array_grow(buf, &cap, 1, 16384);
            if (!grown) {
                free(buf);
                fclose(f);
                set_error(err, errlen, "%s: out of memory", path);
                return NULL;
            }
            buf = grown;
        }
        size_t got = fread(buf + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0)
            break;
    }
    int read_errno = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (read_errno) {
        free(buf);
        set_error(err, errlen, "%s: cannot read: %s", path, strerror(read_errno));
        return NULL;
    }
    return buf;
}

int scenario_parse_file(const char *path, struct scenario *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t len;
    char *buf = scenario_read_file(path, &len, err, errlen);
    if (!buf)
        return -1;
    int rc = scenario_parse_buffer(path, buf, len, out, err, errlen);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Extensions: the lesson parser's view of a line                            */

static struct parser *ext_parser(const struct scenario_ext_line *l)
{
    return l->p;
}

unsigned scenario_ext_lineno(const struct scenario_ext_line *l)
{
    return ext_parser(l)->lineno;
}

size_t scenario_ext_ntok(const struct scenario_ext_line *l)
{
    return ext_parser(l)->line.ntok;
}

const char *scenario_ext_tok(const struct scenario_ext_line *l, size_t i)
{
    return tok(ext_parser(l), i);
}

bool scenario_ext_quoted(const struct scenario_ext_line *l, size_t i)
{
    const struct parser *p = ext_parser(l);
    return i < p->line.ntok && p->line.tok[i].quoted;
}

const struct scenario *scenario_ext_scenario(const struct scenario_ext_line *l)
{
    return ext_parser(l)->s;
}

int scenario_ext_fail(struct scenario_ext_line *l, const char *fmt, ...)
{
    struct parser *p = ext_parser(l);
    va_list ap;
    va_start(ap, fmt);
    vfail_at(p, p->lineno, fmt, ap);
    va_end(ap);
    return -1;
}

int scenario_ext_fail_at(struct scenario_ext_line *l, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(ext_parser(l), line, fmt, ap);
    va_end(ap);
    return -1;
}

int scenario_ext_text(struct scenario_ext_line *l, size_t first, const char *what, char **out)
{
    *out = NULL;
    return rest_of_line(ext_parser(l), first, what, out);
}

int scenario_ext_no_more(struct scenario_ext_line *l, size_t i, const char *after)
{
    return no_more(ext_parser(l), i, after);
}

int scenario_ext_host(struct scenario_ext_line *l, size_t i, int *host)
{
    struct parser *p = ext_parser(l);
    if (!tok(p, i))
        return fail(p, "expected a host name after '%.60s'", tok(p, i - 1) ? tok(p, i - 1) : "");
    return need_host(p, tok(p, i), host);
}

int scenario_ext_duration(struct scenario_ext_line *l, size_t i, uint64_t *usec)
{
    struct parser *p = ext_parser(l);
    if (!tok(p, i))
        return fail(p, "expected a duration, like 500ms or 1.5s");
    return need_duration(p, tok(p, i), usec);
}

int scenario_ext_count(struct scenario_ext_line *l, size_t i, const char *what, uint64_t max,
                       uint64_t *out)
{
    struct parser *p = ext_parser(l);
    if (!tok(p, i))
        return fail(p, "%s needs a whole number", what);
    return need_count(p, what, tok(p, i), max, out);
}

int scenario_ext_expect(struct scenario_ext_line *l, size_t first, struct scn_action *out)
{
    struct parser *p = ext_parser(l);
    memset(out, 0, sizeof *out);
    out->kind = ACT_EXPECT;
    out->host = -1;
    out->link = -1;
    out->origin = (struct scn_origin){ p->s->file, p->lineno };
    return parse_expect_checks(p, first, out);
}

/* nth= and data= after an event; a lesson's events take no after= (a step
 * stops at the event itself) and no 'do'. */
static int ext_event_option(struct parser *p, char *text, struct scn_trigger *t)
{
    const char *key, *value;
    bool segment = t->kind == TRIG_SENT || t->kind == TRIG_RECEIVED;
    if (!strchr(text, '='))
        return fail(p, "expected nth=N%s after the event, got '%.60s'", segment ? " or data=yes/no" : "",
                    text);
    if (split_key_value(p, text, &key, &value) < 0)
        return -1;
    if (strcmp(key, "nth") == 0)
        return need_trigger_nth(p, value, t);
    if (strcmp(key, "data") == 0 && segment)
        return need_yes_no(p, value, &t->match.data);
    return fail(p, "unknown option '%.60s' after the event (options: nth%s)", key,
                segment ? " data" : "");
}

int scenario_ext_event(struct scenario_ext_line *l, size_t first, struct scn_trigger *out)
{
    struct parser *p = ext_parser(l);
    memset(out, 0, sizeof *out);
    out->host = -1;
    out->nth = 1;
    match_any(&out->match);
    if (!tok(p, first) || !tok(p, first + 1))
        return fail(p, "expected HOST EVENT, like 'client sent=SYN' or 'server state=ESTABLISHED'");
    if (need_host(p, tok(p, first), &out->host) < 0 || parse_event(p, tok(p, first + 1), out) < 0)
        return -1;
    for (size_t i = first + 2; i < p->line.ntok; i++)
        if (ext_event_option(p, p->line.tok[i].text, out) < 0)
            return -1;
    return 0;
}

bool scenario_is_line_keyword(const char *word)
{
    for (size_t i = 0; word && i < COUNT_OF(line_keywords); i++)
        if (strcmp(word, line_keywords[i].keyword) == 0)
            return true;
    return false;
}

const char *scenario_expect_key(size_t i, bool *numeric)
{
    if (i >= COUNT_OF(expect_keys))
        return NULL;
    if (numeric)
        *numeric = expect_keys[i].type == EXPECT_NUMBER || expect_keys[i].type == EXPECT_MS;
    return expect_keys[i].key;
}
