/* The timer view: per side, every armed timer with a live countdown from
 * the cursor's virtual time, and the RTT estimator (RFC 6298).
 *
 *   client  ESTABLISHED  at 0.250 s
 *     RTO         0.350 s left  [#######...]  due 0.600 s  backoff 1
 *     delack     40.000 ms left [##########]  due 0.290 s
 *     SRTT 40.331 ms  RTTVAR 15.604 ms  RTO 200.000 ms (in force 200.000 ms)
 *     last sample 42.400 ms at 0.242 s
 *
 * The bar shows the time still to run as a share of the time the timer
 * was armed for (from its EV_TIMER_SET), so a countdown is visible while
 * stepping. */
#include <stdio.h>
#include <string.h>

#include "ui/ui.h"
#include "ui/view_kit.h"

/* RTO, 2MSL and FIN_WAIT_2 are the RFCs' names in every language; the
 * others are words (N_, translated when drawn). */
static const char *const timer_label[TCP_TIMER_COUNT] = {
    [TCP_TIMER_RTO] = "RTO",
    [TCP_TIMER_PERSIST] = N_("persist"),
    [TCP_TIMER_DELACK] = N_("delack"),
    [TCP_TIMER_KEEPALIVE] = N_("keepalive"),
    [TCP_TIMER_TIME_WAIT] = "2MSL",
    [TCP_TIMER_FIN_WAIT_2] = "FIN_WAIT_2",
};

#define COUNTDOWN_BAR 10
#define LABEL_COLS 10

static bool armed(const struct tcb *t, enum tcp_timer k)
{
    return t && t->timer[k] != TCP_TIME_NEVER;
}

static int armed_count(const struct tcb *t)
{
    int n = 0;
    for (int k = 0; k < TCP_TIMER_COUNT; k++)
        n += armed(t, (enum tcp_timer)k);
    return n;
}

/* "0.350 s left", or "due now" for a deadline at or before the cursor
 * (it fires in the step that comes next). */
static void countdown(enum tv_lang lang, uint64_t deadline, uint64_t now, char *buf, size_t len)
{
    if (deadline <= now) {
        snprintf(buf, len, "%s", tv_tr(lang, "due now"));
        return;
    }
    char d[24];
    vk_format_duration(deadline - now, d, sizeof d);
    snprintf(buf, len, tv_tr(lang, "%s left"), d);
}

/* s padded with blanks to `cols` terminal columns (a Chinese character
 * takes two columns and three bytes, so printf's %-10s would not do). */
static void pad_to_columns(const char *s, int cols, bool right, char *buf, size_t len)
{
    int pad = cols - draw_text_width(s);
    if (pad < 0)
        pad = 0;
    if (right)
        snprintf(buf, len, "%*s%s", pad, "", s);
    else
        snprintf(buf, len, "%s%*s", s, pad, "");
}

/* Share of the armed interval still to run, in bar cells; -1 when the
 * arming event is not in the trace.  The search starts at the end of the
 * trace, not at the cursor: the state shown is the one after the cursor's
 * whole step, whose EV_TIMER_SET may come after the cursor's event. */
static int remaining_cells(const struct ui *ui, const struct vk_side *s, enum tcp_timer k,
                           uint64_t now)
{
    const struct trace_entry *tr = world_trace(ui->world);
    uint64_t deadline = s->tcb->timer[k];
    for (size_t i = world_trace_len(ui->world); i-- > 0;) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind != EV_TIMER_SET || ev->endpoint != s->host || ev->conn != s->tcb->id ||
            ev->u.timer.timer != k || ev->u.timer.deadline != deadline || tr[i].t > now)
            continue;
        if (deadline <= tr[i].t)
            return -1;
        uint64_t total = deadline - tr[i].t;
        uint64_t left = deadline > now ? deadline - now : 0;
        return (int)((left * COUNTDOWN_BAR + total - 1) / total);
    }
    return -1;
}

/* What else matters for this timer: backoff, probes, the 2MSL. */
static void timer_detail(enum tv_lang lang, const struct tcb *t, enum tcp_timer k, char *buf,
                         size_t len)
{
    char d[24];
    switch (k) {
    case TCP_TIMER_RTO:
        vk_format_duration(t->rto_current, d, sizeof d);
        snprintf(buf, len, tv_tr(lang, "backoff %u  RTO in force %s"), t->backoff, d);
        break;
    case TCP_TIMER_PERSIST:
        snprintf(buf, len, tv_tr(lang, "probe backoff %u"), t->persist_backoff);
        break;
    case TCP_TIMER_DELACK:
        if (t->unacked_segments == 1)
            snprintf(buf, len, "%s", tv_tr(lang, "1 segment not yet ACKed"));
        else
            snprintf(buf, len, tv_tr(lang, "%u segments not yet ACKed"), t->unacked_segments);
        break;
    case TCP_TIMER_KEEPALIVE:
        snprintf(buf, len, tv_tr(lang, "probes sent %u of %u"), t->keepalive_sent,
                 t->cfg.keepalive_probes);
        break;
    case TCP_TIMER_TIME_WAIT:
        vk_format_duration(2 * t->cfg.msl, d, sizeof d);
        snprintf(buf, len, "2 x MSL = %s", d);
        break;
    default:
        buf[0] = '\0';
        break;
    }
}

static void draw_timer_row(const struct ui *ui, WINDOW *win, int y, int w,
                           const struct vk_side *s, enum tcp_timer k, uint64_t now)
{
    const struct tcb *t = s->tcb;
    char left[32], due[24], detail[96], bar[COUNTDOWN_BAR * 3 + 3];
    countdown(ui->lang, t->timer[k], now, left, sizeof left);
    vk_format_time(t->timer[k], due, sizeof due);
    timer_detail(ui->lang, t, k, detail, sizeof detail);
    int cells = remaining_cells(ui, s, k, now);
    /* Without the arming event, blanks keep the columns in line. */
    snprintf(bar, sizeof bar, "%*s", COUNTDOWN_BAR + 2, "");
    if (cells >= 0) {
        size_t used = 0;
        bar[used++] = '[';
        for (int i = 0; i < COUNTDOWN_BAR; i++)
            bar[used++] = i < cells ? '#' : '.';
        bar[used++] = ']';
        bar[used] = '\0';
    }
    int x = vk_text(ui, win, y, 0, w, ROLE_NORMAL, "  ");
    char label[LABEL_COLS * 3 + 2], left_padded[48];
    pad_to_columns(tv_tr(ui->lang, timer_label[k]), LABEL_COLS, false, label, sizeof label);
    x = vk_text(ui, win, y, x, w, ROLE_TITLE, label);
    pad_to_columns(left, 16, true, left_padded, sizeof left_padded);
    vk_line(ui, win, y, x, w, ROLE_NORMAL, tv_tr(ui->lang, " %s  %s  due %s  %s"), left_padded,
            bar, due, detail);
}

/* "SRTT 40.331 ms  RTTVAR 15.604 ms  RTO 200.000 ms (in force 400.000 ms)" */
static void describe_estimator(enum tv_lang lang, const struct tcb *t, char *buf, size_t len)
{
    char rto[24], cur[24];
    vk_format_duration(t->rtt.rto, rto, sizeof rto);
    vk_format_duration(t->rto_current, cur, sizeof cur);
    if (!t->rtt.has_sample) {
        snprintf(buf, len, tv_tr(lang, "no RTT sample yet: RTO %s (RFC 6298 2.1), in force %s"),
                 rto, cur);
        return;
    }
    char srtt[24], var[24];
    vk_format_duration(t->rtt.srtt, srtt, sizeof srtt);
    vk_format_duration(t->rtt.rttvar, var, sizeof var);
    snprintf(buf, len, tv_tr(lang, "SRTT %s  RTTVAR %s  RTO %s (in force %s)"), srtt, var, rto,
             cur);
}

static void describe_last_sample(const struct ui *ui, const struct vk_side *s, char *buf,
                                 size_t len)
{
    const struct trace_entry *e = vk_last_event(ui, s->host, s->tcb->id, EV_RTT);
    if (!e) {
        snprintf(buf, len, "%s", tv_tr(ui->lang, "last sample: none yet"));
        return;
    }
    char sample[24], at[24];
    vk_format_duration(e->ev.u.rtt.sample, sample, sizeof sample);
    vk_format_time(e->t, at, sizeof at);
    snprintf(buf, len, tv_tr(ui->lang, "last sample %s at %s"), sample, at);
}

/* Why a side has no timers to show, or NULL. */
static const char *no_timers(const struct vk_side *s)
{
    if (!s->up)
        return N_("host down");
    if (!s->tcb)
        return N_("no connection");
    return NULL;
}

/* ================================================================ forms == */

static int full_rows(const struct vk_side *s)
{
    if (no_timers(s))
        return 1;
    int timers = armed_count(s->tcb);
    return 1 + (timers ? timers : 1) + 2;
}

static void draw_side_full(const struct ui *ui, WINDOW *win, int y, int w,
                           const struct vk_side *s, uint64_t now)
{
    char at[24];
    vk_format_time(now, at, sizeof at);
    /* The same header layout on every side, connection or not. */
    const char *why = no_timers(s);
    if (why) {
        vk_line(ui, win, y, 0, w, ROLE_TITLE, tv_tr(ui->lang, "%s  (%s)  at %s"), s->name,
                tv_tr(ui->lang, why), at);
        return;
    }
    vk_line(ui, win, y++, 0, w, ROLE_TITLE, tv_tr(ui->lang, "%s  %s  at %s"), s->name,
            tcp_state_name(s->tcb->state), at);
    if (armed_count(s->tcb) == 0)
        vk_line(ui, win, y++, 0, w, ROLE_DIM, "  %s", tv_tr(ui->lang, "no timer armed"));
    for (int k = 0; k < TCP_TIMER_COUNT; k++)
        if (armed(s->tcb, (enum tcp_timer)k))
            draw_timer_row(ui, win, y++, w, s, (enum tcp_timer)k, now);
    char line[160];
    describe_estimator(ui->lang, s->tcb, line, sizeof line);
    vk_line(ui, win, y++, 0, w, ROLE_NORMAL, "  %s", line);
    describe_last_sample(ui, s, line, sizeof line);
    vk_line(ui, win, y, 0, w, ROLE_NORMAL, "  %s", line);
}

/* "client: RTO 0.350 s left, delack 40.000 ms left" */
static void describe_timers_short(enum tv_lang lang, const struct vk_side *s, uint64_t now,
                                  char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "%s:", s->name);
    if (armed_count(s->tcb) == 0 && used < len)
        used += (size_t)snprintf(buf + used, len - used, " %s", tv_tr(lang, "no timer armed"));
    bool first = true;
    for (int k = 0; k < TCP_TIMER_COUNT && used < len; k++) {
        if (!armed(s->tcb, (enum tcp_timer)k))
            continue;
        char left[32];
        countdown(lang, s->tcb->timer[k], now, left, sizeof left);
        used += (size_t)snprintf(buf + used, len - used, "%s %s %s", first ? "" : ",",
                                 tv_tr(lang, timer_label[k]), left);
        first = false;
    }
}

static void draw_side_short(const struct ui *ui, WINDOW *win, int y, int rows, int w,
                            const struct vk_side *s, uint64_t now)
{
    const char *why = no_timers(s);
    if (why) {
        vk_line(ui, win, y, 0, w, ROLE_NORMAL, "%s: %s", s->name, tv_tr(ui->lang, why));
        vk_blank_rows(win, y + 1, y + rows, w);
        return;
    }
    char line[256];
    describe_timers_short(ui->lang, s, now, line, sizeof line);
    vk_line(ui, win, y, 0, w, ROLE_NORMAL, "%s", line);
    if (rows > 1) {
        describe_estimator(ui->lang, s->tcb, line, sizeof line);
        vk_line(ui, win, y + 1, 0, w, ROLE_NORMAL, "  %s", line);
    }
}

static void draw_timers(const struct ui *ui, WINDOW *win, int h, int w)
{
    if (h <= 0 || w <= 0)
        return;
    int n = vk_side_count(ui);
    struct vk_side s[VK_MAX_SIDES];
    int need = 0;
    for (int i = 0; i < n; i++) {
        vk_side_at(ui, i, &s[i]);
        need += full_rows(&s[i]) + (i > 0);
    }
    uint64_t now = vk_now(ui);
    int y = 0;
    /* Every side gets the rows of the tallest, so the blocks line up. */
    int block = 0;
    for (int i = 0; i < n; i++)
        if (full_rows(&s[i]) > block)
            block = full_rows(&s[i]);
    need = n * block + (n > 0 ? n - 1 : 0);
    if (need <= h) {
        for (int i = 0; i < n; i++) {
            if (i > 0)
                vk_blank(win, y++, 0, w);
            draw_side_full(ui, win, y, w, &s[i], now);
            vk_blank_rows(win, y + full_rows(&s[i]), y + block, w);
            y += block;
        }
    } else {
        int rows = n > 0 && h >= 2 * n ? 2 : 1;
        for (int i = 0; i < n && y + rows <= h; i++) {
            draw_side_short(ui, win, y, rows, w, &s[i], now);
            y += rows;
        }
    }
    vk_blank_rows(win, y, h, w);
}

const struct ui_view ui_view_timers = { N_("timers"), draw_timers };
