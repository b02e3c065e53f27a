/* The lesson menu's topics: the word a lesson file uses (`topic connect`)
 * and the heading the menu shows in each language.  One table, so the
 * words, the headings and the menu order cannot drift apart. */
#include "lesson/lesson.h"

#include <string.h>

static const struct {
    const char *word;
    const char *heading[LANG_COUNT];
} topics[TOPIC_COUNT] = {
    [TOPIC_CONNECT] = { "connect", { "Opening a connection", "建立连接" } },
    [TOPIC_CLOSE] = { "close", { "Closing a connection", "断开连接" } },
    [TOPIC_IDLE] = { "idle", { "Idle connections", "空闲连接" } },
    [TOPIC_RELIABILITY] = { "reliability", { "Reliable delivery", "可靠传输" } },
    [TOPIC_FLOW] = { "flow", { "Flow control", "流量控制" } },
    [TOPIC_CONGESTION] = { "congestion", { "Congestion control", "拥塞控制" } },
    [TOPIC_SEGMENT] = { "segment", { "The segment", "报文段" } },
};

const char *lesson_topic_word(enum lesson_topic t)
{
    return (unsigned)t < TOPIC_COUNT ? topics[t].word : "";
}

const char *lesson_topic_heading(enum lesson_topic t, enum tv_lang lang)
{
    if ((unsigned)t >= TOPIC_COUNT)
        return "";
    if ((unsigned)lang >= LANG_COUNT)
        lang = LANG_EN;
    return topics[t].heading[lang];
}

int lesson_topic_from_word(const char *word)
{
    for (int t = 0; word && t < TOPIC_COUNT; t++)
        if (strcmp(topics[t].word, word) == 0)
            return t;
    return -1;
}
