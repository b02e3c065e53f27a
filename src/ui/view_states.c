/* The state view: both endpoints' RFC 9293 state machines.
 *
 * With room, each machine is drawn as a compact version of the RFC's
 * connection state diagram (RFC 9293 section 3.3.2, Figure 5) with the
 * current state in reverse video between '>' and '<' (so it reads on a
 * monochrome terminal too).  Without room, one line per endpoint:
 *   client SYN_SENT <- CLOSED
 *     on app-connect (RFC 9293 3.10.1)
 * (the trigger follows on the first line when there is no second one).
 * Either way the last transition, its trigger and its RFC section show. */
#include <stdio.h>
#include <string.h>

#include "export/text.h"
#include "ui/draw.h"
#include "ui/ui.h"
#include "ui/view_kit.h"

/* ============================================================= diagram == */

/* The diagram.  Every state name has a space on both sides, where the
 * highlight puts its markers.  Transitions are labelled "event, action".
 * It stays in English in every language: it is RFC 9293's figure, in the
 * RFC's words, and its columns are laid out by hand. */
static const char *const diagram[] = {
    "                       CLOSED",
    "          listen /              \\ connect, snd SYN",
    "           LISTEN                SYN_SENT",
    "              |                      |",
    "rcv SYN, snd  |                      | rcv SYN,ACK",
    "     SYN,ACK  v                      | snd ACK",
    "        SYN_RECEIVED                 |",
    "                    \\ rcv ACK       /",
    "                      ESTABLISHED",
    "      close, snd FIN /           \\ rcv FIN, snd ACK",
    "         FIN_WAIT_1               CLOSE_WAIT",
    "  rcv ACK |    \\ rcv FIN, snd ACK      | close, snd FIN",
    "     FIN_WAIT_2 CLOSING             LAST_ACK",
    "  rcv FIN |       / rcv ACK            | rcv ACK",
    "         TIME_WAIT -- 2MSL -->      CLOSED",
};
#define DIAGRAM_ROWS ((int)(sizeof diagram / sizeof diagram[0]))
#define DIAGRAM_COLS 56
/* Title and last-transition lines above the diagram. */
#define MACHINE_HEADER 2
#define MACHINE_ROWS (MACHINE_HEADER + DIAGRAM_ROWS)
#define MACHINE_GAP 2
/* Where the trigger's rows start when it has rows of its own. */
#define DETAIL_INDENT 2

/* Where a state's name sits in the diagram.  CLOSED is there twice: the
 * top one before a connection, the bottom one after it ended. */
struct label_pos {
    int row, col;
};

static bool find_label(enum tcp_state s, bool closed_at_end, struct label_pos *out)
{
    const char *name = tcp_state_name(s);
    size_t n = strlen(name);
    int first = closed_at_end ? DIAGRAM_ROWS - 1 : 0;
    int step = closed_at_end ? -1 : 1;
    for (int r = first; r >= 0 && r < DIAGRAM_ROWS; r += step) {
        /* A whole word: SYN_SENT must not match inside a longer name. */
        for (const char *p = strstr(diagram[r], name); p; p = strstr(p + 1, name)) {
            bool starts = p == diagram[r] || p[-1] == ' ';
            bool ends = p[n] == '\0' || p[n] == ' ';
            if (starts && ends) {
                out->row = r;
                out->col = (int)(p - diagram[r]);
                return true;
            }
        }
    }
    return false;
}

/* ============================================================ machines == */

struct machine {
    struct vk_side side;
    enum tcp_state state;
    const struct trace_entry *last; /* newest EV_STATE of the connection, or NULL */
};

static void machine_at(const struct ui *ui, int host, struct machine *m)
{
    vk_side_at(ui, host, &m->side);
    uint32_t conn = m->side.tcb ? m->side.tcb->id : 0;
    m->last = m->side.up ? vk_last_event(ui, host, conn, EV_STATE) : NULL;
    if (m->side.tcb)
        m->state = m->side.tcb->state;
    else
        m->state = m->last ? (enum tcp_state)m->last->ev.u.state.to : TCP_CLOSED;
}

/* A connection that ended shows on the bottom CLOSED of the diagram. */
static bool closed_at_end(const struct machine *m)
{
    return m->state == TCP_CLOSED && m->last && m->last->ev.u.state.to == TCP_CLOSED &&
           m->last->ev.u.state.from >= TCP_ESTABLISHED;
}

/* "CLOSED -> SYN_SENT on app-connect, RFC 9293 3.10.1" */
static void describe_last(enum tv_lang lang, const struct machine *m, char *buf, size_t len)
{
    if (!m->side.up) {
        snprintf(buf, len, "%s", tv_tr(lang, "host down"));
        return;
    }
    if (!m->last) {
        snprintf(buf, len, "%s",
                 m->side.tcb ? tv_tr(lang, "no transition yet") : tv_tr(lang, "no connection yet"));
        return;
    }
    /* State names and triggers are the RFC's and the trace's words: only
     * the glue between them is translated. */
    const struct tcp_event *ev = &m->last->ev;
    snprintf(buf, len, tv_tr(lang, "%s -> %s on %s%s%s"), tcp_state_name(ev->u.state.from),
             tcp_state_name(ev->u.state.to), tcp_state_cause_name(ev->u.state.cause),
             ev->u.state.rfc ? ", " : "", ev->u.state.rfc ? ev->u.state.rfc : "");
}

/* "10.0.0.1:49152 -> 10.0.0.2:80", or "" without a bound connection. */
static void describe_ends(const struct machine *m, char *buf, size_t len)
{
    const struct tcb *t = m->side.tcb;
    buf[0] = '\0';
    if (!t || !t->bound)
        return;
    char local[EXPORT_IPV4_LEN], remote[EXPORT_IPV4_LEN];
    export_ipv4(t->local_addr, local);
    if (t->state == TCP_LISTEN) {
        snprintf(buf, len, "%s:%u", local, t->local_port);
        return;
    }
    export_ipv4(t->remote_addr, remote);
    snprintf(buf, len, "%s:%u -> %s:%u", local, t->local_port, remote, t->remote_port);
}

/* ======================================================= diagram form == */

static const char *diagram_glyph(const struct ui *ui, char c, char buf[2])
{
    if (c == '|')
        return vk_glyph(ui, "\u2502", "|");
    if (c == '-')
        return vk_glyph(ui, "\u2500", "-");
    buf[0] = c;
    buf[1] = '\0';
    return buf;
}

/* One diagram row into columns [x, lim), dim but for the current state. */
static void draw_diagram_row(const struct ui *ui, WINDOW *win, int y, int x, int lim,
                             int row)
{
    const char *s = diagram[row];
    int col = x;
    for (; *s && col < lim; s++, col++) {
        char one[2];
        vk_cell(ui, win, y, col, lim, ROLE_NORMAL, diagram_glyph(ui, *s, one));
    }
    vk_blank(win, y, col, lim);
}

static void highlight_state(const struct ui *ui, WINDOW *win, int y0, int x, int lim,
                            const struct machine *m)
{
    struct label_pos at;
    if (!find_label(m->state, closed_at_end(m), &at))
        return;
    char marked[32];
    snprintf(marked, sizeof marked, ">%s<", tcp_state_name(m->state));
    int from = x + at.col - 1;
    if (from >= x)
        vk_text(ui, win, y0 + at.row, from, lim, ROLE_SELECTED, marked);
}

static void draw_machine_diagram(const struct ui *ui, WINDOW *win, int y0, int x, int lim,
                                 const struct machine *m)
{
    char ends[64], last[160];
    describe_ends(m, ends, sizeof ends);
    describe_last(ui->lang, m, last, sizeof last);
    vk_line(ui, win, y0, x, lim, ROLE_TITLE, "%s %s  %s", m->side.name, ends,
            m->side.up ? tcp_state_name(m->state) : tv_tr(ui->lang, "(host down)"));
    vk_line(ui, win, y0 + 1, x, lim, ROLE_NORMAL, tv_tr(ui->lang, "last: %s"), last);
    for (int r = 0; r < DIAGRAM_ROWS; r++)
        draw_diagram_row(ui, win, y0 + MACHINE_HEADER + r, x, lim, r);
    if (m->side.up)
        highlight_state(ui, win, y0 + MACHINE_HEADER, x, lim, m);
}

/* ======================================================= compact form == */

/* "CLOSED > SYN_SENT > ESTABLISHED": the connection's newest states. */
#define PATH_STEPS 6
static void describe_path(const struct ui *ui, const struct machine *m, char *buf, size_t len)
{
    const struct tcp_event *steps[PATH_STEPS + 1];
    unsigned n = 0;
    uint32_t conn = m->side.tcb ? m->side.tcb->id : 0;
    const struct trace_entry *tr = world_trace(ui->world);
    for (size_t i = vk_trace_end(ui); i-- > 0 && n <= PATH_STEPS;) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind == EV_STATE && ev->endpoint == m->side.host && (!conn || ev->conn == conn))
            steps[n++] = ev;
    }
    buf[0] = '\0';
    if (n == 0)
        return;
    /* One more step than shown was found: older ones are elided. */
    bool elided = n > PATH_STEPS;
    if (elided)
        n = PATH_STEPS;
    size_t used = (size_t)snprintf(buf, len, "%s%s", elided ? "... > " : "",
                                   tcp_state_name(steps[n - 1]->u.state.from));
    for (unsigned k = n; k-- > 0 && used < len;)
        used += (size_t)snprintf(buf + used, len - used, " > %s",
                                 tcp_state_name(steps[k]->u.state.to));
}

/* The essential part, first line: "SYN_SENT <- CLOSED" (no arrow before a
 * transition).  The detail that may wrap: "on app-connect (RFC 9293 3.10.1)". */
static void describe_compact(enum tv_lang lang, const struct machine *m, char *from,
                             size_t from_len, char *detail, size_t detail_len)
{
    from[0] = '\0';
    if (!m->side.up) {
        snprintf(detail, detail_len, "%s", tv_tr(lang, "(host down)"));
        return;
    }
    if (!m->last) {
        snprintf(detail, detail_len, "%s",
                 m->side.tcb ? tv_tr(lang, "(no transition yet)") : tv_tr(lang, "(no connection yet)"));
        return;
    }
    const struct tcp_event *ev = &m->last->ev;
    snprintf(from, from_len, " <- %s", tcp_state_name(ev->u.state.from));
    if (ev->u.state.rfc)
        snprintf(detail, detail_len, tv_tr(lang, "on %s (%s)"),
                 tcp_state_cause_name(ev->u.state.cause), ev->u.state.rfc);
    else
        snprintf(detail, detail_len, tv_tr(lang, "on %s"), tcp_state_cause_name(ev->u.state.cause));
}

/* The detail with its groups held together by no-break spaces: a trigger
 * and its "on" ("on app-connect"), and a parenthesis ("(RFC 9293
 * 3.10.1)"): either half alone reads as noise.  draw_wrapped still breaks
 * a group that is wider than a whole row. */
static void glue_groups(const char *detail, char *out, size_t n)
{
    static const char nbsp[] = "\xC2\xA0";
    size_t used = 0;
    const char *group_end = NULL;   /* the ')' closing the open group */
    for (const char *s = detail; *s && used + 3 <= n; s++) {
        bool word_start = s == detail || s[-1] == ' ';
        if (word_start && s[0] == '(')
            group_end = strchr(s, ')');
        bool glued = *s == ' ' && ((group_end && s < group_end) ||
                                   (s - detail >= 2 && s[-1] == 'n' && s[-2] == 'o' &&
                                    (s - detail == 2 || s[-3] == ' ')));
        if (glued) {
            memcpy(out + used, nbsp, 2);
            used += 2;
        } else {
            out[used++] = *s;
        }
    }
    out[used] = '\0';
}

/* The detail on the rest of row y after column x (the state's row, when
 * it is the only one): what fits whole follows a space; the rest is left
 * out, never cut. */
static void draw_detail_after(const struct ui *ui, WINDOW *win, int y, int x, int w,
                              const char *glued)
{
    struct draw_row row;
    if (x + 1 < w && draw_wrap_row(glued, 0, w - x - 1, WRAP_AT_SPACES, &row) && row.clean) {
        x = vk_text(ui, win, y, x, w, ROLE_NORMAL, " ");
        draw_wrapped(ui, win, y, x, 1, w - x, glued, 0, WRAP_AT_SPACES, ROLE_NORMAL);
    } else {
        vk_blank(win, y, x, w);
    }
}

/* The detail wrapped into rows [y, y_end), indented by DETAIL_INDENT;
 * returns the row after the last one written. */
static int draw_detail_below(const struct ui *ui, WINDOW *win, int y, int y_end, int w,
                             const char *glued)
{
    int rows = draw_wrapped(ui, win, y, DETAIL_INDENT, y_end - y, w - DETAIL_INDENT, glued, 0,
                            WRAP_AT_SPACES, ROLE_NORMAL);
    if (rows == 0)
        vk_blank(win, y, DETAIL_INDENT, w);
    rows = rows > 0 ? rows : 1;
    for (int r = 0; r < rows; r++)
        vk_blank(win, y + r, 0, DETAIL_INDENT);
    return y + rows;
}

/* One endpoint in rows [y, y_end): "client SYN_SENT <- CLOSED" first, the
 * trigger and RFC section after it or, with a row to spare, below it. */
static int draw_machine_lines(const struct ui *ui, WINDOW *win, int y, int y_end, int w,
                              const struct machine *m)
{
    char from[48], detail[160];
    describe_compact(ui->lang, m, from, sizeof from, detail, sizeof detail);
    int x = vk_text(ui, win, y, 0, w, ROLE_TITLE, m->side.name);
    x = vk_text(ui, win, y, x, w, ROLE_NORMAL, " ");
    if (m->side.up)
        x = vk_text(ui, win, y, x, w, ROLE_SELECTED, tcp_state_name(m->state));
    x = vk_text(ui, win, y, x, w, ROLE_NORMAL, from);
    char glued[2 * sizeof detail];
    glue_groups(detail, glued, sizeof glued);
    if (y + 1 < y_end) {
        vk_blank(win, y, x, w);
        return draw_detail_below(ui, win, y + 1, y_end, w, glued);
    }
    draw_detail_after(ui, win, y, x, w, glued);
    return y + 1;
}

static void draw_compact(const struct ui *ui, WINDOW *win, int h, int w,
                         const struct machine *m, int n)
{
    /* Each endpoint gets an equal share of rows; the path taken goes on a
     * row its state and trigger left free. */
    int share = h / n > 0 ? h / n : 1;
    int y = 0;
    for (int i = 0; i < n && y < h; i++) {
        int end = y + share < h ? y + share : h;
        y = draw_machine_lines(ui, win, y, end, w, &m[i]);
        if (y < end) {
            char path[256];
            describe_path(ui, &m[i], path, sizeof path);
            vk_line(ui, win, y++, 0, w, ROLE_NORMAL, tv_tr(ui->lang, "  path: %s"),
                    path[0] ? path : "-");
        }
        vk_blank_rows(win, y, end, w);
        y = end;
    }
    vk_blank_rows(win, y, h, w);
}

/* ================================================================ view == */

static void draw_states(const struct ui *ui, WINDOW *win, int h, int w)
{
    if (h <= 0 || w <= 0)
        return;
    struct machine m[VK_MAX_SIDES];
    int n = vk_side_count(ui);
    for (int i = 0; i < n; i++)
        machine_at(ui, i, &m[i]);
    if (n == 0) {
        vk_line(ui, win, 0, 0, w, ROLE_NORMAL, "%s", tv_tr(ui->lang, "no hosts"));
        vk_blank_rows(win, 1, h, w);
        return;
    }
    int side_by_side_cols = n * DIAGRAM_COLS + (n - 1) * MACHINE_GAP;
    if (h >= MACHINE_ROWS && w >= side_by_side_cols) {
        int col_w = (w - (n - 1) * MACHINE_GAP) / n;
        for (int i = 0; i < n; i++) {
            int x = i * (col_w + MACHINE_GAP);
            int lim = i == n - 1 ? w : x + col_w;
            draw_machine_diagram(ui, win, 0, x, lim, &m[i]);
            for (int y = 0; y < MACHINE_ROWS; y++)
                vk_blank(win, y, lim, i == n - 1 ? w : lim + MACHINE_GAP);
        }
        vk_blank_rows(win, MACHINE_ROWS, h, w);
    } else if (h >= n * MACHINE_ROWS + (n - 1) && w >= DIAGRAM_COLS) {
        int y = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0)
                vk_blank(win, y++, 0, w);
            draw_machine_diagram(ui, win, y, 0, w, &m[i]);
            y += MACHINE_ROWS;
        }
        vk_blank_rows(win, y, h, w);
    } else {
        draw_compact(ui, win, h, w, m, n);
    }
}

const struct ui_view ui_view_states = { N_("state"), draw_states };
