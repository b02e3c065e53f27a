/* The ladder (sequence) diagram: the two endpoints as vertical lines and
 * one row per segment sent up to the cursor, an arrow from the sender to
 * the receiver labelled the way tcpdump would print it.
 *
 *   > time  client 10.0.0.1:49152                        server 10.0.0.2:80
 *           SYN_SENT                                               LISTEN
 *     0.100 |─ S seq 1000 win 65535 <mss 1460> ────────────────────────▶|
 *     0.120 |────────────✗ fault            S. seq 5000 ack 1001 win ... ─|
 *
 * Rows are not to scale in time: each is one segment, in the order sent.
 * The label sits next to the sender; the rest of the row is the arrow's
 * travel, where a segment in flight shows its head at the share of its
 * travel time already elapsed, and a dropped one ends in an x where it
 * died, with the reason. */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/text.h"
#include "tcp/segment.h"
#include "tcp/tcb.h"
#include "ui/draw.h"
#include "ui/trace_index.h"
#include "ui/ui.h"

/* Narrower than this, the time column goes. */
#define LADDER_TIME_MIN_COLS 60
#define LADDER_TIME_COLS 8
/* Columns the arrow keeps for its travel when the label is long. */
#define LADDER_TRAVEL_MIN 8
#define LADDER_LABEL_MAX 160
/* The label keeps at least this much when a drop reason wants room. */
#define LADDER_LABEL_MIN 16
#define LADDER_PORT_LOOKUP 1000

/* Where things go for a window of h x w. */
struct ladder_geom {
    int hdr;        /* header rows */
    int rows;       /* segment rows */
    int tcols;      /* time column width, 0 if none */
    int left, right;/* columns of the two vertical lines */
    int span;       /* cells between them */
    size_t first;   /* segment number on the first row */
    size_t count;   /* segments sent up to the cursor */
};

struct ladder_glyphs {
    wchar_t shaft, head_right, head_left, dead, line, lost;
};

static void glyphs_for(const struct ui *ui, struct ladder_glyphs *g)
{
    if (ui->utf8)
        *g = (struct ladder_glyphs){ L'─', L'▶', L'◀', L'✗', L'│', L'?' };
    else
        *g = (struct ladder_glyphs){ L'-', L'>', L'<', L'x', L'|', L'?' };
}

/* ------------------------------------------------------------------ */
/* Which endpoints, which rows */

/* The cursor clamped to the trace; false while the trace is empty. */
static bool cursor_in_trace(const struct ui *ui, size_t *cur)
{
    size_t len = world_trace_len(ui->world);
    if (len == 0)
        return false;
    *cur = ui->cursor < len ? ui->cursor : len - 1;
    return true;
}

/* The two hosts the ladder shows: with two hosts, those; with more, the
 * two that exchanged the most segments (host 0 and 1 before anyone has). */
static void ladder_hosts(const struct ui *ui, const struct trace_index *ti, int *a, int *b)
{
    const struct scenario *scn = world_scenario(ui->world);
    int n = scn ? (int)scn->nhosts : 0;
    *a = n > 0 ? 0 : -1;
    *b = n > 1 ? 1 : -1;
    uint32_t best = 0;
    for (int i = 0; n > 2 && i < n; i++)
        for (int j = i + 1; j < n; j++) {
            uint32_t t = trace_index_talk(ti, i, j);
            if (t > best) {
                best = t;
                *a = i;
                *b = j;
            }
        }
}

static void ladder_geometry(const struct ui *ui, const struct trace_index *ti, int h, int w,
                            struct ladder_geom *g)
{
    memset(g, 0, sizeof *g);
    /* Two header rows (addresses, states) when five segment rows remain;
     * below that one row of names and states. */
    g->hdr = h >= 7 ? 2 : (h >= 3 ? 1 : 0);
    g->rows = h - g->hdr;
    g->tcols = w >= LADDER_TIME_MIN_COLS ? LADDER_TIME_COLS : 0;
    g->left = 1 + (g->tcols ? g->tcols + 1 : 0);
    g->right = w - 1;
    g->span = g->right - g->left - 1;
    size_t cur;
    if (!cursor_in_trace(ui, &cur) || g->rows <= 0)
        return;
    g->count = trace_index_count_upto(ti, cur);
    /* Follow the cursor (its segment on the bottom row), less what the
     * user scrolled back; then make sure the selection is on screen. */
    size_t rows = (size_t)g->rows;
    size_t back = ui->ladder_scroll > 0 ? (size_t)ui->ladder_scroll : 0;
    size_t first = g->count > rows ? g->count - rows : 0;
    first = first > back ? first - back : 0;
    int64_t sel = ui->selected_packet >= 0 ? trace_index_find(ti, (uint32_t)ui->selected_packet) : -1;
    if (sel >= 0 && (size_t)sel < g->count) {
        if ((size_t)sel < first)
            first = (size_t)sel;
        else if ((size_t)sel >= first + rows)
            first = (size_t)sel - rows + 1;
    }
    g->first = first;
}

/* ------------------------------------------------------------------ */
/* Labels */

static const char *retx_text(uint8_t cause)
{
    switch ((enum tcp_retx_cause)cause) {
    case RETX_RTO: return "RTO";
    case RETX_FAST: return "fast";
    case RETX_SACK: return "SACK";
    case RETX_PROBE: return "probe";
    case RETX_RECOVERY: return "partial ACK";
    case RETX_DUP_SYN: return "dup SYN";
    case RETX_KEEPALIVE: return "keepalive";
    default: return "?";
    }
}

/* "<mss 1460,wscale 7,sackOK,sack 2,TS>" from the packet's bytes, or from
 * the event's option bits when the bytes are gone. */
static void options_text(const struct ui *ui, const struct ti_seg *s, char *out, size_t n)
{
    size_t len = 0;
    const uint8_t *pkt = world_packet(ui->world, s->packet, &len);
    struct tcp_segment d;
    bool decoded = pkt && tcp_segment_decode_unverified(pkt, len, &d) == SEG_OK;
    char buf[96] = "";
    size_t used = 0;
#define ADD_OPT(...) \
    used += (size_t)snprintf(buf + used, used < sizeof buf ? sizeof buf - used : 0, __VA_ARGS__)
    const char *sep = "";
    if (s->seg.opts & TCP_EVOPT_MSS) {
        ADD_OPT("%smss %u", sep, (unsigned)s->seg.mss);
        sep = ",";
    }
    if (s->seg.opts & TCP_EVOPT_WSCALE) {
        if (decoded)
            ADD_OPT("%swscale %u", sep, (unsigned)d.opt.wscale);
        else
            ADD_OPT("%swscale", sep);
        sep = ",";
    }
    if (s->seg.opts & TCP_EVOPT_SACK_OK) {
        ADD_OPT("%ssackOK", sep);
        sep = ",";
    }
    if (s->seg.opts & TCP_EVOPT_SACK) {
        if (decoded)
            ADD_OPT("%ssack %u", sep, (unsigned)d.opt.sack_count);
        else
            ADD_OPT("%ssack", sep);
        sep = ",";
    }
    if (s->seg.opts & TCP_EVOPT_TS)
        ADD_OPT("%sTS", sep);
#undef ADD_OPT
    if (buf[0])
        snprintf(out, n, "<%s>", buf);
    else if (n > 0)
        out[0] = '\0';
}

/* The label that fits in `room` columns: every field if it can, else
 * without options, else with a short retransmission note, else cut. */
static void seg_label(const struct ui *ui, const struct ti_seg *s, int room, char *out, size_t n)
{
    char flags[10], core[96], opts[112], retx_long[48] = "", retx_short[24] = "";
    tcp_flags_short(s->seg.flags, flags);
    int used = snprintf(core, sizeof core, "%s%s seq %u", s->from < 0 ? "forged " : "", flags,
                        (unsigned)s->seg.seq);
    if (s->seg.flags & TCP_ACK)
        used += snprintf(core + used, sizeof core - (size_t)used, " ack %u", (unsigned)s->seg.ack);
    if (s->seg.len > 0)
        used += snprintf(core + used, sizeof core - (size_t)used, " len %u", (unsigned)s->seg.len);
    snprintf(core + used, sizeof core - (size_t)used, " win %u", (unsigned)s->seg.win);
    options_text(ui, s, opts, sizeof opts);
    if (s->retx_index != TI_NONE && s->retx_cause == RETX_KEEPALIVE) {
        /* A keepalive probe is not a retransmission: say what it is. */
        snprintf(retx_long, sizeof retx_long, " (keepalive probe)");
        snprintf(retx_short, sizeof retx_short, " (keepalive)");
    } else if (s->retx_index != TI_NONE) {
        snprintf(retx_long, sizeof retx_long, " (retransmission, %s)", retx_text(s->retx_cause));
        snprintf(retx_short, sizeof retx_short, " (rtx %s)", retx_text(s->retx_cause));
    }
    snprintf(out, n, "%s%s%s%s", core, opts[0] ? " " : "", opts, retx_long);
    if ((int)strlen(out) <= room)
        return;
    snprintf(out, n, "%s%s", core, retx_long);
    if ((int)strlen(out) <= room)
        return;
    snprintf(out, n, "%s%s", core, retx_short);
    if ((int)strlen(out) > room && room >= 0 && (size_t)room < n)
        out[room] = '\0'; /* labels are ASCII: one byte, one column */
}

/* ------------------------------------------------------------------ */
/* Painting one row's span, in distance from the sender: cell d is d
 * columns from the sender's line, whichever side the sender is on. */

struct paint {
    int span;
    bool rtl;         /* the sender is on the right */
    wchar_t *ch;
    enum ui_role *role;
};

static int screen_x(const struct paint *p, int d) { return p->rtl ? p->span - 1 - d : d; }

static void paint_cell(struct paint *p, int d, wchar_t c, enum ui_role role)
{
    if (d < 0 || d >= p->span)
        return;
    int x = screen_x(p, d);
    p->ch[x] = c;
    p->role[x] = role;
}

/* Text over distances [d, d + len): written left to right on the screen
 * whichever way the arrow points.  Clipped to the span. */
static void paint_text(struct paint *p, int d, const char *text, enum ui_role role)
{
    int len = (int)strlen(text);
    int x0 = p->rtl ? p->span - (d + len) : d;
    for (int i = 0; i < len; i++)
        if (x0 + i >= 0 && x0 + i < p->span) {
            p->ch[x0 + i] = (wchar_t)(unsigned char)text[i];
            p->role[x0 + i] = role;
        }
}

static void paint_shaft(struct paint *p, int from, int to, wchar_t c, enum ui_role role)
{
    for (int d = from; d < to; d++)
        paint_cell(p, d, c, role);
}

/* "checksum (corrupted)": why a segment died. */
static void drop_text(const struct ti_fate_at *f, char *out, size_t n)
{
    snprintf(out, n, "%s%s", tcp_drop_reason_name((enum tcp_drop_reason)f->drop),
             f->corrupted ? " (corrupted)" : "");
}

/* Cells the travel part needs so that a drop's reason is readable: after
 * the x in the middle of the wire, or before the x at the receiver. */
static int travel_needed(const struct ti_fate_at *f)
{
    if (f->fate != TI_DROPPED)
        return LADDER_TRAVEL_MIN;
    char reason[40];
    drop_text(f, reason, sizeof reason);
    int len = (int)strlen(reason);
    int need = f->on_wire ? 2 * (len + 3) : len + 4;
    return need > LADDER_TRAVEL_MIN ? need : LADDER_TRAVEL_MIN;
}

/* The arrow's travel part, cells [z0, span): how far the segment got and
 * how it ended, at the cursor. */
static void paint_travel(const struct ui *ui, struct paint *p, int z0, const struct ti_seg *s,
                         const struct ti_fate_at *f, uint64_t now, enum ui_role role)
{
    struct ladder_glyphs g;
    glyphs_for(ui, &g);
    int end = p->span - 1;
    int zl = end - z0 + 1;
    wchar_t head = p->rtl ? g.head_left : g.head_right;
    const struct scenario *scn = world_scenario(ui->world);
    if (zl <= 0)
        return;
    switch (f->fate) {
    case TI_ARRIVED:
        paint_shaft(p, z0, end, g.shaft, role);
        paint_cell(p, end, head, role);
        break;
    case TI_IN_FLIGHT: {
        int at = z0 + (int)((long)trace_index_progress(s, scn, now) * (zl - 1) / 1000);
        paint_shaft(p, z0, at, g.shaft, role);
        paint_cell(p, at, head, role);
        break;
    }
    case TI_DROPPED: {
        char reason[40];
        drop_text(f, reason, sizeof reason);
        if (f->on_wire) {
            /* Decided as it left (loss, a full queue, a fault rule): the
             * middle of the wire; decided later (the user): where it was. */
            unsigned permille = f->t > s->t_out ? trace_index_progress(s, scn, f->t) : 500;
            int at = z0 + (int)((long)permille * (zl - 1) / 1000);
            paint_shaft(p, z0, at, g.shaft, role);
            paint_cell(p, at, g.dead, ROLE_DROP);
            paint_text(p, at + 2, reason, ROLE_DROP);
        } else {
            paint_shaft(p, z0, end, g.shaft, role);
            paint_cell(p, end, g.dead, ROLE_DROP);
            int len = (int)strlen(reason);
            if (end - len - 2 >= z0) {
                paint_cell(p, end - len - 2, L' ', ROLE_DROP);
                paint_text(p, end - len - 1, reason, ROLE_DROP);
                paint_cell(p, end - 1, L' ', ROLE_DROP);
            }
        }
        break;
    }
    case TI_NOWHERE: {
        int at = z0 + (zl - 1) / 2;
        paint_shaft(p, z0, at, g.shaft, role);
        paint_cell(p, at, g.lost, ROLE_DROP);
        paint_text(p, at + 2, "no such host", ROLE_DIM);
        break;
    }
    case TI_UNSENT:
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Drawing */

static void put_wch(WINDOW *win, int y, int x, wchar_t c, attr_t attr, short pair)
{
    wchar_t s[2] = { c, L'\0' };
    cchar_t cc;
    if (setcchar(&cc, s, attr & ~(attr_t)A_COLOR, pair, NULL) == OK)
        mvwadd_wch(win, y, x, &cc);
}

static void put_role_wch(const struct ui *ui, WINDOW *win, int y, int x, wchar_t c,
                         enum ui_role role, attr_t extra)
{
    put_wch(win, y, x, c, draw_role_attr(ui, role) | extra, draw_role_pair(ui, role));
}

/* Marker, time column and the two lines of one row. */
static void draw_row_frame(const struct ui *ui, WINDOW *win, int y, const struct ladder_geom *g,
                           const struct ti_seg *s, bool selected, int w)
{
    struct ladder_glyphs gl;
    glyphs_for(ui, &gl);
    attr_t extra = selected ? draw_role_attr(ui, ROLE_SELECTED) : A_NORMAL;
    put_role_wch(ui, win, y, 0, selected ? L'>' : L' ', ROLE_NORMAL, extra);
    if (g->tcols > 0) {
        char t[32] = "";
        if (s) {
            /* Milliseconds cut, not rounded, as the status line and the
             * log do: 0.169500 is 0.169 everywhere. */
            char secs[32];
            snprintf(secs, sizeof secs, "%" PRIu64 ".%03" PRIu64, s->t_out / 1000000,
                     s->t_out / 1000 % 1000);
            snprintf(t, sizeof t, "%*.*s", g->tcols, g->tcols, secs);
        }
        int used = draw_text(win, y, 1, g->tcols, t, extra, 0);
        draw_blank(win, y, 1 + used, g->tcols + 1 - used);
        if (selected)
            put_role_wch(ui, win, y, g->tcols + 1, L' ', ROLE_NORMAL, extra);
    }
    for (int x = g->tcols ? g->tcols + 2 : 1; x < g->left && x < w; x++)
        put_role_wch(ui, win, y, x, L' ', ROLE_NORMAL, extra);
    if (g->left < w)
        put_role_wch(ui, win, y, g->left, gl.line, ROLE_NORMAL, extra);
    if (g->right > g->left && g->right < w)
        put_role_wch(ui, win, y, g->right, gl.line, ROLE_NORMAL, extra);
}

static void draw_seg_row(const struct ui *ui, WINDOW *win, int y, const struct ladder_geom *g,
                         const struct ti_seg *s, size_t cur, uint64_t now, int a, int b,
                         int w, struct paint *p)
{
    struct ladder_glyphs gl;
    glyphs_for(ui, &gl);
    bool selected = ui->selected_packet >= 0 && (int64_t)s->packet == ui->selected_packet;
    draw_row_frame(ui, win, y, g, s, selected, w);
    if (g->span <= 0)
        return;
    /* Right to left when the right host sends, or when a stranger (a
     * forged segment, a third host) talks to the left one. */
    p->rtl = s->from == b || (s->from != a && s->to == a);
    for (int x = 0; x < p->span; x++) {
        p->ch[x] = L' ';
        p->role[x] = ROLE_NORMAL;
    }
    enum ui_role role = s->from == a ? ROLE_CLIENT : ROLE_SERVER;
    if (s->retx_index != TI_NONE)
        role = ROLE_RETRANSMIT;
    struct ti_fate_at f = trace_index_fate(s, cur);
    /* Gliding (now is before the cursor's time): a segment that arrives
     * or dies later than now is still on its way. */
    if ((f.fate == TI_ARRIVED || f.fate == TI_DROPPED) && f.t > now)
        f.fate = TI_IN_FLIGHT;
    int z0 = 0;
    if (p->span >= 2 * LADDER_TRAVEL_MIN) {
        /* The label gives way to the drop reason, down to a few fields. */
        int room = p->span - travel_needed(&f) - 3;
        if (room < LADDER_LABEL_MIN)
            room = LADDER_LABEL_MIN < p->span - LADDER_TRAVEL_MIN - 3 ? LADDER_LABEL_MIN
                                                                     : p->span - LADDER_TRAVEL_MIN - 3;
        char label[LADDER_LABEL_MAX];
        seg_label(ui, s, room, label, sizeof label);
        paint_cell(p, 0, gl.shaft, role);
        paint_text(p, 2, label, role);
        z0 = 2 + (int)strlen(label) + 1;
    }
    paint_travel(ui, p, z0, s, &f, now, role);
    attr_t extra = selected ? draw_role_attr(ui, ROLE_SELECTED) : A_NORMAL;
    for (int x = 0; x < p->span && g->left + 1 + x < w; x++)
        put_role_wch(ui, win, y, g->left + 1 + x, p->ch[x], p->role[x], extra);
}

static void draw_empty_row(const struct ui *ui, WINDOW *win, int y, const struct ladder_geom *g,
                           int w)
{
    draw_row_frame(ui, win, y, g, NULL, false, w);
    if (g->span > 0)
        draw_blank(win, y, g->left + 1, g->span);
}

/* A host's name as the scenario gives it, sanitised; "-" for none. */
static void host_name(const struct ui *ui, int host, char *out, size_t n)
{
    const struct scenario *scn = world_scenario(ui->world);
    if (host < 0 || !scn || (unsigned)host >= scn->nhosts)
        snprintf(out, n, "-");
    else
        draw_sanitize(out, n, scn->hosts[host].name);
}

/* "client 10.0.0.1:49152" and the state at the cursor of one side. */
static void side_texts(const struct ui *ui, const struct trace_index *ti, int host, char *who,
                       size_t wn, char *state, size_t sn)
{
    const struct scenario *scn = world_scenario(ui->world);
    if (host < 0 || !scn) {
        snprintf(who, wn, "-");
        snprintf(state, sn, "%s", "");
        return;
    }
    const struct tcb *tcb = trace_index_host_tcb(ui->world, host);
    unsigned port = tcb ? tcb->local_port : 0;
    /* No connection now: the port its first segments used, looked for
     * among the first few only, to keep a frame cheap. */
    for (size_t k = 0; port == 0 && k < trace_index_count(ti) && k < LADDER_PORT_LOOKUP; k++) {
        const struct ti_seg *s = trace_index_seg(ti, k);
        if (s->from == host)
            port = s->seg.src_port;
    }
    char addr[EXPORT_IPV4_LEN];
    export_ipv4(scn->hosts[host].addr, addr);
    char name[SCN_NAME_MAX];
    draw_sanitize(name, sizeof name, scn->hosts[host].name);
    if (port)
        snprintf(who, wn, "%s %s:%u", name, addr, port);
    else
        snprintf(who, wn, "%s %s", name, addr);
    if (!world_host_up(ui->world, host))
        snprintf(state, sn, "DOWN");
    else
        snprintf(state, sn, "%s", tcp_state_name(tcb ? tcb->state : TCP_CLOSED));
}

/* Left text at column x, right text ending at column `end`, blanks between. */
static void draw_two_sides(const struct ui *ui, WINDOW *win, int y, int w, int x, const char *l,
                           const char *r, enum ui_role lrole, enum ui_role rrole)
{
    draw_blank(win, y, 0, w);
    int used = draw_text_role(ui, win, y, x, w - x, l, lrole);
    int rw = draw_text_width(r);
    int rx = w - rw;
    if (rx > x + used)
        draw_text_role(ui, win, y, rx, rw, r, rrole);
}

static void draw_header(const struct ui *ui, WINDOW *win, const struct trace_index *ti,
                        const struct ladder_geom *g, int a, int b, int w)
{
    char lwho[64], lstate[24], rwho[64], rstate[24];
    side_texts(ui, ti, a, lwho, sizeof lwho, lstate, sizeof lstate);
    side_texts(ui, ti, b, rwho, sizeof rwho, rstate, sizeof rstate);
    int x = g->left > 0 && g->left < w / 2 ? g->left : 0;
    if (g->hdr >= 2) {
        draw_two_sides(ui, win, 0, w, x, lwho, rwho, ROLE_CLIENT, ROLE_SERVER);
        draw_two_sides(ui, win, 1, w, x, lstate, rstate, ROLE_TITLE, ROLE_TITLE);
    } else if (g->hdr == 1) {
        /* One row (80x24): "client SYN_SENT ... LISTEN server", the
         * addresses are in the inspector. */
        char lname[SCN_NAME_MAX], rname[SCN_NAME_MAX], left[96], right[96];
        host_name(ui, a, lname, sizeof lname);
        host_name(ui, b, rname, sizeof rname);
        snprintf(left, sizeof left, "%s %s", lname, lstate);
        snprintf(right, sizeof right, "%s %s", rstate, rname);
        draw_two_sides(ui, win, 0, w, x, left, right, ROLE_TITLE, ROLE_TITLE);
    }
}

static void ladder_draw(const struct ui *ui, WINDOW *win, int h, int w)
{
    if (h <= 0 || w <= 0)
        return;
    bool temp;
    struct trace_index *ti = trace_index_for_ui(ui, &temp);
    if (!ti) {
        draw_blank_rect(win, 0, 0, h, w);
        draw_text(win, 0, 0, w, "out of memory", A_BOLD, 0);
        return;
    }
    struct ladder_geom g;
    ladder_geometry(ui, ti, h, w, &g);
    int a, b;
    ladder_hosts(ui, ti, &a, &b);
    draw_header(ui, win, ti, &g, a, b, w);
    size_t cur = 0;
    bool any = cursor_in_trace(ui, &cur);
    uint64_t now = any ? world_trace(ui->world)[cur].t : 0;
    /* While the player glides from the previous event, an earlier moment. */
    if (ui->anim && ui->anim_t < now)
        now = ui->anim_t;
    struct paint p = { .span = g.span > 0 ? g.span : 0 };
    p.ch = calloc((size_t)p.span + 1, sizeof *p.ch);
    p.role = calloc((size_t)p.span + 1, sizeof *p.role);
    for (int r = 0; r < g.rows; r++) {
        size_t k = g.first + (size_t)r;
        int y = g.hdr + r;
        if (any && k < g.count && p.ch && p.role)
            draw_seg_row(ui, win, y, &g, trace_index_seg(ti, k), cur, now, a, b, w, &p);
        else
            draw_empty_row(ui, win, y, &g, w);
    }
    free(p.ch);
    free(p.role);
    trace_index_done(ti, temp);
}

const struct ui_view ui_view_ladder = { N_("ladder"), ladder_draw };

/* ------------------------------------------------------------------ */
/* Selection */

int64_t ladder_packet_at(const struct ui *ui, int h, int w, int row)
{
    bool temp;
    struct trace_index *ti = trace_index_for_ui(ui, &temp);
    if (!ti)
        return -1;
    struct ladder_geom g;
    ladder_geometry(ui, ti, h, w, &g);
    int64_t packet = -1;
    if (row >= g.hdr && row < g.hdr + g.rows) {
        size_t k = g.first + (size_t)(row - g.hdr);
        if (k < g.count)
            packet = trace_index_seg(ti, k)->packet;
    }
    trace_index_done(ti, temp);
    return packet;
}

int64_t ladder_select_next(const struct ui *ui, int64_t current, int dir)
{
    bool temp;
    struct trace_index *ti = trace_index_for_ui(ui, &temp);
    size_t cur;
    if (!ti || !cursor_in_trace(ui, &cur)) {
        trace_index_done(ti, temp);
        return current;
    }
    size_t n = trace_index_count_upto(ti, cur);
    int64_t k = current >= 0 ? trace_index_find(ti, (uint32_t)current) : -1;
    int64_t next;
    if (k < 0 || (size_t)k >= n)
        next = n > 0 ? (int64_t)n - 1 : -1; /* start from the newest */
    else if (dir > 0)
        next = (size_t)k + 1 < n ? k + 1 : k;
    else if (dir < 0)
        next = k > 0 ? k - 1 : k;
    else
        next = k;
    int64_t packet = next >= 0 ? trace_index_seg(ti, (size_t)next)->packet : current;
    trace_index_done(ti, temp);
    return packet;
}
