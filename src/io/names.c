/* names.c - how datasets and classes are named to people (see dataset.h). */
#include <stdio.h>
#include <strings.h>

#include "gat/dataset.h"

void gat_display_dataset_name(const char *name, char *buf, size_t size) {
    if (!size) return;
    /* names that are written their own way */
    static const char *const known[] = {"PPI", "PubMed"};
    for (size_t i = 0; name && i < sizeof known / sizeof *known; i++)
        if (!strcasecmp(name, known[i])) {
            snprintf(buf, size, "%s", known[i]);
            return;
        }
    snprintf(buf, size, "%s", name && *name ? name : "graph");
    if (buf[0] >= 'a' && buf[0] <= 'z') buf[0] = (char)(buf[0] - 'a' + 'A');
}

void gat_display_class_name(const char *name, char *buf, size_t size) {
    if (!size) return;
    snprintf(buf, size, "%s", name ? name : "");
    for (char *p = buf; *p; p++)
        if (*p == '_') *p = ' ';
}
