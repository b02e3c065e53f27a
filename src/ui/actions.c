/* User actions: the key map, the dispatch and the words of the help screen
 * and key bar, all made from actions.def. */
#include "config.h"

#include "ui/actions.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ui/cmdline.h"
#include "ui/course.h"
#include "ui/layout.h"
#include "ui/timeline.h"

/* Completions listed at once after a Tab. */
#define UI_CMDLINE_COMPLETIONS 16

struct action_info {
    const char *name;
    int keys[3];
    const char *bar;
    const char *help;
};

static const struct action_info actions[UI_ACT_COUNT] = {
#define ACTION(id, sname, k1, k2, k3, label, text) \
    [UI_ACT_##id] = {sname, {k1, k2, k3}, label, text},
#include "ui/actions.def"
#undef ACTION
};

/* How far the 'D' key delays a segment: long enough to arrive after the
 * segments sent behind it on the usual 20-40 ms test wires. */
#define UI_FATE_DELAY "delay 200ms"

static bool action_valid(enum ui_action a)
{
    return (int)a >= 0 && a < UI_ACT_COUNT;
}

enum ui_action ui_action_for_key(int key)
{
    if (key == 0)
        return UI_ACT_NONE;
    for (int a = 0; a < UI_ACT_COUNT; a++)
        for (int k = 0; k < 3; k++)
            if (actions[a].keys[k] == key)
                return (enum ui_action)a;
    return UI_ACT_NONE;
}

enum ui_action ui_action_by_name(const char *name)
{
    for (int a = 0; a < UI_ACT_COUNT; a++)
        if (strcmp(actions[a].name, name) == 0)
            return (enum ui_action)a;
    return UI_ACT_NONE;
}

const char *ui_action_name(enum ui_action a)
{
    return action_valid(a) ? actions[a].name : "";
}

const char *ui_action_help(enum ui_action a)
{
    return action_valid(a) ? actions[a].help : "";
}

int ui_action_key(enum ui_action a, int i)
{
    return action_valid(a) && i >= 0 && i < 3 ? actions[a].keys[i] : 0;
}

const char *ui_action_bar_label(enum ui_action a)
{
    return action_valid(a) ? actions[a].bar : NULL;
}

/* ------------------------------------------------------------------ */
/* Key names: one table for showing keys and for reading --script. */

struct key_name {
    int key;
    const char *name;   /* script name */
    const char *ascii;  /* the label in ASCII, NULL = name */
    const char *glyph;  /* the label in UTF-8, NULL = the ASCII one */
};

static const struct key_name key_names[] = {
    {' ', "space", NULL, NULL},
    {'\n', "enter", NULL, NULL},
    {KEY_ENTER, "enter", NULL, NULL},
    {27, "esc", NULL, NULL},
    {'\t', "tab", NULL, NULL},
    {KEY_BACKSPACE, "backspace", NULL, NULL},
    {KEY_UP, "up", NULL, "↑"},
    {KEY_DOWN, "down", NULL, "↓"},
    {KEY_LEFT, "left", NULL, "←"},
    {KEY_RIGHT, "right", NULL, "→"},
    {KEY_SLEFT, "sleft", "S-left", "S-←"},
    {KEY_SRIGHT, "sright", "S-right", "S-→"},
    {KEY_HOME, "home", NULL, NULL},
    {KEY_END, "end", NULL, NULL},
    {KEY_NPAGE, "pgdn", "PgDn", NULL},
    {KEY_PPAGE, "pgup", "PgUp", NULL},
};

void ui_key_label(int key, bool utf8, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
        const struct key_name *k = &key_names[i];
        if (k->key == key) {
            const char *ascii = k->ascii ? k->ascii : k->name;
            snprintf(buf, len, "%s", utf8 && k->glyph ? k->glyph : ascii);
            return;
        }
    }
    if (key >= KEY_F(1) && key <= KEY_F(12))
        snprintf(buf, len, "F%d", key - KEY_F(0));
    else if (key > ' ' && key < 127)
        snprintf(buf, len, "%c", key);
    else
        snprintf(buf, len, "#%d", key);
}

int ui_key_by_name(const char *name)
{
    if (name[0] != '\0' && name[1] == '\0')
        return (unsigned char)name[0];
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcasecmp(key_names[i].name, name) == 0)
            return key_names[i].key;
    if ((name[0] == 'f' || name[0] == 'F') && name[1] >= '1' && name[1] <= '9') {
        int n = name[1] - '0';
        if (name[2] >= '0' && name[2] <= '2' && name[3] == '\0' && n == 1)
            return KEY_F(10 + name[2] - '0');
        if (name[2] == '\0')
            return KEY_F(n);
    }
    return -1;
}

void ui_action_key_label(enum ui_action a, bool utf8, char *buf, size_t len)
{
    buf[0] = '\0';
    if (action_valid(a) && actions[a].keys[0])
        ui_key_label(actions[a].keys[0], utf8, buf, len);
}

void ui_action_keys_text(enum ui_action a, bool utf8, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!action_valid(a) || len == 0)
        return;
    size_t used = 0;
    char shown[3][16] = {{0}};
    for (int k = 0; k < 3; k++) {
        if (!actions[a].keys[k])
            continue;
        ui_key_label(actions[a].keys[k], utf8, shown[k], sizeof shown[k]);
        /* '\n' and KEY_ENTER are both "enter": name it once. */
        bool repeat = false;
        for (int j = 0; j < k; j++)
            repeat = repeat || strcmp(shown[j], shown[k]) == 0;
        if (repeat)
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", shown[k]);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

/* ------------------------------------------------------------------ */
/* What the actions do. */

static void say(struct ui *ui, const char *text)
{
    snprintf(ui->message, sizeof ui->message, "%s", text);
}

static void toggle_play(struct ui *ui)
{
    if (ui->playing) {
        ui->playing = false;
        return;
    }
    if (timeline_at_end(ui)) {
        say(ui, tv_tr(ui->lang, "end of the run: press g to go back to the start"));
        return;
    }
    ui->playing = true;
}

static void change_speed(struct ui *ui, int delta)
{
    if (delta > 0 && ui->speed < TIMELINE_SPEED_MAX)
        ui->speed++;
    else if (delta < 0 && ui->speed > 0)
        ui->speed--;
    snprintf(ui->message, sizeof ui->message, tv_tr(ui->lang, "speed: %u events per second"),
             1u << ui->speed);
}

/* Rows of a page in a pane at the current screen size: its inside less
 * one row of overlap, so that the eye finds its place again. */
static int page_rows(enum layout_pane pane)
{
    struct layout l;
    layout_compute(&l, LINES, COLS, NULL);
    int h = pane == PANE_COUNT ? l.help.h - 2 : l.pane[pane].h - 2;
    return h > 2 ? h - 1 : 1;
}

/* The help lists more actions than its rows at small sizes: scroll it. */
static void scroll_help(struct ui *ui, int rows)
{
    int max = UI_ACT_COUNT - page_rows(PANE_COUNT) - 1;
    ui->help_scroll += rows;
    if (ui->help_scroll > max)
        ui->help_scroll = max;
    if (ui->help_scroll < 0)
        ui->help_scroll = 0;
}

/* A page down (dir > 0) or up: the help or the inspector when one is up,
 * else the ladder, by moving the selection a page of segments (the ladder
 * keeps the selection in view). */
static void page(struct ui *ui, int dir)
{
    if (ui->help) {
        scroll_help(ui, dir * page_rows(PANE_COUNT));
    } else if (ui->inspector) {
        struct layout l;
        layout_compute(&l, LINES, COLS, NULL);
        int total = inspector_lines(ui, l.pane[PANE_INSPECTOR].w - 2);
        int rows = page_rows(PANE_INSPECTOR);
        int max = total - rows - 1 > 0 ? total - rows - 1 : 0;
        ui->inspector_scroll += dir * rows;
        if (ui->inspector_scroll > max)
            ui->inspector_scroll = max;
        if (ui->inspector_scroll < 0)
            ui->inspector_scroll = 0;
    } else {
        int rows = page_rows(PANE_LADDER) - 1; /* less the ladder's header */
        for (int i = 0; i < (rows > 1 ? rows : 1); i++)
            if (!timeline_select_segment(ui, dir))
                break;
        /* With a selection, the message about the far end is stale.  The
         * only message here is the timeline's (ui_key cleared the older
         * one), so this need not read its words, which are translated. */
        if (ui->selected_packet >= 0)
            ui->message[0] = '\0';
    }
}

/* The log scrolls back over the events before the cursor, at most until
 * the first one. */
static void scroll_log(struct ui *ui, int dir)
{
    long back = (long)ui->log_scroll + (long)dir * page_rows(PANE_LOG);
    long max = (long)ui->cursor;
    ui->log_scroll = (int)(back < 0 ? 0 : back > max ? max : back);
    if (dir < 0 && ui->log_scroll == 0)
        say(ui, tv_tr(ui->lang, "the event log is back at the cursor's event"));
}

static void toggle_plot(struct ui *ui)
{
    ui->plot_seq_time = !ui->plot_seq_time;
    say(ui, ui->plot_seq_time
                ? tv_tr(ui->lang, "cwnd pane: the seq-vs-time (Stevens) plot, when one chart fits")
                : tv_tr(ui->lang, "cwnd pane: the cwnd / ssthresh chart, when one chart fits"));
}

static void toggle_inspector(struct ui *ui)
{
    if (ui->inspector) {
        ui->inspector = false;
        return;
    }
    if (!layout_has_inspector()) {
        say(ui, tv_tr(ui->lang, "the inspector is not available yet"));
        return;
    }
    if (ui->selected_packet < 0 && !timeline_select_segment(ui, 1))
        return;
    ui->inspector = true;
}

/* Decide the fate of the selected segment in flight: the same command the
 * ':' line takes, so that both say the same things when it is not. */
static void decide_fate(struct ui *ui, const char *command)
{
    ui_cmdline_run(ui, command);
}

static void open_command_line(struct ui *ui)
{
    ui->cmd_active = true;
    ui->cmd_len = 0;
    ui->cmd[0] = '\0';
    ui->playing = false;
}

/* ESC closes what is on top: the command line, the help, the inspector. */
static void escape(struct ui *ui)
{
    if (ui->cmd_active)
        ui->cmd_active = false;
    else if (ui->help)
        ui->help = false;
    else if (ui->inspector)
        ui->inspector = false;
}

static void quit(struct ui *ui)
{
    if (ui->help)
        ui->help = false;
    else if (ui->inspector)
        ui->inspector = false;
    else
        ui->quit = true;
}

/* Actions that change what is shown but not the run or the cursor. */
static bool action_only_looks(enum ui_action a)
{
    switch (a) {
    case UI_ACT_PLAY: case UI_ACT_FASTER: case UI_ACT_SLOWER: case UI_ACT_HELP:
    case UI_ACT_ESCAPE: case UI_ACT_INSPECT: case UI_ACT_CONTINUE: case UI_ACT_SELECT_NEXT:
    case UI_ACT_SELECT_PREV: case UI_ACT_PAGE_DOWN: case UI_ACT_PAGE_UP:
    case UI_ACT_LOG_BACK: case UI_ACT_LOG_FORWARD: case UI_ACT_PLOT:
        return true;
    default:
        return false;
    }
}

void ui_action_run(struct ui *ui, enum ui_action a)
{
    /* The menu and lesson mode take their actions first (course.c). */
    if (ui->course && course_action(ui, a))
        return;
    int64_t selected_before = ui->selected_packet;
    switch (a) {
    case UI_ACT_STEP: timeline_step(ui, 1); break;
    case UI_ACT_BACK: timeline_step(ui, -1); break;
    case UI_ACT_SEG_NEXT: timeline_step_segment(ui, 1); break;
    case UI_ACT_SEG_PREV: timeline_step_segment(ui, -1); break;
    case UI_ACT_PLAY: toggle_play(ui); break;
    case UI_ACT_FASTER: change_speed(ui, 1); break;
    case UI_ACT_SLOWER: change_speed(ui, -1); break;
    case UI_ACT_START: timeline_start(ui); break;
    case UI_ACT_END: timeline_end(ui); break;
    case UI_ACT_INTERESTING_NEXT: timeline_interesting(ui, 1); break;
    case UI_ACT_INTERESTING_PREV: timeline_interesting(ui, -1); break;
    case UI_ACT_SELECT_NEXT:
        if (ui->help)
            scroll_help(ui, 1);
        else
            timeline_select_segment(ui, 1);
        break;
    case UI_ACT_SELECT_PREV:
        if (ui->help)
            scroll_help(ui, -1);
        else
            timeline_select_segment(ui, -1);
        break;
    case UI_ACT_PAGE_DOWN: page(ui, 1); break;
    case UI_ACT_PAGE_UP: page(ui, -1); break;
    case UI_ACT_LOG_BACK: scroll_log(ui, 1); break;
    case UI_ACT_LOG_FORWARD: scroll_log(ui, -1); break;
    case UI_ACT_PLOT: toggle_plot(ui); break;
    case UI_ACT_INSPECT: toggle_inspector(ui); break;
    case UI_ACT_DROP: decide_fate(ui, "drop"); break;
    case UI_ACT_DELAY: decide_fate(ui, UI_FATE_DELAY); break;
    case UI_ACT_DUPLICATE: decide_fate(ui, "duplicate"); break;
    case UI_ACT_CORRUPT: decide_fate(ui, "corrupt"); break;
    case UI_ACT_COMMAND: open_command_line(ui); break;
    case UI_ACT_ESCAPE: escape(ui); break;
    case UI_ACT_HELP:
        ui->help = !ui->help;
        ui->help_scroll = 0;
        break;
    case UI_ACT_QUIT: quit(ui); break;
    /* Outside a lesson Enter is the inspector's, as it always was. */
    case UI_ACT_CONTINUE: toggle_inspector(ui); break;
    case UI_ACT_AGAIN: case UI_ACT_LESSON: case UI_ACT_PREV_STEP:
        say(ui, tv_tr(ui->lang, "not in a lesson: tcpviz without a file opens the lesson menu"));
        break;
    case UI_ACT_MENU:
        say(ui, tv_tr(ui->lang, "no lesson menu here: tcpviz without a file opens it"));
        break;
    default: break;
    }
    /* Stepping by hand stops the player (playing is one step per tick);
     * looking around does not. */
    if (!action_only_looks(a))
        ui->playing = false;
    /* Another segment: its inspector starts at the top. */
    if (ui->selected_packet != selected_before)
        ui->inspector_scroll = 0;
}

/* ------------------------------------------------------------------ */
/* The command line. */

static void command_line_backspace(struct ui *ui)
{
    if (ui->cmd_len == 0) {
        ui->cmd_active = false;
        return;
    }
    /* Remove a whole UTF-8 character: continuation bytes, then its lead. */
    while (ui->cmd_len > 0 && ((unsigned char)ui->cmd[ui->cmd_len - 1] & 0xC0) == 0x80)
        ui->cmd_len--;
    if (ui->cmd_len > 0)
        ui->cmd_len--;
    ui->cmd[ui->cmd_len] = '\0';
}

/* Tab: complete the word being typed.  One candidate replaces it (with a
 * blank after a whole word); several are listed and their common start is
 * filled in. */
static void command_line_complete(struct ui *ui)
{
    char found[UI_CMDLINE_COMPLETIONS][UI_CMDLINE_WORD_MAX];
    size_t n = ui_cmdline_complete(ui, ui->cmd, found, UI_CMDLINE_COMPLETIONS);
    if (n == 0) {
        say(ui, tv_tr(ui->lang, "nothing to complete here"));
        return;
    }
    size_t common = strlen(found[0]);
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < common && found[i][k] == found[0][k])
            k++;
        common = k;
    }
    size_t start = ui->cmd_len;
    while (start > 0 && ui->cmd[start - 1] != ' ')
        start--;
    bool whole = n == 1 && common > 0 && found[0][common - 1] != '=';
    int len = snprintf(ui->cmd + start, sizeof ui->cmd - start, "%.*s%s", (int)common,
                       found[0], whole ? " " : "");
    ui->cmd_len = len < 0 ? start : start + (size_t)len;
    if (ui->cmd_len >= sizeof ui->cmd)
        ui->cmd_len = sizeof ui->cmd - 1;
    ui->cmd[ui->cmd_len] = '\0';
    if (n > 1) {
        size_t used = 0;
        for (size_t i = 0; i < n && used + 1 < sizeof ui->message; i++) {
            int k = snprintf(ui->message + used, sizeof ui->message - used, "%s%s",
                             i ? "  " : "", found[i]);
            if (k < 0)
                break;
            used += (size_t)k;
        }
    }
}

static void command_line_enter(struct ui *ui)
{
    ui->cmd_active = false;
    if (ui->cmd_len == 0)
        return;
    char line[sizeof ui->cmd];
    memcpy(line, ui->cmd, sizeof line);
    ui_cmdline_run(ui, line);
}

static void command_line_key(struct ui *ui, int key)
{
    if (key == 27) {
        ui->cmd_active = false;
    } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        command_line_enter(ui);
    } else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        command_line_backspace(ui);
    } else if (key == '\t') {
        command_line_complete(ui);
    } else if (key >= ' ' && key <= 0xFF && key != 127 && ui->cmd_len + 1 < sizeof ui->cmd) {
        /* Bytes of UTF-8 arrive one by one; they are sanitised when drawn. */
        ui->cmd[ui->cmd_len++] = (char)key;
        ui->cmd[ui->cmd_len] = '\0';
    }
}

bool ui_key(struct ui *ui, int key)
{
    ui->message[0] = '\0';
    if (ui->cmd_active) {
        command_line_key(ui, key);
        return true;
    }
    enum ui_action a = ui_action_for_key(key);
    if (a == UI_ACT_NONE)
        return false;
    ui_action_run(ui, a);
    return true;
}
