// The server side of the load test: fork/exec of `tower serve`, its stop and log, and what /proc says about it.
#include "load_server.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <random>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace tower::load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

CpuTime cpu_time_of(pid_t pid) {
  CpuTime total;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream file(task.path() / "schedstat");
    double running_ns = 0, waiting_ns = 0;
    if (file >> running_ns >> waiting_ns) {
      total.running_s += running_ns / 1e9;
      total.waiting_s += waiting_ns / 1e9;
    }
  }
  return total;
}

std::string file_system_of(const std::string& path) {
  struct statfs info{};
  if (statfs(path.c_str(), &info) != 0) return "unknown";
  switch (static_cast<unsigned long>(info.f_type)) {
    case 0x01021994UL: return "tmpfs";
    case 0xEF53UL: return "ext4";
    case 0x794C7630UL: return "overlayfs";
    case 0x58465342UL: return "xfs";
    case 0x9123683EUL: return "btrfs";
    default: return "other";
  }
}

bool pin_to_cpu(pid_t pid, int cpu) {
  if (cpu < 0) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(pid, sizeof set, &set) == 0;
}

ServerProcess::ServerProcess(const std::string& tower, const std::string& config, const std::string& log_path, int cpu)
    : log_path_(log_path) {
  std::vector<std::string> words{tower, "serve", "--config", config};
  std::vector<char*> args;
  for (auto& word : words) args.push_back(word.data());
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {  // the child: only async-signal-safe calls until exec
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log < 0) _exit(126);
    dup2(log, STDERR_FILENO);
    dup2(log, STDOUT_FILENO);
    if (!pin_to_cpu(0, cpu)) {
      static constexpr char message[] = "tower_load_bench: cannot pin the server to its CPU\n";
      [[maybe_unused]] const auto written = write(STDERR_FILENO, message, sizeof message - 1);
      _exit(126);
    }
    execv(args[0], args.data());
    _exit(127);
  }
}

ServerProcess::~ServerProcess() {
  if (running()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool ServerProcess::running() {
  if (pid_ <= 0 || exited_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) finish(status);
  return !exited_;
}

std::optional<std::string> ServerProcess::stop(std::chrono::seconds patience) {
  if (running()) kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + patience;
  while (running() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (running()) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    finish(status);
    return "did not exit within " + std::to_string(patience.count()) + " s of SIGTERM; killed";
  }
  return outcome_;
}

bool ServerProcess::sigkill() {
  if (!running()) return false;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  finish(status);
  return true;
}

std::string ServerProcess::log_tail(std::size_t lines) const {
  std::ifstream file(log_path_);
  std::deque<std::string> tail;
  for (std::string line; std::getline(file, line);) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string text;
  for (const auto& line : tail) text += "  | " + line + "\n";
  return text;
}

void ServerProcess::finish(int status) {
  exited_ = true;
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) outcome_ = "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) outcome_ = "was killed by signal " + std::to_string(WTERMSIG(status));
}

unsigned short free_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const unsigned short port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

std::string random_token(std::size_t length) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
  std::string token;
  for (std::size_t i = 0; i < length; ++i) token += alphabet[pick(device)];
  return token;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  if (!file) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace tower::load
