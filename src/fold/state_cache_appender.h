// How the Ledger tells its StateCache about the events it has just appended, so that the cache
// folds them from memory instead of reading them back from the store. Internal to the fold
// library.
#ifndef STATELOG_FOLD_STATE_CACHE_APPENDER_H_
#define STATELOG_FOLD_STATE_CACHE_APPENDER_H_

#include <span>
#include <vector>

#include "statelog/reconstruct.h"

namespace statelog {

class StateCacheAppender {
 public:
  // `events[i]` was appended at `results[i].offset` when `results[i].appended` (the others were
  // already in the log). Hands the cache the appended events when they form one run of
  // consecutive offsets, which is what one append of this process writes; otherwise does
  // nothing, and the cache reads them back on its next read.
  static Status Appended(StateCache* cache, std::span<const Event> events,
                         std::span<const AppendResult> results) {
    std::vector<const Event*> run;
    Offset first = 0;
    for (size_t i = 0; i < events.size() && i < results.size(); ++i) {
      if (!results[i].appended) continue;
      if (run.empty()) {
        first = results[i].offset;
      } else if (results[i].offset != first + run.size()) {
        return Status::OK();
      }
      run.push_back(&events[i]);
    }
    if (run.empty()) return Status::OK();
    return cache->FoldAppended(first, run);
  }
};

}  // namespace statelog

#endif  // STATELOG_FOLD_STATE_CACHE_APPENDER_H_
