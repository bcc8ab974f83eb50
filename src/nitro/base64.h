// The nitro layer's name for base64 (base/base64.h), where go-nitro's JSON code finds it.
#ifndef STATELOG_NITRO_BASE64_H_
#define STATELOG_NITRO_BASE64_H_

#include "base/base64.h"

namespace statelog::nitro {

using statelog::AppendBase64;
using statelog::DecodeBase64;

}  // namespace statelog::nitro

#endif  // STATELOG_NITRO_BASE64_H_
