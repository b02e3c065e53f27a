/* Shared pieces of the state, window, cwnd and timer views (view_kit.h). */
#include "ui/view_kit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/world.h"
#include "tcp/stack.h"

/* ================================================================ sides == */

int vk_side_count(const struct ui *ui)
{
    const struct scenario *s = world_scenario(ui->world);
    int n = s ? (int)s->nhosts : 0;
    return n < VK_MAX_SIDES ? n : VK_MAX_SIDES;
}

/* Before the app holds a connection (a server mid-handshake, a connection
 * nobody accepts) the interesting one is the newest that is alive. */
static int newest_live_connection(const struct tcp_stack *st, int listener)
{
    for (int s = tcp_sock_max(st); s >= 1; s--) {
        if (s == listener)
            continue;
        enum tcp_state state = tcp_sock_state(st, s);
        if (state != TCP_CLOSED && state != TCP_LISTEN)
            return s;
    }
    return 0;
}

void vk_side_at(const struct ui *ui, int host, struct vk_side *out)
{
    vk_side_of_world(ui->world, host, out);
}

void vk_side_of_world(const struct world *w, int host, struct vk_side *out)
{
    const struct scenario *s = world_scenario(w);
    memset(out, 0, sizeof *out);
    out->host = host;
    out->name = (s && host >= 0 && (size_t)host < s->nhosts) ? s->hosts[host].name : "?";
    out->up = world_host_up(w, host);
    out->stack = world_stack(w, host);
    if (!out->stack)
        return;
    int sock = world_host_socket(w, host);
    if (sock <= 0 || !tcp_sock_tcb(out->stack, sock)) {
        int listener = world_host_listener(w, host);
        sock = newest_live_connection(out->stack, listener);
        if (sock == 0)
            sock = listener;
    }
    out->sock = sock;
    out->tcb = sock > 0 ? tcp_sock_tcb(out->stack, sock) : NULL;
}

/* ================================================================ trace == */

size_t vk_trace_end(const struct ui *ui)
{
    size_t len = world_trace_len(ui->world);
    return ui->cursor < len ? ui->cursor + 1 : len;
}

uint64_t vk_now(const struct ui *ui)
{
    size_t end = vk_trace_end(ui);
    if (end == 0)
        return world_now(ui->world);
    return world_trace(ui->world)[end - 1].t;
}

const struct trace_entry *vk_last_event(const struct ui *ui, int host, uint32_t conn,
                                        enum tcp_event_kind kind)
{
    const struct trace_entry *tr = world_trace(ui->world);
    for (size_t i = vk_trace_end(ui); i-- > 0;) {
        const struct tcp_event *ev = &tr[i].ev;
        if (ev->kind == kind && ev->endpoint == host && (conn == 0 || ev->conn == conn))
            return &tr[i];
    }
    return NULL;
}

/* =============================================================== format == */

void vk_format_duration(uint64_t usec, char *buf, size_t len)
{
    if (usec < TCP_USEC_PER_SEC) {
        snprintf(buf, len, "%.3f ms", (double)usec / (double)TCP_USEC_PER_MS);
    } else if (usec < 3600 * TCP_USEC_PER_SEC) {
        snprintf(buf, len, "%.3f s", (double)usec / (double)TCP_USEC_PER_SEC);
    } else {
        /* Keepalive's two hours read better as h:mm:ss. */
        uint64_t sec = usec / TCP_USEC_PER_SEC;
        snprintf(buf, len, "%u:%02u:%02u.%03u", (unsigned)(sec / 3600),
                 (unsigned)(sec / 60 % 60), (unsigned)(sec % 60),
                 (unsigned)(usec / TCP_USEC_PER_MS % 1000));
    }
}

void vk_format_time(uint64_t usec, char *buf, size_t len)
{
    snprintf(buf, len, "%llu.%03u s", (unsigned long long)(usec / TCP_USEC_PER_SEC),
             (unsigned)(usec % TCP_USEC_PER_SEC / TCP_USEC_PER_MS));
}

const char *vk_glyph(const struct ui *ui, const char *utf8, const char *ascii)
{
    return ui->utf8 ? utf8 : ascii;
}

/* ================================================================= text == */

int vk_text(const struct ui *ui, WINDOW *win, int y, int x, int lim, enum ui_role role,
            const char *s)
{
    if (x < 0 || x >= lim)
        return x;
    return x + draw_text_role(ui, win, y, x, lim - x, s, role);
}

void vk_blank(WINDOW *win, int y, int x, int lim)
{
    if (x >= 0 && x < lim)
        draw_blank(win, y, x, lim - x);
}

void vk_line(const struct ui *ui, WINDOW *win, int y, int x, int lim, enum ui_role role,
             const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    vk_blank(win, y, vk_text(ui, win, y, x, lim, role, buf), lim);
}

void vk_blank_rows(WINDOW *win, int from, int h, int w)
{
    for (int y = from < 0 ? 0 : from; y < h; y++)
        vk_blank(win, y, 0, w);
}

void vk_cell(const struct ui *ui, WINDOW *win, int y, int x, int lim, enum ui_role role,
             const char *glyph)
{
    if (x >= 0 && x < lim)
        vk_text(ui, win, y, x, x + 1, role, glyph);
}
