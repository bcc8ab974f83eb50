/* A C program on statelog's C API: an in-memory store, its head, the library's version.
 * Built by scripts/consumers with `pkg-config --cflags --libs statelog`. */
#include <stdint.h>
#include <stdio.h>

#include "statelog/c.h"

int main(void) {
  char* err = NULL;
  statelog_t* db = NULL;
  if (statelog_open_memory(&db, &err) != STATELOG_OK) {
    fprintf(stderr, "%s\n", err);
    statelog_free(err);
    return 1;
  }
  uint64_t length = 1;
  char chain[STATELOG_HASH_HEX_SIZE];
  int code = statelog_head(db, &length, chain, &err);
  statelog_close(db);
  if (code != STATELOG_OK) {
    fprintf(stderr, "%s\n", err);
    statelog_free(err);
    return 1;
  }
  printf("statelog %s: empty log, length %llu, head %s\n", statelog_version(),
         (unsigned long long)length, chain);
  return 0;
}
