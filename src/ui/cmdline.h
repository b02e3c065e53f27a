/* The sandbox's ':' command line: one scenario action, typed, changes the
 * run at the cursor ("client send 1000", "server set nagle=off",
 * "link client->server loss=5%"), plus the fates of a packet in flight
 * ("drop", "delay 50ms", "duplicate", "corrupt", each for the selected
 * packet or a packet number given last).
 *
 * Nothing here draws or needs curses: it reads and writes fields of
 * struct ui and the world, so the tests drive it directly. */
#ifndef TCPVIZ_UI_CMDLINE_H
#define TCPVIZ_UI_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/ui.h"

/* Longest completion, with its terminator. */
#define UI_CMDLINE_WORD_MAX 64

/* Run one command at ui->cursor: the world forks there (world_user_action
 * or world_set_fate) and the cursor moves to the command's EV_USER event.
 * Returns false for a bad command, with ui->message saying why in the
 * parser's words ("unknown host 'cleint' (hosts: client, server)"); the
 * run is then unchanged. */
bool ui_cmdline_run(struct ui *ui, const char *line);

/* Completions of the word being typed at the end of `prefix` (the text
 * after its last blank): host names and verbs first, then the keys of
 * "HOST set" and "link A->B" (with their '=').  Each out[i] replaces that
 * word whole.  Returns how many it wrote, at most max. */
size_t ui_cmdline_complete(const struct ui *ui, const char *prefix,
                           char out[][UI_CMDLINE_WORD_MAX], size_t max);

#endif
