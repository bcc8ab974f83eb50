#include "serve/json.h"

namespace statelog::serve {

void JsonOut::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
}

void JsonOut::Open(char c) {
  Separate();
  out_.push_back(c);
  first_.push_back(true);
}

void JsonOut::Close(char c) {
  out_.push_back(c);
  first_.pop_back();
}

void JsonOut::Key(std::string_view key) {
  Value(key);
  out_.push_back(':');
  after_key_ = true;
}

void JsonOut::Null() {
  Separate();
  out_.append("null");
}

void JsonOut::Raw(std::string_view json) {
  Separate();
  out_.append(json);
}

}  // namespace statelog::serve
