// Base64 as Go's encoding/base64.StdEncoding writes it (RFC 4648 section 4: the standard
// alphabet, '=' padding): the encoding of go-nitro's byte fields in its JSON
// (docs/nitro-encoding.md) and of hashes and signatures in checkpoints (docs/tlog-format.md).
#ifndef STATELOG_BASE_BASE64_H_
#define STATELOG_BASE_BASE64_H_

#include <span>
#include <string>
#include <string_view>

#include "statelog/bytes.h"
#include "statelog/status.h"

namespace statelog {

// Appends the padded base64 of `data` to *out.
void AppendBase64(std::span<const uint8_t> data, std::string* out);

// Decodes padded base64 into *out. Strict, so that what it accepts encodes back to the same
// text: the length must be a multiple of 4, only the standard alphabet, '=' only as the last one
// or two characters, and the bits a short last group leaves unused must be zero. Errors are
// InvalidArgument naming the offending character's offset; *out is unchanged on error.
Status DecodeBase64(std::string_view text, Bytes* out);

}  // namespace statelog

#endif  // STATELOG_BASE_BASE64_H_
