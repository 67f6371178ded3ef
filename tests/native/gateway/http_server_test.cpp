// The HTTP and WebSocket edge on a loopback port: answers, keep-alive, late answers, limits, timeouts, the live
// feed and its slow subscribers, and a graceful stop. Clients are blocking, bounded by a deadline so a broken
// server fails a test instead of hanging it.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "gateway/http_server.hpp"

using namespace tower::gateway;
using namespace std::chrono_literals;

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kClientLimit = 5s;  // no client step in these tests may take longer

std::string to_string(beast::string_view text) { return std::string(text.data(), text.size()); }

// Runs one asynchronous client step to completion; after kClientLimit closes the socket and reports timed_out.
template <class Initiate>
beast::error_code run_bounded(net::io_context& io, beast::tcp_stream& lowest, Initiate&& initiate) {
  std::optional<beast::error_code> result;
  initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  const auto deadline = Clock::now() + kClientLimit;
  while (!result && io.run_one_until(deadline) > 0) {
  }
  if (result) return *result;
  lowest.close();
  io.restart();
  while (!result && io.run_one() > 0) {
  }
  return net::error::timed_out;
}

tcp::endpoint server_endpoint(unsigned short port) { return {net::ip::make_address("127.0.0.1"), port}; }

// A blocking HTTP/1.1 client on one connection.
class HttpClient {
 public:
  explicit HttpClient(unsigned short port) { stream_.connect(server_endpoint(port), connect_error); }

  beast::error_code write(http::request<http::string_body> request) {
    request.set(http::field::host, "127.0.0.1");
    request.prepare_payload();
    return run_bounded(io_, stream_, [&](auto handler) { http::async_write(stream_, request, handler); });
  }

  beast::error_code write_raw(const std::string& bytes) {
    return run_bounded(io_, stream_, [&](auto handler) { net::async_write(stream_, net::buffer(bytes), handler); });
  }

  beast::error_code read(http::response<http::string_body>& response) {
    return run_bounded(io_, stream_, [&](auto handler) { http::async_read(stream_, buffer_, response, handler); });
  }

  // GET (or another method) with keep-alive; fails the test on any I/O error.
  http::response<http::string_body> exchange(http::verb method, const std::string& target, std::string body = "") {
    http::request<http::string_body> request{method, target, 11};
    request.body() = std::move(body);
    REQUIRE_FALSE(write(std::move(request)));
    http::response<http::string_body> response;
    REQUIRE_FALSE(read(response));
    return response;
  }

  // Reads and discards until the connection ends; returns how it ended.
  beast::error_code read_until_closed() {
    for (;;) {
      char scratch[4096];
      const auto ec = run_bounded(io_, stream_, [&](auto handler) {
        stream_.async_read_some(net::buffer(scratch), handler);
      });
      if (ec) return ec;
    }
  }

  beast::error_code connect_error;

 private:
  net::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

// A blocking WebSocket client. A small receive buffer makes a client that never reads fill up quickly.
class LiveClient {
 public:
  LiveClient(unsigned short port, const std::string& target, std::optional<int> receive_buffer = std::nullopt) {
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.open(tcp::v4());
    if (receive_buffer) socket.set_option(net::socket_base::receive_buffer_size(*receive_buffer));
    beast::get_lowest_layer(ws_).connect(server_endpoint(port), handshake_error);
    if (handshake_error) return;
    handshake_error = run_bounded(io_, beast::get_lowest_layer(ws_), [&](auto handler) {
      ws_.async_handshake(handshake_response, "127.0.0.1", target, handler);
    });
  }

  std::string read() {
    beast::flat_buffer buffer;
    const auto ec = run_bounded(io_, beast::get_lowest_layer(ws_), [&](auto handler) {
      ws_.async_read(buffer, handler);
    });
    REQUIRE_FALSE(ec);
    return beast::buffers_to_string(buffer.data());
  }

  beast::error_code handshake_error;
  websocket::response_type handshake_response;

 private:
  net::io_context io_;
  websocket::stream<beast::tcp_stream> ws_{io_};
};

// Threads standing in for the API's commit thread: they answer after a delay.
class LateAnswers {
 public:
  ~LateAnswers() { join(); }
  void answer_after(std::chrono::milliseconds delay, Respond respond, HttpResponse response) {
    std::lock_guard lock(mutex_);
    threads_.emplace_back([delay, respond = std::move(respond), response = std::move(response)]() mutable {
      std::this_thread::sleep_for(delay);
      respond(std::move(response));
    });
  }
  void join() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      threads.swap(threads_);
    }
    for (auto& thread : threads) thread.join();
  }

 private:
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

HttpResponse text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

HttpServerOptions test_options() {
  HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.body_limit = 1024;
  options.request_timeout = 300ms;
  options.idle_timeout = 5s;
  return options;
}

struct HubOptions {
  std::size_t backlog_limit = 1 << 20;
  int drop_after = 3;
};

// A server on an ephemeral loopback port, its io_context run by two threads. /echo answers at once with
// status 202, /later after 50 ms and /slow after 200 ms, both from another thread.
class TestServer {
 public:
  explicit TestServer(HttpServerOptions options = test_options(), HubOptions hub_options = {})
      : hub(sequencer, [] { return std::string("snapshot"); }, hub_options.backlog_limit, hub_options.drop_after),
        server(io, std::move(options), [this](HttpRequest&& request, Respond respond) {
          handle(std::move(request), std::move(respond));
        }, hub) {
    auto started = server.start();
    REQUIRE(started.ok());
    port = *started;
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io.run(); });
  }

  ~TestServer() {
    late_.join();
    server.stop();
    work_.reset();
    io.stop();
    for (auto& thread : threads_) thread.join();
  }

  void broadcast(std::string message) {
    net::post(sequencer, [this, message = std::move(message)] { hub.broadcast(message); });
  }

  // Polls `condition` until it holds or two seconds pass.
  template <class Condition>
  static bool eventually(Condition condition) {
    const auto deadline = Clock::now() + 2s;
    while (!condition()) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  net::io_context io;
  LiveHub::Executor sequencer = net::make_strand(io);
  LiveHub hub;
  HttpServer server;
  unsigned short port = 0;
  std::atomic<int> slow_requests{0};  // handed to the handler so far

 private:
  void handle(HttpRequest&& request, Respond respond) {
    if (request.path == "/later") return late_.answer_after(50ms, std::move(respond), text(200, "answered later"));
    if (request.path == "/slow") {
      ++slow_requests;
      return late_.answer_after(200ms, std::move(respond), text(200, "slow but sure"));
    }
    auto response = text(202, request.method + " " + request.path + " " + request.query + " " + request.body);
    response.headers.emplace_back("X-Client", request.client_address);
    if (const auto* agent = request.header("user-agent")) response.headers.emplace_back("X-Agent", *agent);
    respond(std::move(response));
  }

  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io);
  LateAnswers late_;
  std::vector<std::thread> threads_;
};

}  // namespace

TEST_CASE("a request gets the handler's status, body and headers", "[http]") {
  TestServer fixture;
  HttpClient client(fixture.port);
  REQUIRE_FALSE(client.connect_error);
  http::request<http::string_body> request{http::verb::post, "/echo?a=1", 11};
  request.set(http::field::user_agent, "catch2");
  request.body() = "hello";
  REQUIRE_FALSE(client.write(std::move(request)));
  http::response<http::string_body> response;
  REQUIRE_FALSE(client.read(response));

  CHECK(response.result_int() == 202);
  CHECK(response.body() == "POST /echo a=1 hello");
  CHECK(to_string(response[http::field::content_type]) == "text/plain");
  CHECK(to_string(response[http::field::content_length]) == std::to_string(response.body().size()));
  CHECK(to_string(response[http::field::server]) == "tower");
  CHECK(to_string(response["X-Client"]) == "127.0.0.1");
  CHECK(to_string(response["X-Agent"]) == "catch2");
}

TEST_CASE("a keep-alive connection carries one request after another", "[http]") {
  TestServer fixture;
  HttpClient client(fixture.port);
  const auto first = client.exchange(http::verb::get, "/echo?n=1");
  const auto second = client.exchange(http::verb::get, "/echo?n=2");
  CHECK(first.body() == "GET /echo n=1 ");
  CHECK(first.keep_alive());
  CHECK(second.body() == "GET /echo n=2 ");
  CHECK(fixture.server.connections() == 1);
}

TEST_CASE("a handler may answer later from another thread", "[http]") {
  TestServer fixture;
  HttpClient client(fixture.port);
  const auto response = client.exchange(http::verb::get, "/later");
  CHECK(response.result_int() == 200);
  CHECK(response.body() == "answered later");
  CHECK(TestServer::eventually([&] { return fixture.server.requests_in_flight() == 0; }));
}

TEST_CASE("a body over the limit is refused with 413 and the connection closes", "[http]") {
  TestServer fixture;
  HttpClient client(fixture.port);
  const auto response = client.exchange(http::verb::post, "/echo", std::string(4096, 'x'));
  CHECK(response.result_int() == 413);
  CHECK(to_string(response[http::field::content_type]) == "application/json");
  CHECK(response.body() ==
        R"({"error":{"code":"payload_too_large","message":"the request body is larger than 1024 bytes"}})");
  CHECK_FALSE(response.keep_alive());
  CHECK(client.read_until_closed() == net::error::eof);
}

TEST_CASE("connections beyond the limit are closed at once while those within it are served", "[http]") {
  HttpServerOptions options = test_options();
  options.max_connections = 4;
  TestServer fixture(options);
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<HttpClient>(fixture.port));
    REQUIRE_FALSE(held.back()->connect_error);
  }
  REQUIRE(TestServer::eventually([&] { return fixture.server.connections() == 4; }));
  // The fifth is accepted by the kernel and closed by the server before it reads a byte.
  HttpClient extra(fixture.port);
  REQUIRE_FALSE(extra.connect_error);
  const beast::error_code ended = extra.read_until_closed();
  CHECK((ended == net::error::eof || ended == net::error::connection_reset));
  CHECK(fixture.server.connections() == 4);
  // Those within the limit still get answers; once one leaves, a newcomer is served again.
  CHECK(held[0]->exchange(http::verb::get, "/echo").result_int() == 202);
  held.pop_back();
  REQUIRE(TestServer::eventually([&] { return fixture.server.connections() == 3; }));
  HttpClient newcomer(fixture.port);
  CHECK(newcomer.exchange(http::verb::get, "/echo").result_int() == 202);
}

TEST_CASE("bytes that are not HTTP get 400 and the connection closes", "[http]") {
  TestServer fixture;
  HttpClient client(fixture.port);
  REQUIRE_FALSE(client.write_raw("this is not HTTP\r\n\r\n"));
  http::response<http::string_body> response;
  REQUIRE_FALSE(client.read(response));
  CHECK(response.result_int() == 400);
  CHECK_THAT(response.body(), Catch::StartsWith(R"({"error":{"code":"bad_request","message":")"));
  CHECK(client.read_until_closed() == net::error::eof);
}

TEST_CASE("a client dribbling its headers is cut off after the request timeout", "[http]") {
  TestServer fixture;  // request_timeout 300 ms
  HttpClient client(fixture.port);
  REQUIRE_FALSE(client.write_raw("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  const auto started = Clock::now();
  const auto ended = client.read_until_closed();
  const auto elapsed = Clock::now() - started;
  CHECK((ended == net::error::eof || ended == net::error::connection_reset));
  CHECK(elapsed < 2s);
}

TEST_CASE("a live subscriber gets the snapshot, then every broadcast in order", "[http]") {
  TestServer fixture;
  LiveClient client(fixture.port, "/api/v1/live");
  REQUIRE_FALSE(client.handshake_error);
  CHECK(to_string(client.handshake_response[http::field::server]) == "tower");
  CHECK(client.read() == "snapshot");
  CHECK(fixture.hub.subscribers() == 1);
  for (int i = 1; i <= 5; ++i) fixture.broadcast("event " + std::to_string(i));
  for (int i = 1; i <= 5; ++i) CHECK(client.read() == "event " + std::to_string(i));
}

TEST_CASE("a subscriber that never reads is resynced or dropped and broadcast never waits for it", "[http]") {
  TestServer fixture(test_options(), HubOptions{256 * 1024, 3});
  LiveClient client(fixture.port, "/api/v1/live", 4096);
  REQUIRE_FALSE(client.handshake_error);
  CHECK(client.read() == "snapshot");  // subscribed; from now on the client reads nothing

  const std::string large(64 * 1024, 'e');
  std::promise<void> done;
  const auto started = Clock::now();
  for (int i = 0; i < 200; ++i) fixture.broadcast(large);
  net::post(fixture.sequencer, [&done] { done.set_value(); });
  REQUIRE(done.get_future().wait_for(5s) == std::future_status::ready);
  const auto elapsed = Clock::now() - started;

  CHECK(elapsed < 2s);
  CHECK(fixture.hub.drops() + fixture.hub.resyncs() > 0);
}

TEST_CASE("an upgrade on another path gets 404", "[http]") {
  TestServer fixture;
  LiveClient client(fixture.port, "/api/v1/elsewhere");
  CHECK(client.handshake_error == websocket::error::upgrade_declined);
  CHECK(client.handshake_response.result_int() == 404);
  CHECK_THAT(client.handshake_response.body(), Catch::Contains(R"("code":"not_found")"));
}

TEST_CASE("stop lets an in-flight request finish, closes idle connections and refuses new ones", "[http]") {
  TestServer fixture;
  HttpClient idle(fixture.port);
  CHECK(idle.exchange(http::verb::get, "/echo").result_int() == 202);
  HttpClient busy(fixture.port);
  REQUIRE_FALSE(busy.write(http::request<http::string_body>{http::verb::get, "/slow", 11}));
  REQUIRE(TestServer::eventually([&] { return fixture.slow_requests == 1; }));

  fixture.server.stop();

  http::response<http::string_body> response;
  REQUIRE_FALSE(busy.read(response));
  CHECK(response.result_int() == 200);
  CHECK(response.body() == "slow but sure");
  CHECK_FALSE(response.keep_alive());
  CHECK(idle.read_until_closed() == net::error::eof);
  HttpClient late(fixture.port);
  CHECK(late.connect_error == net::error::connection_refused);
  CHECK(TestServer::eventually([&] { return fixture.server.connections() == 0; }));
  CHECK(fixture.server.requests_in_flight() == 0);
}

TEST_CASE("a port in use is refused naming the address and the reason", "[http]") {
  TestServer fixture;
  net::io_context io;
  LiveHub hub(net::make_strand(io), [] { return std::string("snapshot"); });
  auto options = test_options();
  options.port = fixture.port;
  HttpServer second(io, options, [](HttpRequest&&, Respond respond) { respond(text(200, "")); }, hub);
  const auto started = second.start();
  REQUIRE_FALSE(started.ok());
  CHECK_THAT(started.error().message, Catch::Contains("127.0.0.1:" + std::to_string(fixture.port)) &&
                                          Catch::Contains("in use"));
}
