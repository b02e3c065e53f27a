/* The time cursor: which event of the trace every view shows.
 *
 * Moving the cursor keeps the world in step with it (world_seek), so that
 * engine state read through world_stack() is the state right after the
 * step that recorded the event at the cursor.  Going forward past the
 * recorded trace runs the world (world_step); going back restores a
 * snapshot and replays, which cuts the trace at the cursor's step: the
 * events after it are made again, identically, when the cursor moves on.
 *
 * Every function that moves the cursor returns true if it moved, and
 * leaves a message in ui->message when there is something to say ("end of
 * the run", "skipped 7,180 s of idle time"). */
#ifndef TCPVIZ_UI_TIMELINE_H
#define TCPVIZ_UI_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/world.h"
#include "ui/ui.h"

/* Idle stretches longer than this (µs of virtual time) between two
 * consecutive events are announced when the cursor crosses them. */
#define TIMELINE_IDLE_USEC (10ull * 1000 * 1000)
/* At most this many events are run for one jump (end, next interesting),
 * so that a key press on a very long run comes back. */
#define TIMELINE_SCAN_MAX 2000000u
/* Play speeds: 2^speed events per second. */
#define TIMELINE_SPEED_MAX 10u
#define TIMELINE_SPEED_DEFAULT 2u

/* Put the cursor on the first event (running the world up to it). */
void timeline_init(struct ui *ui);

/* The event at the cursor, or NULL while the run has recorded nothing. */
const struct trace_entry *timeline_current(const struct ui *ui);
/* Events in the run as far as known: events_known, at least the trace. */
size_t timeline_total(const struct ui *ui);
/* True when the cursor is on the last event of a run that has ended. */
bool timeline_at_end(const struct ui *ui);

/* Move the cursor to trace index `index`; false (cursor unchanged) when
 * the run ends before it. */
bool timeline_seek(struct ui *ui, size_t index);
/* One event forward (dir > 0) or back (dir < 0). */
bool timeline_step(struct ui *ui, int dir);
/* To the next / previous segment event (sent, arrived, dropped). */
bool timeline_step_segment(struct ui *ui, int dir);
/* To the next / previous interesting event (timeline_is_interesting). */
bool timeline_interesting(struct ui *ui, int dir);
/* To the first event, or to the end of the run (bounded by
 * TIMELINE_SCAN_MAX events per call). */
bool timeline_start(struct ui *ui);
bool timeline_end(struct ui *ui);

/* Loss, retransmission, state change, cwnd cut (RTO or fast retransmit),
 * connection error, user action: what a student jumps between. */
bool timeline_is_interesting(const struct trace_entry *e);
/* Segment events: EV_SEG_OUT, EV_SEG_IN, EV_SEG_DROP. */
bool timeline_is_segment(const struct trace_entry *e);

/* Select the next / previous segment sent at or before the cursor (none
 * selected: the newest).  Returns false when there is nothing to select. */
bool timeline_select_segment(struct ui *ui, int dir);

/* The world was changed under the cursor (a fork, a sandbox command):
 * forget what was known about the future and put the cursor on the first
 * new event after it (or keep it, if there is none). */
void timeline_world_changed(struct ui *ui);

/* Milliseconds between two events while playing at ui->speed. */
int timeline_play_interval_ms(const struct ui *ui);

#endif
