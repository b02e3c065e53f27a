/* JSON Lines export: one JSON object per event, keys always in the same
 * order, and a closing {"ev":"summary",...} line.  Meant for scripts and
 * for tests, so numbers are exact integers (µs) and names are the stable
 * strings of src/tcp/names.c. */
#ifndef TCPVIZ_EXPORT_JSONL_H
#define TCPVIZ_EXPORT_JSONL_H

#include <stdio.h>

#include "export/text.h"
#include "sim/world.h"

/* s as a JSON string literal, quotes included: \" \\ and the short escapes,
 * \u00XX for other control characters, and U+FFFD for bytes that are not
 * valid UTF-8 (JSON text must be UTF-8). */
void export_json_string(FILE *out, const char *s);

void export_jsonl_event_info(FILE *out, const struct export_info *info, const struct trace_entry *e);
void export_jsonl_event(FILE *out, const struct world *w, const struct trace_entry *e);

void export_jsonl_summary_of(FILE *out, const struct export_summary *sum);
void export_jsonl_summary(FILE *out, const struct world *w);

#endif
