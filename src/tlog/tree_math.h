// Internal helpers of the tlog layer shared by proof generation and verification.
#ifndef STATELOG_TLOG_TREE_MATH_H_
#define STATELOG_TLOG_TREE_MATH_H_

#include <cstdint>

namespace statelog::tlog {

// Leaves [lo, hi).
struct LeafRange {
  uint64_t lo = 0;
  uint64_t hi = 0;
};

// The largest power of two strictly below n: RFC 9162's k. REQUIRES: n >= 2.
uint64_t LargestPowerOfTwoBelow(uint64_t n);

}  // namespace statelog::tlog

#endif  // STATELOG_TLOG_TREE_MATH_H_
