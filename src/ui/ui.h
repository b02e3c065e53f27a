/* The curses front end: shared model and the contract between its parts.
 *
 * The UI only reads the world and its event stream (DESIGN.md).  Every view
 * draws the same moment: the time cursor, an index into the world's trace.
 * Moving the cursor seeks the world (world_seek), so engine state read
 * through world_stack()/tcp_sock_tcb() is the state right after the step
 * that recorded event `cursor`.  Views never change the world; only the
 * timeline (timeline.c) and user actions (fork, sandbox commands) do.
 *
 * Files:
 *   app.c        curses set-up, the main loop, resize, play timer
 *   layout.c     where each view goes for LINES x COLS; "too small" screen
 *   draw.c       text and box drawing: wcwidth-aware, sanitised, ASCII
 *                fallback, colour table with a monochrome column
 *   actions.def  the one table of actions: enum, keys, help, script names
 *   actions.c    key -> action, dispatch, the generated help screen
 *   timeline.c   the time cursor: step, back, jump, interesting events
 *   cmdline.c    the ':' command line of the sandbox
 *   script.c     --script FILE: key names and screen dumps
 *   view_*.c     one file per view (struct ui_view below)
 */
#ifndef TCPVIZ_UI_UI_H
#define TCPVIZ_UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i18n/i18n.h"
#include "sim/scenario.h"
#include "sim/world.h"

/* The smallest terminal we draw a full screen on. */
#define UI_MIN_COLS 80
#define UI_MIN_LINES 24

enum ui_color_mode { UI_COLOR_AUTO = 0, UI_COLOR_NEVER, UI_COLOR_ALWAYS };

/* Colour roles.  Every role also has a glyph or attribute that carries the
 * same meaning in monochrome (draw.c keeps the table). */
enum ui_role {
    ROLE_NORMAL = 0,
    ROLE_TITLE,       /* view titles, status line */
    ROLE_CLIENT,      /* the first endpoint's segments */
    ROLE_SERVER,      /* the second endpoint's segments */
    ROLE_DROP,        /* dropped segments, errors */
    ROLE_RETRANSMIT,  /* retransmissions */
    ROLE_SELECTED,    /* the selected segment / item */
    ROLE_DIM,         /* the future, hints */
    ROLE_COUNT
};

struct ui_options {
    enum ui_color_mode color;
    bool ascii;               /* force ASCII box drawing */
    const char *script;       /* --script FILE, or NULL for interactive */
    enum tv_lang lang;        /* the language of the UI's words (--lang, LANG) */
};

/* The whole UI state.  Views get it read-only. */
struct ui {
    struct world *world;
    const struct scenario *scn;
    struct ui_options opt;
    bool color;               /* colours in use (after NO_COLOR, --color, has_colors) */
    bool utf8;                /* box drawing and arrows in Unicode */
    enum tv_lang lang;        /* UI words are drawn as tv_tr(ui->lang, ...) */

    size_t cursor;            /* index of the current event in the trace */
    bool playing;
    unsigned speed;           /* 0.. : events per second while playing = 2^speed */

    /* Kept by timeline.c; views may read them.  Seeking back cuts the
     * world's trace at the cursor's step, so the trace alone does not say
     * how many events the run has. */
    size_t events_known;      /* the longest trace seen ("event 7/123") */
    bool end_known;           /* the run has been seen to end: events_known is the total */
    size_t synced_from;       /* the world's state is right for any cursor in
                               * [synced_from, world_trace_len) */

    /* The views' index of the segments in the trace (trace_index.h):
     * the app creates it with trace_index_new() and frees it; views keep
     * it in step with the trace.  NULL: each view builds a temporary one. */
    struct trace_index *trace_index;

    int64_t selected_packet;  /* packet id of the selected segment, -1 = none */
    int ladder_scroll;        /* rows the user scrolled the ladder back from the
                               * cursor's row; 0 = follow the cursor */
    int log_scroll;           /* lines the log is scrolled back from the cursor's event */
    int inspector_scroll;     /* first line the inspector shows (clamped when drawn) */
    bool plot_seq_time;       /* the cwnd view shows its seq-vs-time (Stevens) plot
                               * instead of cwnd when only one chart fits */

    bool help;                /* the help screen is up */
    int help_scroll;          /* first action line the help shows when not all fit */
    /* While playing, the ladder glides its segments from where they were
     * at the previous event to where they are at the cursor's: it draws
     * them as of anim_t (between the two events' times) while anim is set.
     * app.c keeps these; the other views always draw the cursor's moment. */
    bool anim;
    uint64_t anim_t;
    bool inspector;           /* the segment inspector is up */
    bool cmd_active;          /* typing a ':' command */
    char cmd[256];
    size_t cmd_len;
    char message[256];        /* last status message (errors of commands, "forked at ...") */
    char narration[4096];     /* plain-language narration of the current moment
                               * (a lesson step's text, question and options in
                               * Chinese need more than 1 KiB) */
    int narration_scroll;     /* first row of the narration the pane shows when
                               * it does not all fit (clamped when drawn) */
    bool quit;

    /* The course (course.h): the lesson menu, lesson mode and the sandbox
     * opened from the menu; NULL when tcpviz runs a plain scenario file. */
    struct course *course;
    /* Lesson mode (lesson_mode.h), NULL outside a lesson. */
    struct lesson_mode *lesson;
};

/* A view draws itself into a curses window of h rows and w columns that
 * the layout gives it (its border and title are drawn by the layout).  It
 * must draw every cell it owns (no clear() per frame) and fit any size,
 * down to 1x1, without writing outside. */
typedef struct _win_st WINDOW; /* from <curses.h>, so views' users need not include it */
struct ui_view {
    const char *name;         /* title shown on the border: "ladder", "state" ... */
    void (*draw)(const struct ui *ui, WINDOW *win, int h, int w);
};

extern const struct ui_view ui_view_ladder;     /* view_ladder.c */
extern const struct ui_view ui_view_states;     /* view_states.c: both RFC 9293 state machines */
extern const struct ui_view ui_view_windows;    /* view_windows.c: send/receive windows */
extern const struct ui_view ui_view_cwnd;       /* view_cwnd.c: cwnd/ssthresh chart and seq-vs-time */
extern const struct ui_view ui_view_timers;     /* view_timers.c: timers and RTT estimator */
extern const struct ui_view ui_view_inspector;  /* view_inspector.c: the selected segment */
extern const struct ui_view ui_view_log;        /* view_log.c: the event log */
extern const struct ui_view ui_view_narration;  /* view_narration.c */

/* The packet of the segment the ladder draws on row `row` of its window
 * (h rows, w columns, as last given to its draw), for mouse clicks; -1 if
 * none.  view_ladder.c. */
int64_t ladder_packet_at(const struct ui *ui, int h, int w, int row);
/* The packet of the next (dir > 0) or previous (dir < 0) segment sent up
 * to the cursor from packet `current` (-1: from the newest), for j/k;
 * `current` itself when there is none further.  view_ladder.c. */
int64_t ladder_select_next(const struct ui *ui, int64_t current, int dir);

/* Lines of the inspector's text for the selected segment in a window w
 * columns wide (its fields and hex dump), for scrolling.  view_inspector.c. */
int inspector_lines(const struct ui *ui, int w);

/* One plain-language sentence about event e for the narration pane ("The
 * server moved from LISTEN to SYN_RECEIVED because it received a SYN (RFC
 * 9293 3.10.7.2)."), at most n bytes with the terminator.  view_narration.c;
 * lessons reuse it. */
void narrate_event(const struct ui *ui, const struct trace_entry *e, char *out, size_t n);

/* Rows the narration pane needs to show `text` (paragraphs split by '\n',
 * as ui->narration holds them) in w columns, wrapped as the pane wraps it.
 * view_narration.c; lesson mode and the layout use it to scroll the pane
 * and mark what is out of view. */
int narration_text_rows(const char *text, int w);

/* Run the UI on a world until the user quits; returns the exit status. */
int ui_main(struct world *w, const struct scenario *s, const struct ui_options *opt);

#endif
