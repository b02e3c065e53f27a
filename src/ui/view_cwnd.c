/* The cwnd view: congestion window and ssthresh over virtual time, and the
 * Stevens plot (sequence number against time), for the side that sends
 * the most data.
 *
 * cwnd chart (y in MSS):             Stevens plot (y in bytes from the ISS):
 *   12|      *                         14.6k|          +++     R
 *    6|  * * |  ----------*              7k|    +++  .......
 *    0+------!---------T----:             0+++.......------:
 *     ssssssfffffaaaatttt                   0.100 s        0.300 s
 *
 * cwnd '*' (a jump within one column '|'), ssthresh '-'; under the axis the
 * phase of each column: s slow start, a congestion avoidance, f fast
 * recovery, t slow start after an RTO; on the axis the losses: '!' a fast
 * retransmit, 'T' a retransmission timeout.  Stevens: '+' data sent, 'R'
 * retransmitted, 'x' dropped, '.' the cumulative ACK coming back.  The
 * cursor's time is the ':' column.  Everything is drawn from the trace up
 * to the cursor, so stepping back un-draws it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/segment.h"
#include "ui/ui.h"
#include "ui/view_kit.h"

/* ============================================================== sender == */

struct sender {
    struct vk_side side;
    uint32_t conn;            /* the sender's connection, 0 = any */
    uint32_t addr;            /* its address (drops are recognised by it) */
    tcp_seq iss;
    uint32_t mss;
    uint64_t t0, t1, now;     /* the x axis spans [t0, t1]; now is the cursor */
    bool now_beyond;          /* the cursor is past t1 (a long idle end is cut) */
    uint32_t cwnd_max;        /* bytes, the y range of the cwnd chart */
    uint32_t seq_max;         /* bytes from the ISS, the y range of the Stevens plot */
    bool have_cc;             /* cwnd, ssthresh, phase known at the cursor */
    uint32_t cwnd, ssthresh;
    uint8_t phase;
    unsigned fast_retransmits, timeouts;
    uint64_t bytes_new, bytes_resent; /* payload bytes sent once, and again */
    bool resend_pending;      /* an EV_RETRANSMIT announced the next EV_SEG_OUT */
};

#define SSTHRESH_INFINITE UINT32_MAX

static bool mine(const struct sender *s, const struct tcp_event *ev)
{
    return ev->endpoint == s->side.host && (s->conn == 0 || ev->conn == s->conn);
}

static bool is_data_out(const struct tcp_event *ev)
{
    return ev->kind == EV_SEG_OUT && ev->u.seg.len > 0;
}

/* The side with the most data sent; the first on a tie (or no data). */
static int busiest_host(const struct ui *ui)
{
    uint64_t sent[VK_MAX_SIDES] = { 0 };
    const struct trace_entry *tr = world_trace(ui->world);
    size_t end = vk_trace_end(ui);
    for (size_t i = 0; i < end; i++)
        if (is_data_out(&tr[i].ev) && tr[i].ev.endpoint < VK_MAX_SIDES)
            sent[tr[i].ev.endpoint] += tr[i].ev.u.seg.len;
    int best = 0;
    for (int h = 1; h < vk_side_count(ui); h++)
        if (sent[h] > sent[best])
            best = h;
    return best;
}

static uint32_t rel(const struct sender *s, tcp_seq seq)
{
    return seq - s->iss;
}

/* ISS: the TCB's, or the sequence number of the side's first SYN. */
static tcp_seq find_iss(const struct ui *ui, const struct sender *s)
{
    if (s->side.tcb)
        return s->side.tcb->iss;
    const struct trace_entry *tr = world_trace(ui->world);
    size_t end = vk_trace_end(ui);
    for (size_t i = 0; i < end; i++)
        if (tr[i].ev.kind == EV_SEG_OUT && mine(s, &tr[i].ev) && (tr[i].ev.u.seg.flags & TCP_SYN))
            return tr[i].ev.u.seg.seq;
    return 0;
}

/* One event's part in the scales, the counters and the values at the cursor. */
static void sender_take(struct sender *s, const struct trace_entry *e, bool *started)
{
    const struct tcp_event *ev = &e->ev;
    if (!mine(s, ev))
        return;
    if (ev->kind == EV_CWND) {
        if (!*started)
            s->t0 = e->t;
        *started = true;
        s->have_cc = true;
        s->cwnd = ev->u.cwnd.cwnd;
        s->ssthresh = ev->u.cwnd.ssthresh;
        s->phase = ev->u.cwnd.phase;
        if (s->cwnd > s->cwnd_max)
            s->cwnd_max = s->cwnd;
        if (s->ssthresh != SSTHRESH_INFINITE && s->ssthresh > s->cwnd_max)
            s->cwnd_max = s->ssthresh;
    } else if (ev->kind == EV_SEG_OUT) {
        uint32_t end = rel(s, ev->u.seg.seq + ev->u.seg.len);
        if (ev->u.seg.len > 0 && end > s->seq_max && end < UINT32_MAX / 2)
            s->seq_max = end;
        if (s->resend_pending)
            s->bytes_resent += ev->u.seg.len;
        else
            s->bytes_new += ev->u.seg.len;
        s->resend_pending = false;
    } else if (ev->kind == EV_RETRANSMIT) {
        s->fast_retransmits += ev->u.retx.cause == RETX_FAST || ev->u.retx.cause == RETX_SACK;
        s->timeouts += ev->u.retx.cause == RETX_RTO;
        s->resend_pending = true;
    }
    /* What the charts draw, and the timeouts that explain a quiet stretch. */
    if (ev->kind == EV_CWND || ev->kind == EV_SEG_OUT || ev->kind == EV_SEG_IN ||
        ev->kind == EV_SEG_DROP || ev->kind == EV_RETRANSMIT || ev->kind == EV_TIMER_FIRE)
        s->t1 = e->t > s->t1 ? e->t : s->t1;
}

/* The x axis runs to the cursor, but a long quiet stretch after the last
 * segment (a run that idles to its end) would squeeze the activity into a
 * few columns: past a quarter of the active span the axis stops, and the
 * cursor is shown as beyond it. */
static void x_span_to_cursor(struct sender *s)
{
    if (s->t1 < s->t0)
        s->t1 = s->t0;
    uint64_t active = s->t1 - s->t0;
    uint64_t limit = s->t1 + active / 4;
    if (active == 0 || s->now <= limit) {
        s->t1 = s->now > s->t1 ? s->now : s->t1;
    } else {
        s->t1 = limit;
        s->now_beyond = true;
    }
}

static void sender_at(const struct ui *ui, struct sender *s)
{
    memset(s, 0, sizeof *s);
    int host = busiest_host(ui);
    vk_side_at(ui, host, &s->side);
    const struct scenario *scn = world_scenario(ui->world);
    s->addr = scn && (size_t)host < scn->nhosts ? scn->hosts[host].addr : 0;
    /* The listener's cwnd is not the connection's. */
    if (s->side.tcb && s->side.tcb->state != TCP_LISTEN)
        s->conn = s->side.tcb->id;
    s->iss = find_iss(ui, s);
    s->mss = s->side.tcb && s->side.tcb->cc.mss ? s->side.tcb->cc.mss : TCP_DEFAULT_PEER_MSS;
    s->now = vk_now(ui);
    const struct trace_entry *tr = world_trace(ui->world);
    size_t end = vk_trace_end(ui);
    bool started = false;
    for (size_t i = 0; i < end; i++)
        sender_take(s, &tr[i], &started);
    if (!started)
        s->t0 = end ? tr[0].t : 0;
    x_span_to_cursor(s);
    if (s->mss == TCP_DEFAULT_PEER_MSS && s->side.tcb && s->side.tcb->snd_mss)
        s->mss = s->side.tcb->snd_mss;
}

/* ============================================================== canvas == */

/* What a plot cell shows; a higher value wins the cell. */
enum mark {
    M_EMPTY = 0,
    M_CURSOR,
    M_SSTHRESH,
    M_ACK,
    M_CWND_JUMP,
    M_CWND,
    M_DATA,
    M_RETX,
    M_DROP,
};

#define PLOT_MAX_COLS 1024

struct canvas {
    int rows, cols;
    uint8_t *cell;            /* rows * cols marks */
    uint64_t t0, span;        /* time of column 0, time across all columns */
    uint64_t ymax;            /* value of the top row */
};

static bool canvas_init(struct canvas *c, int rows, int cols, uint64_t t0, uint64_t t1,
                        uint64_t ymax)
{
    c->rows = rows;
    c->cols = cols;
    c->t0 = t0;
    c->span = t1 > t0 ? t1 - t0 : 1;
    c->ymax = ymax ? ymax : 1;
    c->cell = calloc((size_t)rows * (size_t)cols, 1);
    return c->cell != NULL;
}

static int col_of(const struct canvas *c, uint64_t t)
{
    if (t <= c->t0)
        return 0;
    uint64_t col = (t - c->t0) * (uint64_t)(c->cols - 1) / c->span;
    return col >= (uint64_t)c->cols ? c->cols - 1 : (int)col;
}

static int row_of(const struct canvas *c, uint64_t v)
{
    if (v > c->ymax)
        v = c->ymax;
    uint64_t up = (v * (uint64_t)(c->rows - 1) + c->ymax / 2) / c->ymax;
    return c->rows - 1 - (int)up;
}

static void canvas_put(struct canvas *c, int row, int col, enum mark m)
{
    if (row < 0 || row >= c->rows || col < 0 || col >= c->cols)
        return;
    uint8_t *cell = &c->cell[(size_t)row * (size_t)c->cols + (size_t)col];
    if (m > *cell)
        *cell = (uint8_t)m;
}

static void canvas_cursor(struct canvas *c, uint64_t now)
{
    int col = col_of(c, now);
    for (int r = 0; r < c->rows; r++)
        canvas_put(c, r, col, M_CURSOR);
}

static const char *mark_glyph(const struct ui *ui, enum mark m)
{
    switch (m) {
    case M_CURSOR: return vk_glyph(ui, "\u250a", ":");
    case M_SSTHRESH: return "-";
    case M_ACK: return ".";
    case M_CWND_JUMP: return "|";
    case M_CWND: return "*";
    case M_DATA: return "+";
    case M_RETX: return "R";
    case M_DROP: return "x";
    default: return " ";
    }
}

static enum ui_role mark_role(enum mark m)
{
    switch (m) {
    case M_CURSOR: return ROLE_DIM;
    case M_SSTHRESH: return ROLE_SERVER;
    case M_CWND: case M_CWND_JUMP: case M_DATA: return ROLE_CLIENT;
    case M_RETX: return ROLE_RETRANSMIT;
    case M_DROP: return ROLE_DROP;
    default: return ROLE_NORMAL;
    }
}

/* The canvas rows with a y axis: labels on the top, middle and bottom
 * rows (value(row) gives the text), '|' after them. */
static void draw_canvas(const struct ui *ui, WINDOW *win, int y0, int w, int label_w,
                        const struct canvas *c,
                        void (*label)(const struct canvas *, int row, char *buf, size_t len))
{
    for (int r = 0; r < c->rows; r++) {
        char text[24] = "";
        if (r == 0 || r == c->rows - 1 || (c->rows >= 5 && r == (c->rows - 1) / 2))
            label(c, r, text, sizeof text);
        vk_line(ui, win, y0 + r, 0, label_w - 1, ROLE_DIM, "%*s", label_w - 1, text);
        vk_cell(ui, win, y0 + r, label_w - 1, w, ROLE_DIM, vk_glyph(ui, "\u2502", "|"));
        int x = label_w;
        for (int k = 0; k < c->cols; k++, x++) {
            enum mark m = c->cell[(size_t)r * (size_t)c->cols + (size_t)k];
            vk_cell(ui, win, y0 + r, x, w, mark_role(m), mark_glyph(ui, m));
        }
        vk_blank(win, y0 + r, x, w);
    }
}

/* The x axis: '+----' with marks (losses, the cursor) at their columns. */
static void draw_axis(const struct ui *ui, WINDOW *win, int y, int w, int label_w,
                      const char *marks, int cols)
{
    vk_blank(win, y, 0, label_w - 1);
    vk_cell(ui, win, y, label_w - 1, w, ROLE_DIM, vk_glyph(ui, "\u2514", "+"));
    int x = label_w;
    for (int k = 0; k < cols; k++, x++) {
        char one[2] = { marks ? marks[k] : '\0', '\0' };
        if (one[0] == '!' || one[0] == 'T')
            vk_cell(ui, win, y, x, w, ROLE_DROP, one);
        else if (one[0] == '^' || one[0] == '>')
            vk_cell(ui, win, y, x, w, ROLE_NORMAL, one);
        else
            vk_cell(ui, win, y, x, w, ROLE_DIM, vk_glyph(ui, "\u2500", "-"));
    }
    vk_blank(win, y, x, w);
}

/* Start time at the left, end time at the right (and the cursor's when
 * it is beyond), `middle` between if it fits. */
static void draw_time_row(const struct ui *ui, WINDOW *win, int y, int w, int label_w,
                          const struct canvas *c, const struct sender *s, const char *middle)
{
    char from[24], end[24], now[24], to[64];
    vk_format_time(c->t0, from, sizeof from);
    vk_format_time(c->t0 + c->span, end, sizeof end);
    vk_format_time(s->now, now, sizeof now);
    if (s->now_beyond)
        snprintf(to, sizeof to, tv_tr(ui->lang, "%s > now %s"), end, now);
    else
        snprintf(to, sizeof to, "%s", end);
    vk_blank(win, y, 0, label_w);
    int x = vk_text(ui, win, y, label_w, w, ROLE_DIM, from);
    int to_x = w - draw_text_width(to);
    int mid_w = draw_text_width(middle);
    if (to_x > x + 1) {
        int mid_x = x + 2;
        if (mid_x + mid_w + 2 <= to_x) {
            vk_blank(win, y, x, mid_x);
            x = vk_text(ui, win, y, mid_x, to_x, ROLE_DIM, middle);
        }
        vk_blank(win, y, x, to_x);
        vk_text(ui, win, y, to_x, w, ROLE_DIM, to);
    } else {
        vk_blank(win, y, x, w);
    }
}

/* Losses and the cursor on the x axis. */
static void loss_marks(const struct ui *ui, const struct sender *s, const struct canvas *c,
                       char *marks)
{
    memset(marks, 0, (size_t)c->cols);
    marks[col_of(c, s->now)] = s->now_beyond ? '>' : '^';
    const struct trace_entry *tr = world_trace(ui->world);
    size_t end = vk_trace_end(ui);
    for (size_t i = 0; i < end; i++) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind != EV_RETRANSMIT || !mine(s, ev))
            continue;
        int col = col_of(c, tr[i].t);
        if (ev->u.retx.cause == RETX_RTO)
            marks[col] = 'T';
        else if ((ev->u.retx.cause == RETX_FAST || ev->u.retx.cause == RETX_SACK) &&
                 marks[col] != 'T')
            marks[col] = '!';
    }
}

/* ========================================================== cwnd chart == */

static const char phase_letter[CC_PHASE_COUNT] = {
    [CC_SLOW_START] = 's',
    [CC_CONGESTION_AVOIDANCE] = 'a',
    [CC_FAST_RECOVERY] = 'f',
    [CC_AFTER_RTO] = 't',
};

/* A column's cwnd: the range it went through and where it ended. */
struct cwnd_col {
    bool set;
    uint32_t lo, hi, last, ssthresh;
    uint8_t phase;
};

static void col_touch(struct cwnd_col *col, uint32_t cwnd, uint32_t ssthresh, uint8_t phase)
{
    if (!col->set) {
        col->lo = col->hi = cwnd;
        col->set = true;
    }
    col->lo = cwnd < col->lo ? cwnd : col->lo;
    col->hi = cwnd > col->hi ? cwnd : col->hi;
    col->last = cwnd;
    col->ssthresh = ssthresh;
    col->phase = phase;
}

/* Walk the EV_CWND history into columns; a value holds until the next
 * change, so columns between changes carry it. */
static void cwnd_columns(const struct ui *ui, const struct sender *s, const struct canvas *c,
                         struct cwnd_col *cols)
{
    memset(cols, 0, sizeof *cols * (size_t)c->cols);
    const struct trace_entry *tr = world_trace(ui->world);
    size_t end = vk_trace_end(ui);
    bool have = false;
    uint32_t cwnd = 0, ssthresh = 0;
    uint8_t phase = 0;
    int last_col = -1;
    for (size_t i = 0; i < end; i++) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind != EV_CWND || !mine(s, ev))
            continue;
        int col = col_of(c, tr[i].t);
        for (int k = last_col + 1; have && k <= col; k++)
            col_touch(&cols[k], cwnd, ssthresh, phase);
        cwnd = ev->u.cwnd.cwnd;
        ssthresh = ev->u.cwnd.ssthresh;
        phase = ev->u.cwnd.phase < CC_PHASE_COUNT ? ev->u.cwnd.phase : 0;
        col_touch(&cols[col], cwnd, ssthresh, phase);
        have = true;
        last_col = col;
    }
    int now_col = col_of(c, s->now);
    for (int k = last_col + 1; have && k <= now_col; k++)
        col_touch(&cols[k], cwnd, ssthresh, phase);
}

static void mss_label(const struct canvas *c, int row, char *buf, size_t len)
{
    /* ymax is in MSS for this canvas (see draw_cwnd_chart). */
    uint64_t v = (c->ymax * (uint64_t)(c->rows - 1 - row) + (uint64_t)(c->rows - 1) / 2) /
                 (uint64_t)(c->rows - 1 > 0 ? c->rows - 1 : 1);
    snprintf(buf, len, "%llu", (unsigned long long)v);
}

static void describe_cc(enum tv_lang lang, const struct sender *s, char *buf, size_t len)
{
    if (!s->have_cc) {
        snprintf(buf, len, "%s", tv_tr(lang, "no congestion window yet"));
        return;
    }
    char ssthresh[32];
    if (s->ssthresh == SSTHRESH_INFINITE)
        snprintf(ssthresh, sizeof ssthresh, "inf");
    else
        snprintf(ssthresh, sizeof ssthresh, "%.1f MSS", (double)s->ssthresh / s->mss);
    /* The phase's name is a msgid of view_narration.c's table. */
    snprintf(buf, len, "cwnd %.1f MSS (%u B)  ssthresh %s  %s", (double)s->cwnd / s->mss,
             s->cwnd, ssthresh, tv_tr(lang, tcp_cc_phase_name(s->phase)));
}

/* The chart's first line, the values at the cursor with the chart's
 * glyphs, in the longest wording that fits w columns:
 *   "client: cwnd * 2.0 MSS (2920 B)  ssthresh - 4.0 MSS  congestion-avoidance  (MSS 1460 B)"
 * down to "cwnd * 2.0  ssthresh - 4.0" (MSS as the unit). */
#define CHART_TITLE_FORMS 5
static void describe_chart_title(enum tv_lang lang, const struct sender *s, int w, char *buf,
                                 size_t len)
{
    char forms[CHART_TITLE_FORMS][160];
    const char *name = s->side.name;
    int n = 0;
    if (!s->have_cc) {
        snprintf(forms[n++], sizeof forms[0],
                 tv_tr(lang, "%s: no congestion window yet  (cwnd *, ssthresh -)"), name);
        snprintf(forms[n++], sizeof forms[0], tv_tr(lang, "%s: no congestion window yet"), name);
        snprintf(forms[n++], sizeof forms[0], tv_tr(lang, "%s: no cwnd yet"), name);
    } else {
        char ssthresh[32];
        double cwnd = (double)s->cwnd / s->mss;
        const char *phase = tv_tr(lang, tcp_cc_phase_name(s->phase));
        if (s->ssthresh == SSTHRESH_INFINITE)
            snprintf(ssthresh, sizeof ssthresh, "inf");
        else
            snprintf(ssthresh, sizeof ssthresh, "%.1f", (double)s->ssthresh / s->mss);
        const char *unit = s->ssthresh == SSTHRESH_INFINITE ? "" : " MSS";
        snprintf(forms[n++], sizeof forms[0], "%s: cwnd * %.1f MSS (%u B)  ssthresh - %s%s  %s  (MSS %u B)",
                 name, cwnd, s->cwnd, ssthresh, unit, phase, s->mss);
        snprintf(forms[n++], sizeof forms[0], "%s: cwnd * %.1f MSS (%u B)  ssthresh - %s%s  %s",
                 name, cwnd, s->cwnd, ssthresh, unit, phase);
        snprintf(forms[n++], sizeof forms[0], "%s: cwnd * %.1f MSS  ssthresh - %s%s  %s", name,
                 cwnd, ssthresh, unit, phase);
        snprintf(forms[n++], sizeof forms[0], "%s: cwnd * %.1f MSS  ssthresh - %s%s", name, cwnd,
                 ssthresh, unit);
        snprintf(forms[n++], sizeof forms[0], "cwnd * %.1f  ssthresh - %s", cwnd, ssthresh);
    }
    int pick = 0;
    while (pick < n - 1 && draw_text_width(forms[pick]) > w)
        pick++;
    size_t used = strlen(forms[pick]);
    if (used >= len)
        used = len - 1;
    memcpy(buf, forms[pick], used);
    buf[used] = '\0';
}

#define CWND_EXTRA_ROWS 4  /* title, axis, phases, times */
#define PLOT_MIN_ROWS 3
#define PLOT_MIN_COLS 10

static uint64_t cwnd_top_mss(const struct sender *s)
{
    uint64_t top = (s->cwnd_max + s->mss - 1) / s->mss;
    return top ? top : 1;
}

/* Columns of the y labels and the axis: the widest label plus '|'. */
static int cwnd_label_cols(const struct sender *s)
{
    char top[24];
    return snprintf(top, sizeof top, "%llu", (unsigned long long)cwnd_top_mss(s)) + 1;
}

/* cwnd chart in rows [y0, y0 + h), the plot from column label_w on;
 * false if out of memory. */
static bool draw_cwnd_chart(const struct ui *ui, WINDOW *win, int y0, int h, int w,
                            const struct sender *s, int label_w)
{
    uint64_t ymax_mss = cwnd_top_mss(s);
    int cols = w - label_w;
    if (cols > PLOT_MAX_COLS)
        cols = PLOT_MAX_COLS;
    struct canvas c;
    if (!canvas_init(&c, h - CWND_EXTRA_ROWS, cols, s->t0, s->t1, ymax_mss))
        return false;
    struct cwnd_col *col = calloc((size_t)cols, sizeof *col);
    char *marks = malloc((size_t)cols);
    char *phases = malloc((size_t)cols + 1);
    bool ok = col && marks && phases;
    if (ok) {
        cwnd_columns(ui, s, &c, col);
        if (!s->now_beyond)
            canvas_cursor(&c, s->now);
        /* Rows are computed in bytes against ymax_mss whole segments. */
        struct canvas bytes = c;
        bytes.ymax = ymax_mss * s->mss;
        for (int k = 0; k < cols; k++) {
            phases[k] = col[k].set ? phase_letter[col[k].phase] : ' ';
            if (!col[k].set)
                continue;
            if (col[k].ssthresh != SSTHRESH_INFINITE)
                canvas_put(&c, row_of(&bytes, col[k].ssthresh), k, M_SSTHRESH);
            int from = row_of(&bytes, col[k].hi), to = row_of(&bytes, col[k].lo);
            for (int r = from; r <= to; r++)
                canvas_put(&c, r, k, M_CWND_JUMP);
            canvas_put(&c, row_of(&bytes, col[k].last), k, M_CWND);
        }
        phases[cols] = '\0';
        loss_marks(ui, s, &c, marks);

        char title[160];
        describe_chart_title(ui->lang, s, w, title, sizeof title);
        vk_line(ui, win, y0, 0, w, ROLE_TITLE, "%s", title);
        draw_canvas(ui, win, y0 + 1, w, label_w, &c, mss_label);
        draw_axis(ui, win, y0 + 1 + c.rows, w, label_w, marks, cols);
        vk_blank(win, y0 + 2 + c.rows, 0, label_w);
        vk_line(ui, win, y0 + 2 + c.rows, label_w, w, ROLE_NORMAL, "%s", phases);
        draw_time_row(ui, win, y0 + 3 + c.rows, w, label_w, &c, s,
                      tv_tr(ui->lang, "s slow start  a avoidance  f fast recovery  t after RTO  "
                                      "! fast retx  T RTO"));
    }
    free(phases);
    free(marks);
    free(col);
    free(c.cell);
    return ok;
}

/* ======================================================= Stevens plot == */

static void bytes_text(uint64_t v, char *buf, size_t len)
{
    if (v >= 10000000)
        snprintf(buf, len, "%lluM", (unsigned long long)(v / 1000000));
    else if (v >= 10000)
        snprintf(buf, len, "%.1fk", (double)v / 1000.0);
    else
        snprintf(buf, len, "%llu", (unsigned long long)v);
}

static void bytes_label(const struct canvas *c, int row, char *buf, size_t len)
{
    uint64_t v = c->ymax * (uint64_t)(c->rows - 1 - row) / (uint64_t)(c->rows - 1 > 0 ? c->rows - 1 : 1);
    bytes_text(v, buf, len);
}

/* The ACK line: the highest cumulative ACK the sender has received, held
 * from column to column up to the cursor. */
static void plot_acks(const struct ui *ui, const struct sender *s, struct canvas *c)
{
    const struct trace_entry *tr = world_trace(ui->world);
    size_t end = vk_trace_end(ui);
    bool have = false;
    uint32_t acked = 0;
    int last_col = -1;
    for (size_t i = 0; i < end; i++) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind != EV_SEG_IN || !mine(s, ev) || !(ev->u.seg.flags & TCP_ACK))
            continue;
        uint32_t a = rel(s, ev->u.seg.ack);
        if (a >= UINT32_MAX / 2)
            continue; /* acknowledges our SYN only: before the ISS + 1 */
        int col = col_of(c, tr[i].t);
        for (int k = last_col + 1; have && k < col; k++)
            canvas_put(c, row_of(c, acked), k, M_ACK);
        acked = have && a < acked ? acked : a;
        have = true;
        canvas_put(c, row_of(c, acked), col, M_ACK);
        last_col = col;
    }
    int now_col = col_of(c, s->now);
    for (int k = last_col + 1; have && k <= now_col; k++)
        canvas_put(c, row_of(c, acked), k, M_ACK);
}

/* Data segments: sent, sent again (the EV_RETRANSMIT comes just before
 * its EV_SEG_OUT), and dropped (on the wire or at the receiver). */
static void plot_segments(const struct ui *ui, const struct sender *s, struct canvas *c)
{
    const struct trace_entry *tr = world_trace(ui->world);
    size_t end = vk_trace_end(ui);
    bool resend = false;
    for (size_t i = 0; i < end; i++) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind == EV_RETRANSMIT && mine(s, ev)) {
            resend = true;
        } else if (ev->kind == EV_SEG_OUT && mine(s, ev)) {
            if (ev->u.seg.len > 0)
                canvas_put(c, row_of(c, rel(s, ev->u.seg.seq)), col_of(c, tr[i].t),
                           resend ? M_RETX : M_DATA);
            resend = false;
        } else if (ev->kind == EV_SEG_DROP && ev->u.seg.len > 0 && ev->u.seg.src_addr == s->addr) {
            canvas_put(c, row_of(c, rel(s, ev->u.seg.seq)), col_of(c, tr[i].t), M_DROP);
        }
    }
}

#define STEVENS_EXTRA_ROWS 3 /* title, axis, times */

static int stevens_label_cols(const struct sender *s)
{
    char top[24];
    bytes_text(s->seq_max, top, sizeof top);
    return draw_text_width(top) + 1;
}

static bool draw_stevens_chart(const struct ui *ui, WINDOW *win, int y0, int h, int w,
                               const struct sender *s, int label_w)
{
    int cols = w - label_w;
    if (cols > PLOT_MAX_COLS)
        cols = PLOT_MAX_COLS;
    struct canvas c;
    if (!canvas_init(&c, h - STEVENS_EXTRA_ROWS, cols, s->t0, s->t1, s->seq_max))
        return false;
    char *marks = malloc((size_t)cols);
    if (marks) {
        if (!s->now_beyond)
            canvas_cursor(&c, s->now);
        plot_acks(ui, s, &c);
        plot_segments(ui, s, &c);
        loss_marks(ui, s, &c, marks);
        vk_line(ui, win, y0, 0, w, ROLE_TITLE,
                tv_tr(ui->lang, "seq vs time of %s (bytes from ISS %u): + data  R resent  "
                                "x dropped  . ACKed"),
                s->side.name, s->iss);
        draw_canvas(ui, win, y0 + 1, w, label_w, &c, bytes_label);
        draw_axis(ui, win, y0 + 1 + c.rows, w, label_w, marks, cols);
        char sent[96];
        snprintf(sent, sizeof sent, tv_tr(ui->lang, "new data %llu B, resent %llu B"),
                 (unsigned long long)s->bytes_new, (unsigned long long)s->bytes_resent);
        draw_time_row(ui, win, y0 + 2 + c.rows, w, label_w, &c, s, sent);
    }
    free(marks);
    free(c.cell);
    return marks != NULL;
}

/* ========================================================== text form == */

static void draw_text_form(const struct ui *ui, WINDOW *win, int h, int w, const struct sender *s)
{
    char cc[128];
    describe_cc(ui->lang, s, cc, sizeof cc);
    int y = 0;
    if (y < h)
        vk_line(ui, win, y++, 0, w, ROLE_NORMAL, "%s: %s", s->side.name, cc);
    if (y < h) {
        /* Counted phrases are whole msgids (one for 1, one for more), so
         * that no language has to build a plural from an "s". */
        char fast[64], rto[64], sent[96];
        if (s->fast_retransmits == 1)
            snprintf(fast, sizeof fast, "%s", tv_tr(ui->lang, "1 fast retransmit"));
        else
            snprintf(fast, sizeof fast, tv_tr(ui->lang, "%u fast retransmits"),
                     s->fast_retransmits);
        if (s->timeouts == 1)
            snprintf(rto, sizeof rto, "%s", tv_tr(ui->lang, "1 RTO"));
        else
            snprintf(rto, sizeof rto, tv_tr(ui->lang, "%u RTOs"), s->timeouts);
        snprintf(sent, sizeof sent, tv_tr(ui->lang, "new data %llu B, resent %llu B"),
                 (unsigned long long)s->bytes_new, (unsigned long long)s->bytes_resent);
        vk_line(ui, win, y++, 0, w, ROLE_NORMAL, tv_tr(ui->lang, "  losses: %s, %s; %s"), fast, rto,
                sent);
    }
    vk_blank_rows(win, y, h, w);
}

/* ================================================================ view == */

static void draw_cwnd(const struct ui *ui, WINDOW *win, int h, int w)
{
    if (h <= 0 || w <= 0)
        return;
    struct sender s;
    if (vk_side_count(ui) == 0) {
        vk_line(ui, win, 0, 0, w, ROLE_NORMAL, "%s", tv_tr(ui->lang, "no hosts"));
        vk_blank_rows(win, 1, h, w);
        return;
    }
    sender_at(ui, &s);
    int cwnd_min = CWND_EXTRA_ROWS + PLOT_MIN_ROWS;
    int stevens_min = STEVENS_EXTRA_ROWS + PLOT_MIN_ROWS;
    int cwnd_cols = cwnd_label_cols(&s), stevens_cols = stevens_label_cols(&s);
    int both_cols = cwnd_cols > stevens_cols ? cwnd_cols : stevens_cols;
    bool drawn;
    if (w < PLOT_MIN_COLS + both_cols || h < cwnd_min) {
        drawn = false;
    } else if (h >= cwnd_min + stevens_min + 1) {
        /* Both, the cwnd chart on top, a blank row between, their plots
         * starting in the same column so that times line up. */
        int top = (h - 1) / 2 + 1;
        drawn = draw_cwnd_chart(ui, win, 0, top, w, &s, both_cols);
        vk_blank(win, top, 0, w);
        drawn = drawn && draw_stevens_chart(ui, win, top + 1, h - top - 1, w, &s, both_cols);
    } else if (ui->plot_seq_time) {
        drawn = draw_stevens_chart(ui, win, 0, h, w, &s, stevens_cols);
    } else {
        drawn = draw_cwnd_chart(ui, win, 0, h, w, &s, cwnd_cols);
    }
    if (!drawn)
        draw_text_form(ui, win, h, w, &s);
}

const struct ui_view ui_view_cwnd = { "cwnd", draw_cwnd };
