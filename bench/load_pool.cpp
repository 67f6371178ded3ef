// The client side of the load test: one-shot requests and the keep-alive connections of Pool.
#include "load_pool.hpp"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tower::load {

constexpr auto io_timeout = std::chrono::seconds(30);  // a phase with no answer this long fails, not hangs

std::string request_text(const std::string& start_line, const std::string& host, const std::string& token,
                         const std::string& body) {
  std::string text = start_line + " HTTP/1.1\r\nHost: " + host + "\r\n";
  if (!token.empty()) text += "Authorization: Bearer " + token + "\r\n";
  if (start_line.rfind("POST", 0) == 0)
    text += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return text + "\r\n" + body;
}

std::optional<Response> fetch(asio::io_context& io, const tcp::endpoint& server, const std::string& request,
                              std::chrono::milliseconds timeout, std::string& error) {
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  Response response;
  beast::error_code failure;
  stream.expires_after(timeout);
  stream.async_connect(server, [&](beast::error_code ec) {
    if (ec) return void(failure = ec);
    asio::async_write(stream, asio::buffer(request), [&](beast::error_code written, std::size_t) {
      if (written) return void(failure = written);
      http::async_read(stream, buffer, response, [&](beast::error_code read, std::size_t) { failure = read; });
    });
  });
  io.restart();
  io.run();
  if (failure) {
    error = failure.message();
    return std::nullopt;
  }
  return response;
}

struct Pool::Connection {
  explicit Connection(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  beast::flat_buffer buffer;
  Response response;
  std::size_t job = 0;
  Clock::time_point sent;
  bool alive = true;
};

Pool::Pool(asio::io_context& io, tcp::endpoint server, int connections) : io_(io), server_(server), watchdog_(io) {
  for (int i = 0; i < connections; ++i) connections_.push_back(std::make_unique<Connection>(io));
}

Pool::~Pool() = default;

bool Pool::connect(std::string& error) {
  for (auto& connection : connections_) {
    beast::error_code ec;
    connection->socket.connect(server_, ec);
    if (!ec) connection->socket.set_option(tcp::no_delay(true), ec);
    if (ec) {
      error = "connect: " + ec.message();
      return false;
    }
  }
  return true;
}

PhaseRun Pool::run(Phase phase, pid_t server_pid) {
  phase_ = std::move(phase);
  next_job_ = 0;
  run_ = {};
  first_send_.reset();
  const CpuTime server = cpu_time_of(server_pid), client = cpu_time_of(getpid());
  const auto started = Clock::now();
  last_answer_ = started;
  io_.restart();
  busy_ = 0;
  for (auto& connection : connections_)
    if (connection->alive) ++busy_, send(*connection);
  if (busy_ > 0) watch();
  io_.run();
  const CpuTime server_after = cpu_time_of(server_pid), client_after = cpu_time_of(getpid());
  run_.server = {server_after.running_s - server.running_s, server_after.waiting_s - server.waiting_s};
  run_.client = {client_after.running_s - client.running_s, client_after.waiting_s - client.waiting_s};
  run_.seconds = std::chrono::duration<double>(last_answer_ - first_send_.value_or(started)).count();
  return run_;
}

void Pool::send(Connection& connection) {
  if (next_job_ >= phase_.count || (phase_.deadline && Clock::now() >= *phase_.deadline)) return idle();
  connection.job = next_job_++;
  const std::string& text = phase_.request(connection.job);
  connection.sent = Clock::now();
  if (!first_send_) first_send_ = connection.sent;
  asio::async_write(connection.socket, asio::buffer(text), [this, &connection](beast::error_code ec, std::size_t) {
    if (ec) return fail(connection, ec, "write");
    connection.response = {};
    http::async_read(connection.socket, connection.buffer, connection.response,
                     [this, &connection](beast::error_code read, std::size_t) { on_read(connection, read); });
  });
}

void Pool::on_read(Connection& connection, beast::error_code ec) {
  if (ec) return fail(connection, ec, "read");
  last_answer_ = Clock::now();
  ++run_.answered;
  phase_.answer(connection.job, connection.response, last_answer_,
                std::chrono::duration<double, std::micro>(last_answer_ - connection.sent).count());
  if (connection.response.keep_alive()) return send(connection);
  // The server closed this keep-alive connection: count it and open another.
  ++run_.reconnects;
  beast::error_code ignored;
  connection.socket.close(ignored);
  connection.buffer.clear();
  connection.socket.async_connect(server_, [this, &connection](beast::error_code connected) {
    if (connected) return fail(connection, connected, "reconnect");
    beast::error_code option;
    connection.socket.set_option(tcp::no_delay(true), option);
    send(connection);
  });
}

void Pool::fail(Connection& connection, beast::error_code ec, const char* what) {
  connection.alive = false;
  if (run_.errors++ == 0) run_.first_error = std::string(what) + ": " + ec.message();
  idle();
}

void Pool::idle() {
  if (--busy_ == 0) watchdog_.cancel();
}

void Pool::watch() {
  watchdog_.expires_after(std::chrono::seconds(1));
  watchdog_.async_wait([this](beast::error_code ec) {
    if (ec || busy_ == 0) return;
    const auto quiet = Clock::now() - std::max(last_answer_, first_send_.value_or(last_answer_));
    if (quiet < io_timeout) return watch();
    for (auto& connection : connections_) {
      beast::error_code ignored;
      connection->socket.close(ignored);
    }
    if (run_.errors == 0) run_.first_error = "no answer for " + std::to_string(io_timeout.count()) + " s";
  });
}

}  // namespace tower::load
