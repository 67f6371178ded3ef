// The gateway's HTTP/1.1 and WebSocket edge, on Boost.Beast. A session reads one request (with a body size
// limit and timeouts), hands it to the Handler and writes whatever the Handler answers, whenever it answers
// (the API answers after a durable commit, from another thread). Keep-alive and pipelining-free: one
// request in flight per connection. WebSocket upgrades on the live path join the LiveHub.
// The protocol logic is the Handler's; this file only reads, calls and writes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "tower/result.hpp"

namespace tower::gateway {

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string path;     // the target without the query, percent-decoding not applied
  std::string query;    // after '?', may be empty
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string client_address;  // the peer's IP address
  std::chrono::steady_clock::time_point received;
  const std::string* header(const std::string& lower_case_name) const;  // nullptr if absent
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Retry-After, Allow, ...)
};

// Must be called exactly once, from any thread. Calling it after the connection died is harmless.
using Respond = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&&, Respond)>;

// WebSocket subscribers of the live feed. A subscriber first gets a snapshot, then every broadcast in order.
// Subscribing and broadcasting run on the sequencer's executor, so a snapshot and the events after it never
// overlap or leave a gap. A subscriber whose unsent backlog exceeds the limit is resynced: its backlog is
// dropped and replaced by a fresh snapshot; one that stays over the limit for `drop_after` resyncs is closed.
// The tower never waits for a subscriber.
class LiveHub {
 public:
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
  LiveHub(Executor sequencer, std::function<std::string()> snapshot, std::size_t backlog_limit_bytes = 1 << 20,
          int drop_after = 3);

  // Call on the sequencer only: sends `text` to every subscriber.
  void broadcast(const std::string& text);
  std::size_t subscribers() const { return count_.load(); }
  std::uint64_t resyncs() const { return resyncs_.load(); }
  std::uint64_t drops() const { return drops_.load(); }
  // Closes every subscriber (shutdown); later subscribers are closed at once. Any thread.
  void close_all();

  // Used by the server's WebSocket sessions.
  struct Subscriber {
    virtual ~Subscriber() = default;
    virtual void send(std::shared_ptr<const std::string> text) = 0;  // thread-safe, non-blocking
    virtual std::size_t backlog_bytes() const = 0;
    virtual void reset_backlog() = 0;  // drop unsent messages (not the one being written)
    virtual void close(const std::string& reason) = 0;
  };
  void subscribe(std::shared_ptr<Subscriber> subscriber);    // posts to the sequencer
  void unsubscribe(const Subscriber* subscriber);            // posts to the sequencer

 private:
  friend class HttpServer;  // hands over WebSocket upgrades
  class WebSocketSession;
  // On the socket's strand: answers the upgrade, then subscribes; `connection` is held until the socket closes.
  void accept(boost::asio::ip::tcp::socket&& socket, const HttpRequest& upgrade, std::shared_ptr<void> connection);

  Executor sequencer_;
  std::function<std::string()> snapshot_;
  std::size_t backlog_limit_;
  int drop_after_;
  std::unordered_map<const Subscriber*, std::pair<std::shared_ptr<Subscriber>, int>> subscribers_;  // -> resyncs in a row
  std::atomic<std::size_t> count_{0};
  std::atomic<std::uint64_t> resyncs_{0}, drops_{0};
  std::atomic<bool> closed_{false};  // set by close_all
};

struct HttpServerOptions {
  std::string address = "0.0.0.0";
  unsigned short port = 8080;            // 0: an ephemeral port (tests)
  std::size_t body_limit = 64 * 1024;    // larger bodies get 413
  std::chrono::milliseconds request_timeout{10'000};  // to read a whole request once it started
  std::chrono::milliseconds idle_timeout{30'000};     // keep-alive connections with nothing to say
  std::string live_path = "/api/v1/live";
  std::size_t max_connections = 10'000;  // beyond it new connections are closed at once
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, Handler handler, LiveHub& live);
  ~HttpServer();
  // Binds and listens. Returns the port actually bound. Fails naming the address and the OS reason.
  Result<unsigned short> start();
  // Stops accepting; idle connections close now, busy ones after their response. In-flight requests finish.
  // Closes the live feed too (LiveHub::close_all). Any thread.
  void stop();
  std::size_t connections() const;
  std::size_t requests_in_flight() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tower::gateway
