// The client side of the load test: HTTP requests as text, one-shot requests, and the keep-alive Pool that runs a
// Phase of many requests over C connections.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "load_server.hpp"

namespace tower::load {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Response = http::response<http::string_body>;

// An HTTP/1.1 request: `start_line` such as "GET /healthz", a bearer `token` when not empty, a JSON body on POST.
std::string request_text(const std::string& start_line, const std::string& host, const std::string& token,
                         const std::string& body);

// One request on a fresh connection, with a timeout; nullopt and `error` set when it failed.
std::optional<Response> fetch(asio::io_context& io, const tcp::endpoint& server, const std::string& request,
                              std::chrono::milliseconds timeout, std::string& error);

// What a phase asks of the connections: jobs 0..count-1, or as many as fit before the deadline.
struct Phase {
  std::size_t count = 0;
  std::optional<Clock::time_point> deadline;
  std::function<const std::string&(std::size_t)> request;
  std::function<void(std::size_t job, Response& response, Clock::time_point answered, double latency_us)> answer;
};

struct PhaseRun {
  std::size_t answered = 0;
  double seconds = 0;         // first send to last answer
  CpuTime server, client;     // over the phase
  std::size_t errors = 0, reconnects = 0;
  std::string first_error;
};

// C keep-alive connections on one io_context; each loops: take a job, write it, read the answer, record.
// One watchdog per phase instead of a timer per operation: a timer per request costs the client a syscall.
class Pool {
 public:
  Pool(asio::io_context& io, tcp::endpoint server, int connections);
  ~Pool();
  // Connects every connection; false with the reason in `error` if one fails.
  bool connect(std::string& error);
  PhaseRun run(Phase phase, pid_t server_pid);
  Clock::time_point first_send() const { return first_send_.value_or(Clock::now()); }

 private:
  struct Connection;

  void send(Connection& connection);
  void on_read(Connection& connection, beast::error_code ec);
  void fail(Connection& connection, beast::error_code ec, const char* what);
  void idle();
  // A server that stops answering fails the run instead of hanging it: every socket is closed.
  void watch();

  asio::io_context& io_;
  tcp::endpoint server_;
  asio::steady_timer watchdog_;
  std::vector<std::unique_ptr<Connection>> connections_;
  Phase phase_;
  std::size_t next_job_ = 0;
  int busy_ = 0;  // connections still working on this phase
  PhaseRun run_;
  std::optional<Clock::time_point> first_send_;
  Clock::time_point last_answer_;
};

}  // namespace tower::load
