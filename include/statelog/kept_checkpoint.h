// Signing and keeping a log's checkpoints (docs/adr/0016-merkle-tree-and-checkpoints.md, "Key
// handling and kept checkpoints"): the checkpoint of the log's tree at its head, signed only if it
// extends the latest checkpoint the log kept, then kept with the next number. A log so never
// signs two inconsistent checkpoints, also across processes and restarts: the check reads what
// the store kept, not what a process remembers.
//
// Errors: a log that keeps no tree or no checkpoints is NotSupported; a checkpoint the log must
// not sign is FailedPrecondition naming both sizes (statelog/checkpoint.h, SignCheckpoint); a
// kept note that does not parse is Corruption naming its number.
//
// Thread safety: every function is thread-safe; signers racing on one log keep one checkpoint
// each, each extending the one before.
#ifndef STATELOG_KEPT_CHECKPOINT_H_
#define STATELOG_KEPT_CHECKPOINT_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "statelog/bytes.h"
#include "statelog/checkpoint.h"
#include "statelog/log.h"
#include "statelog/note.h"
#include "statelog/status.h"

namespace statelog::tlog {

// The origin a node's log signs its checkpoints under unless told otherwise: "statelog/" and the
// node's address in lowercase 0x-hex, e.g. "statelog/0x111a00868581f73ab42feef67d235ca09ca1e8db".
std::string DefaultOrigin(const Address& node);

// Parses a kept checkpoint's note (its text only: the log's own record, whose signature the
// caller checks if it needs to). Corruption naming its number when it does not parse or is not
// of the size it was kept under.
StatusOr<Checkpoint> ParseKeptCheckpoint(const KeptCheckpoint& kept);

// Signs the checkpoint of `log` at its head under `origin` with `signers` (SignCheckpoint: it
// must extend the latest kept checkpoint, same origin, consistent tree) and keeps it with the
// next number. Retries when another signer kept one in between. Returns what it kept.
StatusOr<KeptCheckpoint> SignAndKeepCheckpoint(Log& log, std::string_view origin,
                                               std::span<const NoteSigner> signers);

// The latest checkpoint `log` kept. NotSupported when the log keeps none; FailedPrecondition
// saying to run `statelog checkpoint` when none was kept yet.
StatusOr<KeptCheckpoint> RequireLatestCheckpoint(const Log& log);

// The .tlog-proof of the record at `offset` against `kept`, a checkpoint `log` kept: the record's
// encoded payload in its extra line, the proof from the log's stored hashes. OutOfRange when
// `offset` is not below the checkpoint's size (the message says to sign a newer one);
// NotSupported when the log keeps no tree.
StatusOr<InclusionProofFile> ProveRecord(const Log& log, Offset offset, const KeptCheckpoint& kept);

}  // namespace statelog::tlog

#endif  // STATELOG_KEPT_CHECKPOINT_H_
