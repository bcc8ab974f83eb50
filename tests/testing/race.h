// Conflicting writers for the Ledger race tests (threads on memory and RocksDB, processes on
// PostgreSQL). Each "contest" is one channel with an unapproved funding objective; every writer
// tries, for every contest:
//   1. to approve the objective (even writers) or to reject it (odd writers);
//   2. to sign its own, different, state for turn 2 (its outcome moves writer+1 units);
//   3. to pay a voucher of 10 * (writer + 1).
// Writers build their events from the same script, so step k has the same timestamp for all of
// them: races are decided by legality, not by clocks.
#ifndef STATELOG_TESTS_TESTING_RACE_H_
#define STATELOG_TESTS_TESTING_RACE_H_

#include <string>
#include <vector>

#include "statelog/store.h"

namespace statelog::testing {

struct Race {
  std::vector<Event> setup;                   // appended once, before the writers start
  std::vector<std::vector<Event>> by_writer;  // what each writer tries, in its order
};

Race MakeRace(int writers, int contests, uint64_t nonce_base);

// Checks a log after a race: exactly one of approve/reject per objective, exactly one state for
// turn 2 per channel, vouchers never decreasing, every setup event present. Returns what is
// wrong (empty when all holds).
std::vector<std::string> CheckRaceOutcome(const EventStore& store, const Race& race);

// True for the errors a losing writer may get: Conflict, or FailedPrecondition (the winner made
// its event illegal).
inline bool IsLoserError(const Status& s) {
  return s.code() == StatusCode::kConflict || s.code() == StatusCode::kFailedPrecondition;
}

}  // namespace statelog::testing

#endif  // STATELOG_TESTS_TESTING_RACE_H_
