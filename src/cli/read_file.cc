#include "cli/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace statelog::cli {

ReadFailure ReadWholeFile(const std::string& path, size_t limit, std::string* out) {
  const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {ReadFailure::kOpen, errno, 0};
  ReadFailure failure;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    failure = {ReadFailure::kOpen, errno, 0};
  } else if (S_ISDIR(st.st_mode)) {
    failure = {ReadFailure::kDirectory, 0, 0};
  } else if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= limit) {
    out->reserve(out->size() + static_cast<size_t>(st.st_size));
  }
  char buf[1 << 16];
  while (failure.ok()) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      failure = {ReadFailure::kRead, errno, out->size()};
      break;
    }
    if (out->size() + static_cast<size_t>(n) > limit) {
      failure = {ReadFailure::kTooLarge, 0, out->size()};
      break;
    }
    out->append(buf, static_cast<size_t>(n));
  }
  if (fd != 0) ::close(fd);
  return failure;
}

}  // namespace statelog::cli
