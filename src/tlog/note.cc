// Signed notes: parsing, encoding, signing and opening (docs/tlog-format.md, "Signed notes").
#include "statelog/note.h"

#include <algorithm>
#include <cstdio>

#include "base/base64.h"
#include "tlog/text.h"

namespace statelog::tlog {
namespace {

constexpr std::string_view kSignaturePrefix = "\xe2\x80\x94 ";  // U+2014 EM DASH, a space

// Decodes the UTF-8 code point at text[i] (valid UTF-8 is a precondition) and its length.
char32_t DecodeAt(std::string_view text, size_t i, size_t* len) {
  const auto c = static_cast<unsigned char>(text[i]);
  auto cont = [&](size_t k) { return static_cast<char32_t>(text[i + k] & 0x3f); };
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  if (c < 0xe0) {
    *len = 2;
    return static_cast<char32_t>(c & 0x1f) << 6 | cont(1);
  }
  if (c < 0xf0) {
    *len = 3;
    return static_cast<char32_t>(c & 0x0f) << 12 | cont(1) << 6 | cont(2);
  }
  *len = 4;
  return static_cast<char32_t>(c & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3);
}

// Unicode's White_Space property.
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
         c == 0x3000;
}

std::string KeyIdHex(uint32_t id) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", id);
  return buf;
}

}  // namespace

Status CheckKeyName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("a key name must not be empty");
  STATELOG_RETURN_IF_ERROR(
      CheckNoteCharacters(name).WithPrefix("key name \"" + std::string(name) + "\""));
  for (size_t i = 0, len = 0; i < name.size(); i += len) {
    const char32_t c = DecodeAt(name, i, &len);
    if (c == '+' || IsUnicodeSpace(c)) {
      return Status::InvalidArgument("key name \"" + std::string(name) +
                                     "\": " + (c == '+' ? "a '+'" : "a space") +
                                     " at byte offset " + std::to_string(i));
    }
  }
  return Status::OK();
}

StatusOr<SignedNote> ParseNote(std::string_view note) {
  STATELOG_RETURN_IF_ERROR(CheckNoteCharacters(note).WithPrefix("note"));
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument("note: no blank line before the signatures");
  }
  SignedNote out;
  out.text = std::string(note.substr(0, split + 1));
  LineReader lines(note.substr(split + 2));
  // Lines are numbered in the whole note: the text's lines, then the blank line.
  const int first = static_cast<int>(std::count(out.text.begin(), out.text.end(), '\n')) + 2;
  std::string_view line;
  while (lines.Next(&line)) {
    const std::string where = "note line " + std::to_string(first + lines.line_number() - 1) + ": ";
    if (out.signatures.size() == kMaxNoteSignatures) {
      return Status::InvalidArgument(where + "more than " + std::to_string(kMaxNoteSignatures) +
                                     " signatures");
    }
    if (!line.starts_with(kSignaturePrefix)) {
      return Status::InvalidArgument(where + "a signature line starts with an em dash and a space");
    }
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Status::InvalidArgument(where + "expected \"<key name> <base64 signature>\"");
    }
    NoteSignature sig;
    sig.name = std::string(line.substr(0, space));
    STATELOG_RETURN_IF_ERROR(CheckKeyName(sig.name).WithPrefix(where.substr(0, where.size() - 2)));
    Bytes raw;
    STATELOG_RETURN_IF_ERROR(
        DecodeBase64(line.substr(space + 1), &raw).WithPrefix(where + "signature"));
    if (raw.size() < 5) {
      return Status::InvalidArgument(where +
                                     "a signature is a 4-byte key ID and at least one byte");
    }
    sig.key_id = uint32_t{raw[0]} << 24 | uint32_t{raw[1]} << 16 | uint32_t{raw[2]} << 8 | raw[3];
    sig.signature.assign(raw.begin() + 4, raw.end());
    out.signatures.push_back(std::move(sig));
  }
  if (lines.incomplete()) {
    return Status::InvalidArgument("note: the last signature line does not end with a newline");
  }
  if (out.signatures.empty()) return Status::InvalidArgument("note: no signature line");
  return out;
}

std::string EncodeNote(const SignedNote& note) {
  std::string out = note.text;
  out.push_back('\n');
  for (const NoteSignature& sig : note.signatures) {
    out.append(kSignaturePrefix);
    out.append(sig.name);
    out.push_back(' ');
    Bytes raw = {static_cast<uint8_t>(sig.key_id >> 24), static_cast<uint8_t>(sig.key_id >> 16),
                 static_cast<uint8_t>(sig.key_id >> 8), static_cast<uint8_t>(sig.key_id)};
    raw.insert(raw.end(), sig.signature.begin(), sig.signature.end());
    AppendBase64(raw, &out);
    out.push_back('\n');
  }
  return out;
}

StatusOr<std::string> SignNote(std::string_view text, std::span<const NoteSigner> signers) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("a note text ends with a newline");
  }
  STATELOG_RETURN_IF_ERROR(CheckNoteCharacters(text).WithPrefix("note text"));
  if (signers.empty()) return Status::InvalidArgument("a note needs at least one signer");
  SignedNote note;
  note.text = std::string(text);
  for (const NoteSigner& signer : signers) {
    STATELOG_ASSIGN_OR_RETURN(Bytes sig, signer.Sign(text));
    note.signatures.push_back(
        {signer.verifier().name(), signer.verifier().key_id(), std::move(sig)});
  }
  return EncodeNote(note);
}

StatusOr<OpenedNote> OpenNote(std::string_view note, std::span<const NoteVerifier> known) {
  OpenedNote out;
  STATELOG_ASSIGN_OR_RETURN(out.note, ParseNote(note));
  std::string others;
  for (const NoteSignature& sig : out.note.signatures) {
    size_t k = 0;
    while (k < known.size() && (known[k].name() != sig.name || known[k].key_id() != sig.key_id)) {
      ++k;
    }
    if (k == known.size()) {
      others += (others.empty() ? "" : ", ") + sig.name + "+" + KeyIdHex(sig.key_id);
      continue;
    }
    if (std::find(out.verified.begin(), out.verified.end(), k) != out.verified.end()) continue;
    STATELOG_RETURN_IF_ERROR(known[k].Verify(out.note.text, sig.signature));
    out.verified.push_back(k);
  }
  if (out.verified.empty()) {
    std::string wanted;
    for (const NoteVerifier& v : known) {
      wanted += (wanted.empty() ? "" : ", ") + v.name() + "+" + KeyIdHex(v.key_id());
    }
    return Status::Corruption("note: no signature by a known key (signed by " + others +
                              "; known: " + (wanted.empty() ? "none" : wanted) + ")");
  }
  return out;
}

}  // namespace statelog::tlog
