/* The ':' command line.  The grammar is the scenario file's own (its action
 * part), parsed by scenario_parse_action_line, so a student who learns a
 * command here can write it into a scenario, and the other way round.  The
 * fates of a packet ("drop", "delay 50ms" ...) are the only words of its
 * own: a scenario says those with fault lines instead. */
#include "ui/cmdline.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/scenario_parse.h"
#include "sim/world.h"

/* Most words a command line is split into for the fates and completion. */
#define CMD_MAX_WORDS 8

/* ------------------------------------------------------------------ */
/* Messages                                                             */

/* Copy s into ui->message without control characters: the parser quotes
 * what was typed, and a stray escape must not reach the terminal. */
static void set_message(struct ui *ui, const char *s)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (; *p && n + 1 < sizeof ui->message; p++) {
        if (*p < 0x20 || *p == 0x7f)
            continue;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) { /* C1 controls in UTF-8 */
            p++;
            continue;
        }
        ui->message[n++] = (char)*p;
    }
    if (*p) {
        /* Cut short: do not leave half a UTF-8 character at the end. */
        size_t lead = n;
        while (lead > 0 && ((unsigned char)ui->message[lead - 1] & 0xc0) == 0x80)
            lead--;
        if (lead > 0 && ((unsigned char)ui->message[lead - 1] & 0x80)) {
            unsigned char c = (unsigned char)ui->message[lead - 1];
            size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            if (n - (lead - 1) < need)
                n = lead - 1;
        }
    }
    ui->message[n] = '\0';
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void say(struct ui *ui, const char *fmt, ...)
{
    char buf[sizeof ui->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    set_message(ui, buf);
}

/* Say why a command failed; returns false for the caller to return. */
#define failf(ui, ...) (say((ui), __VA_ARGS__), false)

/* ------------------------------------------------------------------ */
/* Words                                                                */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Split line into at most max words (copied into buf, cap bytes); returns
 * how many.  Quotes are the parser's business: the fates and completion
 * never need them. */
static size_t split_words(const char *line, char *buf, size_t cap, const char **words, size_t max)
{
    size_t n = 0, used = 0;
    const char *p = line;
    while (*p && n < max) {
        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !is_blank(*p))
            p++;
        size_t len = (size_t)(p - start);
        if (used + len + 1 > cap)
            break;
        memcpy(buf + used, start, len);
        buf[used + len] = '\0';
        words[n++] = buf + used;
        used += len + 1;
    }
    return n;
}

static int fate_by_name(const char *word)
{
    for (int f = 0; f < FATE_COUNT; f++)
        if (strcmp(word, world_fate_name((enum world_fate)f)) == 0)
            return f;
    return -1;
}

/* ------------------------------------------------------------------ */
/* After a fork                                                         */

/* Put the cursor on the new EV_USER event and tell the user what happened.
 * The timeline's notes about the future are stale: the run after the
 * cursor is a new one now. */
static void after_fork(struct ui *ui)
{
    struct world *w = ui->world;
    struct world_user_info info;
    size_t last = world_user_action_count(w) - 1;
    if (!world_user_action_get(w, last, &info))
        return;
    ui->cursor = info.index;
    ui->events_known = world_trace_len(w);
    ui->end_known = world_done(w);
    ui->synced_from = info.index;
    if (ui->selected_packet >= 0 && (size_t)ui->selected_packet >= world_packet_count(w))
        ui->selected_packet = -1;
    char what[160];
    world_user_describe(w, last, what, sizeof what);
    const struct trace_entry *e = &world_trace(w)[info.index];
    /* Link settings and notes belong to no host: no name before them. */
    bool hostless = !info.is_fate && info.action && info.action->host < 0;
    const char *who = !hostless && e->ev.endpoint < world_scenario(w)->nhosts
                          ? world_scenario(w)->hosts[e->ev.endpoint].name
                          : "";
    /* The time is formatted on its own: a translated format cannot hold
     * PRIu64.  What was done (`what`) is the command's own words. */
    char when[48];
    snprintf(when, sizeof when, "%" PRIu64 ".%06" PRIu64, info.t / 1000000u, info.t % 1000000u);
    say(ui, tv_tr(ui->lang, "%s%s%s at %s s: the run goes on from here"), who, who[0] ? " " : "",
        what, when);
}

/* "drop [PACKET]", "delay TIME [PACKET]", "duplicate [PACKET]",
 * "corrupt [PACKET]": the packet defaults to the selected one. */
static bool run_fate(struct ui *ui, enum world_fate fate, const char **words, size_t n)
{
    size_t i = 1;
    uint64_t delay = 0;
    if (fate == FATE_DELAY) {
        if (i >= n || scenario_parse_duration(words[i], &delay) < 0 || delay == 0)
            return failf(ui, "%s", tv_tr(ui->lang, "expected 'delay TIME [PACKET]', like 'delay 50ms'"));
        i++;
    }
    int64_t packet = ui->selected_packet;
    if (i < n) {
        char *end;
        unsigned long long v = strtoull(words[i], &end, 10);
        if (*end || end == words[i] || v > UINT32_MAX)
            return failf(ui, tv_tr(ui->lang, "expected a packet number, got '%.40s'"), words[i]);
        packet = (int64_t)v;
        i++;
    }
    if (i < n)
        return failf(ui, tv_tr(ui->lang, "unexpected '%.40s' after the packet"), words[i]);
    if (packet < 0)
        return failf(ui, tv_tr(ui->lang, "select a segment in flight first, or give its packet "
                                         "number: '%s 12'"),
                     world_fate_name(fate));
    char err[sizeof ui->message];
    if (!world_set_fate(ui->world, ui->cursor, (uint32_t)packet, fate, delay, err, sizeof err))
        return failf(ui, "%s", err);
    after_fork(ui);
    return true;
}

/* Can a command start with this word: a host, a verb without one (link,
 * note ...) or a fate? */
static bool is_first_word(const struct scenario *s, const char *word)
{
    if (scenario_host_index(s, word) >= 0 || fate_by_name(word) >= 0)
        return true;
    for (size_t i = 0; scenario_lead_verb(i); i++)
        if (strcmp(word, scenario_lead_verb(i)) == 0)
            return true;
    return false;
}

static bool is_host_verb(const char *word)
{
    for (size_t i = 0; scenario_host_verb(i); i++)
        if (strcmp(word, scenario_host_verb(i)) == 0)
            return true;
    return false;
}

/* "unknown command 'frob'; try client, server, link, ..., corrupt (Tab
 * completes)".  The parser would only say that 'frob' is
 * not a host, which reads like a different mistake. */
static bool unknown_command(struct ui *ui, const struct scenario *s, const char *word)
{
    char list[160] = "";
    size_t used = 0;
#define LIST_ADD(...)                                                                  \
    do {                                                                               \
        int k_ = snprintf(list + used, sizeof list - used, __VA_ARGS__);               \
        if (k_ > 0)                                                                    \
            used = used + (size_t)k_ < sizeof list ? used + (size_t)k_ : sizeof list - 1; \
    } while (0)
    for (unsigned h = 0; h < s->nhosts; h++)
        LIST_ADD("%s%s", used ? ", " : "", s->hosts[h].name);
    for (size_t i = 0; scenario_lead_verb(i); i++)
        LIST_ADD("%s%s", used ? ", " : "", scenario_lead_verb(i));
    for (int f = 0; f < FATE_COUNT; f++)
        LIST_ADD("%s%s", used ? ", " : "", world_fate_name((enum world_fate)f));
#undef LIST_ADD
    return failf(ui, tv_tr(ui->lang, "unknown command '%.32s'; try %s (Tab completes)"), word, list);
}

bool ui_cmdline_run(struct ui *ui, const char *line)
{
    const struct scenario *s = world_scenario(ui->world);
    char buf[512];
    const char *words[CMD_MAX_WORDS];
    size_t n = split_words(line, buf, sizeof buf, words, CMD_MAX_WORDS);
    int fate = n ? fate_by_name(words[0]) : -1;
    /* A host may be called "drop": then it is its action. */
    if (fate >= 0 && scenario_host_index(s, words[0]) < 0)
        return run_fate(ui, (enum world_fate)fate, words, n);

    if (n == 0)
        return failf(ui, "%s", tv_tr(ui->lang, "type a command, e.g. 'client send 1000'; Tab completes"));
    /* "cleint send 1": a misspelt host, which the parser names well;
     * "frob": no command at all, which needs the list. */
    if (!is_first_word(s, words[0]) && !(n > 1 && is_host_verb(words[1])))
        return unknown_command(ui, s, words[0]);

    struct scn_action a;
    char err[sizeof ui->message];
    if (scenario_parse_action_line(s, line, &a, err, sizeof err) < 0)
        return failf(ui, "%s", err);
    bool ok = world_user_action(ui->world, ui->cursor, &a, err, sizeof err);
    scenario_action_clear(&a);
    if (!ok)
        return failf(ui, "%s", err);
    after_fork(ui);
    return true;
}

/* ------------------------------------------------------------------ */
/* Completion                                                           */

struct completions {
    char (*out)[UI_CMDLINE_WORD_MAX];
    size_t max, n;
    const char *partial;
};

/* Offer head + tail (tail may be "") if it starts with what was typed. */
static void offer(struct completions *c, const char *head, const char *tail)
{
    if (!head || c->n >= c->max)
        return;
    char word[UI_CMDLINE_WORD_MAX];
    int len = snprintf(word, sizeof word, "%s%s", head, tail);
    if (len < 0 || (size_t)len >= sizeof word)
        return;
    if (strncmp(word, c->partial, strlen(c->partial)) != 0)
        return;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->out[i], word) == 0)
            return;
    memcpy(c->out[c->n++], word, (size_t)len + 1);
}

static void offer_hosts(struct completions *c, const struct scenario *s)
{
    for (unsigned h = 0; h < s->nhosts; h++)
        offer(c, s->hosts[h].name, "");
}

static void offer_first_word(struct completions *c, const struct scenario *s)
{
    offer_hosts(c, s);
    for (size_t i = 0; scenario_lead_verb(i); i++)
        offer(c, scenario_lead_verb(i), "");
    for (int f = 0; f < FATE_COUNT; f++)
        offer(c, world_fate_name((enum world_fate)f), "");
}

static void offer_links(struct completions *c, const struct scenario *s)
{
    for (size_t i = 0; i < s->nlinks; i++) {
        char ends[2 * SCN_NAME_MAX + 3];
        snprintf(ends, sizeof ends, "%s->%s", s->hosts[s->links[i].from].name,
                 s->hosts[s->links[i].to].name);
        offer(c, ends, "");
    }
}

size_t ui_cmdline_complete(const struct ui *ui, const char *prefix,
                           char out[][UI_CMDLINE_WORD_MAX], size_t max)
{
    const struct scenario *s = world_scenario(ui->world);
    size_t len = strlen(prefix), start = len;
    while (start > 0 && !is_blank(prefix[start - 1]))
        start--;
    struct completions c = { .out = out, .max = max, .n = 0, .partial = prefix + start };
    if (strchr(c.partial, '='))
        return 0; /* a value: nothing to offer */
    char buf[512];
    const char *words[CMD_MAX_WORDS];
    char before[512];
    snprintf(before, sizeof before, "%.*s", (int)start, prefix);
    size_t n = split_words(before, buf, sizeof buf, words, CMD_MAX_WORDS);
    bool host_first = n > 0 && scenario_host_index(s, words[0]) >= 0;
    if (n == 0) {
        offer_first_word(&c, s);
    } else if (n == 1 && host_first) {
        for (size_t i = 0; scenario_host_verb(i); i++)
            offer(&c, scenario_host_verb(i), "");
    } else if (n == 1 && strcmp(words[0], "link") == 0) {
        offer_links(&c, s);
    } else if (n == 1 && strcmp(words[0], "expect") == 0) {
        offer_hosts(&c, s);
    } else if (n >= 2 && host_first && strcmp(words[1], "set") == 0) {
        for (size_t i = 0; scenario_set_key(i); i++)
            offer(&c, scenario_set_key(i), "=");
    } else if (n >= 2 && strcmp(words[0], "link") == 0) {
        for (size_t i = 0; scenario_link_key(i); i++)
            offer(&c, scenario_link_key(i), "=");
    }
    return c.n;
}
