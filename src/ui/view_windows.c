/* The window view: each side's send and receive buffers as bars.
 *
 * Send (RFC 9293 3.3.1, Figure 3, with RFC 5681's cwnd):
 *   [ acked | in flight | usable | not yet allowed ]
 *           SND.UNA     SND.NXT  SND.UNA + min(SND.WND, cwnd)
 * Receive (RFC 9293 3.3.1, Figure 4):
 *   [ read by the app | waiting for the app | window with out-of-order blocks ]
 *                     RCV.NXT                          RCV.NXT + RCV.WND
 * Each region has its own glyph, so the bars read without colour.  Sequence
 * numbers are shown relative to the ISN (ISS or IRS), which is how one
 * counts bytes, and absolute on the detail lines, which is what the
 * segments carry.  The acknowledged part is drawn at most a third of the
 * bar: a long transfer would otherwise squeeze the window to nothing. */
#include <stdio.h>
#include <string.h>

#include "export/text.h"
#include "ui/draw.h"
#include "ui/ui.h"
#include "ui/view_kit.h"

/* ================================================================ bars == */

struct bar_part {
    uint64_t bytes;
    const char *glyph;        /* one column */
    enum ui_role role;
};

#define BAR_MAX_PARTS 24
#define REASM_BLOCKS_SHOWN 10

struct bar {
    struct bar_part part[BAR_MAX_PARTS];
    int nparts;
    bool clipped_left;        /* older acknowledged bytes are not drawn */
};

static void bar_add(struct bar *b, uint64_t bytes, const char *glyph, enum ui_role role)
{
    if (b->nparts < BAR_MAX_PARTS)
        b->part[b->nparts++] = (struct bar_part){ bytes, glyph, role };
}

/* Cells per part: every non-empty part gets at least one cell (a SYN is
 * one byte in a window of 64 KB, and must still show), the rest in
 * proportion to the bytes.  Cumulative rounding makes the sum exact. */
static void bar_allocate(const struct bar *b, int width, int *cells)
{
    uint64_t total = 0;
    int nonempty = 0;
    for (int i = 0; i < b->nparts; i++) {
        cells[i] = 0;
        total += b->part[i].bytes;
        nonempty += b->part[i].bytes > 0;
    }
    if (nonempty == 0 || width <= 0)
        return;
    if (width < nonempty) {
        for (int i = 0; i < b->nparts && width > 0; i++)
            if (b->part[i].bytes > 0) {
                cells[i] = 1;
                width--;
            }
        return;
    }
    uint64_t spare = (uint64_t)(width - nonempty), before = 0, done = 0;
    for (int i = 0; i < b->nparts; i++) {
        if (b->part[i].bytes == 0)
            continue;
        before += b->part[i].bytes;
        uint64_t upto = (before * spare + total / 2) / total;
        cells[i] = 1 + (int)(upto - done);
        done = upto;
    }
}

/* Where a drawn bar's parts went. */
struct bar_layout {
    int start[BAR_MAX_PARTS]; /* column of each part's first cell */
    int cells[BAR_MAX_PARTS];
    int end;                  /* column of the closing ']' */
};

/* The bar between '[' (or '<' when the left is clipped) and ']' in
 * columns [x, lim). */
static void draw_bar(const struct ui *ui, WINDOW *win, int y, int x, int lim,
                     const struct bar *b, struct bar_layout *l)
{
    bar_allocate(b, lim - x - 2, l->cells);
    vk_cell(ui, win, y, x, lim, ROLE_NORMAL, b->clipped_left ? "<" : "[");
    int col = x + 1;
    for (int i = 0; i < b->nparts; i++) {
        l->start[i] = col;
        for (int k = 0; k < l->cells[i]; k++)
            vk_cell(ui, win, y, col++, lim - 1, b->part[i].role, b->part[i].glyph);
    }
    vk_blank(win, y, col, lim - 1);
    l->end = lim - 1;
    vk_cell(ui, win, y, l->end, lim, ROLE_NORMAL, "]");
}

/* The column of the cell holding byte `offset` of the bar (counted from
 * its left edge); the closing ']' for the byte just past the end, -1
 * beyond that. */
static int bar_col_at(const struct bar *b, const struct bar_layout *l, uint64_t offset)
{
    uint64_t before = 0;
    for (int i = 0; i < b->nparts; i++) {
        uint64_t n = b->part[i].bytes;
        if (offset < before + n)
            return l->start[i] + (int)((offset - before) * (uint64_t)l->cells[i] / n);
        before += n;
    }
    return offset == before ? l->end : -1;
}

/* ============================================================= markers == */

struct marker {
    int col;
    const char *label;
};

static bool cells_free(const char *row, int from, int n, int width)
{
    if (from < 0 || from + n > width)
        return false;
    for (int i = 0; i < n; i++)
        if (row[from + i] != ' ')
            return false;
    return true;
}

/* A row of '^' under the bar with each label beside its caret where it
 * fits (right, else left), so that close boundaries stay readable. */
static void draw_markers(const struct ui *ui, WINDOW *win, int y, int lim,
                         const struct marker *m, int n)
{
    char row[512];
    int width = lim < (int)sizeof row - 1 ? lim : (int)sizeof row - 1;
    if (width <= 0)
        return;
    memset(row, ' ', (size_t)width);
    row[width] = '\0';
    for (int i = 0; i < n; i++)
        if (m[i].col >= 0 && m[i].col < width)
            row[m[i].col] = '^';
    for (int i = 0; i < n; i++) {
        int len = (int)strlen(m[i].label), c = m[i].col;
        if (c < 0 || c >= width)
            continue;
        if (cells_free(row, c + 1, len, width))
            memcpy(row + c + 1, m[i].label, (size_t)len);
        else if (cells_free(row, c - len, len, width))
            memcpy(row + c - len, m[i].label, (size_t)len);
    }
    vk_line(ui, win, y, 0, lim, ROLE_DIM, "%s", row);
}

/* ======================================================== side models == */

struct send_model {
    uint32_t acked_total;     /* data bytes acknowledged since the SYN */
    uint32_t flight;          /* SND.NXT - SND.UNA */
    uint32_t usable;          /* SND.UNA + min(SND.WND, cwnd) - SND.NXT, if positive */
    uint32_t waiting;         /* written by the app, beyond what may be sent */
    uint32_t edge;            /* min(SND.WND, cwnd): the right edge is SND.UNA + edge */
    bool cwnd_limits;         /* cwnd, not SND.WND, sets the edge */
};

static uint32_t seq_span(tcp_seq from, tcp_seq to)
{
    return seq_gt(to, from) ? to - from : 0;
}

static void send_model_of(const struct tcb *t, struct send_model *s)
{
    uint32_t cwnd = t->cc.cwnd ? t->cc.cwnd : t->snd_wnd;
    s->cwnd_limits = cwnd < t->snd_wnd;
    s->edge = s->cwnd_limits ? cwnd : t->snd_wnd;
    tcp_seq edge = t->snd_una + s->edge;
    tcp_seq data_end = t->snd_buf_seq + (uint32_t)t->sndbuf.len;
    tcp_seq right = seq_max(seq_max(edge, data_end), seq_max(t->snd_nxt, t->snd_max));
    s->acked_total = seq_span(t->iss + 1, t->snd_una);
    s->flight = seq_span(t->snd_una, t->snd_nxt);
    tcp_seq usable_from = seq_max(t->snd_nxt, t->snd_una);
    s->usable = seq_span(usable_from, edge);
    s->waiting = seq_span(seq_max(usable_from, edge), right);
}

/* The acknowledged stretch drawn left of the window: all of it, or a
 * third of the bar's bytes. */
static uint64_t shown_history(uint64_t total, uint64_t rest, bool *clipped)
{
    uint64_t shown = total;
    if (rest > 0 && shown > rest / 2)
        shown = rest / 2;
    *clipped = shown < total;
    return shown;
}

static void send_bar_of(const struct ui *ui, const struct send_model *s, struct bar *b)
{
    memset(b, 0, sizeof *b);
    uint64_t rest = (uint64_t)s->flight + s->usable + s->waiting;
    bar_add(b, shown_history(s->acked_total, rest, &b->clipped_left),
            vk_glyph(ui, "\u2588", "#"), ROLE_DIM);
    bar_add(b, s->flight, vk_glyph(ui, "\u2593", "="), ROLE_NORMAL);
    bar_add(b, s->usable, vk_glyph(ui, "\u2591", "."), ROLE_NORMAL);
    bar_add(b, s->waiting, vk_glyph(ui, "\u00b7", "-"), ROLE_NORMAL);
}

struct recv_model {
    uint32_t read_total;      /* bytes the app has read */
    uint32_t for_app;         /* in order, not read yet */
    uint32_t window;          /* RCV.WND as advertised: rcv_adv - RCV.NXT */
    uint32_t ooo_bytes;
    size_t ooo_blocks;
};

static void recv_model_of(const struct tcb *t, struct recv_model *r)
{
    /* RCV.NXT counts the SYN, and the FIN once it is in order. */
    uint32_t in_order = seq_span(t->irs + 1, t->rcv_nxt) - (t->fin_rcvd ? 1 : 0);
    r->for_app = (uint32_t)t->rcvbuf.len;
    r->read_total = in_order > r->for_app ? in_order - r->for_app : 0;
    r->window = seq_span(t->rcv_nxt, t->rcv_adv);
    r->ooo_bytes = (uint32_t)t->reasm.bytes;
    r->ooo_blocks = t->reasm.count;
}

/* Read | for the app | then the window from RCV.NXT: free space and the
 * out-of-order blocks where they lie. */
static void recv_bar_of(const struct ui *ui, const struct tcb *t, const struct recv_model *r,
                        struct bar *b)
{
    memset(b, 0, sizeof *b);
    tcp_seq right = t->rcv_adv;
    size_t nblocks = t->reasm.count < REASM_BLOCKS_SHOWN ? t->reasm.count : REASM_BLOCKS_SHOWN;
    if (nblocks > 0)
        right = seq_max(right, t->reasm.blocks[nblocks - 1].end);
    uint64_t rest = (uint64_t)r->for_app + seq_span(t->rcv_nxt, right);
    bar_add(b, shown_history(r->read_total, rest, &b->clipped_left),
            vk_glyph(ui, "\u2588", "#"), ROLE_DIM);
    bar_add(b, r->for_app, vk_glyph(ui, "\u2593", "="), ROLE_NORMAL);
    const char *free_glyph = vk_glyph(ui, "\u2591", ".");
    tcp_seq at = t->rcv_nxt;
    for (size_t i = 0; i < nblocks; i++) {
        const struct reasm_block *blk = &t->reasm.blocks[i];
        bar_add(b, seq_span(at, blk->start), free_glyph, ROLE_NORMAL);
        bar_add(b, seq_span(seq_max(at, blk->start), blk->end), "o", ROLE_RETRANSMIT);
        at = seq_max(at, blk->end);
    }
    bar_add(b, seq_span(at, right), free_glyph, ROLE_NORMAL);
}

/* ================================================================ rows == */

/* How much each side gets, from the most to the least rows. */
enum detail {
    DETAIL_FULL,    /* title, bar, markers, sizes, variables; twice */
    DETAIL_MEDIUM,  /* title, bar, variables; twice */
    DETAIL_SMALL,   /* the two bars */
    DETAIL_TINY,    /* one summary line */
};
static const int rows_for[] = { [DETAIL_FULL] = 9, [DETAIL_MEDIUM] = 5, [DETAIL_SMALL] = 2,
                                [DETAIL_TINY] = 1 };
/* Bars narrower than this say nothing; the summary line is better. */
#define BAR_MIN_COLS 8

struct side_view {
    struct vk_side side;
    bool synchronized;        /* sequence numbers known both ways */
    struct send_model snd;
    struct recv_model rcv;
};

static void side_view_at(const struct ui *ui, int host, struct side_view *v)
{
    memset(v, 0, sizeof *v);
    vk_side_at(ui, host, &v->side);
    const struct tcb *t = v->side.tcb;
    if (!t || t->state == TCP_LISTEN || t->state == TCP_CLOSED)
        return;
    send_model_of(t, &v->snd);
    v->synchronized = t->state != TCP_SYN_SENT;
    if (v->synchronized)
        recv_model_of(t, &v->rcv);
}

/* Why a side has no windows to show, or NULL when it has. */
static const char *no_windows(const struct side_view *v)
{
    if (!v->side.up)
        return N_("host down");
    const struct tcb *t = v->side.tcb;
    if (!t)
        return N_("no connection");
    if (t->state == TCP_LISTEN)
        return N_("listening: no windows until a connection");
    if (t->state == TCP_CLOSED)
        return N_("CLOSED: no windows");
    return NULL;
}

static void draw_title(const struct ui *ui, WINDOW *win, int y, int w, const struct side_view *v)
{
    const struct tcb *t = v->side.tcb;
    const char *why = no_windows(v);
    if (why) {
        vk_line(ui, win, y, 0, w, ROLE_TITLE, "%s: %s", v->side.name, tv_tr(ui->lang, why));
        return;
    }
    char local[EXPORT_IPV4_LEN];
    export_ipv4(t->local_addr, local);
    vk_line(ui, win, y, 0, w, ROLE_TITLE,
            tv_tr(ui->lang, "%s %s:%u  %s  MSS %u  send buffer %zu/%zu  receive buffer %zu/%zu"),
            v->side.name, local, t->local_port, tcp_state_name(t->state), t->snd_mss,
            t->sndbuf.len, t->sndbuf.cap, t->rcvbuf.len, t->rcvbuf.cap);
}

/* "send [####====....]"; false when there is no room for a bar. */
static bool draw_send_bar(const struct ui *ui, WINDOW *win, int y, int w, const char *prefix,
                          const struct side_view *v, struct bar *b, struct bar_layout *l)
{
    int x = vk_text(ui, win, y, 0, w, ROLE_NORMAL, prefix);
    if (w - x < BAR_MIN_COLS) {
        vk_line(ui, win, y, x, w, ROLE_NORMAL, tv_tr(ui->lang, "flight %u usable %u"), v->snd.flight,
                v->snd.usable);
        return false;
    }
    send_bar_of(ui, &v->snd, b);
    draw_bar(ui, win, y, x, w, b, l);
    return true;
}

static void draw_send_markers(const struct ui *ui, WINDOW *win, int y, int w,
                              const struct side_view *v, const struct bar *b,
                              const struct bar_layout *l)
{
    if (!b) {
        vk_blank(win, y, 0, w);
        return;
    }
    /* Part 0 is the acknowledged stretch drawn left of SND.UNA. */
    uint64_t una = b->part[0].bytes;
    struct marker m[] = {
        { bar_col_at(b, l, una), "SND.UNA" },
        { bar_col_at(b, l, una + v->snd.flight), "SND.NXT" },
        { bar_col_at(b, l, una + v->snd.edge), v->snd.cwnd_limits ? "UNA+cwnd" : "UNA+WND" },
    };
    draw_markers(ui, win, y, w, m, 3);
}

static void draw_send_sizes(const struct ui *ui, WINDOW *win, int y, int w,
                            const struct side_view *v)
{
    vk_line(ui, win, y, 0, w, ROLE_NORMAL,
            tv_tr(ui->lang, "  acked %u  in flight %u  usable %u  not yet allowed %u%s"),
            v->snd.acked_total, v->snd.flight, v->snd.usable, v->snd.waiting,
            v->snd.cwnd_limits ? tv_tr(ui->lang, "  (cwnd limits)")
                               : tv_tr(ui->lang, "  (SND.WND limits)"));
}

static void draw_send_vars(const struct ui *ui, WINDOW *win, int y, int w,
                           const struct side_view *v)
{
    const struct tcb *t = v->side.tcb;
    vk_line(ui, win, y, 0, w, ROLE_NORMAL,
            "  SND.UNA %u (ISS+%u)  SND.NXT %u (ISS+%u)  SND.WND %u  cwnd %u  ISS %u", t->snd_una,
            t->snd_una - t->iss, t->snd_nxt, t->snd_nxt - t->iss, t->snd_wnd, t->cc.cwnd, t->iss);
}

static bool draw_recv_bar(const struct ui *ui, WINDOW *win, int y, int w, const char *prefix,
                          const struct side_view *v, struct bar *b, struct bar_layout *l)
{
    int x = vk_text(ui, win, y, 0, w, ROLE_NORMAL, prefix);
    if (!v->synchronized) {
        vk_line(ui, win, y, x, w, ROLE_DIM, "%s",
                tv_tr(ui->lang, "(nothing to receive before the SYN,ACK)"));
        return false;
    }
    if (w - x < BAR_MIN_COLS) {
        vk_line(ui, win, y, x, w, ROLE_NORMAL, "wnd %u ooo %u", v->rcv.window, v->rcv.ooo_bytes);
        return false;
    }
    recv_bar_of(ui, v->side.tcb, &v->rcv, b);
    draw_bar(ui, win, y, x, w, b, l);
    return true;
}

static void draw_recv_markers(const struct ui *ui, WINDOW *win, int y, int w,
                              const struct side_view *v, const struct bar *b,
                              const struct bar_layout *l)
{
    if (!b) {
        vk_blank(win, y, 0, w);
        return;
    }
    /* Parts 0 and 1 are the bytes before RCV.NXT: read and unread. */
    uint64_t nxt = b->part[0].bytes + b->part[1].bytes;
    struct marker m[] = {
        { bar_col_at(b, l, nxt), "RCV.NXT" },
        { bar_col_at(b, l, nxt + v->rcv.window), "NXT+WND" },
    };
    draw_markers(ui, win, y, w, m, 2);
}

static void draw_recv_vars(const struct ui *ui, WINDOW *win, int y, int w,
                           const struct side_view *v)
{
    const struct tcb *t = v->side.tcb;
    if (!v->synchronized) {
        vk_blank(win, y, 0, w);
        return;
    }
    /* One format per number of blocks: no language builds a plural here. */
    if (v->rcv.ooo_blocks == 1)
        vk_line(ui, win, y, 0, w, ROLE_NORMAL,
                tv_tr(ui->lang, "  RCV.NXT %u (IRS+%u)  RCV.WND %u  unread %u  out of order %u in "
                                "1 block  IRS %u"),
                t->rcv_nxt, t->rcv_nxt - t->irs, v->rcv.window, v->rcv.for_app, v->rcv.ooo_bytes,
                t->irs);
    else
        vk_line(ui, win, y, 0, w, ROLE_NORMAL,
                tv_tr(ui->lang, "  RCV.NXT %u (IRS+%u)  RCV.WND %u  unread %u  out of order %u in "
                                "%zu blocks  IRS %u"),
                t->rcv_nxt, t->rcv_nxt - t->irs, v->rcv.window, v->rcv.for_app, v->rcv.ooo_bytes,
                v->rcv.ooo_blocks, t->irs);
}

static void draw_summary(const struct ui *ui, WINDOW *win, int y, int w, const struct side_view *v)
{
    const struct tcb *t = v->side.tcb;
    if (no_windows(v)) {
        draw_title(ui, win, y, w, v);
        return;
    }
    /* Before the handshake is through the numbers would all read 0. */
    if (!v->synchronized) {
        vk_line(ui, win, y, 0, w, ROLE_NORMAL, tv_tr(ui->lang, "%s: %s (no connection yet)"),
                v->side.name,
                tcp_state_name(t->state));
        return;
    }
    vk_line(ui, win, y, 0, w, ROLE_NORMAL, "%s snd una=ISS+%u nxt=ISS+%u wnd %u cwnd %u | rcv nxt=IRS+%u wnd %u ooo %u",
            v->side.name, t->snd_una - t->iss, t->snd_nxt - t->iss, t->snd_wnd, t->cc.cwnd,
            t->rcv_nxt - t->irs, v->rcv.window, v->rcv.ooo_bytes);
}

/* One side in rows [y, y + rows_for[d]). */
static void draw_side(const struct ui *ui, WINDOW *win, int y, int w, const struct side_view *v,
                      enum detail d)
{
    int rows = rows_for[d];
    if (d == DETAIL_TINY || (no_windows(v) && d != DETAIL_SMALL)) {
        draw_summary(ui, win, y, w, v);
        vk_blank_rows(win, y + 1, y + rows, w);
        return;
    }
    if (no_windows(v)) {
        draw_title(ui, win, y, w, v);
        vk_blank_rows(win, y + 1, y + rows, w);
        return;
    }
    struct bar sbar, rbar;
    struct bar_layout slay, rlay;
    if (d == DETAIL_SMALL) {
        char prefix[SCN_NAME_MAX + 8];
        snprintf(prefix, sizeof prefix, "%s snd ", v->side.name);
        draw_send_bar(ui, win, y, w, prefix, v, &sbar, &slay);
        snprintf(prefix, sizeof prefix, "%s rcv ", v->side.name);
        draw_recv_bar(ui, win, y + 1, w, prefix, v, &rbar, &rlay);
        return;
    }
    draw_title(ui, win, y++, w, v);
    bool sdrawn = draw_send_bar(ui, win, y++, w, tv_tr(ui->lang, "send "), v, &sbar, &slay);
    if (d == DETAIL_FULL) {
        draw_send_markers(ui, win, y++, w, v, sdrawn ? &sbar : NULL, &slay);
        draw_send_sizes(ui, win, y++, w, v);
    }
    draw_send_vars(ui, win, y++, w, v);
    bool rdrawn = draw_recv_bar(ui, win, y++, w, tv_tr(ui->lang, "recv "), v, &rbar, &rlay);
    if (d == DETAIL_FULL)
        draw_recv_markers(ui, win, y++, w, v, rdrawn ? &rbar : NULL, &rlay);
    draw_recv_vars(ui, win, y++, w, v);
    if (d == DETAIL_FULL)
        vk_blank(win, y++, 0, w);
}

/* The legend, one unit per glyph; each group starts with its name.  The
 * short wording is for panes where the long one does not fit.  Words are
 * msgids (N_), translated when laid out. */
struct legend_unit {
    const char *utf8, *ascii; /* glyph, or NULL for a group's name */
    const char *text, *brief;
};
static const struct legend_unit legend[] = {
    { NULL, NULL, N_("send:"), N_("snd") },
    { "\u2588", "#", N_("acked"), N_("acked") },
    { "\u2593", "=", N_("in flight"), N_("flight") },
    { "\u2591", ".", N_("usable"), N_("usable") },
    { "\u00b7", "-", N_("not yet allowed"), N_("not allowed") },
    { NULL, NULL, N_("recv:"), N_("rcv") },
    { "\u2588", "#", N_("read"), N_("read") },
    { "\u2593", "=", N_("unread"), N_("unread") },
    { NULL, "o", N_("out of order"), N_("ooo") },
    { "\u2591", ".", N_("free"), N_("free") },
};
#define LEGEND_UNITS (sizeof legend / sizeof legend[0])

static void legend_unit_text(const struct ui *ui, const struct legend_unit *u, bool brief,
                             char *buf, size_t len)
{
    const char *text = tv_tr(ui->lang, brief ? u->brief : u->text);
    if (u->ascii)
        snprintf(buf, len, "%s %s", u->utf8 ? vk_glyph(ui, u->utf8, u->ascii) : u->ascii, text);
    else
        snprintf(buf, len, "%s", text);
}

/* Lays the legend out over rows [y, y + rows), drawing when `draw`: a
 * group starts a new row when it does not fit on the current one, a unit
 * that fits nowhere is left out whole (never cut).  Returns the rows
 * used, or rows + 1 when something was left out. */
static int legend_layout(const struct ui *ui, WINDOW *win, int y, int rows, int w, bool brief,
                         bool draw)
{
    int row = 0, x = 0;
    bool left_out = false;
    for (size_t i = 0; i < LEGEND_UNITS && row < rows; i++) {
        char unit[64];
        legend_unit_text(ui, &legend[i], brief, unit, sizeof unit);
        /* Two spaces between units, one after a group's name. */
        int gap = i > 0 && !legend[i - 1].ascii ? 1 : 2;
        int need = draw_text_width(unit) + (x > 0 ? gap : 0);
        bool new_group = !legend[i].ascii && x > 0;
        if ((x + need > w || (new_group && row + 1 < rows)) && x > 0) {
            if (draw)
                vk_blank(win, y + row, x, w);
            if (row + 1 >= rows) {
                left_out = true;
                break;
            }
            row++;
            x = 0;
            need = draw_text_width(unit);
        }
        if (x + need > w) {
            left_out = true;
            continue;
        }
        if (draw)
            x = vk_text(ui, win, y + row, x, w, ROLE_DIM, x == 0 ? "" : gap == 1 ? " " : "  ");
        x = draw ? vk_text(ui, win, y + row, x, w, ROLE_DIM, unit) : x + need;
    }
    if (draw && row < rows)
        vk_blank(win, y + row, x, w);
    /* Rows handed to the legend are its cells even when nothing fit. */
    if (draw)
        vk_blank_rows(win, y + row + 1, y + rows, w);
    return left_out ? rows + 1 : row + 1;
}

/* The legend in at most `rows` rows from y; returns the rows it took.  The
 * long wording in as few rows (up to two) as hold it whole, else the short
 * one, which on a narrow single row leaves units out rather than cut them. */
static int draw_legend(const struct ui *ui, WINDOW *win, int y, int rows, int w)
{
    int most = rows < 2 ? rows : 2;
    for (int brief = 0; brief <= 1; brief++)
        for (int r = 1; r <= most; r++)
            if (legend_layout(ui, win, y, r, w, brief, false) <= r)
                return legend_layout(ui, win, y, r, w, brief, true);
    legend_layout(ui, win, y, most, w, true, true);
    return most;
}

static void draw_windows(const struct ui *ui, WINDOW *win, int h, int w)
{
    if (h <= 0 || w <= 0)
        return;
    int n = vk_side_count(ui);
    struct side_view v[VK_MAX_SIDES];
    for (int i = 0; i < n; i++)
        side_view_at(ui, i, &v[i]);
    enum detail d = DETAIL_TINY;
    while (d > DETAIL_FULL && n * rows_for[d - 1] <= h)
        d--;
    int y = 0;
    /* The legend goes first when it fits, above the bars it explains. */
    if (d != DETAIL_TINY && n * rows_for[d] < h)
        y += draw_legend(ui, win, y, h - n * rows_for[d], w);
    for (int i = 0; i < n && y + rows_for[d] <= h; i++) {
        draw_side(ui, win, y, w, &v[i], d);
        y += rows_for[d];
    }
    vk_blank_rows(win, y, h, w);
}

const struct ui_view ui_view_windows = { N_("windows"), draw_windows };
