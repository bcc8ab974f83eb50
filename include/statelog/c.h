/* statelog's C API: libstatelog.so, pkg-config module "statelog" (docs/c-api.md). For C, Go
 * (cgo, bindings/go/statelog), Zig (bindings/zig) and any language that calls C.
 *
 * The model is RocksDB's c.h: opaque handles, explicit free functions, no C++ type. Every
 * function that can fail returns a statelog_code and, when `errptr` is not NULL, stores a message
 * in *errptr saying what is wrong and where ("<CodeName>: <message>", e.g. "Conflict: ...").
 * The message is allocated by the library: free it with statelog_free(). A message already in
 * *errptr is freed first; on success *errptr is left as it is. Passing errptr == NULL is allowed
 * (only the code is returned).
 *
 * Events are canonical JSON objects, one per event (statelog/codec.h,
 * docs/adr/0002-event-serialization.md); input may use any member order and JSON white space, and
 * is decoded before anything else (invalid UTF-8 or JSON, an unknown field, a wrong id:
 * STATELOG_INVALID_ARGUMENT). An event may omit its "id" member: the library computes it
 * (keccak256 of the canonical encoding without the id); an id that is given is checked.
 * statelog_complete_event() returns the canonical event with its id. Appends go through the
 * checked Ledger (statelog/ledger.h): Nitro proofs and the legality of the history.
 *
 * Strings and buffers returned by the library are allocated by it and owned by the caller, who
 * frees them with statelog_free(). Strings passed in are borrowed for the call only.
 *
 * Bad input: a NULL pointer where this header does not allow one, bad JSON, bad ids and
 * out-of-range offsets are rejected with STATELOG_INVALID_ARGUMENT (or the code named below) and
 * never crash. Using a handle after statelog_close() or statelog_unsubscribe() freed it is
 * undefined behaviour (it is not detected).
 *
 * Thread safety: a statelog_t may be used from any number of threads at once, except that
 * statelog_close() must not run concurrently with any other call on the same handle. */
#ifndef STATELOG_C_H_
#define STATELOG_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes: the values of statelog::StatusCode (statelog/status.h). */
typedef enum statelog_code {
  STATELOG_OK = 0,
  STATELOG_NOT_FOUND = 1,
  STATELOG_CORRUPTION = 2,
  STATELOG_INVALID_ARGUMENT = 3,
  STATELOG_IO_ERROR = 4,
  STATELOG_OUT_OF_RANGE = 5,
  STATELOG_FAILED_PRECONDITION = 6, /* illegal in the current state (Nitro rules) */
  STATELOG_ALREADY_EXISTS = 7,
  STATELOG_BUSY = 8, /* e.g. a RocksDB store open in another process */
  STATELOG_NOT_SUPPORTED = 9,
  STATELOG_ABORTED = 10,  /* e.g. a subscription stopped by its callback */
  STATELOG_CONFLICT = 11, /* an append's expected length did not hold: nothing was written */
  STATELOG_NO_SPACE = 12  /* the disk is full or below the store's reserve: nothing was written */
} statelog_code;

/* "No expectation" for expected_length, and "the current state" for as_of. */
#define STATELOG_NONE (-1)
/* Bytes of a hash as text: "0x", 64 lowercase hex digits and the terminating NUL. */
#define STATELOG_HASH_HEX_SIZE 67

/* An open store with its checked Ledger. */
typedef struct statelog_t statelog_t;
/* A running subscription. */
typedef struct statelog_subscription_t statelog_subscription_t;

/* Returns the library's version, e.g. "0.2.0" (static storage; never NULL). */
const char* statelog_version(void);
/* Returns the name of `code`, e.g. "Conflict" (static storage; "Unknown" for other values). */
const char* statelog_code_name(int code);
/* Frees a string or buffer the library returned. NULL is allowed. */
void statelog_free(void* ptr);

/* Opening and closing. On success *db receives a handle the caller closes with statelog_close();
 * on failure *db is set to NULL. `db` must not be NULL. */

/* Flags of statelog_open. */
#define STATELOG_OPEN_NO_SYNC                                        \
  1 /* RocksDB: an append survives a process crash, not a power loss \
     */
#define STATELOG_OPEN_READ_ONLY                                                                   \
  2                                /* appends are STATELOG_NOT_SUPPORTED; RocksDB opens read-only \
                                    */
#define STATELOG_OPEN_MUST_EXIST 4 /* a missing store is STATELOG_NOT_FOUND instead of created */

/* The store `name` names (docs/api.md, statelog/db.h): "memory:" (a new in-memory log),
 * "postgresql://..." or "postgres://..." (a shared PostgreSQL log, schema "statelog"),
 * "postgresql:" followed by a libpq key=value string, or a RocksDB directory ("rocksdb:DIR" or
 * DIR). Created when missing unless STATELOG_OPEN_MUST_EXIST. `node`: NULL, or the 0x address of
 * the node the log belongs to: a new log is created for it (its first event names the node and
 * go-nitro's rules), and an existing log must be that node's (STATELOG_FAILED_PRECONDITION naming
 * both otherwise). `flags`: STATELOG_OPEN_* values or'ed together, or 0. */
int statelog_open(statelog_t** db, const char* name, const char* node, int flags, char** errptr);
/* An empty in-memory store (gone when closed). */
int statelog_open_memory(statelog_t** db, char** errptr);
/* The RocksDB store in directory `dir` (created when missing). `sync` non-zero: an append
 * returns only once it survives a power loss; zero: once it survives a process crash.
 * STATELOG_BUSY when another process has it open; STATELOG_NOT_SUPPORTED when this build has
 * no RocksDB backend. */
int statelog_open_rocksdb(statelog_t** db, const char* dir, int sync, char** errptr);
/* The shared PostgreSQL log at libpq connection string `conninfo` ("postgresql://..." or
 * "host=... dbname=..."), in `schema` (one schema is one log; NULL: "statelog"), created when
 * missing. STATELOG_NOT_SUPPORTED when this build has no PostgreSQL backend. */
int statelog_open_postgres(statelog_t** db, const char* conninfo, const char* schema,
                           char** errptr);
/* Closes `db` and frees it. NULL is allowed. Subscriptions still running keep the store open
 * (not the handle) until they are unsubscribed. */
void statelog_close(statelog_t* db);

/* Events. */

/* Returns in *out (NUL-terminated; free with statelog_free) and *out_len (may be NULL) the
 * canonical JSON of the event `json` (`len` bytes, need not be NUL-terminated) with its id: the
 * id computed when `json` has no "id" member, checked when it has (a mismatch is
 * STATELOG_INVALID_ARGUMENT "id does not match the content: ..."). Needs no store; any thread.
 * On failure *out is left as it is. What statelog_read() returns for the event once appended. */
int statelog_complete_event(const char* json, size_t len, char** out, size_t* out_len,
                            char** errptr);

/* Nitro for a node (docs/c-api.md, "Signing and building events"): a node signs, hashes and
 * builds events through these and needs no other crypto library. go-nitro's JSON is that of
 * statelog/nitro.h: a State {"Participants":[...],...,"IsFinal":b} or a SignedState
 * {"State":{...},"Sigs":{"<participant index>":"0x<130 hex>"}}, amounts as JSON numbers, byte
 * fields in base64. None needs a store; any thread. `key_hex` is a secp256k1 private key, "0x"
 * and 64 hex digits, used for the call only: no message ever holds it. An error about the input
 * names the function, the parameter and the field path, e.g.
 * "statelog_sign_state: json: State.TurnNum: expected a number, got a string". On failure *out is
 * left as it is. */

/* Signs the state of `json` (`len` bytes; a State or a SignedState) with `key_hex` and returns in
 * *out (and its length in *out_len, which may be NULL) the SignedState in go-nitro's JSON, as
 * go-nitro writes it, with the signature added under the key's participant index (replacing one
 * there). STATELOG_INVALID_ARGUMENT when the key's address is not a participant (the message names
 * the address). */
int statelog_sign_state(const char* json, size_t len, const char* key_hex, char** out,
                        size_t* out_len, char** errptr);
/* Signs the payment voucher of `amount` (decimal, cumulative) in channel `channel_id` ("0x" + 64
 * hex) with `key_hex` and returns go-nitro's Voucher JSON in *out:
 * {"ChannelId":"0x...","Amount":n,"Signature":"0x..."}. */
int statelog_sign_voucher(const char* channel_id, const char* amount, const char* key_hex,
                          char** out, char** errptr);
/* Returns in *out what a node would otherwise compute for the State or SignedState `json`:
 * {"channel_id":"0x...","state_hash":"0x...","signers":{"<index>":"0x<address>",...}}, signers
 * being the addresses its signatures recover to (a signature that recovers to none is
 * STATELOG_INVALID_ARGUMENT naming "Sigs.<index>"). */
int statelog_state_info(const char* json, size_t len, char** out, char** errptr);
/* Returns in *out (and *out_len, may be NULL) the canonical event, with its id, built from
 * `parts` (`len` bytes): a JSON object with the event's "type", "ts" and fields as the event
 * format has them (docs/architecture/event-types.md), no "id" needed, where go-nitro values may
 * stand for the fields the library computes: "signed_state" (a SignedState or State) in
 * channel_created, state_signed, state_received, proposal_signed, proposal_received and
 * challenge_raised; "voucher" (a Voucher) in voucher_sent and voucher_received. In the four
 * signed-state types "signer" (an address) names the signature to record; it may be left out
 * when the state holds one signature. Every other type takes its own fields (as
 * statelog_complete_event). The event's Nitro proof is checked (a signature that does not recover
 * to its signer is STATELOG_INVALID_ARGUMENT); what statelog_append() then stores as it is. */
int statelog_build_event(const char* parts, size_t len, char** out, size_t* out_len, char** errptr);

/* Appending. `expected_length`: STATELOG_NONE, or the number of events the log must hold before
 * the first new one; when it does not, nothing is written and the result is STATELOG_CONFLICT.
 * Results (each out-parameter may be NULL): *offset, the offset of the (first) event;
 * *appended, the number of events appended (an event already in the log is an idempotent retry:
 * not appended again, and it takes its original offset). A refused event leaves the log
 * unchanged: STATELOG_INVALID_ARGUMENT (bad JSON, bad proof), STATELOG_FAILED_PRECONDITION
 * (illegal history). */

/* Appends one event, `json` (`len` bytes, need not be NUL-terminated), with or without its id. */
int statelog_append(statelog_t* db, const char* json, size_t len, int64_t expected_length,
                    uint64_t* offset, uint64_t* appended, char** errptr);
/* Appends the events of `jsonl`, one per line (blank lines skipped), all or none. An error about
 * one event starts "line N: "; input without an event is STATELOG_INVALID_ARGUMENT. */
int statelog_append_batch(statelog_t* db, const char* jsonl, size_t len, int64_t expected_length,
                          uint64_t* offset, uint64_t* appended, char** errptr);

/* Reading. */

/* The log's length and the hash-chain value of its last event (all zero for an empty log),
 * written to `chain_hex` (STATELOG_HASH_HEX_SIZE bytes, NUL-terminated). Either may be NULL. */
int statelog_head(statelog_t* db, uint64_t* length, char* chain_hex, char** errptr);
/* Returns the events at offsets [begin, end) as canonical JSON lines (each ending in '\n'), in
 * *out (NUL-terminated; free with statelog_free) and its length in *out_len (may be NULL).
 * end == UINT64_MAX: to the end of the log. STATELOG_OUT_OF_RANGE when end > length or
 * begin > end. This is the export format: statelog_append_batch() reads it back. */
int statelog_read(statelog_t* db, uint64_t begin, uint64_t end, char** out, size_t* out_len,
                  char** errptr);

/* A channel's state (`channel_id`: "0x" + 64 hex) or an objective's (`objective_id`: e.g.
 * "DirectFunding-0x..."), as JSON (docs/snapshot-format.md, the JSON form), in *out (free
 * with statelog_free). `as_of`: STATELOG_NONE for the current state, or the offset of the last
 * event to include (time travel). STATELOG_NOT_FOUND when the entity has no event (as of that
 * offset); STATELOG_OUT_OF_RANGE when as_of is past the log. */
int statelog_channel(statelog_t* db, const char* channel_id, int64_t as_of, char** out,
                     char** errptr);
int statelog_objective(statelog_t* db, const char* objective_id, int64_t as_of, char** out,
                       char** errptr);

/* Signed checkpoints (docs/tlog-format.md). statelog_checkpoint signs a checkpoint of the log as
 * it is now with the node's secp256k1 key `key_hex` (0x and 64 hex digits; used for this call
 * only, never stored) under `origin` (NULL: the latest kept checkpoint's origin, else
 * "statelog/<node address>"), keeps it, and returns the signed note in *note (free with
 * statelog_free). STATELOG_FAILED_PRECONDITION when the key is not the log's node's, the log names
 * no node, or the checkpoint would not extend the latest kept one. statelog_latest_checkpoint
 * returns the latest kept note; STATELOG_NOT_FOUND when none is kept. */
int statelog_checkpoint(statelog_t* db, const char* key_hex, const char* origin, char** note,
                        char** errptr);
int statelog_latest_checkpoint(statelog_t* db, char** note, char** errptr);

/* The node the log belongs to and the rules it is checked under, as JSON in *out (free with
 * statelog_free): {"rules":"nitro-2","node":"0x..."}, or {"rules":"statelog-1","node":null} for a
 * log that names no node (docs/architecture/nitro-rules.md). */
int statelog_identity(statelog_t* db, char** out, char** errptr);

/* Verifies the whole log (statelog/verify.h): ids, hash chain, signatures, legality, snapshots.
 * `report` (may be NULL) receives the counts and head; the result is the first failure's code. */
typedef struct statelog_verify_report {
  uint64_t events;
  uint64_t signatures;
  uint64_t snapshots;
  uint64_t length;
  char chain_hex[STATELOG_HASH_HEX_SIZE];
  int64_t first_bad_offset; /* STATELOG_NONE when every event verifies */
} statelog_verify_report;
int statelog_verify(statelog_t* db, statelog_verify_report* report, char** errptr);

/* Subscriptions. */

/* Called once per event, in offset order, with no gap and no duplicate, on the subscription's
 * own delivery thread (never the thread that subscribed): callbacks of one subscription never
 * overlap, those of different subscriptions may run concurrently. `json` (`len` bytes,
 * NUL-terminated) is valid only during the call. Returning non-zero stops the subscription:
 * statelog_subscription_wait() then returns STATELOG_ABORTED naming the offset and the value. */
typedef int (*statelog_event_fn)(void* arg, uint64_t offset, const char* json, size_t len);

/* Delivers the events from offset `from` on: history first, then every event appended later (by
 * this process or, for PostgreSQL, any other). `arg` is passed to `fn` as it is. On success
 * *sub receives a handle the caller frees with statelog_unsubscribe(), also after the
 * subscription stopped; *sub is set before `fn` is first called, so `fn` may read it (e.g.
 * through `arg`). `db` may be closed before the subscription is unsubscribed. */
int statelog_subscribe(statelog_t* db, uint64_t from, statelog_event_fn fn, void* arg,
                       statelog_subscription_t** sub, char** errptr);
/* What a subscription tells its owner through a statelog_state_fn. */
enum {
  /* A read failed because the database cannot be reached (PostgreSQL down, restarting or failing
   * over): the subscription keeps reconnecting. `since`: when the outage began. */
  STATELOG_UNREACHABLE = 1,
  /* A read succeeded again after STATELOG_UNREACHABLE (`since` as there): delivery goes on where
   * it was, with no gap and no duplicate. */
  STATELOG_REACHABLE = 2,
  /* The subscription stopped on an error (the outage outlasted the reconnect timeout, a damaged
   * record, a callback that returned non-zero): statelog_subscription_wait() returns it. */
  STATELOG_STOPPED = 3
};

/* Called on the subscription's delivery thread (never concurrently with its statelog_event_fn)
 * with one of the states above: `since`, microseconds since the Unix epoch (0 for
 * STATELOG_STOPPED); `code` and `message` ("Code: text", valid during the call), the failed read
 * or why the subscription stopped (STATELOG_OK and "" for STATELOG_REACHABLE). */
typedef void (*statelog_state_fn)(void* arg, int state, int64_t since, int code,
                                  const char* message);

/* statelog_subscribe(), with what happens while the database cannot be reached: the subscription
 * keeps reconnecting for `reconnect_timeout_ms` milliseconds (STATELOG_NONE: without end; 0: it
 * stops at the first failed read; statelog_subscribe() uses 60000), then stops with the last
 * error. `state_fn` (may be NULL) is told, with `arg`, when the database becomes unreachable, when
 * it is back, and when the subscription stops on an error. */
int statelog_subscribe_with_state(statelog_t* db, uint64_t from, statelog_event_fn fn,
                                  statelog_state_fn state_fn, void* arg,
                                  int64_t reconnect_timeout_ms, statelog_subscription_t** sub,
                                  char** errptr);
/* Blocks until the subscription has delivered every event below `offset` or has stopped; returns
 * its status (STATELOG_OK while it runs). */
int statelog_subscription_wait(statelog_subscription_t* sub, uint64_t offset, char** errptr);
/* Stops the subscription, waits for a running callback to return, and frees `sub`. NULL is
 * allowed. From inside the subscription's own callback it returns STATELOG_FAILED_PRECONDITION and
 * frees nothing (return non-zero from the callback instead). Safe from any other thread. */
int statelog_unsubscribe(statelog_subscription_t* sub, char** errptr);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STATELOG_C_H_ */
