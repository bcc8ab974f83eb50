/* Follows a PostgreSQL log through the C API (statelog_subscribe_with_state) and prints what the
 * subscription tells, one line each, for tests/postgres/outage_test.py:
 *   event OFFSET
 *   unreachable SINCE_MICROS MESSAGE
 *   reachable SINCE_MICROS
 *   stopped MESSAGE
 * (MESSAGE: "Code: text", as statelog_state_fn gives it.)
 * It exits 1 once the subscription stopped on an error (after printing the error), and is
 * otherwise stopped by a signal.
 * Usage: c_follow CONNINFO SCHEMA FROM RECONNECT_TIMEOUT_MS */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "statelog/c.h"

static int print_event(void* arg, uint64_t offset, const char* json, size_t len) {
  (void)arg;
  (void)json;
  (void)len;
  printf("event %" PRIu64 "\n", offset);
  fflush(stdout);
  return 0;
}

static void print_state(void* arg, int state, int64_t since, int code, const char* message) {
  (void)arg;
  (void)code; /* named in `message` */
  if (state == STATELOG_UNREACHABLE) {
    printf("unreachable %" PRId64 " %s\n", since, message);
  } else if (state == STATELOG_REACHABLE) {
    printf("reachable %" PRId64 "\n", since);
  } else {
    printf("stopped %s\n", message);
  }
  fflush(stdout);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: c_follow CONNINFO SCHEMA FROM RECONNECT_TIMEOUT_MS\n");
    return 2;
  }
  char* err = NULL;
  statelog_t* db = NULL;
  if (statelog_open_postgres(&db, argv[1], argv[2], &err) != STATELOG_OK) {
    fprintf(stderr, "c_follow: %s\n", err);
    return 1;
  }
  statelog_subscription_t* sub = NULL;
  const uint64_t from = strtoull(argv[3], NULL, 10);
  const int64_t timeout = strtoll(argv[4], NULL, 10);
  if (statelog_subscribe_with_state(db, from, print_event, print_state, NULL, timeout, &sub,
                                    &err) != STATELOG_OK) {
    fprintf(stderr, "c_follow: %s\n", err);
    return 1;
  }
  const int code = statelog_subscription_wait(sub, UINT64_MAX, &err);
  fprintf(stderr, "c_follow: %s\n", err ? err : "stopped");
  statelog_free(err);
  statelog_unsubscribe(sub, NULL);
  statelog_close(db);
  return code == STATELOG_OK ? 0 : 1;
}
