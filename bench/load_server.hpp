// The server side of the load test: starting and stopping `tower serve`, pinning it, and its CPU use.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace tower::load {

// Time a process's threads spent on a CPU and waiting in a run queue for one, from /proc/<pid>/task/*/schedstat.
// The waiting tells a saturated core apart from a server that was runnable while another process had the core.
struct CpuTime {
  double running_s = 0, waiting_s = 0;
};

CpuTime cpu_time_of(pid_t pid);

// The kind of file system `path` is on ("tmpfs", "ext4", ...), "other" or "unknown".
std::string file_system_of(const std::string& path);

// Pins `pid` (0: this thread) to `cpu`; true also when `cpu` is -1 (no pinning).
bool pin_to_cpu(pid_t pid, int cpu);

class ServerProcess {
 public:
  // fork/exec `tower serve --config FILE` with stderr to `log_path`, pinned to `cpu` before exec.
  ServerProcess(const std::string& tower, const std::string& config, const std::string& log_path, int cpu);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  bool running();
  // SIGTERM, then waits up to `patience`; SIGKILL after it. Returns a description when it did not exit 0.
  std::optional<std::string> stop(std::chrono::seconds patience);
  // SIGKILL now, as a crash would, and reaps it; false when it had already exited on its own.
  bool sigkill();
  std::optional<std::string> outcome() const { return outcome_; }
  std::string log_tail(std::size_t lines) const;

 private:
  void finish(int status);
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  std::optional<std::string> outcome_;
};

// A loopback port that was free a moment ago.
unsigned short free_port();

std::string random_token(std::size_t length);

// Throws std::runtime_error when the file cannot be written.
void write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace tower::load
