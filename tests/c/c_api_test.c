/* The C API (statelog/c.h) from a program compiled as C: every function over the memory store,
 * RocksDB and (when STATELOG_PG_CONNINFO is set) PostgreSQL, and the bad input the header
 * documents as rejected. Events are the first 20 lines of a `statelog demo` export (signed Nitro
 * states, deposits, messages).
 * Usage: c_api_test EXPORT.jsonl */
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statelog/c.h"

/* kEvents lines make the test's log; the lines up to kLines give more recorded events. */
enum { kEvents = 20, kLines = 40 };
static const char kChannel[] = "0x39ffcf59b85ada1fea22a2632429f7a8daf7b39840238002daa91ef14a00fc47";
static const char kObjective[] =
    "DirectFunding-0x39ffcf59b85ada1fea22a2632429f7a8daf7b39840238002daa91ef14a00fc47";

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

/* Checks that `code` is `want` and that err holds exactly `text` (NULL: no message), then frees
 * the message. */
static void expect(int line, int code, int want, char** err, const char* text) {
  if (code != want) {
    fprintf(stderr, "line %d: code %s, want %s (%s)\n", line, statelog_code_name(code),
            statelog_code_name(want), *err ? *err : "no message");
    ++failures;
  }
  if (text == NULL ? *err != NULL : (*err == NULL || strcmp(*err, text) != 0)) {
    fprintf(stderr, "line %d: message\n  got:  %s\n  want: %s\n", line, *err ? *err : "(none)",
            text ? text : "(none)");
    ++failures;
  }
  statelog_free(*err);
  *err = NULL;
}
#define EXPECT(call, want, text) expect(__LINE__, (call), (want), &err, (text))
#define EXPECT_OK(call) expect(__LINE__, (call), STATELOG_OK, &err, NULL)

/* The fixture's lines: lines[i] is event i with its '\n'. */
static char* lines[kLines];
static char all[1 << 16]; /* lines 0..kEvents-1 concatenated */

static void load(const char* path) {
  FILE* f = fopen(path, "r");
  if (f == NULL) {
    perror(path);
    exit(2);
  }
  static char buf[kLines][4096];
  for (int i = 0; i < kLines; ++i) {
    if (fgets(buf[i], sizeof buf[i], f) == NULL) exit(2);
    lines[i] = buf[i];
    if (i < kEvents) strcat(all, buf[i]);
  }
  fclose(f);
}

/* Subscription callbacks. */
struct collected {
  int events;
  uint64_t last_offset;
  int stop_at; /* return 7 at this offset; -1: never */
  /* Unsubscribe from inside the callback: where statelog_subscribe() stores the handle, which
   * it must have set before the first call (read without any other synchronization). */
  statelog_subscription_t* const* self;
  int unsubscribe_result;
  char* unsubscribe_error;
  int self_unset;    /* calls that found *self still NULL */
  int first_call_fd; /* >= 0: written to once the first call has read *self */
};

static int collect(void* arg, uint64_t offset, const char* json, size_t len) {
  struct collected* c = arg;
  if (len != strlen(json) || json[0] != '{') return 99;
  if (c->self != NULL && *c->self == NULL) c->self_unset++;
  if (c->self != NULL && *c->self != NULL && c->unsubscribe_error == NULL) {
    c->unsubscribe_result = statelog_unsubscribe(*c->self, &c->unsubscribe_error);
  }
  if (c->first_call_fd >= 0) {
    CHECK(write(c->first_call_fd, "x", 1) == 1);
    c->first_call_fd = -1;
  }
  if (c->stop_at >= 0 && offset == (uint64_t)c->stop_at) return 7;
  c->events++;
  c->last_offset = offset;
  return 0;
}

/* A statelog_state_fn: keeps the last state it was told. */
struct told {
  int calls;
  int state;
  int64_t since;
  int code;
  char message[512];
};

/* The argument of a subscription with a state function: `collect` reads its first member. */
struct collected_and_told {
  struct collected events;
  struct told told;
};

static void tell(void* arg, int state, int64_t since, int code, const char* message) {
  struct told* t = &((struct collected_and_told*)arg)->told;
  t->calls++;
  t->state = state;
  t->since = since;
  t->code = code;
  snprintf(t->message, sizeof t->message, "%s", message);
}

static void test_null_pointers(void) {
  char* err = NULL;
  statelog_t* db = NULL;
  EXPECT(statelog_open_memory(NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_open_memory: db is NULL");
  EXPECT(statelog_open_rocksdb(&db, NULL, 1, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_open_rocksdb: dir is NULL");
  CHECK(db == NULL);
  EXPECT(statelog_open_postgres(&db, NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_open_postgres: conninfo is NULL");
  EXPECT(statelog_append(NULL, "{}", 2, STATELOG_NONE, NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_append: db is NULL");
  EXPECT(statelog_head(NULL, NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_head: db is NULL");
  EXPECT(statelog_read(NULL, 0, 0, NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_read: db is NULL");
  EXPECT(statelog_channel(NULL, kChannel, STATELOG_NONE, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_channel: db is NULL");
  EXPECT(statelog_objective(NULL, kObjective, STATELOG_NONE, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_objective: db is NULL");
  EXPECT(statelog_verify(NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_verify: db is NULL");
  EXPECT(statelog_subscription_wait(NULL, 0, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_subscription_wait: sub is NULL");
  EXPECT_OK(statelog_unsubscribe(NULL, &err));
  statelog_close(NULL);
  statelog_free(NULL);

  EXPECT_OK(statelog_open_memory(&db, &err));
  EXPECT(statelog_append(db, NULL, 0, STATELOG_NONE, NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_append: json is NULL");
  EXPECT(statelog_append_batch(db, NULL, 0, STATELOG_NONE, NULL, NULL, &err),
         STATELOG_INVALID_ARGUMENT, "InvalidArgument: statelog_append_batch: jsonl is NULL");
  EXPECT(statelog_read(db, 0, 0, NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_read: out is NULL");
  EXPECT(statelog_channel(db, NULL, STATELOG_NONE, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_channel: id is NULL");
  char* out = NULL;
  EXPECT(statelog_objective(db, kObjective, STATELOG_NONE, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_objective: out is NULL");
  statelog_subscription_t* sub = NULL;
  EXPECT(statelog_subscribe(db, 0, NULL, NULL, &sub, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_subscribe: fn is NULL");
  CHECK(sub == NULL);
  EXPECT(statelog_subscribe(db, 0, collect, NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_subscribe: sub is NULL");
  /* errptr NULL: only the code. */
  CHECK(statelog_channel(db, kChannel, STATELOG_NONE, &out, NULL) == STATELOG_NOT_FOUND);
  CHECK(out == NULL);
  statelog_close(db);
}

static void test_bad_input(void) {
  char* err = NULL;
  statelog_t* db = NULL;
  EXPECT_OK(statelog_open_memory(&db, &err));
  EXPECT(statelog_append(db, "{", 1, STATELOG_NONE, NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: trailing characters after the JSON object, or it is not terminated "
         "(at byte 0)");
  /* The first event with its objective id's "D" replaced by a byte that is not UTF-8. */
  char bad_utf8[4096];
  strcpy(bad_utf8, lines[0]);
  char* d = strstr(bad_utf8, "DirectFunding");
  *d = (char)0xff;
  EXPECT(statelog_append(db, bad_utf8, strlen(bad_utf8), STATELOG_NONE, NULL, NULL, &err),
         STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: malformed JSON (The input is not valid UTF-8)");
  /* A changed timestamp: the id no longer matches the content. */
  char changed[4096];
  strcpy(changed, lines[0]);
  strstr(changed, "\"ts\":1")[5] = '2';
  uint64_t offset = 99, appended = 99;
  int code = statelog_append(db, changed, strlen(changed), STATELOG_NONE, &offset, &appended, &err);
  CHECK(code == STATELOG_INVALID_ARGUMENT);
  CHECK(err != NULL && strstr(err, "does not match") != NULL);
  statelog_free(err);
  err = NULL;
  CHECK(offset == 99 && appended == 99);
  EXPECT(statelog_append(db, lines[0], strlen(lines[0]), -2, NULL, NULL, &err),
         STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_append: expected_length is -2, not STATELOG_NONE or >= 0");
  /* Illegal history: objective_progressed of an objective that was never created. */
  EXPECT(statelog_append(db, lines[2], strlen(lines[2]), STATELOG_NONE, NULL, NULL, &err),
         STATELOG_FAILED_PRECONDITION,
         "FailedPrecondition: objective DirectFunding-0x39ffcf59b85ada1fea22a2632429f7a8daf7b3984"
         "0238002daa91ef14a00fc47 does not exist");
  /* A batch with a bad second event appends nothing. */
  char batch[8192];
  snprintf(batch, sizeof batch, "%s\n%s", lines[0], "{\"id\":1}");
  EXPECT(statelog_append_batch(db, batch, strlen(batch), STATELOG_NONE, NULL, NULL, &err),
         STATELOG_INVALID_ARGUMENT, "InvalidArgument: line 3: missing field \"type\"");
  EXPECT(statelog_append_batch(db, "\n \n", 3, STATELOG_NONE, NULL, NULL, &err),
         STATELOG_INVALID_ARGUMENT, "InvalidArgument: statelog_append_batch: no event in jsonl");
  /* An illegal event of a batch is named by its line: the second objective was never created. */
  snprintf(batch, sizeof batch, "%s%s", lines[0], lines[5]);
  EXPECT(statelog_append_batch(db, batch, strlen(batch), STATELOG_NONE, NULL, NULL, &err),
         STATELOG_FAILED_PRECONDITION,
         "FailedPrecondition: line 2: event 1 (objective_progressed): objective DirectFunding-"
         "0xc88835e70ed451e51c0ea0d3e4cbff4830e20d25f9a4185aec004a13e501f59a does not exist");
  uint64_t length = 99;
  EXPECT_OK(statelog_head(db, &length, NULL, &err));
  CHECK(length == 0);
  /* A message already in *errptr is freed and replaced (the leak check sees it). */
  err = malloc(8);
  strcpy(err, "old");
  EXPECT(statelog_channel(db, "0x12", STATELOG_NONE, &(char*){NULL}, &err),
         STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_channel: id: hex must have 64 digits, has 2");
  statelog_close(db);
}

/* Copies fixture line `line` to `out` without its leading "id" member. */
static void strip_id(const char* line, char* out) {
  static const char kIdMember[] = "{\"id\":\"0x";
  CHECK(strncmp(line, kIdMember, strlen(kIdMember)) == 0);
  /* {"id":"0x + 64 hex digits + ", */
  snprintf(out, 4096, "{%s", line + strlen(kIdMember) + 64 + 2);
}

/* Events without an id: statelog_complete_event gives them the fixture's ids (recorded by an
 * earlier statelog, not computed here), appends complete them, a wrong id is still refused. */
static void test_complete_event(void) {
  char* err = NULL;
  char no_id[4096];
  strip_id(lines[0], no_id);
  const size_t canonical_len = strlen(lines[0]) - 1; /* without its '\n' */
  char* out = NULL;
  size_t out_len = 0;
  EXPECT_OK(statelog_complete_event(no_id, strlen(no_id), &out, &out_len, &err));
  CHECK(out != NULL && out_len == canonical_len && strncmp(out, lines[0], canonical_len) == 0 &&
        out[out_len] == '\0');
  statelog_free(out);
  /* Any member order and white space; an id that is given is checked, here the right one. */
  char reordered[4096];
  strcpy(reordered, no_id);
  char* brace = strrchr(reordered, '}');
  snprintf(brace, sizeof reordered - (size_t)(brace - reordered), " ,\n \"id\" : \"%.66s\" }",
           lines[0] + strlen("{\"id\":\""));
  out = NULL;
  EXPECT_OK(statelog_complete_event(reordered, strlen(reordered), &out, NULL, &err));
  CHECK(out != NULL && strlen(out) == canonical_len && strncmp(out, lines[0], canonical_len) == 0);
  statelog_free(out);
  /* A wrong id is refused with the decoder's message; *out is left alone. */
  char wrong[4096];
  strcpy(wrong, lines[0]);
  wrong[10] = wrong[10] == '0' ? '1' : '0';
  char want[512];
  snprintf(want, sizeof want,
           "InvalidArgument: id does not match the content: id is %.66s, content hashes to %.66s",
           wrong + 7, lines[0] + 7);
  out = NULL;
  EXPECT(statelog_complete_event(wrong, strlen(wrong), &out, &out_len, &err),
         STATELOG_INVALID_ARGUMENT, want);
  CHECK(out == NULL);
  EXPECT(statelog_complete_event(NULL, 0, &out, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_complete_event: json is NULL");
  EXPECT(statelog_complete_event(no_id, strlen(no_id), NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_complete_event: out is NULL");
  static const char kNoTs[] = "{\"type\":\"objective_approved\"}";
  EXPECT(statelog_complete_event(kNoTs, strlen(kNoTs), &out, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: missing field \"ts\"");

  /* Appends: one event and a batch without ids; the log reads back as the fixture. */
  statelog_t* db = NULL;
  EXPECT_OK(statelog_open_memory(&db, &err));
  EXPECT(statelog_append(db, wrong, strlen(wrong), STATELOG_NONE, NULL, NULL, &err),
         STATELOG_INVALID_ARGUMENT, want);
  uint64_t offset = 99, appended = 99;
  EXPECT_OK(statelog_append(db, no_id, strlen(no_id), 0, &offset, &appended, &err));
  CHECK(offset == 0 && appended == 1);
  static char batch[1 << 16];
  batch[0] = '\0';
  for (int i = 1; i < kEvents; ++i) {
    strip_id(lines[i], no_id);
    strcat(batch, no_id);
  }
  EXPECT_OK(statelog_append_batch(db, batch, strlen(batch), 1, &offset, &appended, &err));
  CHECK(offset == 1 && appended == kEvents - 1);
  EXPECT_OK(statelog_read(db, 0, UINT64_MAX, &out, &out_len, &err));
  CHECK(out_len == strlen(all) && strcmp(out, all) == 0);
  statelog_free(out);
  statelog_close(db);
}

/* Appends, reads, states, verify and subscriptions over an open, empty store. */
static void exercise(statelog_t* db) {
  char* err = NULL;
  uint64_t offset = 99, appended = 99;
  EXPECT_OK(statelog_append(db, lines[0], strlen(lines[0]), 0, &offset, &appended, &err));
  CHECK(offset == 0 && appended == 1);
  /* An idempotent retry: same offset, nothing appended, no expectation checked. */
  EXPECT_OK(statelog_append(db, lines[0], strlen(lines[0]), 5, &offset, &appended, &err));
  CHECK(offset == 0 && appended == 0);
  EXPECT(statelog_append(db, lines[1], strlen(lines[1]), 0, &offset, &appended, &err),
         STATELOG_CONFLICT, "Conflict: expected the log to hold 0 records; it holds 1");
  size_t rest = strlen(all) - strlen(lines[0]);
  EXPECT_OK(statelog_append_batch(db, all + strlen(lines[0]), rest, 1, &offset, &appended, &err));
  CHECK(offset == 1 && appended == kEvents - 1);

  uint64_t length = 0;
  char chain[STATELOG_HASH_HEX_SIZE] = {0};
  EXPECT_OK(statelog_head(db, &length, chain, &err));
  CHECK(length == kEvents);
  CHECK(strlen(chain) == 66 && strncmp(chain, "0x", 2) == 0);

  /* The export is the input, byte for byte (the fixture is canonical). */
  char* out = NULL;
  size_t len = 0;
  EXPECT_OK(statelog_read(db, 0, UINT64_MAX, &out, &len, &err));
  CHECK(len == strlen(all) && strcmp(out, all) == 0);
  statelog_free(out);
  EXPECT_OK(statelog_read(db, 2, 3, &out, NULL, &err));
  CHECK(strcmp(out, lines[2]) == 0);
  statelog_free(out);
  EXPECT(statelog_read(db, 5, 3, &out, NULL, &err), STATELOG_OUT_OF_RANGE,
         "OutOfRange: statelog_read: range [5, 3) is not within the log's 20 events");
  EXPECT(statelog_read(db, 0, 21, &out, NULL, &err), STATELOG_OUT_OF_RANGE,
         "OutOfRange: statelog_read: range [0, 21) is not within the log's 20 events");

  /* States, now and as of an offset. */
  EXPECT_OK(statelog_channel(db, kChannel, STATELOG_NONE, &out, &err));
  CHECK(strncmp(out, "{\"id\":\"0x39ffcf59", 16) == 0);
  statelog_free(out);
  EXPECT_OK(statelog_objective(db, kObjective, 2, &out, &err));
  CHECK(strstr(out, "\"waiting_for\":\"CompletePrefund\"") != NULL);
  statelog_free(out);
  EXPECT(statelog_channel(db, kChannel, 0, &out, &err), STATELOG_NOT_FOUND,
         "NotFound: channel 0x39ffcf59b85ada1fea22a2632429f7a8daf7b39840238002daa91ef14a00fc47 "
         "has no events");
  EXPECT(statelog_objective(db, kObjective, 20, &out, &err), STATELOG_OUT_OF_RANGE,
         "OutOfRange: offset 20 is past the end of the log (20 events)");
  EXPECT(statelog_objective(db, "Nothing-0x00", STATELOG_NONE, &out, &err),
         STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_objective: id: unknown objective kind 'Nothing'");

  statelog_verify_report report;
  EXPECT_OK(statelog_verify(db, &report, &err));
  CHECK(report.events == kEvents && report.length == kEvents && report.signatures > 0);
  CHECK(report.first_bad_offset == STATELOG_NONE && strcmp(report.chain_hex, chain) == 0);

  /* A subscription from offset 5 delivers 5..19, then live events. */
  struct collected all_events = {0, 0, -1, NULL, 0, NULL, 0, -1};
  statelog_subscription_t* sub = NULL;
  EXPECT_OK(statelog_subscribe(db, 5, collect, &all_events, &sub, &err));
  EXPECT_OK(statelog_subscription_wait(sub, kEvents, &err));
  CHECK(all_events.events == kEvents - 5 && all_events.last_offset == kEvents - 1);
  EXPECT_OK(statelog_unsubscribe(sub, &err));

  /* A callback returning non-zero stops its subscription. */
  struct collected stopping = {0, 0, 3, NULL, 0, NULL, 0, -1};
  EXPECT_OK(statelog_subscribe(db, 0, collect, &stopping, &sub, &err));
  EXPECT(statelog_subscription_wait(sub, kEvents, &err), STATELOG_ABORTED,
         "Aborted: subscription 2: callback threw at offset 3: the callback returned 7");
  CHECK(stopping.events == 3);
  EXPECT_OK(statelog_unsubscribe(sub, &err));

  /* Unsubscribing from inside the callback is refused and frees nothing. */
  /* The callback finds the handle in `sub` at its first call: statelog_subscribe() stores it
   * before delivering. This thread waits for that call through a pipe, which orders nothing
   * before the call: under ThreadSanitizer, a handle stored after the delivery thread started
   * is a reported race, whichever thread runs first. */
  int first_call[2];
  CHECK(pipe(first_call) == 0);
  struct collected inside = {0, 0, 0, &sub, 0, NULL, 0, first_call[1]};
  EXPECT_OK(statelog_subscribe(db, 0, collect, &inside, &sub, &err));
  struct pollfd called = {first_call[0], POLLIN, 0};
  CHECK(poll(&called, 1, 60 * 1000) == 1); /* a bound, not a timing: the call comes at once */
  char byte;
  CHECK(read(first_call[0], &byte, 1) == 1);
  close(first_call[0]);
  close(first_call[1]);
  EXPECT(statelog_subscription_wait(sub, kEvents, &err), STATELOG_ABORTED,
         "Aborted: subscription 3: callback threw at offset 0: the callback returned 7");
  CHECK(inside.self_unset == 0);
  CHECK(inside.unsubscribe_result == STATELOG_FAILED_PRECONDITION);
  CHECK(inside.unsubscribe_error != NULL &&
        strcmp(inside.unsubscribe_error,
               "FailedPrecondition: Unsubscribe(3) called from its own "
               "callback; it would join itself") == 0);
  statelog_free(inside.unsubscribe_error);
  EXPECT_OK(statelog_unsubscribe(sub, &err));

  /* statelog_subscribe_with_state: the state function hears of a stop, with the error that
   * statelog_subscription_wait returns. (Outages need a database that goes away:
   * tests/postgres/outage_test.py runs them with c_follow.) */
  EXPECT(statelog_subscribe_with_state(db, 0, collect, tell, NULL, -5, &sub, &err),
         STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_subscribe_with_state: reconnect_timeout_ms is -5 "
         "(milliseconds, or STATELOG_NONE)");
  CHECK(sub == NULL);
  struct collected_and_told stopped = {{0, 0, 2, NULL, 0, NULL, 0, -1}, {0, 0, 0, 0, ""}};
  EXPECT_OK(
      statelog_subscribe_with_state(db, 0, collect, tell, &stopped, STATELOG_NONE, &sub, &err));
  EXPECT(statelog_subscription_wait(sub, kEvents, &err), STATELOG_ABORTED,
         "Aborted: subscription 4: callback threw at offset 2: the callback returned 7");
  CHECK(stopped.told.calls == 1 && stopped.told.state == STATELOG_STOPPED);
  CHECK(stopped.told.code == STATELOG_ABORTED && stopped.told.since == 0);
  CHECK(strcmp(stopped.told.message,
               "Aborted: subscription 4: callback threw at offset 2: the callback returned 7") ==
        0);
  EXPECT_OK(statelog_unsubscribe(sub, &err));
}

/* go-nitro's test actors (go-nitro's internal/testactors): their keys and, known from there and
 * not computed here, their addresses. Irene and Alice hold the fixture's channel kChannel. */
static const char kIrene[] = "0x111a00868581f73ab42feef67d235ca09ca1e8db";
static const char kAlice[] = "0xaaa6628ec44a8a742987ef3a114ddfe2d4f7adce";
static const char kIreneKey[] =
    "0xfebb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781";
static const char kAliceKey[] =
    "0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d";
static const char kBobKey[] = "0x0279651921cd800ac560c21ceea27aab0107b67daf436cdd25ce84cad30159b4";

/* The prefund state of kChannel (fixture lines 1, 9 and 15) in go-nitro's JSON, as a go-nitro
 * node holds it: Irene first, 100 each. */
static const char kPrefund[] =
    "{\"Participants\":[\"0x111A00868581f73AB42FEEF67D235Ca09ca1E8db\","
    "\"0xAAA6628Ec44A8a742987EF3A114dDFE2D4F7aDCE\"],\"ChannelNonce\":1000,"
    "\"AppDefinition\":\"0x0000000000000000000000000000000000000000\",\"ChallengeDuration\":86400,"
    "\"AppData\":\"\",\"Outcome\":[{\"Asset\":\"0x0000000000000000000000000000000000000000\","
    "\"AssetMetadata\":{\"AssetType\":0,\"Metadata\":\"\"},\"Allocations\":["
    "{\"Destination\":\"0x000000000000000000000000111a00868581f73ab42feef67d235ca09ca1e8db\","
    "\"Amount\":100,\"AllocationType\":0,\"Metadata\":null},"
    "{\"Destination\":\"0x000000000000000000000000aaa6628ec44a8a742987ef3a114ddfe2d4f7adce\","
    "\"Amount\":100,\"AllocationType\":0,\"Metadata\":null}]}],\"TurnNum\":0,\"IsFinal\":false}";

/* Returns the value of the string member `name` of fixture line `line` (static storage, reused
 * after four calls: one printf may name up to four). */
static const char* member(int line, const char* name) {
  static char values[4][256];
  static int next = 0;
  char* value = values[next++ % 4];
  char key[64];
  snprintf(key, sizeof key, "\"%s\":\"", name);
  const char* start = strstr(lines[line], key);
  CHECK(start != NULL);
  if (start == NULL) return "";
  start += strlen(key);
  snprintf(value, sizeof values[0], "%.*s", (int)(strchr(start, '"') - start), start);
  return value;
}

/* Checks that the NUL-terminated `got` is fixture line `line` without its '\n'; frees `got`. */
static void expect_line(int at, char* got, int line) {
  const size_t len = strlen(lines[line]) - 1;
  if (got == NULL || strlen(got) != len || strncmp(got, lines[line], len) != 0) {
    fprintf(stderr, "line %d: want fixture line %d\n  got:  %s\n  want: %.*s\n", at, line,
            got ? got : "(none)", (int)len, lines[line]);
    ++failures;
  }
  statelog_free(got);
}
#define EXPECT_LINE(got, line) expect_line(__LINE__, (got), (line))

/* Builds an event from `parts` (printf format) and returns it (NULL on failure, reported). */
static char* build(int at, int want, const char* text, const char* format, ...)
    __attribute__((format(printf, 4, 5)));
static char* build(int at, int want, const char* text, const char* format, ...) {
  static char parts[1 << 14];
  va_list args;
  va_start(args, format);
  vsnprintf(parts, sizeof parts, format, args);
  va_end(args);
  char* err = NULL;
  char* out = NULL;
  size_t len = 0;
  expect(at, statelog_build_event(parts, strlen(parts), &out, &len, &err), want, &err, text);
  CHECK(out == NULL || len == strlen(out));
  return out;
}
#define BUILD(...) build(__LINE__, STATELOG_OK, NULL, __VA_ARGS__)
#define BUILD_FAILS(text, ...) build(__LINE__, STATELOG_INVALID_ARGUMENT, (text), __VA_ARGS__)

/* Signing and hashing go-nitro states and vouchers. The signatures are RFC 6979 (deterministic):
 * the fixture's, recorded by an earlier statelog, are what the same key gives now. */
static void test_sign(char** irene_signed, char** both_signed) {
  char* err = NULL;
  char* out = NULL;
  char want[1024];
  /* Channel id and state hash: the fixture's. */
  EXPECT_OK(statelog_state_info(kPrefund, strlen(kPrefund), &out, &err));
  snprintf(want, sizeof want, "{\"channel_id\":\"%s\",\"state_hash\":\"%s\",\"signers\":{}}",
           kChannel, member(9, "state_hash"));
  CHECK(out != NULL && strcmp(out, want) == 0);
  statelog_free(out);

  /* Irene signs: her signature at index 0, the one she recorded; it recovers to her address. */
  size_t len = 0;
  EXPECT_OK(statelog_sign_state(kPrefund, strlen(kPrefund), kIreneKey, irene_signed, &len, &err));
  CHECK(*irene_signed != NULL && len == strlen(*irene_signed));
  snprintf(want, sizeof want, "\"Sigs\":{\"0\":\"%s\"}}", member(9, "signature"));
  CHECK(*irene_signed != NULL && strstr(*irene_signed, want) != NULL);
  static const char kSignedStart[] = "{\"State\":{\"Participants\":[\"0x111a0";
  CHECK(strncmp(*irene_signed, kSignedStart, strlen(kSignedStart)) == 0);
  EXPECT_OK(statelog_state_info(*irene_signed, strlen(*irene_signed), &out, &err));
  snprintf(want, sizeof want, "\"signers\":{\"0\":\"%s\"}}", kIrene);
  CHECK(out != NULL && strstr(out, want) != NULL);
  statelog_free(out);
  /* Alice countersigns the SignedState: both signatures, each recovering to its signer. */
  EXPECT_OK(statelog_sign_state(*irene_signed, strlen(*irene_signed), kAliceKey, both_signed, NULL,
                                &err));
  snprintf(want, sizeof want, "\"Sigs\":{\"0\":\"%s\",\"1\":\"%s\"}}", member(9, "signature"),
           member(15, "signature"));
  CHECK(*both_signed != NULL && strstr(*both_signed, want) != NULL);
  EXPECT_OK(statelog_state_info(*both_signed, strlen(*both_signed), &out, &err));
  snprintf(want, sizeof want, "\"signers\":{\"0\":\"%s\",\"1\":\"%s\"}}", kIrene, kAlice);
  CHECK(out != NULL && strstr(out, want) != NULL);
  statelog_free(out);

  /* Refused: a key that is not a participant's, bad keys (never echoed), a bad field, NULLs. */
  out = NULL;
  EXPECT(statelog_sign_state(kPrefund, strlen(kPrefund), kBobKey, &out, NULL, &err),
         STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_sign_state: key_hex: the key's address "
         "0xbbb676f9cff8d242e9eac39d063848807d3d1d94 is not a participant of the state");
  EXPECT(statelog_sign_state(kPrefund, strlen(kPrefund), "0x12", &out, NULL, &err),
         STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_sign_state: key_hex: not 0x and 64 hex digits");
  static const char kZeroKey[] =
      "0x0000000000000000000000000000000000000000000000000000000000000000";
  EXPECT(statelog_sign_state(kPrefund, strlen(kPrefund), kZeroKey, &out, NULL, &err),
         STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_sign_state: key_hex: private key must be nonzero and below "
         "the secp256k1 order");
  char bad[4096];
  strcpy(bad, kPrefund);
  memcpy(strstr(bad, "\"TurnNum\":0"), "\"TurnNum\":\"", 11);
  strcpy(strstr(bad, "\"TurnNum\":\"") + 11, "0\",\"IsFinal\":false}");
  EXPECT(statelog_sign_state(bad, strlen(bad), kIreneKey, &out, NULL, &err),
         STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_sign_state: json: TurnNum: expected a number, got a string");
  EXPECT(statelog_state_info(bad, strlen(bad), &out, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_state_info: json: TurnNum: expected a number, got a string");
  CHECK(out == NULL);
  EXPECT(statelog_sign_state(NULL, 0, kIreneKey, &out, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_sign_state: json is NULL");
  EXPECT(statelog_sign_state(kPrefund, strlen(kPrefund), NULL, &out, NULL, &err),
         STATELOG_INVALID_ARGUMENT, "InvalidArgument: statelog_sign_state: key_hex is NULL");
  EXPECT(statelog_state_info(kPrefund, strlen(kPrefund), NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_state_info: out is NULL");

  /* Vouchers: Irene pays 18 in the second channel, as the fixture recorded (line 38). */
  EXPECT_OK(statelog_sign_voucher(member(38, "channel_id"), "18", kIreneKey, &out, &err));
  snprintf(want, sizeof want, "{\"ChannelId\":\"%s\",\"Amount\":18,\"Signature\":\"%s\"}",
           member(38, "channel_id"), member(38, "signature"));
  CHECK(out != NULL && strcmp(out, want) == 0);
  statelog_free(out);
  out = NULL;
  EXPECT(statelog_sign_voucher(kChannel, "-1", kIreneKey, &out, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_sign_voucher: amount: bad decimal digit at position 0");
  EXPECT(statelog_sign_voucher("0x12", "1", kIreneKey, &out, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_sign_voucher: channel_id: hex must have 64 digits, has 2");
  EXPECT(statelog_sign_voucher(kChannel, "1", kZeroKey + 2, &out, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_sign_voucher: key_hex: not 0x and 64 hex digits");
  CHECK(out == NULL);
}

/* Events built from go-nitro values are the fixture's, byte for byte, and append. */
static void test_build_event(void) {
  char* irene_signed = NULL;
  char* both_signed = NULL;
  test_sign(&irene_signed, &both_signed);
  if (irene_signed == NULL || both_signed == NULL) return;
  char* err = NULL;
  /* The fixture's ids (and every other byte) were recorded by an earlier statelog. */
  char* created =
      BUILD("{\"type\":\"channel_created\",\"ts\":1796185689267899,\"signed_state\":%s}", kPrefund);
  char* signed_ = BUILD("{\"ts\":1796185689269899,\"signed_state\":%s,\"type\":\"state_signed\"}",
                        irene_signed);
  char* received = BUILD(
      "{\"type\":\"state_received\",\"ts\":1796185689272899,\"signer\":\"%s\","
      "\"signed_state\":%s}",
      kAlice, both_signed);
  char voucher[1024];
  char* v = NULL;
  EXPECT_OK(statelog_sign_voucher(member(38, "channel_id"), "18", kIreneKey, &v, &err));
  snprintf(voucher, sizeof voucher, "%s", v ? v : "");
  statelog_free(v);
  char* paid = BUILD("{\"type\":\"voucher_sent\",\"ts\":1796185689282899,\"voucher\":%s}", voucher);
  /* Types without a go-nitro value take their own fields. */
  char* progressed = BUILD(
      "{\"type\":\"objective_progressed\",\"ts\":1796185689268899,\"objective_id\":\"%s\","
      "\"waiting_for\":\"CompletePrefund\"}",
      kObjective);

  /* Appended after the fixture's objective_created, they read back as the fixture's lines. */
  statelog_t* db = NULL;
  EXPECT_OK(statelog_open_memory(&db, &err));
  EXPECT_OK(statelog_append(db, lines[0], strlen(lines[0]), 0, NULL, NULL, &err));
  char* const built[] = {created, progressed, signed_, received};
  const int fixture[] = {1, 2, 9, 15};
  for (int i = 0; i < 4; ++i) {
    uint64_t offset = 0;
    if (built[i] != NULL) {
      EXPECT_OK(statelog_append(db, built[i], strlen(built[i]), i + 1, &offset, NULL, &err));
    }
    CHECK(offset == (uint64_t)i + 1);
    char* back = NULL;
    EXPECT_OK(statelog_read(db, offset, offset + 1, &back, NULL, &err));
    if (back != NULL) back[strlen(back) - 1] = '\0'; /* the '\n' */
    EXPECT_LINE(back, fixture[i]);
    EXPECT_LINE(built[i], fixture[i]);
  }
  statelog_close(db);

  /* A challenge_raised records every signature, in participant order. */
  char* raised = BUILD(
      "{\"type\":\"challenge_raised\",\"ts\":1,\"signed_state\":%s,\"finalizes_at\":1700086400,"
      "\"block_number\":105}",
      both_signed);
  char want[1024];
  snprintf(want, sizeof want,
           "\"state_hash\":\"%s\",\"signatures\":[{\"signer\":\"%s\",\"signature\":\"%s\"},"
           "{\"signer\":\"%s\",\"signature\":\"%s\"}],\"finalizes_at\":1700086400,"
           "\"block_number\":105}",
           member(9, "state_hash"), kIrene, member(9, "signature"), kAlice,
           member(15, "signature"));
  CHECK(raised != NULL && strstr(raised, want) != NULL);
  statelog_free(raised);
  /* A proposal_signed takes the proposal as the event format has it. */
  char* proposal = BUILD(
      "{\"type\":\"proposal_signed\",\"ts\":1,\"proposal\":{\"kind\":\"remove\",\"target\":\"%s\","
      "\"amount\":\"0\",\"left\":\"%s\",\"right\":\"%s\",\"left_amount\":\"10\"},"
      "\"signed_state\":%s}",
      kChannel, kChannel, kChannel, irene_signed);
  snprintf(want, sizeof want, "\"left_amount\":\"10\"},\"state\":{\"app_data\":\"0x\"");
  CHECK(proposal != NULL && strstr(proposal, want) != NULL);
  snprintf(want, sizeof want, "\"signer\":\"%s\",\"signature\":\"%s\"}", kIrene,
           member(9, "signature"));
  CHECK(proposal != NULL && strstr(proposal, want) != NULL);
  statelog_free(proposal);

  /* Refused, naming the field. */
  char bad[4096];
  snprintf(bad, sizeof bad, "%s", irene_signed);
  memcpy(strstr(bad, "\"ChannelNonce\":1000"), "\"ChannelNonce\":-100", 19);
  statelog_free(
      BUILD_FAILS("InvalidArgument: signed_state.State.ChannelNonce: number must not be "
                  "negative",
                  "{\"type\":\"state_signed\",\"ts\":1,\"signed_state\":%s}", bad));
  statelog_free(
      BUILD_FAILS("InvalidArgument: signed_state.Sigs: holds 2 signatures; \"signer\" "
                  "must name the one to record",
                  "{\"type\":\"state_signed\",\"ts\":1,\"signed_state\":%s}", both_signed));
  statelog_free(
      BUILD_FAILS("InvalidArgument: signed_state.Sigs: holds no signature of "
                  "0xaaa6628ec44a8a742987ef3a114ddfe2d4f7adce (participant 1)",
                  "{\"type\":\"state_received\",\"ts\":1,\"signer\":\"%s\","
                  "\"signed_state\":%s}",
                  kAlice, irene_signed));
  statelog_free(
      BUILD_FAILS("InvalidArgument: signer: 0xbbb676f9cff8d242e9eac39d063848807d3d1d94 "
                  "is not a participant of signed_state",
                  "{\"type\":\"state_signed\",\"ts\":1,\"signer\":\"%s\","
                  "\"signed_state\":%s}",
                  "0xbbb676f9cff8d242e9eac39d063848807d3d1d94", irene_signed));
  statelog_free(BUILD_FAILS("InvalidArgument: duplicate field \"state_hash\"",
                            "{\"type\":\"state_signed\",\"ts\":1,\"state_hash\":\"%s\","
                            "\"signed_state\":%s}",
                            member(9, "state_hash"), irene_signed));
  statelog_free(BUILD_FAILS("InvalidArgument: unknown field \"signed_state\"",
                            "{\"type\":\"deposit_detected\",\"ts\":1,\"signed_state\":%s}",
                            irene_signed));
  /* The signer of a voucher is whom its signature recovers to: with the amount changed, the
   * signature of 18 is no longer Irene's (the Ledger then refuses the stranger). */
  snprintf(want, sizeof want, "\"signer\":\"%s\"", kIrene);
  CHECK(paid != NULL && strstr(paid, want) != NULL);
  char* amount = strstr(voucher, "\"Amount\":18");
  CHECK(amount != NULL);
  if (amount != NULL) amount[10] = '9';
  char* forged = BUILD("{\"type\":\"voucher_sent\",\"ts\":1,\"voucher\":%s}", voucher);
  CHECK(forged != NULL && strstr(forged, "\"amount\":\"19\"") != NULL &&
        strstr(forged, want) == NULL);
  statelog_free(forged);
  EXPECT_LINE(paid, 38); /* its channel is not in this store */
  char* out = NULL;
  EXPECT(statelog_build_event(NULL, 0, &out, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_build_event: parts is NULL");
  EXPECT(statelog_build_event("{}", 2, NULL, NULL, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_build_event: out is NULL");
  statelog_free(irene_signed);
  statelog_free(both_signed);
}

static void test_memory(void) {
  char* err = NULL;
  statelog_t* db = NULL;
  EXPECT_OK(statelog_open_memory(&db, &err));
  exercise(db);
  /* A subscription outlives the handle: the store stays open until it is unsubscribed. */
  struct collected c = {0, 0, -1, NULL, 0, NULL, 0, -1};
  statelog_subscription_t* sub = NULL;
  EXPECT_OK(statelog_subscribe(db, 0, collect, &c, &sub, &err));
  statelog_close(db);
  EXPECT_OK(statelog_subscription_wait(sub, kEvents, &err));
  CHECK(c.events == kEvents);
  EXPECT_OK(statelog_unsubscribe(sub, &err));
}

static void test_rocksdb(void) {
  char* err = NULL;
  char dir[] = "/tmp/statelog-c-api-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[64];
  snprintf(path, sizeof path, "%s/store", dir);
  statelog_t* db = NULL;
  EXPECT_OK(statelog_open_rocksdb(&db, path, 0, &err));
  exercise(db);
  statelog_t* again = NULL;
  int code = statelog_open_rocksdb(&again, path, 1, &err);
  CHECK(code == STATELOG_BUSY && again == NULL);
  statelog_free(err);
  err = NULL;
  statelog_close(db);
  EXPECT_OK(statelog_open_rocksdb(&db, path, 1, &err));
  uint64_t length = 0;
  EXPECT_OK(statelog_head(db, &length, NULL, &err));
  CHECK(length == kEvents);
  statelog_close(db);
  char rm[96];
  snprintf(rm, sizeof rm, "rm -rf %s", dir);
  CHECK(system(rm) == 0);
}

/* statelog_open by name: a node's log is created for it and refused to another node; flags. */
static void test_open_by_name(void) {
  char* err = NULL;
  char dir[] = "/tmp/statelog-c-open-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[64], name[80];
  snprintf(path, sizeof path, "%s/node", dir);
  snprintf(name, sizeof name, "rocksdb:%s", path);
  statelog_t* db = NULL;
  char want[256];
  snprintf(
      want, sizeof want,
      "NotFound: cannot open %s: store directory %s does not exist (create_if_missing is false)",
      path, path);
  EXPECT(statelog_open(&db, path, NULL, STATELOG_OPEN_MUST_EXIST, &err), STATELOG_NOT_FOUND, want);
  CHECK(db == NULL);
  EXPECT_OK(statelog_open(&db, name, kIrene, STATELOG_OPEN_NO_SYNC, &err));
  char* identity = NULL;
  EXPECT_OK(statelog_identity(db, &identity, &err));
  CHECK(identity != NULL &&
        strcmp(identity,
               "{\"rules\":\"nitro-2\",\"node\":\"0x111a00868581f73ab42feef67d235ca09ca1e8db\"}") ==
            0);
  statelog_free(identity);
  uint64_t length = 0;
  EXPECT_OK(statelog_head(db, &length, NULL, &err));
  CHECK(length == 1); /* its log_created */
  /* Checkpoints with the node's key (Irene's: go-nitro's test key); another key is refused. */
  char* note = NULL;
  EXPECT(statelog_latest_checkpoint(db, &note, &err), STATELOG_NOT_FOUND,
         "NotFound: the store keeps no checkpoint yet");
  snprintf(want, sizeof want,
           "FailedPrecondition: the node key is that of %s; this log belongs to node %s", kAlice,
           kIrene);
  EXPECT(statelog_checkpoint(db, kAliceKey, NULL, &note, &err), STATELOG_FAILED_PRECONDITION, want);
  EXPECT(statelog_checkpoint(db, "0x12", NULL, &note, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_checkpoint: key_hex: not 0x and 64 hex digits");
  EXPECT_OK(statelog_checkpoint(db, kIreneKey, NULL, &note, &err));
  /* The checkpoint of the one event (log_created), under the node's default origin. */
  char head[128];
  snprintf(head, sizeof head, "statelog/%s\n1\n", kIrene);
  CHECK(note != NULL && strncmp(note, head, strlen(head)) == 0);
  char* latest = NULL;
  EXPECT_OK(statelog_latest_checkpoint(db, &latest, &err));
  CHECK(note != NULL && latest != NULL && strcmp(note, latest) == 0);
  statelog_free(note);
  statelog_free(latest);
  statelog_close(db);
  snprintf(want, sizeof want, "FailedPrecondition: the log belongs to node %s, not to %s", kIrene,
           kAlice);
  EXPECT(statelog_open(&db, path, kAlice, 0, &err), STATELOG_FAILED_PRECONDITION, want);
  CHECK(db == NULL);
  EXPECT_OK(statelog_open(&db, path, NULL, STATELOG_OPEN_READ_ONLY, &err));
  snprintf(want, sizeof want, "NotSupported: RocksDB store %s is open read-only", path);
  EXPECT(statelog_append(db, lines[0], strlen(lines[0]), STATELOG_NONE, NULL, NULL, &err),
         STATELOG_NOT_SUPPORTED, want);
  statelog_close(db);
  EXPECT(statelog_open(&db, path, "0x12", 0, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_open: node: hex must have 40 digits, has 2");
  EXPECT(statelog_open(&db, path, NULL, 64, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_open: unknown flags 64");
  EXPECT(statelog_open(&db, NULL, NULL, 0, &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: statelog_open: name is NULL");
  EXPECT_OK(statelog_open(&db, "memory:", NULL, 0, &err));
  EXPECT_OK(statelog_identity(db, &identity, &err));
  CHECK(identity != NULL && strcmp(identity, "{\"rules\":\"statelog-1\",\"node\":null}") == 0);
  statelog_free(identity);
  statelog_close(db);
  char rm[96];
  snprintf(rm, sizeof rm, "rm -rf %s", dir);
  CHECK(system(rm) == 0);
}

static void test_postgres(const char* conninfo) {
  char* err = NULL;
  statelog_t* db = NULL;
  EXPECT_OK(statelog_open_postgres(&db, conninfo, "c_api_test", &err));
  exercise(db);
  statelog_close(db);
  EXPECT(statelog_open_postgres(&db, conninfo, "Bad-Schema", &err), STATELOG_INVALID_ARGUMENT,
         "InvalidArgument: cannot open the PostgreSQL store: schema name 'Bad-Schema' must "
         "match [a-z_][a-z0-9_]{0,62} and not start with pg_");
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: c_api_test EXPORT.jsonl\n");
    return 2;
  }
  load(argv[1]);
  CHECK(strcmp(statelog_version(), "0.2.0") == 0);
  CHECK(strcmp(statelog_code_name(STATELOG_CONFLICT), "Conflict") == 0);
  CHECK(strcmp(statelog_code_name(STATELOG_NO_SPACE), "NoSpace") == 0);
  CHECK(strcmp(statelog_code_name(STATELOG_NO_SPACE + 1), "Unknown") == 0);
  CHECK(strcmp(statelog_code_name(42), "Unknown") == 0);
  test_null_pointers();
  test_bad_input();
  test_complete_event();
  test_build_event();
  const char* conninfo = getenv("STATELOG_PG_CONNINFO");
  if (conninfo != NULL) {
    test_postgres(conninfo);
  } else {
    test_memory();
    test_rocksdb();
    test_open_by_name();
  }
  if (failures != 0) fprintf(stderr, "%d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
