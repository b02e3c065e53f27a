/* A student's progress through the course, kept between runs.
 *
 * The file is $XDG_STATE_HOME/tcpviz/progress (else
 * ~/.local/state/tcpviz/progress): plain text, one lesson a line,
 *     handshake done
 *     syn-lost step 3
 * so that a student can read it and a teacher can reset it with an
 * editor.  Lines that do not read as one of these are ignored, never an
 * error: a garbled file costs the student their marks, not the program.
 * It is written whole to a temporary file that is then renamed over the
 * old one (a crash mid-write leaves the old file), in a directory made
 * with mode 0700 (progress is nobody else's business).
 *
 * Errors are messages for the UI to show; nothing here is fatal.  The
 * environment comes in as arguments, so tests use temporary directories. */
#ifndef TCPVIZ_LESSON_PROGRESS_H
#define TCPVIZ_LESSON_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson/lesson.h"

#define PROGRESS_PATH_MAX 4096

enum progress_state { PROGRESS_NONE = 0, PROGRESS_STARTED, PROGRESS_DONE };

struct progress_item {
    char id[LESSON_ID_MAX];
    enum progress_state state;
    unsigned step;            /* PROGRESS_STARTED: the step reached, from 1 */
};

struct progress {
    char path[PROGRESS_PATH_MAX]; /* "" when there is nowhere to keep it */
    size_t n, cap;
    struct progress_item *items;  /* owned, in file order */
};

/* The file's path from $XDG_STATE_HOME and $HOME (NULL when unset; a
 * relative XDG_STATE_HOME is ignored, as the XDG spec says).  false when
 * neither gives a place. */
bool progress_path(const char *xdg_state_home, const char *home, char *out, size_t n);

/* Read the file at path (a missing file is an empty progress).  Returns 0,
 * or -1 with a message in err when the file exists but cannot be read;
 * p is usable (empty) either way and remembers path for saving. */
int progress_load(struct progress *p, const char *path, char *err, size_t errlen);
/* Write the file: directories made as needed (0700), a temporary file,
 * then rename.  0, or -1 with a message in err. */
int progress_save(const struct progress *p, char *err, size_t errlen);
void progress_free(struct progress *p);

/* The state of a lesson; *step gets the step reached (0 when none). */
enum progress_state progress_get(const struct progress *p, const char *id, unsigned *step);
/* Record that the student reached step `step` (from 1) of a lesson; a
 * lesson already done stays done.  false when out of memory. */
bool progress_set_step(struct progress *p, const char *id, unsigned step);
bool progress_set_done(struct progress *p, const char *id);
/* Forget a lesson (the student restarts it). */
void progress_forget(struct progress *p, const char *id);

#endif
