/* User actions: made from the one table in actions.def.
 *
 * A key becomes an action (ui_action_for_key), an action changes the UI
 * model (ui_action_run); --script names actions by their script names.  The
 * help screen and the key bar are generated from the same table. */
#ifndef TCPVIZ_UI_ACTIONS_H
#define TCPVIZ_UI_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/ui.h"

enum ui_action {
#define ACTION(id, name, k1, k2, k3, bar, help) UI_ACT_##id,
#include "ui/actions.def"
#undef ACTION
    UI_ACT_COUNT,
    UI_ACT_NONE = -1
};

/* The action bound to a curses key code, UI_ACT_NONE if none. */
enum ui_action ui_action_for_key(int key);
/* The action with this script name ("step"), UI_ACT_NONE if none. */
enum ui_action ui_action_by_name(const char *name);
const char *ui_action_name(enum ui_action a);
const char *ui_action_help(enum ui_action a);
/* Key number i (0..2) bound to the action, 0 for none. */
int ui_action_key(enum ui_action a, int i);
/* The key bar label, NULL when the action is not on the key bar. */
const char *ui_action_bar_label(enum ui_action a);
/* The action's first key as shown to the user ("n", "space", "?"). */
void ui_action_key_label(enum ui_action a, bool utf8, char *buf, size_t len);
/* All its keys: "n  →  l". */
void ui_action_keys_text(enum ui_action a, bool utf8, char *buf, size_t len);

/* A key's name as shown ("space", "enter", "→" or "right", "F1", "x"). */
void ui_key_label(int key, bool utf8, char *buf, size_t len);
/* The key code for a --script key name: one character, or space, enter,
 * esc, tab, backspace, up, down, left, right, sleft, sright, home, end,
 * pgup, pgdn, f1..f12.  -1 if unknown. */
int ui_key_by_name(const char *name);

/* Carry out an action on the model. */
void ui_action_run(struct ui *ui, enum ui_action a);
/* Handle one key press: typing on the command line when it is open, else
 * the bound action.  Clears the previous message first.  Returns false
 * when the key means nothing here. */
bool ui_key(struct ui *ui, int key);

/* The help screen: one line per action, "keys" and "help". */
#define UI_HELP_KEYS_COLS 14

#endif
