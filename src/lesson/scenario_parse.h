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

#include <stddef.h>

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
