/* The time cursor (see timeline.h).
 *
 * Two facts about the world shape this file.  First, the world's live
 * state is always the one at the end of its trace: world_seek to an
 * earlier event restores a snapshot, replays up to that event's step and
 * cuts the trace there.  Second, one world step may record several events
 * (a segment arrives: seg-in, state, seg-out, timer-set), and the state is
 * the same for all of them.  So ui->synced_from..world_trace_len is the
 * range of cursors the live state is right for, and moving inside it costs
 * nothing; only leaving it seeks. */
#include "config.h"

#include "ui/timeline.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "tcp/cc.h"

static const struct trace_entry *entry(const struct ui *ui, size_t i)
{
    return i < world_trace_len(ui->world) ? &world_trace(ui->world)[i] : NULL;
}

/* Remember how long the run is known to be. */
static void note_known(struct ui *ui)
{
    size_t len = world_trace_len(ui->world);
    if (world_done(ui->world)) {
        /* The live world ran out: its trace is the whole run. */
        ui->events_known = len;
        ui->end_known = true;
    } else if (len > ui->events_known) {
        ui->events_known = len;
    }
}

/* Make the world's state the one at trace index `index`. */
static bool sync_world(struct ui *ui, size_t index)
{
    if (index >= ui->synced_from && index < world_trace_len(ui->world))
        return true;
    bool ok = world_seek(ui->world, index);
    note_known(ui);
    if (ok)
        ui->synced_from = index;
    return ok;
}

/* Make sure event i exists by running the live world (which sits at the
 * end of its trace), spending at most *budget events.  Afterwards the live
 * state is right for the events of the last step, whatever the cursor. */
static bool fetch(struct ui *ui, size_t i, size_t *budget)
{
    struct world *w = ui->world;
    while (world_trace_len(w) <= i) {
        if (*budget == 0 || world_done(w))
            return false;
        size_t before = world_trace_len(w);
        /* The state after the last step is right from its first event on. */
        bool more = world_step(w);
        size_t after = world_trace_len(w);
        if (after > before) {
            ui->synced_from = before;
            *budget -= after - before < *budget ? after - before : *budget;
        }
        note_known(ui);
        if (!more && after <= i)
            return false;
    }
    return true;
}

/* "7,180": thousands separated by commas, the way the status line says it. */
static void format_thousands(uint64_t v, char *buf, size_t len)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
    size_t out = 0;
    for (int i = 0; i < n && out + 2 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
}

/* Long quiet stretches (keepalive's two hours) are skipped, but visibly:
 * the status line says how much time the step jumped over. */
static void announce_idle(struct ui *ui, size_t index)
{
    const struct trace_entry *e = entry(ui, index), *prev = index ? entry(ui, index - 1) : NULL;
    if (!e || !prev || e->t < prev->t || e->t - prev->t <= TIMELINE_IDLE_USEC)
        return;
    char secs[32];
    format_thousands((e->t - prev->t + 500000) / 1000000, secs, sizeof secs);
    snprintf(ui->message, sizeof ui->message, tv_tr(ui->lang, "skipped %s s of idle time"), secs);
}

bool timeline_is_segment(const struct trace_entry *e)
{
    return e && (e->ev.kind == EV_SEG_OUT || e->ev.kind == EV_SEG_IN ||
                 e->ev.kind == EV_SEG_DROP);
}

bool timeline_is_interesting(const struct trace_entry *e)
{
    if (!e)
        return false;
    switch (e->ev.kind) {
    case EV_SEG_DROP:
    case EV_RETRANSMIT:
    case EV_STATE:
    case EV_ERROR:
    case EV_USER:
        return true;
    case EV_CWND:
        return e->ev.u.cwnd.cause == CC_CAUSE_RTO ||
               e->ev.u.cwnd.cause == CC_CAUSE_FAST_RETRANSMIT;
    default:
        return false;
    }
}

/* The selection follows the cursor onto segment events, so that the
 * inspector shows the segment the student just stepped to. */
static void follow_selection(struct ui *ui)
{
    const struct trace_entry *e = timeline_current(ui);
    if (timeline_is_segment(e))
        ui->selected_packet = e->ev.u.seg.packet;
}

void timeline_init(struct ui *ui)
{
    ui->cursor = 0;
    ui->events_known = 0;
    ui->end_known = false;
    ui->synced_from = SIZE_MAX;
    if (ui->speed == 0)
        ui->speed = TIMELINE_SPEED_DEFAULT;
    (void)sync_world(ui, 0);
    note_known(ui);
    follow_selection(ui);
}

const struct trace_entry *timeline_current(const struct ui *ui)
{
    return entry(ui, ui->cursor);
}

size_t timeline_total(const struct ui *ui)
{
    size_t len = world_trace_len(ui->world);
    return ui->events_known > len ? ui->events_known : len;
}

bool timeline_at_end(const struct ui *ui)
{
    return ui->end_known && ui->cursor + 1 >= timeline_total(ui);
}

bool timeline_seek(struct ui *ui, size_t index)
{
    size_t old = ui->cursor;
    if (!sync_world(ui, index)) {
        /* The failed seek ran the world on: bring it back to the cursor. */
        (void)sync_world(ui, old);
        return false;
    }
    ui->cursor = index;
    if (index == old + 1)
        announce_idle(ui, index);
    follow_selection(ui);
    return true;
}

bool timeline_step(struct ui *ui, int dir)
{
    if (dir < 0) {
        if (ui->cursor == 0 || world_trace_len(ui->world) == 0) {
            snprintf(ui->message, sizeof ui->message, "%s", tv_tr(ui->lang, "at the first event"));
            return false;
        }
        return timeline_seek(ui, ui->cursor - 1);
    }
    size_t next = world_trace_len(ui->world) == 0 ? 0 : ui->cursor + 1;
    if (!timeline_seek(ui, next)) {
        snprintf(ui->message, sizeof ui->message, "%s", tv_tr(ui->lang, "end of the run"));
        return false;
    }
    return true;
}

/* What a scan says when it finds nothing: whole sentences (msgids), since
 * "no earlier %s" would not translate. */
struct scan_words {
    const char *earlier;   /* "no earlier segment" */
    const char *later;     /* "no later segment" */
    char budget[160];      /* "no segment in the next 10000 events; ..." */
};

/* Move to the nearest event in direction dir that `wanted` accepts. */
static bool scan(struct ui *ui, int dir, bool (*wanted)(const struct trace_entry *),
                 const struct scan_words *none)
{
    if (dir < 0) {
        for (size_t i = ui->cursor; i-- > 0;)
            if (wanted(entry(ui, i)))
                return timeline_seek(ui, i);
        snprintf(ui->message, sizeof ui->message, "%s", none->earlier);
        return false;
    }
    size_t budget = TIMELINE_SCAN_MAX;
    for (size_t i = world_trace_len(ui->world) == 0 ? 0 : ui->cursor + 1;; i++) {
        if (!fetch(ui, i, &budget))
            break;
        if (wanted(entry(ui, i)))
            return timeline_seek(ui, i);
    }
    (void)sync_world(ui, ui->cursor);
    if (budget == 0)
        snprintf(ui->message, sizeof ui->message, "%s", none->budget);
    else
        snprintf(ui->message, sizeof ui->message, "%s", none->later);
    return false;
}

bool timeline_step_segment(struct ui *ui, int dir)
{
    struct scan_words none = {
        .earlier = tv_tr(ui->lang, "no earlier segment"),
        .later = tv_tr(ui->lang, "no later segment"),
    };
    snprintf(none.budget, sizeof none.budget,
             tv_tr(ui->lang, "no segment in the next %u events; press again to search on"),
             TIMELINE_SCAN_MAX);
    return scan(ui, dir, timeline_is_segment, &none);
}

bool timeline_interesting(struct ui *ui, int dir)
{
    struct scan_words none = {
        .earlier = tv_tr(ui->lang, "no earlier loss, retransmission or state change"),
        .later = tv_tr(ui->lang, "no later loss, retransmission or state change"),
    };
    snprintf(none.budget, sizeof none.budget,
             tv_tr(ui->lang, "no loss, retransmission or state change in the next %u events; "
                             "press again to search on"),
             TIMELINE_SCAN_MAX);
    return scan(ui, dir, timeline_is_interesting, &none);
}

bool timeline_start(struct ui *ui)
{
    if (world_trace_len(ui->world) == 0 && !sync_world(ui, 0))
        return false;
    return ui->cursor != 0 && timeline_seek(ui, 0);
}

bool timeline_end(struct ui *ui)
{
    size_t budget = TIMELINE_SCAN_MAX;
    while (fetch(ui, world_trace_len(ui->world), &budget))
        ;
    size_t len = world_trace_len(ui->world);
    if (len == 0)
        return false;
    if (budget == 0 && !world_done(ui->world)) {
        char n[32];
        format_thousands(TIMELINE_SCAN_MAX, n, sizeof n);
        snprintf(ui->message, sizeof ui->message,
                 tv_tr(ui->lang, "ran %s more events and the run goes on; press again for more"), n);
    }
    size_t old = ui->cursor;
    return timeline_seek(ui, len - 1) && old != len - 1;
}

bool timeline_select_segment(struct ui *ui, int dir)
{
    size_t end = world_trace_len(ui->world);
    if (end > ui->cursor + 1)
        end = ui->cursor + 1;
    /* Where the selected segment was sent, if it was by the cursor. */
    size_t at = SIZE_MAX, newest = SIZE_MAX;
    for (size_t i = 0; i < end; i++) {
        const struct trace_entry *e = entry(ui, i);
        if (e->ev.kind != EV_SEG_OUT)
            continue;
        newest = i;
        if (ui->selected_packet >= 0 && e->ev.u.seg.packet == (uint64_t)ui->selected_packet)
            at = i;
    }
    if (newest == SIZE_MAX) {
        snprintf(ui->message, sizeof ui->message, "%s", tv_tr(ui->lang, "no segment has been sent yet"));
        return false;
    }
    size_t pick = SIZE_MAX;
    if (at == SIZE_MAX) {
        pick = newest;
    } else if (dir > 0) {
        for (size_t i = at + 1; i < end && pick == SIZE_MAX; i++)
            if (entry(ui, i)->ev.kind == EV_SEG_OUT)
                pick = i;
    } else {
        for (size_t i = at; i-- > 0 && pick == SIZE_MAX;)
            if (entry(ui, i)->ev.kind == EV_SEG_OUT)
                pick = i;
    }
    if (pick == SIZE_MAX) {
        snprintf(ui->message, sizeof ui->message, "%s",
                 dir > 0 ? tv_tr(ui->lang, "no later segment sent yet")
                         : tv_tr(ui->lang, "no earlier segment"));
        return false;
    }
    ui->selected_packet = entry(ui, pick)->ev.u.seg.packet;
    return true;
}

void timeline_world_changed(struct ui *ui)
{
    size_t len = world_trace_len(ui->world);
    /* The future known before the change is gone. */
    ui->events_known = len;
    ui->end_known = world_done(ui->world);
    ui->synced_from = SIZE_MAX;
    for (size_t i = ui->cursor + 1; i < len; i++) {
        if (entry(ui, i)->ev.kind == EV_USER) {
            /* The change is a step of its own that the live state ends. */
            ui->cursor = i;
            ui->synced_from = i;
            break;
        }
    }
    if (len > 0 && ui->cursor >= len)
        ui->cursor = len - 1;
    (void)sync_world(ui, ui->cursor);
    follow_selection(ui);
}

int timeline_play_interval_ms(const struct ui *ui)
{
    unsigned speed = ui->speed > TIMELINE_SPEED_MAX ? TIMELINE_SPEED_MAX : ui->speed;
    int ms = 1000 >> speed;
    return ms > 0 ? ms : 1;
}
