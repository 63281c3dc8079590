/* test_names.c - one way of naming a dataset and a class to people (pictures, console). */
#include <string.h>

#include "check.h"
#include "gat/dataset.h"

int main(void) {
    char b[64];
    gat_display_dataset_name("cora", b, sizeof b);
    CHECK(!strcmp(b, "Cora"));
    gat_display_dataset_name("citeseer", b, sizeof b);
    CHECK(!strcmp(b, "Citeseer"));
    gat_display_dataset_name("PPI", b, sizeof b);
    CHECK(!strcmp(b, "PPI"));                       /* an upper-case name is kept */
    gat_display_dataset_name("ppi", b, sizeof b);
    CHECK(!strcmp(b, "PPI"));                       /* an acronym in capitals */
    gat_display_dataset_name("pubmed", b, sizeof b);
    CHECK(!strcmp(b, "PubMed"));
    gat_display_dataset_name("", b, sizeof b);
    CHECK(!strcmp(b, "Graph"));
    gat_display_dataset_name(NULL, b, sizeof b);
    CHECK(!strcmp(b, "Graph"));
    gat_display_class_name("Reinforcement_Learning", b, sizeof b);
    CHECK(!strcmp(b, "Reinforcement Learning"));
    gat_display_class_name("Case_Based", b, sizeof b);
    CHECK(!strcmp(b, "Case Based"));
    gat_display_class_name("Theory", b, sizeof b);
    CHECK(!strcmp(b, "Theory"));
    char small[5];
    gat_display_class_name("Neural_Networks", small, sizeof small);
    CHECK(!strcmp(small, "Neur"));                  /* truncated, always terminated */
    gat_display_dataset_name("cora", b, 0);         /* size 0 writes nothing */
    return check_summary();
}
