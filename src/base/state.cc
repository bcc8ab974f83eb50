#include "statelog/state.h"

#include <cstring>

namespace statelog {

Destination ToDestination(const Address& a) {
  Destination d;
  std::memcpy(d.data() + 12, a.data(), Address::kSize);
  return d;
}

}  // namespace statelog
