/* A student's progress (see progress.h). */
#include "config.h"

#include "lesson/progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/array.h"

#define PROGRESS_LINE_MAX 256
#define PROGRESS_STEP_MAX 100000u

bool progress_path(const char *xdg_state_home, const char *home, char *out, size_t n)
{
    int k;
    if (xdg_state_home && xdg_state_home[0] == '/')
        k = snprintf(out, n, "%s/tcpviz/progress", xdg_state_home);
    else if (home && home[0])
        k = snprintf(out, n, "%s/.local/state/tcpviz/progress", home);
    else
        k = -1;
    if (k < 0 || (size_t)k >= n) {
        if (n)
            out[0] = '\0';
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* The list */

static struct progress_item *find(const struct progress *p, const char *id)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].id, id) == 0)
            return &p->items[i];
    return NULL;
}

static struct progress_item *find_or_add(struct progress *p, const char *id)
{
    struct progress_item *it = find(p, id);
    if (it)
        return it;
    if (strlen(id) >= LESSON_ID_MAX || !id[0])
        return NULL;
    if (p->n == p->cap) {
        struct progress_item *more = array_grow(p->items, &p->cap, sizeof *more, 16);
        if (!more)
            return NULL;
        p->items = more;
    }
    it = &p->items[p->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->id, sizeof it->id, "%s", id);
    return it;
}

enum progress_state progress_get(const struct progress *p, const char *id, unsigned *step)
{
    const struct progress_item *it = find(p, id);
    if (step)
        *step = it && it->state == PROGRESS_STARTED ? it->step : 0;
    return it ? it->state : PROGRESS_NONE;
}

bool progress_set_step(struct progress *p, const char *id, unsigned step)
{
    struct progress_item *it = find_or_add(p, id);
    if (!it)
        return false;
    if (it->state != PROGRESS_DONE) {
        it->state = PROGRESS_STARTED;
        it->step = step ? step : 1;
    }
    return true;
}

bool progress_set_done(struct progress *p, const char *id)
{
    struct progress_item *it = find_or_add(p, id);
    if (!it)
        return false;
    it->state = PROGRESS_DONE;
    it->step = 0;
    return true;
}

void progress_forget(struct progress *p, const char *id)
{
    struct progress_item *it = find(p, id);
    if (!it)
        return;
    size_t i = (size_t)(it - p->items);
    memmove(&p->items[i], &p->items[i + 1], (p->n - i - 1) * sizeof *it);
    p->n--;
}

void progress_free(struct progress *p)
{
    free(p->items);
    p->items = NULL;
    p->n = p->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Reading */

/* "ID done" or "ID step N"; anything else is skipped. */
static void parse_line(struct progress *p, char *line)
{
    char *words[4];
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r\n", &save); tok && n < 4;
         tok = strtok_r(NULL, " \t\r\n", &save))
        words[n++] = tok;
    if (n < 2 || !lesson_id_valid(words[0]))
        return;
    if (n == 2 && strcmp(words[1], "done") == 0) {
        progress_set_done(p, words[0]);
    } else if (n == 3 && strcmp(words[1], "step") == 0) {
        char *end;
        errno = 0;
        unsigned long step = strtoul(words[2], &end, 10);
        if (*end || errno || step < 1 || step > PROGRESS_STEP_MAX || words[2][0] == '-')
            return;
        progress_set_step(p, words[0], (unsigned)step);
    }
}

int progress_load(struct progress *p, const char *path, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    snprintf(p->path, sizeof p->path, "%s", path ? path : "");
    if (!path || !path[0])
        return 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: cannot read the progress file: %s", path, strerror(errno));
        return -1;
    }
    char line[PROGRESS_LINE_MAX];
    while (fgets(line, sizeof line, f)) {
        bool whole = strchr(line, '\n') || feof(f);
        if (!whole) {
            /* A line too long to be ours: skip the rest of it. */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
            continue;
        }
        parse_line(p, line);
    }
    fclose(f);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Writing */

/* mkdir -p of the directories above path, each new one mode 0700. */
static int make_parents(const char *path, char *err, size_t errlen)
{
    char dir[PROGRESS_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            char saved = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "cannot make %s: %s", dir, strerror(errno));
                return -1;
            }
            *p = saved;
        }
        if (end)
            break;
    }
    return 0;
}

static int write_items(FILE *f, const struct progress *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct progress_item *it = &p->items[i];
        if (it->state == PROGRESS_DONE)
            fprintf(f, "%s done\n", it->id);
        else if (it->state == PROGRESS_STARTED)
            fprintf(f, "%s step %u\n", it->id, it->step);
    }
    return ferror(f) ? -1 : 0;
}

int progress_save(const struct progress *p, char *err, size_t errlen)
{
    if (!p->path[0]) {
        snprintf(err, errlen, "progress is not saved: neither XDG_STATE_HOME nor HOME is set");
        return -1;
    }
    if (make_parents(p->path, err, errlen) != 0)
        return -1;
    char tmp[PROGRESS_PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", p->path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    int bad = write_items(f, p);
    /* fflush + fsync: the rename must not publish a file whose bytes are
     * still only in the page cache when the machine goes down. */
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        bad = -1;
    int saved = errno;
    if (fclose(f) != 0)
        bad = -1;
    if (bad) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(saved ? saved : errno));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, p->path) != 0) {
        snprintf(err, errlen, "cannot replace %s: %s", p->path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
