/* --script FILE: drive the UI from a file instead of a keyboard, on a
 * virtual screen that no terminal sees, and print screen dumps.  For tests
 * and CI, and for making screenshots of a lesson.
 *
 * One command a line; blank lines and lines starting with '#' are skipped:
 *   ACTION            a script name from actions.def: step, back, play ...
 *                     (as its key would: the last message goes first)
 *   key NAME          one key: a character, or space, enter, esc, tab,
 *                     backspace, up, down, left, right, sleft, sright,
 *                     home, end, pgup, pgdn, f1..f12
 *   type TEXT         each character of TEXT as a key (for the ':' line)
 *   resize COLSxLINES the terminal changes size (KEY_RESIZE)
 *   size COLSxLINES   the same; by habit the first line (default 100x30)
 *   dump              print the screen, one line per row, trailing blanks
 *                     removed
 *   wait [...]        ignored (time does not pass in a script)
 * A frame is drawn after every command, as the interactive loop would. */
#ifndef TCPVIZ_UI_SCRIPT_H
#define TCPVIZ_UI_SCRIPT_H

#include <stdio.h>

#include "sim/world.h"
#include "ui/ui.h"

struct ui_app;

#define UI_SCRIPT_COLS 100
#define UI_SCRIPT_LINES 30

/* Run the commands of `script` (named `name` in messages) on app, which is
 * attached to a virtual terminal; dumps go to out.  Returns 0, or 2 after
 * printing "NAME:LINE: message" to stderr for a bad line. */
int ui_script_run(struct ui_app *app, FILE *script, const char *name, FILE *out);

/* Print the whole virtual screen to out. */
void ui_script_dump(FILE *out);

/* The --script mode of tcpviz: opt->script ("-" = standard input) on a
 * UI_SCRIPT_COLS x UI_SCRIPT_LINES virtual terminal, dumps to stdout. */
int ui_script_main(struct world *w, const struct scenario *s, const struct ui_options *opt);

#endif
