// ViewIndex: a node view's entities by channel, for a fold that applies many events to one view.
// Internal header of the fold layer.
#ifndef STATELOG_FOLD_VIEW_INDEX_H_
#define STATELOG_FOLD_VIEW_INDEX_H_

#include <array>
#include <cstddef>
#include <tuple>
#include <unordered_map>

#include "statelog/fold.h"

namespace statelog::fold_internal {

// A channel's state and, by kind, the objectives whose own channel it is: what the rules of rule
// set 2 read of a channel at once, found with one look-up instead of one search of the view's maps
// per entity. Filled from the view's maps the first time a channel is asked for and kept up to
// date by the ApplyToView below, which inserts new entities and never removes any: the maps' nodes
// do not move, so the pointers stay valid as long as the view changes only through that
// ApplyToView (the loop of one fold). Derived and never stored: the view's snapshot, copies and
// equality know nothing of it.
class ViewIndex {
 public:
  struct Entry {
    ChannelState* channel = nullptr;
    std::array<ObjectiveState*, 4> objectives{};  // by ObjectiveKind
  };

  // An index of an empty view knows every entity from the start: a channel it has not seen is in
  // neither of the view's maps, and is not searched for there.
  explicit ViewIndex(NodeView* view)
      : view_(view), complete_(view->channels.empty() && view->objectives.empty()) {
    entries_.reserve(kReserved);
  }
  ViewIndex(const ViewIndex&) = delete;
  ViewIndex& operator=(const ViewIndex&) = delete;

  NodeView& view() const { return *view_; }
  // Whether objectives of `kind` have their place in an entry (every kind go-nitro has; an
  // out-of-range value, which no decoded event holds, is searched in the view's map instead).
  static bool Indexed(ObjectiveKind kind) {
    return static_cast<size_t>(kind) < std::tuple_size_v<decltype(Entry::objectives)>;
  }
  // The entry of `channel` (pointers are null for entities the view does not have).
  Entry& At(const ChannelId& channel) {
    if (last_ != nullptr && last_id_ == channel) return *last_;
    auto [it, fresh] = entries_.try_emplace(channel);
    if (fresh && !complete_) Fill(channel, it->second);
    last_id_ = channel;
    last_ = &it->second;  // references into an unordered_map survive rehashing
    return *last_;
  }
  // Records an entity just inserted into the view.
  void Inserted(ChannelState& c) { At(c.id).channel = &c; }
  void Inserted(ObjectiveState& o) {
    At(o.id.channel).objectives[static_cast<size_t>(o.id.kind)] = &o;
  }

 private:
  void Fill(const ChannelId& channel, Entry& e);

  // Buckets made at once for the channels of a short fold; a bucket array of over 1 KB would be
  // a large request to glibc, which consolidates its free lists first.
  static constexpr size_t kReserved = 100;

  NodeView* view_;
  bool complete_;  // every entity of the view has its entry
  std::unordered_map<ChannelId, Entry, FixedBytesHash> entries_;
  ChannelId last_id_;
  Entry* last_ = nullptr;
};

// ApplyToView (statelog/fold.h) on index.view(), reading and keeping `index`.
Status ApplyToView(const Event& event, Offset offset, ViewIndex& index,
                   TurnRetention retention = TurnRetention::kCurrent);

}  // namespace statelog::fold_internal

#endif  // STATELOG_FOLD_VIEW_INDEX_H_
