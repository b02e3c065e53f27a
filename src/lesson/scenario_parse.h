/* The scenario file parser: plain text in, struct scenario out.
 *
 * The format is documented for teachers in docs/scenario-format.md.  Every
 * error names the file and the line and says what was expected, for example
 *   "tests/scenarios/x.scn:12: unknown host 'cleint' (hosts: client, server)".
 *
 * On failure the partially built scenario is freed and *out is left empty
 * (calling scenario_free on it again is harmless).
 *
 * How the parser fills a few fields the struct leaves open:
 *  - "flags=SYN,ACK" (exact flags) gives exact_flags = true, flags_set = the
 *    named flags and flags_clear = every other flag; PSH is in neither, so it
 *    is ignored (data segments carry it or not depending on the sender).
 *    "has=" gives exact_flags = false and fills only flags_set.
 *  - Links that the file does not declare get wire_params_defaults() and
 *    origin.line = 0.  An ACT_LINK action on an undeclared link creates it
 *    at that line with default parameters.
 *  - ACT_LISTEN without backlog= uses 128 (the classic SOMAXCONN).
 *  - ACT_INJECT from "random": src_random = true; src_port = 0 when the
 *    port is also random.  seq defaults to 0, win to 65535, count to 1,
 *    interval to 1 ms.
 *  - A trigger's nth defaults to 1; its match.nth is 0.
 *  - ACT_SET carries the host line's config with the line's settings
 *    applied, ACT_LINK the link line's params likewise; `changed` lists the
 *    fields the line wrote (an "isn=" also lists isn_fixed, a "ge_" key
 *    also gilbert), which are all the world applies.
 *  - "send SIZE" without rate= has rate_bps 0; "read" without every= has
 *    every 0; "respond" needs both request= (at least 1) and response=. */
#ifndef TCPVIZ_LESSON_SCENARIO_PARSE_H
#define TCPVIZ_LESSON_SCENARIO_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

/* 0 on success; -1 with err = "FILE:LINE: message saying what was expected".
 * File read errors are "FILE: cannot open: <strerror>". */
int scenario_parse_file(const char *path, struct scenario *out, char *err, size_t errlen);

/* Parse text already in memory; name is used for out->file and messages. */
int scenario_parse_string(const char *name, const char *text, struct scenario *out,
                          char *err, size_t errlen);

/* Like scenario_parse_string for a buffer that may hold NUL bytes (which are
 * rejected with their line number, as a file's would be). */
int scenario_parse_buffer(const char *name, const char *text, size_t len,
                          struct scenario *out, char *err, size_t errlen);
/* The whole file at path (malloc'ed; *len its size, NUL bytes and all:
 * the parsers judge the bytes), or NULL with err "PATH: cannot open: ...",
 * "PATH: cannot read: ..." or "PATH: out of memory".  Both file parsers
 * read through it. */
char *scenario_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* ------------------------------------------------------------------------
 * Extending the grammar (the lesson parser, docs/lesson-format.md).
 *
 * scenario_parse_buffer_ext parses like scenario_parse_buffer, and shows
 * every line that has tokens to ext->line first, so one tokenizer, one set
 * of line rules (comments, quotes, UTF-8, NUL, BOM) and one FILE:LINE
 * error style serve both formats.  ext->line returns 1 when it handled the
 * line, 0 when the line is not its business (the scenario grammar gets
 * it) and -1 on error, having reported it with scenario_ext_fail (which
 * prefixes FILE:LINE as every scenario error does).  ext->finish, if set,
 * runs after the last line (for checks that need the whole file; it names
 * lines with scenario_ext_fail_at).  ext->keyword lists the extension's
 * words (the i-th, NULL past the last or when it has none) for the
 * "unknown keyword" message.
 *
 * ext->prose_after, if set, is asked after each token of a line is cut
 * (the tokens so far are in `line`); when it says true, the rest of the
 * line is prose: one token holding it as written (quotes and all, up to a
 * '#' outside quotes), or unescaped when it is exactly one quoted string.
 * Narration then may say "stop" in quotes without a tokenizer error. */
struct scenario_ext_line;   /* the line being parsed; valid during a callback */

struct scenario_extension {
    void *ctx;
    int (*line)(void *ctx, struct scenario_ext_line *line);
    int (*finish)(void *ctx, struct scenario_ext_line *line);
    const char *(*keyword)(void *ctx, size_t i);
    bool (*prose_after)(void *ctx, const struct scenario_ext_line *line);
};

int scenario_parse_buffer_ext(const char *name, const char *text, size_t len, struct scenario *out,
                              const struct scenario_extension *ext, char *err, size_t errlen);

/* The line: its number, its tokens (words and unescaped "quoted strings";
 * NULL past the last) and the scenario parsed so far. */
unsigned scenario_ext_lineno(const struct scenario_ext_line *l);
size_t scenario_ext_ntok(const struct scenario_ext_line *l);
const char *scenario_ext_tok(const struct scenario_ext_line *l, size_t i);
bool scenario_ext_quoted(const struct scenario_ext_line *l, size_t i);
const struct scenario *scenario_ext_scenario(const struct scenario_ext_line *l);

/* Report an error at this line, or at another one; both return -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int scenario_ext_fail(struct scenario_ext_line *l, const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int scenario_ext_fail_at(struct scenario_ext_line *l, unsigned line, const char *fmt, ...);

/* The scenario grammar's pieces, applied to tokens first.. of the line.
 * Each returns 0, or -1 having reported the error as the scenario parser
 * would.
 *  - text: the rest of the line (one quoted string unescaped, else as
 *    written without the comment), malloc'ed into *out; `what` names the
 *    line in the "needs some text" message;
 *  - no_more: an error if token i exists ("unexpected 'x' after AFTER");
 *  - host: token i is a declared host;
 *  - duration / count: token i is one ("200ms"; a whole number <= max);
 *  - expect: "HOST CHECK..." to the end of the line, into an ACT_EXPECT
 *    action (not counted in the scenario's nexpects);
 *  - event: "HOST EVENT [nth=N] [data=yes/no]" to the end of the line
 *    (the events of `on` lines), into a trigger with nth 1 by default. */
int scenario_ext_text(struct scenario_ext_line *l, size_t first, const char *what, char **out);
int scenario_ext_no_more(struct scenario_ext_line *l, size_t i, const char *after);
int scenario_ext_host(struct scenario_ext_line *l, size_t i, int *host);
int scenario_ext_duration(struct scenario_ext_line *l, size_t i, uint64_t *usec);
int scenario_ext_count(struct scenario_ext_line *l, size_t i, const char *what, uint64_t max,
                       uint64_t *out);
int scenario_ext_expect(struct scenario_ext_line *l, size_t first, struct scn_action *out);
int scenario_ext_event(struct scenario_ext_line *l, size_t first, struct scn_trigger *out);

/* Is word one of the scenario's line keywords ("host", "at", ...)? */
bool scenario_is_line_keyword(const char *word);
/* The keys of expect checks: the i-th, or NULL past the last; *numeric
 * (if not NULL) says whether its value is a plain number. */
const char *scenario_expect_key(size_t i, bool *numeric);

/* Parse the ACTION part of a rule line on its own ("client send 1000",
 * "server set nagle=off", "link client->server loss=5%") against the hosts
 * and links of s, as the UI's command line does.  0 on success; out then
 * may own text (free it with scenario_action_clear).  -1 with err = the
 * message alone, without FILE:LINE ("unknown host 'cleint' (hosts: client,
 * server)"); out is then empty.  s is not changed: a link the scenario does
 * not have is an error here. */
int scenario_parse_action_line(const struct scenario *s, const char *line, struct scn_action *out,
                               char *err, size_t errlen);
/* Free what an action owns (its text). */
void scenario_action_clear(struct scn_action *a);

/* The words of the action grammar, for completion: the i-th, or NULL past
 * the last.  Host verbs follow a host name ("client send"); lead verbs
 * start an action ("link ..."); set and link keys come before '='. */
const char *scenario_host_verb(size_t i);
const char *scenario_lead_verb(size_t i);
const char *scenario_set_key(size_t i);
const char *scenario_link_key(size_t i);

/* Unit conversions, exposed for the command line and the lesson parser.
 * Each returns 0 on success and -1 when text is not a valid value. */
int scenario_parse_duration(const char *text, uint64_t *usec);  /* "1.5s", "200ms" */
int scenario_parse_bytes(const char *text, uint64_t *bytes);    /* "1460", "64KiB" */
int scenario_parse_rate(const char *text, uint64_t *bps);       /* "100Mbit" */
int scenario_parse_percent(const char *text, uint32_t *ppm);    /* "0.5%" -> 5000 */

#endif
